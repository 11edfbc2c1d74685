"""ABC-SMC calibration: recovers a known parameter, fits only calibrated targets, predicts all."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyabc")  # the calibrate extra; CI installs it with the test extra

from sim.analysis.calibration import with_values
from sim.analysis.posterior import (
    AbcSettings,
    Simulator,
    draw_seeds,
    predictive,
    resample,
    rms_miss,
    run_abc,
    summary_table,
)
from sim.analysis.replay import replicate
from sim.config.schema import FreeParameter, Target

TRUTH = 40.0
KEY = "scenario.chatter.positive_per_hour"
POOL = [21, 22, 23, 24]


def synthetic(size: int = 2000) -> dict:
    """One day of background praise and complaints; nobody answers."""
    return {
        "seed": 1,
        "scenario": {
            "name": "synthetic", "description": "posterior test", "reference_population": 30_000,
            "horizon_h": 24, "tick_min": 10, "strategy": "ignore", "brand": {"followers": 3000},
            "chatter": {"positive_per_hour": TRUTH, "negative_per_hour": 12.0},
        },
        "strategy": {"name": "ignore"},
        "population": {"size": size},
    }


@pytest.mark.slow
def test_abc_recovers_a_known_rate_and_ignores_identity_and_held_out_targets(tmp_path):
    cfg = synthetic()
    reps = replicate(cfg, None, POOL)
    truth_value = float(np.mean([r.metrics["mentions_positive_scaled"] for r in reps]))
    targets = [
        Target(name="praise", metric="mentions_positive_scaled", documented=truth_value,
               tolerance=0.1),
        # neither may pull the fit: each is far from anything the model can produce
        Target(name="held out", metric="mentions_positive_scaled", documented=1e7, tolerance=0.1,
               label="held_out"),
        Target(name="identity", metric="mentions_negative_scaled", documented=0.0, tolerance=1.0,
               absolute=True, label="identity"),
    ]
    free = [FreeParameter(key=KEY, low=5.0, high=200.0)]
    start = with_values(cfg, {KEY: 150.0})  # the file's value is wrong: the fit must move it
    sim = Simulator(start, None, free, targets)
    settings = AbcSettings(population=12, generations=3, min_epsilon=0.3, seeds=2, seed_pool=4)
    post = run_abc(sim, tmp_path / "history.db", settings, seed=POOL[0])
    summary = summary_table(post.samples, free).set_index("parameter").loc[KEY]
    assert summary["mean"] == pytest.approx(TRUTH, rel=0.2)
    assert summary["q05"] <= TRUTH * 1.1 and summary["q95"] >= TRUTH * 0.9
    assert summary["sd"] < (200 - 5) / np.sqrt(12) / 3  # far narrower than the uniform prior
    assert post.samples["weight"].sum() == pytest.approx(1.0)
    eps = post.generations["epsilon"].to_numpy()
    assert len(eps) >= 2 and np.all(np.diff(eps) <= 0)  # the threshold only tightens
    assert (post.samples["distance"] <= eps[-1] + 1e-9).all()
    # the distance is the calibrated target's miss alone
    assert rms_miss(targets, [truth_value, 0.0, 1e3], [0]) == 0.0
    # a second call on the same history continues it and runs nothing more
    again = run_abc(sim, tmp_path / "history.db", settings, seed=POOL[0])
    assert again.resumed_from == len(post.generations) and again.simulations == 0
    # ... and one generation more continues it (the stop rules may change on a rerun)
    more = replace(settings, generations=len(post.generations) + 1, min_epsilon=0.0)
    longer = run_abc(sim, tmp_path / "history.db", more, seed=POOL[0])
    assert len(longer.generations) == len(post.generations) + 1 and longer.simulations > 0
    pd.testing.assert_frame_equal(longer.generations.iloc[:-1], post.generations)
    post = longer
    # the predictive check covers every target, whatever its label
    draws = resample(post.samples, post.keys, 4, seed=1)
    table, per_draw = predictive(sim, draws, [101, 102])
    assert list(table["target"]) == [t.name for t in targets]
    assert list(table["label"]) == ["calibrated", "held_out", "identity"]
    miss = abs(table.loc[0, "predictive_median"] - truth_value) / (0.1 * truth_value)
    assert miss < 2  # new seeds: near the band (4 draws of 2 seeds: not always inside)
    assert not bool(table.loc[1, "met"]) and table.loc[1, "share_in_band"] == 0
    assert (table["predictive_low"] <= table["predictive_high"]).all()
    assert len(per_draw) == 4 * len(targets)


def test_every_predictive_draw_runs_seeds_of_its_own():
    seeds = [10_001, 10_002]
    runs = [draw_seeds(seeds, d) for d in range(20)]
    flat = [s for r in runs for s in r]
    assert runs[0] == seeds and len(set(flat)) == len(flat)  # no two draws share a seed
    assert min(flat) == 10_001 and max(flat) == 10_040
