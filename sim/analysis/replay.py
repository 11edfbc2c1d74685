"""Replicated replays of a scenario: its documented strategy and, paired, its counterfactual.

Replicate r runs with seed `seeds[r]`. The documented strategy and the counterfactual of one
replicate share one environment (network, population, chatter, incident): common random numbers,
so their difference is the strategy's effect. Each replicate returns its metrics, the values of
the scenario's targets and the hourly time series (small), never the event log. The runs go
through `sim.analysis.evaluator`.

Calibration evaluates many candidate parameter sets on the same seeds. With `reuse`, the
network and population of each seed come from a per-process cache when a candidate changes
nothing that shapes them (`sim.analysis.environments`); a reused environment equals a fresh one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from sim.analysis.evaluator import Case, evaluate
from sim.analysis.targets import measure
from sim.config.schema import RunConfig, Target

# Columns of the hourly series a replay keeps (the rest of the time series is dropped).
HOURLY = (
    "hour",
    "mentions_negative",
    "mentions_positive",
    "reach_negative_cum",
    "reach_positive_cum",
    "impressions_incident",
    "sentiment_mean",
    "backlog",
    "phone_queue",
)


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


def _values_of_targets(targets: Sequence[Target], rc: RunConfig, result: Any) -> dict[str, Any]:
    """The values of the targets in one run (an extract of the evaluator)."""
    return {"values": {t.name: measure(t, result.metrics, result.timeseries) for t in targets}}


def replicate(
    documented: Mapping[str, Any],
    counterfactual: Mapping[str, Any] | None,
    seeds: Sequence[int],
    n_jobs: int = 1,
    reuse: bool = False,
    targets: Sequence[Target] | None = None,
) -> list[Replicate]:
    """All replicates, in seed order: the documented strategy and (if given) the counterfactual.

    Args:
        documented: run config (mapping) of the documented strategy.
        counterfactual: run config of the counterfactual, or None.
        seeds: one seed per replicate (the same for both strategies).
        n_jobs: worker processes (joblib) for the runs.
        reuse: share each seed's network and population between calls (see module doc).
        targets: what is measured in every run (default: the documented scenario's targets).
    """
    if targets is None:
        targets = RunConfig.from_dict(documented).scenario.targets
    cases = [Case("documented", documented)]
    if counterfactual is not None:
        cases.append(Case("counterfactual", counterfactual))
    ev = evaluate(
        cases,
        list(seeds),
        n_jobs=n_jobs,
        hourly=HOURLY,
        extract=partial(_values_of_targets, list(targets)),
        reuse_structure=reuse,
    )
    out = []
    for r, seed in enumerate(seeds):
        doc = ev.record("documented", r)
        rep = Replicate(int(seed), doc.metrics, doc.extras["values"], doc.hourly)
        if counterfactual is not None:
            cf = ev.record("counterfactual", r)
            rep.cf_metrics, rep.cf_values = cf.metrics, cf.extras["values"]
            rep.cf_hourly = cf.hourly
        out.append(rep)
    return out
