"""Replicated replays of a scenario: its documented strategy and, paired, its counterfactual.

Replicate r runs with seed `seed + r`. The documented strategy and the counterfactual of one
replicate share one environment (network, population, chatter, incident): common random numbers,
so their difference is the strategy's effect. Each replicate returns its metrics, the values of
the scenario's targets and the hourly time series (small), never the event log.

Calibration evaluates many candidate parameter sets on the same seeds. When a candidate changes
nothing that shapes the network or the population (chatter rates, incident appeal, diffusion or
opinion parameters, strategy knobs), the network and population of each seed are reused from a
small per-process cache and only the chatter and incident draws are redone, with the same named
streams `build_environment` uses, so a reused environment equals a fresh one.
"""

from __future__ import annotations

import copy
import json
import logging
import warnings
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

import pandas as pd

from sim.config.schema import RunConfig, Target
from sim.engine.model import Environment, build_environment
from sim.engine.rng import Streams
from sim.engine.runner import run
from sim.scenario.schedule import Clock, chatter_schedule, incident_victims
from sim.analysis.targets import measure

# Columns of the hourly series a replay keeps (the rest of the time series is dropped).
HOURLY = (
    "hour", "mentions_negative", "mentions_positive", "reach_negative_cum", "reach_positive_cum",
    "impressions_incident", "sentiment_mean", "backlog", "phone_queue",
)
CACHE_MAX_NODES = 3_000_000  # total simulated people whose networks a process may keep
_CACHE: dict[tuple[int, str], Environment] = {}


@dataclass
class Replicate:
    """One replicate of a replay."""

    seed: int
    metrics: dict[str, float]
    values: dict[str, float]  # target name -> value under the documented strategy
    hourly: pd.DataFrame
    cf_metrics: dict[str, float] | None = None
    cf_values: dict[str, float] | None = None
    cf_hourly: pd.DataFrame | None = None


def with_seed(cfg: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """A copy of a config mapping with another seed."""
    out = copy.deepcopy(dict(cfg))
    out["seed"] = int(seed)
    return out


def _structure_key(rc: RunConfig) -> str:
    """What shapes the network and the population (same key: they can be reused)."""
    sc = rc.scenario
    parts = {
        "network": rc.network, "population": rc.population, "reference": sc.reference_population,
        "brand": (sc.brand.followers, sc.brand.customer_share), "accounts": sc.accounts,
        "roles": (rc.diffusion.role_post, rc.diffusion.role_reshare),
    }
    return json.dumps(parts, default=repr, sort_keys=True)


def environment(rc: RunConfig, reuse: bool = False) -> Environment:
    """The environment of a run; with `reuse`, network and population come from the cache."""
    if not reuse:
        return build_environment(rc)
    key = (rc.seed, _structure_key(rc))
    base = _CACHE.get(key)
    if base is None:
        base = build_environment(rc)
        if sum(e.pop.size for e in _CACHE.values()) + base.pop.size > CACHE_MAX_NODES:
            _CACHE.clear()
        _CACHE[key] = base
        return base
    streams = Streams(rc.seed)
    chatter = chatter_schedule(rc, base.pop, Clock(rc.scenario), streams.generator("chatter"))
    victims = incident_victims(rc, base.pop, streams.generator("incident"))
    return replace(base, chatter=chatter, victims=victims)


def clear_cache() -> None:
    """Forget cached networks and populations."""
    _CACHE.clear()


def _one(rc: RunConfig, env: Environment, targets) -> tuple[dict, dict, pd.DataFrame]:
    result = run(rc, env=env)
    hourly = result.timeseries[[c for c in HOURLY if c in result.timeseries]].copy()
    values = {t.name: measure(t, result.metrics, result.timeseries) for t in targets}
    return result.metrics, values, hourly


def run_replicate(documented: Mapping[str, Any], counterfactual: Mapping[str, Any] | None, seed: int,
                  reuse: bool = False, targets: Sequence[Target] | None = None) -> Replicate:
    """One replicate: the documented strategy and (if given) the counterfactual, paired.

    `targets` are measured (default: the scenario's own).
    """
    logging.getLogger("MESA").setLevel(logging.WARNING)
    rc = RunConfig.from_dict(with_seed(documented, seed))
    env = environment(rc, reuse)
    targets = rc.scenario.targets if targets is None else targets
    metrics, values, hourly = _one(rc, env, targets)
    rep = Replicate(seed, metrics, values, hourly)
    if counterfactual is not None:
        rc_cf = RunConfig.from_dict(with_seed(counterfactual, seed))
        rep.cf_metrics, rep.cf_values, rep.cf_hourly = _one(rc_cf, env, targets)
    return rep


def replicate(documented: Mapping[str, Any], counterfactual: Mapping[str, Any] | None,
              seeds: Sequence[int], n_jobs: int = 1, reuse: bool = False,
              targets: Sequence[Target] | None = None) -> list[Replicate]:
    """All replicates, in seed order (parallel over seeds with joblib when n_jobs > 1)."""
    if n_jobs == 1 or len(seeds) == 1:
        return [run_replicate(documented, counterfactual, s, reuse, targets) for s in seeds]
    from joblib import Parallel, delayed

    with warnings.catch_warnings():  # loky replacing an idle worker is not the user's concern
        warnings.filterwarnings("ignore", message="A worker stopped while some jobs", category=UserWarning)
        return list(Parallel(n_jobs=n_jobs)(
            delayed(run_replicate)(documented, counterfactual, s, reuse, targets) for s in seeds
        ))
