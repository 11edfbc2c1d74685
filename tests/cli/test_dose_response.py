"""The dose-response app: one strategy knob at several doses, paired over replicates."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

import pandas as pd
import pytest
import yaml

from experiments.common import run_app
from sim.analysis.dose import DoseResponse, dose_response, knob
from sim.errors import ConfigError
from tests.conftest import compose_config, make_config

TINY = ["population.size=600", "replicates=2", "scenario.horizon_h=12", "progress=false",
        "n_jobs=1"]
METRICS = ["reach_negative", "sentiment_mean_final", "reply_value_usd", "cost_total",
           "utilisation", "response_time_median_min"]  # the defaults of conf/dose_response.yaml


def compose(overrides: list[str]):
    return compose_config("dose_response", overrides)


@pytest.fixture(scope="module")
def dose_dir(tmp_path_factory):
    from experiments.dose_response import execute

    out = tmp_path_factory.mktemp("dose")
    execute(compose(TINY + ["doses=[6,0,2]", f"output_dir={out}"]))  # given out of order
    return out


def test_writes_documented_files(dose_dir):
    for name in ("runs.csv", "dose_response.csv", "steps.csv", "dose_response.md", "config.yaml",
                 "provenance.json", "figures/dose_response_staff.png"):
        assert (dose_dir / name).is_file(), name
    assert not (dose_dir / "INCOMPLETE").exists()
    assert (dose_dir / "figures/dose_response_staff.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    config = yaml.safe_load((dose_dir / "config.yaml").read_text())
    assert config["knob"] == "strategy.staff" and config["doses"] == [0, 2, 6]
    assert config["strategy"]["name"] == "fast_social_care"


def test_tables_are_tidy_and_doses_in_order(dose_dir):
    runs = pd.read_csv(dose_dir / "runs.csv")
    assert list(runs["dose"]) == [0, 0, 2, 2, 6, 6]
    assert list(runs["replicate"]) == [0, 1] * 3
    assert list(runs["seed"]) == [1, 2] * 3  # the same seeds at every dose (paired)
    summary = pd.read_csv(dose_dir / "dose_response.csv")
    assert list(summary.columns) == ["dose", "metric", "mean", "ci_low", "ci_high", "n"]
    assert list(dict.fromkeys(summary["dose"])) == [0, 2, 6]
    assert list(dict.fromkeys(summary["metric"])) == METRICS
    cost = summary[summary["metric"] == "cost_total"].set_index("dose")["mean"]
    assert cost[0] < cost[2] < cost[6]  # wages grow with the staff


def test_summary_is_the_mean_of_the_runs_and_its_ci_contains_it(dose_dir):
    runs = pd.read_csv(dose_dir / "runs.csv")
    summary = pd.read_csv(dose_dir / "dose_response.csv")
    for _, row in summary.iterrows():
        values = runs.loc[runs["dose"] == row["dose"], row["metric"]].dropna()
        assert row["n"] == len(values)
        if len(values):
            assert row["mean"] == pytest.approx(values.mean())
        if row["n"] >= 2:
            assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    reach = summary[summary["metric"] == "reach_negative"]
    assert (reach["ci_high"] > reach["ci_low"]).any()  # replicates differ: a real interval


def test_markdown_has_every_dose_and_each_metrics_largest_step(dose_dir):
    text = (dose_dir / "dose_response.md").read_text()
    assert "fast_social_care" in text and "united_sarver" in text and "2 paired replicates" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [r.split("|")[1].strip() for r in rows] == ["0", "2", "6"]
    assert "Where the curve moves most" in text and "cost ($) | 2 → 6 |" in text
    steps = pd.read_csv(dose_dir / "steps.csv")
    assert set(steps["metric"]) == set(METRICS)
    cost = steps[steps["metric"] == "cost_total"]
    assert cost["share"].sum() == pytest.approx(1.0)
    assert list(zip(cost["from_dose"], cost["to_dose"])) == [(0, 2), (2, 6)]


def _synthetic(values: dict[int, list[float]]) -> DoseResponse:
    rows = [{"dose": d, "replicate": r, "seed": 1 + r, "x": v}
            for d, vs in values.items() for r, v in enumerate(vs)]
    return DoseResponse(knob("strategy.staff"), sorted(values), ["reach_negative"],
                        pd.DataFrame(rows).rename(columns={"x": "reach_negative"}))


def test_the_largest_step_is_the_cliff_and_steps_are_paired():
    # replicate 1 is 100 higher at every dose: paired steps have no noise from it
    result = _synthetic(
        {0: [900.0, 1000.0], 1: [880.0, 980.0], 2: [300.0, 400.0], 4: [290.0, 390.0]}
    )
    steps = result.steps()
    assert steps["share"].to_numpy() == pytest.approx([20 / 610, 580 / 610, 10 / 610])
    big = result.largest_steps().iloc[0]
    assert (big["from_dose"], big["to_dose"], big["change"]) == (1, 2, -580.0)
    assert big["ci_low"] == pytest.approx(-580.0) and big["ci_high"] == pytest.approx(-580.0)
    flat = _synthetic({0: [5.0, 7.0], 1: [5.0, 7.0], 2: [5.0, 7.0]})
    assert flat.largest_steps().empty and flat.steps()["share"].isna().all()


def test_results_do_not_depend_on_the_number_of_workers():
    base = make_config(strategy="fast_social_care", size=500, horizon_h=8.0, seed=4)
    one = dose_response(base, "strategy.staff", [0, 1, 3], 2, METRICS, n_jobs=1)
    two = dose_response(base, "strategy.staff", [0, 1, 3], 2, METRICS, n_jobs=2)
    pd.testing.assert_frame_equal(one.runs, two.runs)
    pd.testing.assert_frame_equal(one.summary(), two.summary())
    assert list(one.runs["seed"]) == [4, 5] * 3


def test_curves_and_overrides_resolve_to_knob_and_doses():
    from experiments.dose_response import plan

    _, key, doses, metrics = plan(compose(["curve=latency"]))
    assert key == "strategy.listening_latency_min"
    assert doses == [1.0, 6.0, 15.0, 30.0, 60.0, 120.0, 240.0, 600.0] and metrics == METRICS
    _, key, doses, _ = plan(compose([]))
    assert (key, doses) == ("strategy.staff", [0, 1, 2, 3, 4, 6, 8, 12])
    _, key, doses, _ = plan(compose(["knob=strategy.hourly_wage", "doses=[45,20]"]))
    assert (key, doses) == ("strategy.hourly_wage", [20.0, 45.0])
    _, key, doses, _ = plan(compose(["curve=latency", "doses=[5,10]"]))
    assert (key, doses) == ("strategy.listening_latency_min", [5.0, 10.0])


BAD = [
    (["knob=strategy.shift", "doses=[1,2]"], ["'knob'", "'strategy.shift'", "numeric knob",
                                             "strategy.staff"]),
    (["knob=staff", "doses=[1,2]"], ["'knob'", "did you mean knob=strategy.staff"]),
    (["knob=population.size", "doses=[1,2]"], ["'knob'", "strategy section"]),
    (["knob=strategy.hourly_wage"], ["'doses'", "knob=strategy.hourly_wage"]),
    (["curve=cliff"], ["'curve'", "staff, latency"]),
    (["doses=[1,1.5]"], ["'doses'", "whole numbers for strategy.staff"]),
    (["doses=[3]"], ["'doses'", "two or more"]),
    (["knob=strategy.listening_recall", "doses=[0.5,1.5]"], ["strategy.listening_recall"]),
    (["metrics=[reach_negativ]"], ["'metrics[0]'", "reach_negative"]),
    (["replicates=1"], ["'replicates'", "2 or more"]),
]


@pytest.mark.parametrize(("argv", "needles"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_a_config_error_naming_the_key(argv, needles):
    from experiments.dose_response import plan

    with pytest.raises(ConfigError) as info:
        plan(compose(argv))
    text = str(info.value) + " ".join(getattr(info.value, "__notes__", []))
    for needle in needles:
        assert needle in text, (needle, text)


def test_bad_knob_on_the_command_line_stops_with_one_paragraph_and_status_2():
    from experiments.dose_response import check_dose_response

    def must_not_run() -> None:
        raise AssertionError("ran although the knob is bad")

    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(must_not_run, config_name="dose_response", check=check_dose_response,
                argv=["knob=strategy.triage", "doses=[1,2]"])
    text = err.getvalue()
    assert info.value.code == 2 and text.startswith("error: ") and text.count("\n") == 1, text
    assert "'knob'" in text and "strategy.staff" in text and "Traceback" not in text
