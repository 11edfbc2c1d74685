"""A comparison over incident start times: parsing, placing the incident, pooling, ranking text."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from contextlib import redirect_stderr

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from experiments.common import run_app
from experiments.compare import check_compare
from sim.analysis.compare import POOLED, compare, placed
from sim.analysis.compare_report import rank_changes, ranking_markdown, ranks
from sim.analysis.start_times import StartTime, parse_start, parse_starts, shifted_start
from sim.analysis.stats import clustered_mean_ci, mean_ci, summarise
from sim.config.schema import RunConfig
from sim.errors import ConfigError
from sim.scenario.schedule import Clock
from tests.conftest import ROOT, load_preset


# ------------------------------------------------------------------ parsing
def test_start_times_are_a_weekday_and_an_hour():
    assert parse_start("mon10") == StartTime(0, 600)
    assert parse_start("WED03") == StartTime(2, 180)
    assert parse_start("sat20:30") == StartTime(5, 20 * 60 + 30)
    assert parse_start("sun0") == StartTime(6, 0)
    assert [s.label for s in parse_starts(["mon10", "wed03", "sat20:30"])] == [
        "mon10",
        "wed03",
        "sat20:30",
    ]
    assert parse_start("sat20:30").title == "Saturday 20:30"
    assert parse_starts(None) == [] and parse_starts([]) == []
    assert parse_starts("tue09") == [StartTime(1, 540)]


@pytest.mark.parametrize(
    "bad", ["mon24", "funday10", "mon10:75", "mon", "10", 10, "monday10", "mon10:5", ""]
)
def test_malformed_start_times_name_the_key_and_the_form(bad):
    with pytest.raises(ConfigError, match="starts") as info:
        parse_starts([bad])
    assert "mon10" in str(info.value) and "[]" in str(info.value)


def test_a_start_time_given_twice_is_refused():
    with pytest.raises(ConfigError, match="twice"):
        parse_starts(["mon10", "MON10:00"])


# ------------------------------------------------------------------ placing the first incident
def _scenario(start: str, at_h: float) -> dict:
    scenario = load_preset("scenario", "united_sarver")
    scenario["start"] = start
    scenario["incidents"][0]["at_h"] = at_h
    return scenario


def _incident_clock(rc: RunConfig) -> tuple[int, int]:
    """(weekday, minute of day) of the first incident as the model's clock sees it."""
    sc = rc.scenario
    return Clock(sc).at(int(round(sc.incidents[0].at_h * 60 / sc.tick_min)))


@pytest.mark.parametrize(
    ("start", "at_h", "target", "expected"),
    [
        ("2009-02-09T08:00", 2.0, "mon10", "2009-02-09T08:00"),  # United as it is: unchanged
        ("2009-02-09T08:00", 2.0, "wed03", "2009-02-11T01:00"),
        ("2009-02-09T08:00", 2.0, "sat20", "2009-02-14T18:00"),
        ("2009-02-09T08:00", 2.5, "sat20:30", "2009-02-14T18:00"),
        ("2009-02-09T08:00", 2.0, "mon01", "2009-02-08T23:00"),  # tick 0 on the Sunday before
        ("2009-02-15T20:00", 30.0, "sun22", "2009-02-21T16:00"),  # incident on Mon 16th: its week
    ],
)
def test_the_first_incident_happens_at_the_weekday_and_hour(start, at_h, target, expected):
    t = parse_start(target)
    assert shifted_start(start, at_h, t) == expected
    rc = RunConfig.from_dict({"scenario": _scenario(start, at_h), "population": {"size": 3000}})
    moved = RunConfig.from_dict(
        {
            **placed({"scenario": _scenario(start, at_h)}, [target])[0][t.label],
            "population": {"size": 3000},
        }
    )
    assert _incident_clock(moved) == (t.weekday, t.minute)
    assert moved.scenario.start == expected
    # nothing else about the scenario changes
    before, after = rc.to_dict(), moved.to_dict()
    before["scenario"].pop("start"), after["scenario"].pop("start")
    assert before == after


def test_without_start_times_the_scenario_keeps_its_start_and_is_labelled_by_its_incident():
    base = {"scenario": _scenario("2009-02-11T09:30", 2.0)}
    configs, titles = placed(base, [])
    assert configs == {"wed11:30": base} and titles == {"wed11:30": "Wednesday 11:30"}


def test_a_scenario_without_incidents_cannot_be_placed():
    scenario = load_preset("scenario", "united_sarver")
    scenario["incidents"] = []
    with pytest.raises(ConfigError, match="no incident"):
        placed({"scenario": scenario}, ["mon10"])
    assert list(placed({"scenario": scenario}, None)[0]) == ["scenario"]


# ------------------------------------------------------------------ pooled = the concatenation
def _base() -> dict:
    scenario = load_preset("scenario", "united_sarver")
    scenario["horizon_h"] = 8.0
    return {"seed": 5, "scenario": scenario, "population": {"size": 3000}}


@pytest.fixture(scope="module")
def two_starts():
    strategies = {n: load_preset("strategy", n) for n in ("ignore", "fast_social_care")}
    both = compare(
        _base(),
        strategies,
        3,
        baseline="ignore",
        starts=["mon10", "wed03"],
        n_jobs=1,
        progress=False,
    )
    alone = {
        s: compare(_base(), strategies, 3, baseline="ignore", starts=[s], n_jobs=1, progress=False)
        for s in ("mon10", "wed03")
    }
    return both, alone


def test_every_start_time_runs_the_same_replicates_as_alone(two_starts):
    both, alone = two_starts
    joined = pd.concat([alone["mon10"].runs, alone["wed03"].runs], ignore_index=True)
    pd.testing.assert_frame_equal(both.runs, joined)  # the network reused across starts: no change
    assert list(both.runs["seed"]) == [5, 5, 6, 6, 7, 7] * 2
    assert both.starts == ["mon10", "wed03"] and both.headline == POOLED
    assert both.titles == {"mon10": "Monday 10:00", "wed03": "Wednesday 03:00"}
    for name in ("hourly", "response_times"):
        frame = getattr(both, name)
        assert list(frame.columns[:3]) == ["start", "strategy", "replicate"]
        assert set(frame["start"]) == {"mon10", "wed03"}


def test_the_scenario_start_is_the_same_as_no_start_times_for_united():
    strategies = {"ignore": load_preset("strategy", "ignore")}
    own = compare(_base(), strategies, 2, baseline="ignore", starts=None, n_jobs=1, progress=False)
    mon = compare(
        _base(), strategies, 2, baseline="ignore", starts=["mon10"], n_jobs=1, progress=False
    )
    assert own.starts == ["mon10"]
    pd.testing.assert_frame_equal(own.runs, mon.runs)


def test_pooled_summary_is_over_all_runs_paired_by_start_and_replicate(two_starts):
    both, alone = two_starts
    summary = both.summary()
    assert list(dict.fromkeys(summary["start"])) == [POOLED, "mon10", "wed03"]
    for start in ("mon10", "wed03"):  # each block is the comparison at that start alone
        pd.testing.assert_frame_equal(
            summary[summary["start"] == start].reset_index(drop=True),
            alone[start].summary().reset_index(drop=True),
        )
    pooled = summary[summary["start"] == POOLED].set_index(["strategy", "metric"])
    runs = both.runs
    metric = "reach_negative_scaled"
    fast = runs[runs["strategy"] == "fast_social_care"].set_index(["start", "replicate"])
    ign = runs[runs["strategy"] == "ignore"].set_index(["start", "replicate"])
    row = pooled.loc[("fast_social_care", metric)]
    assert row["n"] == 6 and row["n_pairs"] == 6
    assert row["mean"] == pytest.approx(fast[metric].mean())  # the mean of the concatenation
    d = fast[metric] - ign.loc[fast.index, metric]
    assert row["diff"] == pytest.approx(d.mean())
    # replicate r is one world at both start times: the interval is over replicate averages
    per_replicate = d.groupby(level="replicate").mean().to_numpy()
    half = st.t.ppf(0.975, 2) * per_replicate.std(ddof=1) / math.sqrt(3)
    assert half > 0 and d.mean() < 0
    assert row["diff_ci_low"] == pytest.approx(d.mean() - half)
    assert row["diff_ci_high"] == pytest.approx(d.mean() + half)


def test_clustered_interval_is_over_the_cluster_means():
    x = np.array([1.0, 2.0, 4.0, 3.0, np.nan, 8.0])
    c = np.array([0, 0, 1, 1, 2, 2])
    est = clustered_mean_ci(x, c)
    ref = mean_ci([1.5, 3.5, 8.0])
    assert (est.mean, est.low, est.high) == pytest.approx((ref.mean, ref.low, ref.high))
    assert est.n == 5  # finite values
    runs = pd.DataFrame(
        {
            "strategy": ["a"] * 4 + ["b"] * 4,
            "start": ["x", "x", "y", "y"] * 2,
            "replicate": [0, 1, 0, 1] * 2,
            "v": [1.0, 2.0, 3.0, 5.0, 2.0, 2.0, 5.0, 8.0],
        }
    )
    s = summarise(runs, ["v"], "a", pair_by=("start", "replicate"), cluster="replicate")
    b = s.set_index("strategy").loc["b"]
    # differences 1, 0, 2, 3: replicate 0 -> 1.5, replicate 1 -> 1.5
    assert b["diff"] == pytest.approx(1.5) and b["n_pairs"] == 4
    assert b["diff_ci_low"] == pytest.approx(1.5) and b["diff_ci_high"] == pytest.approx(1.5)


# ------------------------------------------------------------------ where the ranking changes
def _table(means: dict[str, dict[str, tuple[float, float]]]) -> pd.DataFrame:
    """A summary with start -> strategy -> (mean negative reach, mean sentiment)."""
    rows = []
    for start, by in means.items():
        for name, (reach, sentiment) in by.items():
            rows.append(
                {"start": start, "strategy": name, "metric": "reach_negative_scaled", "mean": reach}
            )
            rows.append(
                {
                    "start": start,
                    "strategy": name,
                    "metric": "sentiment_mean_final",
                    "mean": sentiment,
                }
            )
    return pd.DataFrame(rows)


STRATS = ["ignore", "business_hours", "integrated_social_crm", "fast_social_care"]


def test_ranking_changes_name_the_strategies_that_move():
    table = _table(
        {
            POOLED: {
                "ignore": (330, 0.10),
                "business_hours": (300, 0.11),
                "integrated_social_crm": (250, 0.12),
                "fast_social_care": (120, 0.20),
            },
            "mon10": {
                "ignore": (330, 0.10),
                "business_hours": (320, 0.11),
                "integrated_social_crm": (329, 0.12),
                "fast_social_care": (120, 0.20),
            },
            "wed03": {
                "ignore": (330, 0.10),
                "business_hours": (290, 0.11),
                "integrated_social_crm": (190, 0.12),
                "fast_social_care": (120, 0.20),
            },
        }
    )
    assert ranks(table, STRATS, "mon10", "reach_negative_scaled", True) == {
        "fast_social_care": 1,
        "business_hours": 2,
        "integrated_social_crm": 3,
        "ignore": 4,
    }
    changes = rank_changes(table, STRATS, ["mon10", "wed03"], "reach_negative_scaled", True)
    assert changes == {
        "mon10": [("business_hours", 2, 3), ("integrated_social_crm", 3, 2)],
        "wed03": [],
    }
    md = ranking_markdown(
        table,
        STRATS,
        ["mon10", "wed03"],
        {"mon10": "Monday 10:00", "wed03": "Wednesday 03:00"},
        "ignore",
    )
    assert (
        "- Monday 10:00: business_hours 2nd (pooled 3rd), integrated_social_crm 3rd (pooled 2nd)."
    ) in md
    assert "- Wednesday 03:00: the pooled ranking." in md
    assert "| 2 | integrated_social_crm | **business_hours** | integrated_social_crm |" in md
    # sentiment ranks the same everywhere
    assert "By mean final sentiment, the ranking is the same at every start time." in md
    assert md.index("### By mean negative reach") < md.index("### By mean final sentiment")


def test_ties_share_a_rank_and_say_so():
    table = _table(
        {
            POOLED: {
                "ignore": (330, 0.1),
                "business_hours": (300, 0.1),
                "integrated_social_crm": (250, 0.1),
                "fast_social_care": (120, 0.2),
            },
            "sat20": {
                "ignore": (330, 0.1),
                "business_hours": (330, 0.1),
                "integrated_social_crm": (330, 0.1),
                "fast_social_care": (120, 0.2),
            },
        }
    )
    here = ranks(table, STRATS, "sat20", "reach_negative_scaled", True)
    assert here == {
        "fast_social_care": 1,
        "ignore": 2,
        "business_hours": 2,
        "integrated_social_crm": 2,
    }
    md = ranking_markdown(table, STRATS, ["sat20"], {"sat20": "Saturday 20:00"})
    assert (
        "- Saturday 20:00: ignore joint 2nd (pooled 4th), business_hours joint 2nd (pooled 3rd)."
    ) in md
    assert "By mean final sentiment, the ranking is the same at every start time." in md


# ------------------------------------------------------------------ bad values on the command line
def _refused(argv: list[str]) -> str:
    def must_not_run() -> None:
        raise AssertionError("the comparison ran although `starts` is invalid")

    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(must_not_run, config_name="compare", check=check_compare, argv=argv)
    text = err.getvalue()
    assert info.value.code == 2 and text.startswith("error: ") and text.count("\n") == 1, text
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["starts=[mon25]"], "'mon25'"),
        (["starts=[mon10,funday3]"], "'funday3'"),
        (["starts=[10]"], "10"),
        (["starts=[mon10,mon10]"], "twice"),
        (["starts=[mon10]", "scenario.incidents=[]"], "no incident"),
    ],
)
def test_bad_start_times_exit_2_with_one_paragraph(argv, needle, monkeypatch):
    for name in ("HYDRA_FULL_ERROR", "SIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    text = _refused(argv)
    assert "'starts'" in text and needle in text, text


def test_a_bad_start_time_exits_2_from_the_command_line():
    out = subprocess.run(
        [sys.executable, "-m", "experiments.compare", "starts=[sat20,xyz7]"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2, out.stderr
    assert "'starts'" in out.stderr and "xyz7" in out.stderr and "mon10" in out.stderr
    assert "Traceback" not in out.stderr
