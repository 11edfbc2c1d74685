"""Parameter uncertainty in comparisons: one draw per replicate, shared by every strategy."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import yaml

from sim.analysis.compare import compare
from sim.analysis.uncertainty import draws
from sim.config.schema import RunConfig
from sim.errors import ConfigError
from tests.conftest import ROOT, load_preset

STRATEGIES = {name: load_preset("strategy", name) for name in ("ignore", "fast_social_care")}


def base(size: int = 2000) -> dict:
    scenario = load_preset("scenario", "united_sarver")
    scenario["horizon_h"] = 12
    return {"seed": 5, "scenario": scenario, "population": {"size": size}}


def posterior_file(tmp_path) -> str:
    doc = {
        "scenario": "united_sarver",
        "samples": {
            "keys": ["scenario.chatter.positive_per_hour", "population.size"],
            "values": [[100.0, 1500], [300.0, 2500]],
            "weights": [0.25, 0.75],
        },
    }
    path = tmp_path / "united_sarver.yaml"
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def test_draws_follow_the_posterior_weights_and_the_set_ranges(tmp_path):
    file = posterior_file(tmp_path)
    many = draws(file, 4000, seed=3)
    share = sum(d["population.size"] == 2500 for d in many) / len(many)
    assert share == pytest.approx(0.75, abs=0.03)
    assert all(d["scenario.chatter.positive_per_hour"] == {1500: 100.0, 2500: 300.0}[d["population.size"]]
               for d in many)  # a draw is one particle: the parameters keep their joint law
    assert draws(file, 5, seed=3) == many[:5] == draws(file, 5, seed=3)  # reproducible
    ranges = {p["key"]: (p["low"], p["high"])
              for p in load_preset("sensitivity", "uncertain")["parameters"]}
    for d in draws("uncertain", 50, seed=1):
        assert set(d) == set(ranges) and all(ranges[k][0] <= v <= ranges[k][1] for k, v in d.items())
    assert draws("none", 3, seed=1) == [{}, {}, {}]
    with pytest.raises(ConfigError, match="no conf/posterior/baseline_week.yaml"):
        draws("posterior", 2, seed=1, scenario="baseline_week")
    with pytest.raises(ConfigError, match="sensitivity set"):
        draws("no_such_set", 2, seed=1)


def test_each_replicate_shares_its_draw_and_seed_across_strategies(tmp_path):
    full = RunConfig.from_dict({**base(), "strategy": STRATEGIES["ignore"]}).to_dict()
    d = draws(posterior_file(tmp_path), 3, seed=2, base=full)
    assert all(isinstance(x["population.size"], int) for x in d)  # whole where the field is
    out = compare(base(), STRATEGIES, 3, baseline="ignore", n_jobs=1, progress=False, draws=d)
    runs = out.runs
    assert list(runs["replicate"]) == [0, 0, 1, 1, 2, 2] and list(runs["strategy"][:2]) == list(STRATEGIES)
    for r, g in runs.groupby("replicate"):
        assert g["seed"].nunique() == 1 and int(g["seed"].iloc[0]) == 5 + r
        # the draw changed the population of both strategies alike (reference population / size)
        scale = g["scale_factor"].to_numpy()
        assert scale[0] == scale[1] == pytest.approx(1_000_000 / d[r]["population.size"])


def test_empty_draws_reproduce_the_comparison_without_uncertainty():
    plain = compare(base(), STRATEGIES, 2, baseline="ignore", n_jobs=1, progress=False)
    empty = compare(base(), STRATEGIES, 2, baseline="ignore", n_jobs=1, progress=False,
                    draws=[{}, {}])
    pd.testing.assert_frame_equal(plain.runs, empty.runs)
    pd.testing.assert_frame_equal(plain.summary(), empty.summary())


def test_compare_reads_a_posterior_file_and_reports_which_rankings_survive(tmp_path):
    out = tmp_path / "cmp"
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.compare", "strategies=[ignore,fast_social_care]",
         "replicates=2", "starts=[]", "population.size=2000", "scenario.horizon_h=12", "n_jobs=1",
         "figures=false", "progress=false", f"uncertainty={posterior_file(tmp_path)}",
         f"hydra.run.dir={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = (out / "summary.md").read_text()
    assert "## Rankings under parameter uncertainty" in text and "posterior" in text
    table = pd.read_csv(out / "survival.csv")
    assert set(table["pair"]) >= {"vs baseline"} and set(table["metric"]) == {
        "reach_negative_scaled", "sentiment_mean_final"}
    assert (table["survives"] <= table["decided_fixed"]).all()
    assert len(pd.read_csv(out / "draws.csv")) == 2 and (out / "summary_fixed.csv").is_file()


def test_compare_without_a_posterior_exits_2_with_what_to_do(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.compare", "scenario=baseline_week", "starts=[]",
         "uncertainty=posterior", f"hydra.run.dir={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "method=abc apply=true" in proc.stderr and not (tmp_path / "summary.csv").exists()
