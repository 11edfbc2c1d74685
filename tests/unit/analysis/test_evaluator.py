"""The evaluator: common random numbers, environment reuse, worker invariance, errors, tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import sim.engine.model as engine_model
from sim.analysis.evaluator import (
    Case,
    DirectoryCache,
    EvaluationError,
    _groups,
    _parse,
    _seeds,
    _split,
    cross,
    evaluate,
)
from sim.engine.runner import run
from sim.errors import ConfigError
from sim.outputs.metrics import STANDARD_METRICS
from tests.conftest import make_config

SIZE, HOURS = 2000, 6.0


def config(strategy: str, seed: int = 5, size: int = SIZE) -> dict:
    return make_config(strategy=strategy, size=size, horizon_h=HOURS, seed=seed)


def two_strategies() -> list[Case]:
    return [Case(name, config(name), {"strategy": name}) for name in ("ignore", "fast_social_care")]


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
        for x, y in zip(a.values(), b.values()))


@pytest.fixture
def counted_builds(monkeypatch):
    """Counts calls of build_environment (the evaluator calls it through the module)."""
    calls = []
    real = engine_model.build_environment

    def build(cfg):
        calls.append((cfg.seed, cfg.population.size))
        return real(cfg)

    monkeypatch.setattr(engine_model, "build_environment", build)
    return calls


def test_each_run_equals_a_plain_run_with_seed_plus_replicate():
    # the two strategies of a replicate share one environment; a fresh one per run gives the same
    ev = evaluate(two_strategies(), 2)
    for case in two_strategies():
        for r in range(2):
            plain = run({**case.config, "seed": 5 + r})
            assert same(ev.record(case.id, r).metrics, plain.metrics)


def test_replicate_r_of_every_config_runs_on_the_same_seed():
    cases = two_strategies() + [Case("ignore again", config("ignore"), {"strategy": "ignore"})]
    ev = evaluate(cases, [11, 12])
    runs = ev.runs
    assert runs.groupby("replicate")["seed"].agg(set).tolist() == [{11}, {12}]
    # the same config under two ids meets the same draws: identical metrics, pair by pair
    for r in range(2):
        assert same(ev.record("ignore", r).metrics, ev.record("ignore again", r).metrics)
    # and replicates differ from one another
    assert not same(ev.record("ignore", 0).metrics, ev.record("ignore", 1).metrics)
    # a paired difference removes the shared environment: the network is the same in a replicate
    wide = runs.pivot(index="replicate", columns="config", values="network_edges")
    assert (wide["ignore"] == wide["fast_social_care"]).all()


def test_one_environment_per_replicate_for_configs_that_share_it(counted_builds):
    cases = two_strategies() + [Case("bigger", config("ignore", size=SIZE + 500))]
    ev = evaluate(cases, 2)
    # ignore and fast_social_care share one build per replicate; "bigger" needs its own
    assert sorted(counted_builds) == [(5, SIZE), (5, SIZE + 500), (6, SIZE), (6, SIZE + 500)]
    assert ev.environments == 4


def test_opinion_settings_do_not_split_the_environment(counted_builds):
    # build_environment never reads opinion or strategy: such configs share it
    other = config("ignore")
    other["opinion"] = {"rate": 0.09}
    ev = evaluate([Case("a", config("ignore")), Case("b", other)], 1)
    assert len(counted_builds) == 1
    assert same(ev.record("b", 0).metrics, run(other).metrics)  # as with its own environment


def test_results_do_not_depend_on_workers_or_the_order_of_cases():
    cases = two_strategies()
    one = evaluate(cases, 3, hourly=("hour", "mentions_negative"))
    two = evaluate(cases, 3, n_jobs=2, hourly=("hour", "mentions_negative"))
    pd.testing.assert_frame_equal(one.runs, two.runs)
    pd.testing.assert_frame_equal(one.hourly, two.hourly)
    back = evaluate(cases[::-1], 3)
    for case in cases:
        for r in range(3):
            assert same(one.record(case.id, r).metrics, back.record(case.id, r).metrics)


def test_tidy_tables_have_one_row_per_config_and_replicate():
    def first_hour(rc, result):
        return {"first": result.timeseries.head(1), "seed": {"seed_seen": rc.seed}}

    ev = evaluate(two_strategies(), 2, hourly=("hour", "mentions_negative", "not_a_column"),
                  extract=first_hour)
    runs = ev.runs
    assert list(runs.columns[:4]) == ["config", "strategy", "replicate", "seed"]
    assert set(STANDARD_METRICS) <= set(runs.columns)
    assert list(zip(runs["config"], runs["replicate"])) == [
        ("ignore", 0), ("ignore", 1), ("fast_social_care", 0), ("fast_social_care", 1)]
    hourly = ev.hourly
    assert list(hourly.columns) == ["config", "strategy", "replicate", "hour", "mentions_negative"]
    assert len(hourly) == 4 * len(ev.record("ignore", 0).hourly) > 4
    assert len(ev.frame("first")) == 4
    assert ev.frame("seed")["seed_seen"].tolist() == [5, 6, 5, 6]


def test_cross_puts_every_lever_in_every_scenario():
    scenarios = {0: config("ignore"), 1: config("ignore", size=SIZE + 500)}
    levers = {"a": {"name": "a", "staff": 1}, "b": {"name": "b", "staff": 3}}
    cases = cross(scenarios, levers, scenario_label="future")
    assert [c.id for c in cases] == ["0/a", "0/b", "1/a", "1/b"]
    assert cases[3].labels == {"future": 1, "strategy": "b"}
    assert cases[3].config["strategy"]["staff"] == 3
    assert cases[3].config["population"]["size"] == SIZE + 500


def test_a_bad_config_is_reported_with_its_id():
    bad = config("ignore")
    bad["strategy"]["staff"] = -3
    with pytest.raises(ConfigError) as err:
        evaluate([Case("good", config("ignore")), Case("the bad one", bad)], 1)
    assert any("the bad one" in note for note in err.value.__notes__)


def failing_extract(rc, result):
    if rc.strategy.name == "fast_social_care":
        raise ZeroDivisionError("boom")
    return {}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_failing_run_is_reported_with_its_id_replicate_and_seed(n_jobs):
    with pytest.raises(EvaluationError) as err:
        evaluate(two_strategies(), [7], n_jobs=n_jobs, extract=failing_extract)
    assert (err.value.config_id, err.value.replicate, err.value.seed) == ("fast_social_care", 0, 7)
    assert "ZeroDivisionError: boom" in str(err.value)


def test_a_cache_directory_keeps_finished_runs(tmp_path, counted_builds):
    first = evaluate(two_strategies(), 1, cache=tmp_path, hourly=("hour",))
    assert len(list(tmp_path.glob("*/metrics.json"))) == 2 and first.environments == 1
    again = evaluate(two_strategies() + [Case("new", config("ignore", seed=9))], 1, cache=tmp_path,
                     hourly=("hour",))
    assert again.environments == 1 and len(counted_builds) == 2  # only "new" ran
    pd.testing.assert_frame_equal(first.runs, again.runs[again.runs["config"] != "new"])
    # what is collected is part of the key: other hourly columns are not served from the cache
    key_count = len(list(tmp_path.glob("*/metrics.json")))
    evaluate(two_strategies()[:1], 1, cache=DirectoryCache(tmp_path), hourly=("hour", "backlog"))
    assert len(list(tmp_path.glob("*/metrics.json"))) == key_count + 1


def test_jobs_group_shared_environments_and_split_only_to_fill_workers():
    cases = two_strategies() + [Case("bigger", config("ignore", size=SIZE + 500))]
    parsed = _parse(cases)
    jobs = _groups([c.id for c in cases], parsed, _seeds(parsed, 2), set())
    assert [[(i, r) for i, _, r, _ in j.items] for j in jobs] == [[(0, 0), (1, 0)], [(2, 0)],
                                                                   [(0, 1), (1, 1)], [(2, 1)]]
    assert [rc.seed for _, _, _, rc in jobs[2].items] == [6, 6]
    assert len(_split(jobs, 2)) == 4  # enough jobs already
    split = _split(jobs[:1], 4)
    assert [[(i, r) for i, _, r, _ in j.items] for j in split] == [[(0, 0)], [(1, 0)]]


def test_ids_must_be_unique_and_replicates_positive():
    with pytest.raises(ValueError, match="unique"):
        evaluate([Case("x", config("ignore")), Case("x", config("ignore"))], 1)
    with pytest.raises(ValueError, match="at least 1"):
        evaluate(two_strategies(), 0)
    with pytest.raises(ValueError, match="may not be named"):
        evaluate([Case("x", config("ignore"), {"seed": 3})], 1)
