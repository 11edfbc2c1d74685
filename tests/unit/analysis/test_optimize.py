"""Policy design: the search space, the goals and the study runner on objectives with known optima.

The study runner is driven by a synthetic evaluation (no simulation): a candidate's "runs" are
computed from its knobs, so the optimum is known and the tests take a few seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.optimize_goals import Goal, parse_goals, pareto_mask, statistic
from sim.analysis.optimize_report import front, recommend
from sim.analysis.optimize_space import Space, parse_variables
from sim.analysis.optimize_study import Design, finished, open_study, run_study, trials_table
from sim.errors import ConfigError

pytest.importorskip("optuna")


def test_statistics_and_front():
    x = np.arange(1.0, 11.0)
    assert statistic(x, "mean") == pytest.approx(5.5)
    assert statistic(x, "p90") == pytest.approx(np.quantile(x, 0.9))
    assert statistic([np.nan, 2.0], "max") == 2.0
    assert np.isnan(statistic([np.nan], "mean"))
    # (cost, reach), both lower better: (3, 3) is dominated by (2, 2)
    mask = pareto_mask(np.array([[1, 5], [2, 2], [3, 3], [5, 1]]), ["minimize", "minimize"])
    assert mask.tolist() == [True, True, False, True]


@pytest.mark.parametrize(
    "entries, key",
    [
        ([{"key": "strategy.stafff", "low": 0, "high": 3}], "optimize.variables[0].key"),
        ([{"key": "scenario.horizon_h", "low": 0, "high": 3}], "optimize.variables[0].key"),
        ([{"key": "strategy.staff", "low": 5, "high": 3}], "optimize.variables[0]"),
        ([{"key": "strategy.staff", "low": 0.5, "high": 3}], "optimize.variables[0]"),
        ([{"key": "strategy.staff", "low": 0, "high": 3, "stepp": 1}], "optimize.variables[0].stepp"),
        ([{"key": "strategy.shift", "low": 0, "high": 3}], "optimize.variables[0]"),
        ([{"key": "strategy.staff", "choices": [1, 2], "price": [1, 2]}], "optimize.variables[0].price"),
        ([{"key": "strategy.listening_recall", "choices": [0.5, 0.9], "price": [1]}],
         "optimize.variables[0].price"),
        ([{"key": "strategy.staff", "low": 0, "high": 3}, {"key": "strategy.staff", "low": 1, "high": 2}],
         "optimize.variables[1].key"),
        ({"key": "strategy.staff"}, "optimize.variables"),
        ([], "optimize.variables"),
    ],
)
def test_bad_variables_name_the_key(entries, key):
    with pytest.raises(ConfigError) as info:
        parse_variables(entries)
    assert info.value.key == key


@pytest.mark.parametrize(
    "entries, constraint, key",
    [
        ([{"metric": "reach_negatve"}], False, "optimize.objectives[0].metric"),
        ([{"metric": "cost_total", "statistic": "p900"}], False, "optimize.objectives[0].statistic"),
        ([{"metric": "cost_total", "direction": "down"}], False, "optimize.objectives[0].direction"),
        ([{"metric": "cost_total", "max": 3}], False, "optimize.objectives[0].max"),
        ([{"metric": "cost_total"}], True, "optimize.constraints[0]"),
        ([{"metric": "cost_total", "max": 1, "min": 0}], True, "optimize.constraints[0]"),
    ],
)
def test_bad_goals_name_the_key(entries, constraint, key):
    where = "optimize.constraints" if constraint else "optimize.objectives"
    with pytest.raises(ConfigError) as info:
        parse_goals(entries, where, constraint)
    assert info.value.key == key


def test_listening_levels_are_priced_into_the_cost_knob():
    space = Space(
        parse_variables(
            [
                {"key": "strategy.listening_latency_min", "choices": [2, 30], "price": [400, 100]},
                {"key": "strategy.listening_recall", "choices": [0.5, 0.9], "price": [50, 300]},
            ]
        ),
        {"staff": 2},
    )
    knobs = space.knobs({"listening_latency_min": 2, "listening_recall": 0.9})
    assert knobs["listening_cost_per_day"] == 700.0 and knobs["staff"] == 2
    assert space.knobs({"listening_latency_min": 30, "listening_recall": 0.5})[
        "listening_cost_per_day"
    ] == 150.0


def _synthetic(knobs, _label):
    """Runs whose cost grows with staff, and whose answered share reaches 1 at 4 agents."""
    staff = int(knobs["staff"])
    rng = np.random.default_rng(staff)
    return pd.DataFrame(
        {
            "sample": "s",
            "replicate": range(4),
            "cost_total": 100.0 * staff + rng.normal(0, 1, 4),
            "responded_share": np.minimum(1.0, staff / 4.0),
            "reach_negative_scaled": 1000.0 - 50 * staff,
            "sentiment_mean_final": 0.1,
        }
    )


def _design(constraints=()):
    # the base (the warm start, trial 0) is 7 agents: not the answer of either test
    space = Space(parse_variables([{"key": "strategy.staff", "low": 0, "high": 10}]), {"staff": 7})
    objectives = parse_goals([{"metric": "cost_total"}], "optimize.objectives", False)
    return Design(space, objectives, tuple(constraints), days=1.0)


def test_known_optimum_with_a_constraint(tmp_path):
    """Minimise cost subject to answered share >= 0.9: the answer is 4 agents (share 1.0)."""
    design = _design([Goal("responded_share", "mean", min=0.9)])
    study = open_study(tmp_path / "study.db", "s", design, seed=3, startup=5)
    assert run_study(study, design, _synthetic, 20, progress=False) == 20
    trials = trials_table(study, design)
    assert int(trials.loc[trials["trial"] == 0, "strategy.staff"].iloc[0]) == 7  # warm start
    for _, row in trials.iterrows():  # feasibility recorded as the constraint says
        assert row["feasible"] == (row["mean responded_share"] >= 0.9)
    best = recommend(trials, design)
    assert best is not None and int(best["strategy.staff"]) == 4
    assert front(trials, design)["feasible"].all()
    # the sampler learns the constraint: most trials after the random start are feasible
    late = trials[trials["trial"] >= 5]
    assert late["feasible"].mean() > 0.5


def test_unconstrained_optimum_and_extension(tmp_path):
    design = _design()
    study = open_study(tmp_path / "study.db", "s", design, seed=1, startup=4)
    run_study(study, design, _synthetic, 12, progress=False)
    first = {t.number: t.values for t in finished(study)}
    # the same study opened again and extended: the 12 trials stay, 6 more are run
    again = open_study(tmp_path / "study.db", "s", design, seed=1, startup=4)
    assert run_study(again, design, _synthetic, 18, progress=False) == 6
    assert run_study(again, design, _synthetic, 18, progress=False) == 0
    after = {t.number: t.values for t in finished(again)}
    assert len(after) == 18 and all(after[n] == v for n, v in first.items())
    assert int(recommend(trials_table(again, design), design)["strategy.staff"]) == 0


def test_regret_is_taken_per_sample_against_the_best_reference():
    from sim.analysis.optimize_runs import best_per_sample

    refs = pd.DataFrame(
        {
            "sample": ["a", "a", "b", "b"] * 2,
            "strategy": ["x"] * 4 + ["y"] * 4,
            "cost_total": [1.0, 3.0, 9.0, 9.0, 4.0, 4.0, 5.0, 7.0],
        }
    )
    worst = Goal("cost_total", "max", direction="minimize", regret=True)
    best = best_per_sample(refs, [worst], days=1.0)[worst.label]
    assert best == {"a": 2.0, "b": 6.0}  # x is best in a, y in b
    candidate = pd.DataFrame({"sample": ["a", "a", "b", "b"], "cost_total": [2.0, 4.0, 5.0, 5.0]})
    # means a: 3 (regret 1), b: 5 (regret -1: better than every reference)
    assert worst.regret_value(candidate, best, days=1.0) == pytest.approx(1.0)
    mean = Goal("cost_total", "mean", direction="minimize", regret=True)
    assert mean.regret_value(candidate, best, days=1.0) == pytest.approx(0.0)
