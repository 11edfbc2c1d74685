"""The paired strategy comparison: statistics, the replicate loop, the Hydra app and its files."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats as st

from sim.analysis.compare import SUMMARY_METRICS, compare
from sim.outputs.metrics import STANDARD_METRICS
from sim.analysis.stats import SUMMARY_COLUMNS, mean_ci, paired_diff, ratio_ci, summarise, unpaired_diff
from tests.conftest import ROOT, compose_config, load_preset

TINY = ["replicates=2", "population.size=5000", "scenario.horizon_h=12", "progress=false", "n_jobs=1"]
STRATEGIES = "strategies=[fast_social_care,business_hours]"  # the baseline (ignore) is added first


# ------------------------------------------------------------------ statistics
def test_mean_ci_is_the_student_t_interval():
    x = np.array([3.0, 5.0, 4.0, 8.0, 6.5])
    est = mean_ci(x)
    lo, hi = st.t.interval(0.95, x.size - 1, loc=x.mean(), scale=st.sem(x))
    assert (est.mean, est.n) == (pytest.approx(x.mean()), 5)
    assert est.low == pytest.approx(lo) and est.high == pytest.approx(hi)


def test_non_finite_values_are_left_out_and_counted():
    est = mean_ci([1.0, float("nan"), 3.0, float("inf")])
    assert est.n == 2 and est.mean == 2.0 and math.isfinite(est.low)
    assert mean_ci([float("nan")]).n == 0 and math.isnan(mean_ci([float("nan")]).mean)
    one = mean_ci([4.0, float("nan")])
    assert one.n == 1 and one.mean == 4.0 and math.isnan(one.low)
    d = paired_diff([1.0, 2.0, float("nan"), 5.0], [0.0, 1.0, 1.0, 3.0])
    assert d.n == 3 and d.mean == pytest.approx(4 / 3)


def test_paired_interval_removes_shared_noise():
    rng = np.random.default_rng(0)
    shared = rng.normal(0, 10, size=20)  # what both arms of a replicate have in common
    a, b = shared + rng.normal(0, 0.5, 20), shared - 1.0 + rng.normal(0, 0.5, 20)
    paired, unpaired = paired_diff(b, a), unpaired_diff(b, a)
    assert paired.excludes_zero() and not unpaired.excludes_zero()
    assert paired.half_width < 0.2 * unpaired.half_width


def test_ratio_is_undefined_when_the_denominator_may_be_zero():
    cost = np.array([100.0, 110.0, 90.0, 100.0])
    assert ratio_ci(cost, np.array([10.0, 11.0, 9.0, 10.0])).mean == pytest.approx(10.0)
    assert math.isnan(ratio_ci(cost, np.array([1.0, -1.0, 2.0, -2.0])).mean)  # averts nothing clearly
    assert math.isnan(ratio_ci(cost, np.zeros(4)).mean)


def test_summarise_pairs_by_replicate():
    runs = pd.DataFrame({
        "strategy": ["base"] * 3 + ["new"] * 3,
        "replicate": [0, 1, 2, 2, 1, 0],  # out of order: pairing must follow the replicate
        "x": [10.0, 20.0, 30.0, 29.0, 19.0, 9.0],
    })
    s = summarise(runs, ["x"], "base").set_index("strategy")
    assert list(s.reset_index().columns) == list(SUMMARY_COLUMNS)
    assert s.loc["new", "diff"] == pytest.approx(-1.0)
    assert s.loc["new", "diff_ci_low"] == pytest.approx(-1.0) and s.loc["new", "n_pairs"] == 3
    assert s.loc["base", "diff"] == 0.0


# ------------------------------------------------------------------ the replicate loop
def _base() -> dict:
    scenario = load_preset("scenario", "united_sarver")
    scenario["horizon_h"] = 6.0
    return {"seed": 3, "scenario": scenario, "population": {"size": 4000}}


def test_results_do_not_depend_on_the_number_of_workers():
    strategies = {n: load_preset("strategy", n) for n in ("ignore", "fast_social_care")}
    one = compare(_base(), strategies, 3, baseline="ignore", n_jobs=1, progress=False)
    two = compare(_base(), strategies, 3, baseline="ignore", n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one.runs, two.runs)
    pd.testing.assert_frame_equal(one.hourly, two.hourly)
    pd.testing.assert_frame_equal(one.response_times, two.response_times)
    assert list(one.runs["strategy"]) == ["ignore", "fast_social_care"] * 3
    assert list(one.runs["seed"]) == [3, 3, 4, 4, 5, 5]  # replicate r uses seed + r


# ------------------------------------------------------------------ the Hydra app
def compose_compare(overrides: list[str]):
    return compose_config("compare", overrides)


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory):
    from experiments.compare import execute

    out = tmp_path_factory.mktemp("compare")
    execute(compose_compare(TINY + [STRATEGIES, f"output_dir={out}"]))
    return out


def test_compare_writes_documented_files(compare_dir):
    for name in ("runs.csv", "summary.csv", "summary.md", "hourly.csv", "response_times.csv", "config.yaml",
                 "provenance.json", "figures/forest.png", "figures/mentions.png", "figures/cost_vs_reach.png",
                 "figures/response_times.png"):
        assert (compare_dir / name).is_file(), name
    assert not (compare_dir / "INCOMPLETE").exists()
    for png in (compare_dir / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    config = yaml.safe_load((compare_dir / "config.yaml").read_text())
    assert list(config["strategy_knobs"]) == ["ignore", "fast_social_care", "business_hours"]


def test_runs_have_one_row_per_start_strategy_and_replicate(compare_dir):
    runs = pd.read_csv(compare_dir / "runs.csv")
    assert len(runs) == 3 * 3 * 2  # the default start times x strategies x replicates
    assert list(runs.columns[:4]) == ["start", "strategy", "replicate", "seed"]
    assert list(dict.fromkeys(runs["start"])) == ["mon10", "wed03", "sat20"]
    assert set(STANDARD_METRICS) <= set(runs.columns)
    assert set(SUMMARY_METRICS) <= set(runs.columns)
    assert runs.groupby(["start", "strategy"])["replicate"].nunique().eq(2).all()
    assert runs.groupby("start")["seed"].apply(sorted).map(tuple).nunique() == 1  # same seeds


def test_summary_has_means_cis_and_paired_differences(compare_dir):
    summary = pd.read_csv(compare_dir / "summary.csv")
    assert list(summary.columns) == ["start", *SUMMARY_COLUMNS]
    assert list(dict.fromkeys(summary["start"])) == ["pooled", "mon10", "wed03", "sat20"]
    metrics = set(summary["metric"])
    assert set(SUMMARY_METRICS) <= metrics
    assert {"cost_per_1000_negative_impressions_averted", "roi"} <= metrics
    s = summary[summary["start"] == "pooled"].set_index(["strategy", "metric"])
    assert s.loc[("ignore", "cost_total"), "diff"] == 0  # the baseline against itself
    fast = s.loc[("fast_social_care", "cost_total")]
    assert fast["diff"] > 0 and fast["ci_low"] <= fast["mean"] <= fast["ci_high"]
    # nobody is answered under ignore: its response time has no finite value and says so
    assert s.loc[("ignore", "response_time_median_min"), "n"] == 0
    md = (compare_dir / "summary.md").read_text()
    for text in ("negative reach (people)", "Paired difference vs ignore", "ROI", "fast_social_care"):
        assert text in md
    # pooled first, then each start time, then where the ranking changes
    heads = [md.index(h) for h in ("## Pooled over start times", "## Monday 10:00 (`mon10`)",
                                   "## Wednesday 03:00 (`wed03`)", "## Saturday 20:00 (`sat20`)",
                                   "## Where the ranking changes")]
    assert heads == sorted(heads)


def test_unknown_strategy_names_exit_2_with_the_presets():
    out = subprocess.run([sys.executable, "-m", "experiments.compare", "strategies=[ignore,nope]"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "nope" in out.stderr and "fast_social_care" in out.stderr and "Traceback" not in out.stderr


def test_too_few_replicates_is_a_user_error():
    out = subprocess.run([sys.executable, "-m", "experiments.compare", "replicates=1"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "replicates" in out.stderr and "Traceback" not in out.stderr


def test_strategies_come_from_presets_or_yaml_files(tmp_path):
    from experiments.common import UserError
    from experiments.compare import load_strategies
    from sim.errors import UserFileError

    mine = tmp_path / "mine.yaml"
    mine.write_text("name: night_owls\nstaff: 2\nshift: daily 22:00-06:00\nlistening_recall: 0.9\n")
    got = load_strategies(["ignore", str(mine)])
    assert list(got) == ["ignore", "night_owls"] and got["night_owls"]["staff"] == 2
    assert list(load_strategies("all"))[0] == "ignore" and "fast_social_care" in load_strategies("all")
    with pytest.raises(UserError, match="fast_social_care"):
        load_strategies(["ignore", "nope"])
    with pytest.raises(UserFileError, match="no file is at that path.*fast_social_care"):
        load_strategies([str(tmp_path / "missing.yaml")])
