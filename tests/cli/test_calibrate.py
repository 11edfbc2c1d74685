"""Calibration: recovers parameters whose truth we set; writes fitted values back into YAML."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from experiments.calibrate import file_edits, rounded
from experiments.scenarios import scenario_runs
from experiments.yaml_edit import YamlEditError, set_values, update_file
from sim.analysis.calibration import calibrate, with_values
from sim.analysis.staffing import staff_for_sla
from sim.config.schema import FreeParameter, Target
from sim.analysis.replay import replicate
from tests.conftest import ROOT

SEEDS = [11, 12, 13]


def synthetic(size: int = 3000) -> dict:
    """A small synthetic scenario: one day of background praise and complaints, nobody answers."""
    return {
        "seed": 1,
        "scenario": {
            "name": "synthetic", "description": "calibration test", "reference_population": 30_000,
            "horizon_h": 24, "tick_min": 5, "strategy": "ignore", "brand": {"followers": 3000},
            "chatter": {"positive_per_hour": 40.0, "negative_per_hour": 12.0},
        },
        "strategy": {"name": "ignore"},
        "population": {"size": size},
    }


def test_calibration_recovers_known_chatter_rates():
    truth = {"scenario.chatter.positive_per_hour": 40.0, "scenario.chatter.negative_per_hour": 12.0}
    reps = replicate(with_values(synthetic(), truth), None, SEEDS)
    documented = {k: sum(r.metrics[k] for r in reps) / len(reps) for k in ("mentions_positive_scaled", "mentions_negative_scaled")}
    targets = [Target(name=k, metric=k, documented=v, tolerance=0.05) for k, v in documented.items()]
    start = with_values(synthetic(), {"scenario.chatter.positive_per_hour": 10.0, "scenario.chatter.negative_per_hour": 60.0})
    free = [FreeParameter(key="scenario.chatter.positive_per_hour", low=2.0, high=200.0),
            FreeParameter(key="scenario.chatter.negative_per_hour", low=2.0, high=200.0)]
    # the counts move in steps (Poisson draws per hour), so the loss is flat near the truth: stop
    # once every target is within a fifth of its tolerance (or at 150 evaluations)
    fit = calibrate(start, None, free, targets, SEEDS, maxiter=10, popsize=6, stop_loss=0.04, rng_seed=3,
                    max_evals=150)
    assert fit.values["scenario.chatter.positive_per_hour"] == pytest.approx(40.0, rel=0.08)
    assert fit.values["scenario.chatter.negative_per_hour"] == pytest.approx(12.0, rel=0.12)
    assert all(r.ok for r in fit.results) and fit.loss < 0.3  # each target well inside its tolerance
    assert fit.history.iloc[0]["loss"] > 10  # the start (10 and 60 per hour) was far off
    assert len(fit.history) == fit.evaluations and fit.history["loss"].min() == pytest.approx(fit.loss)


def test_calibration_with_a_wrong_model_reports_the_miss():
    # a target no free parameter can reach: the fit ends, with the miss in its results
    targets = [Target(name="impossible", metric="mentions_positive_scaled", documented=1e9, tolerance=0.01)]
    free = [FreeParameter(key="scenario.chatter.positive_per_hour", low=1.0, high=20.0)]
    fit = calibrate(synthetic(1500), None, free, targets, [1], maxiter=1, popsize=3, max_evals=6)
    assert fit.evaluations <= 7 and not fit.results[0].ok and fit.loss > 1


def test_staffing_finds_the_smallest_team_meeting_the_service_level():
    cfg = synthetic(3000)
    cfg["scenario"]["chatter"]["negative_per_hour"] = 40.0
    cfg["strategy"] = yaml.safe_load(open(ROOT / "conf" / "strategy" / "fast_social_care.yaml", encoding="utf-8"))
    staff, table = staff_for_sla(cfg, [1, 2], minutes=30.0, share=0.8, low=1, high=32)
    assert staff is not None and 1 < staff < 32
    share = dict(zip(table["staff"], table["workload_sla_met_share"]))
    assert share[staff] >= 0.8 and all(v < 0.8 for k, v in share.items() if k < staff)


def test_yaml_values_change_in_place_keeping_comments():
    text = "# header\nname: x   # keep me\nchatter:\n  rate: 1.0  # calibrated\n  other: 2\nlist:\n  - {a: 1}\n  - b: 2\n"
    out = set_values(text, {"chatter/rate": 3.14159, "list/1/b": 5, "settings/diffusion.attention": 0.4})
    assert "# header" in out and "# keep me" in out and "rate: 3.142  # calibrated" in out
    data = yaml.safe_load(out)
    assert data["list"][1]["b"] == 5 and data["settings"] == {"diffusion.attention": 0.4}
    with pytest.raises(YamlEditError):
        set_values(text, {"chatter": 1.0})  # a mapping, not a value


def test_fitted_values_go_to_the_right_files(tmp_path):
    runs = scenario_runs("da_grasso_delight")
    edits = file_edits(runs, "da_grasso_delight", rounded({
        "scenario.brand.followers": 61234, "strategy.delight_appeal": 0.123456, "diffusion.attention": 0.5}))
    assert edits == {
        "scenario/da_grasso_delight.yaml": {"brand/followers": 61234, "settings/diffusion.attention": 0.5},
        "strategy/da_grasso_patrol.yaml": {"delight_appeal": 0.1235},
    }
    copy = tmp_path / "s.yaml"
    copy.write_text((ROOT / "conf" / "scenario" / "da_grasso_delight.yaml").read_text(encoding="utf-8"))
    update_file(copy, edits["scenario/da_grasso_delight.yaml"])
    text = copy.read_text(encoding="utf-8")
    assert "followers: 61234" in text and "# calibrated: fans" in text
    assert yaml.safe_load(text)["settings"]["diffusion.attention"] == 0.5


def test_calibrate_command_without_free_parameters_says_so(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.calibrate", "scenario=alaska_air_weather",
                           f"hydra.run.dir={tmp_path}"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "no free parameters" in proc.stdout and (tmp_path / "fit.json").is_file()


def test_calibrate_command_fits_and_writes_history(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.calibrate", "scenario=united_sarver", "replicates=2", "size=3000",
         "scenario.horizon_h=12", "max_evals=4", "n_jobs=1", f"hydra.run.dir={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    fit = yaml.safe_load((tmp_path / "fit.json").read_text())
    assert set(fit["values"]) == {"scenario.chatter.positive_per_hour"} and fit["applied_to"] == []
    assert (tmp_path / "history.csv").is_file() and (tmp_path / "figures" / "calibration.png").is_file()


def test_calibrate_refuses_all_scenarios_with_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.calibrate", "scenario=all", f"hydra.run.dir={tmp_path}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "one scenario" in proc.stderr
