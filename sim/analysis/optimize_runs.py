"""The runs of a policy-design study: its samples, and a candidate evaluated on all of them.

A *sample* is one world a candidate must face: the scenario placed at an incident start time,
and in robust mode a point of the uncertain inputs as well. Every candidate (and every library
preset) runs on every sample with the same replicate seeds (common random numbers), through
`sim.analysis.evaluator`, and every finished run is kept in the study's run cache, so a killed
study repeats no run.

Where the samples come from in robust mode (`robust.source`):

* `ranges`: a Latin hypercube over the ranges of a parameter set (`conf/sensitivity/<set>.yaml`;
  `experiments.optimize` draws it with `experiments.sensitivity`'s helpers);
* `posterior`: draws from a scenario's posterior, through the hook `posterior_samples` (it
  needs `sim.analysis.uncertainty`, which the evidence work provides; until then it says so).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.compare import placed
from sim.analysis.evaluator import Case, evaluate
from sim.errors import ConfigError

SOURCES = ("ranges", "posterior")


def posterior_samples(base: Mapping[str, Any], n: int, seed: int) -> list[dict[str, Any]]:
    """Hook: `n` run configs with the uncertain inputs drawn from the scenario's posterior.

    Raises:
        ConfigError: until `sim.analysis.uncertainty` provides `posterior_configs(base, n, seed)`.
    """
    try:
        from sim.analysis import uncertainty  # type: ignore[attr-defined]
    except ImportError:
        uncertainty = None
    draw = getattr(uncertainty, "posterior_configs", None)
    if draw is None:
        raise ConfigError(
            "robust.source",
            "posterior",
            "ranges (a scenario posterior is not available yet: sim.analysis.uncertainty "
            "provides none)",
        )
    return [dict(c) for c in draw(base, n, seed)]


def samples(
    base: dict[str, Any], starts: Sequence[Any], points: Sequence[dict[str, Any]] | None = None
) -> tuple[dict[str, dict[str, Any]], pd.DataFrame]:
    """The study's samples (label -> run config without strategy) and a table describing them.

    Args:
        base: the full run config (every default spelt out) without `strategy`.
        starts: incident start times; empty: the scenario's own start.
        points: robust mode: run configs with the uncertain inputs drawn (from ranges or a
            posterior); sample i is point i at start time i (cycling through `starts`).
            None or empty: one sample per start time.
    """
    if not points:
        configs, _ = placed(base, starts)
        table = pd.DataFrame({"sample": list(configs), "start": list(configs)})
        return configs, table
    configs, rows = {}, []
    starts = list(starts or [None])
    for i, point in enumerate(points):
        start = starts[i % len(starts)]
        placed_point, _ = placed(point, [start] if start is not None else [])
        label_start, cfg = next(iter(placed_point.items()))
        label = f"s{i:03d}"
        configs[label] = cfg
        rows.append({"sample": label, "start": label_start, **_differences(base, cfg)})
    return configs, pd.DataFrame(rows)


def _differences(base: Mapping[str, Any], cfg: Mapping[str, Any], prefix: str = "") -> dict:
    out: dict[str, Any] = {}
    for key, value in cfg.items():
        dotted = f"{prefix}{key}"
        old = base.get(key) if isinstance(base, Mapping) else None
        if isinstance(value, Mapping):
            out.update(_differences(old or {}, value, dotted + "."))
        elif isinstance(value, list) and isinstance(old, list) and len(old) == len(value):
            for i, (a, b) in enumerate(zip(old, value)):
                if isinstance(b, Mapping):
                    out.update(_differences(a or {}, b, f"{dotted}.{i}."))
        elif value != old and dotted not in ("scenario.start", "seed"):
            out[dotted] = value
    return out


def run_candidate(
    knobs: Mapping[str, Any],
    configs: Mapping[str, Mapping[str, Any]],
    seeds: Sequence[int],
    *,
    cache: Path | None,
    n_jobs: int = 1,
    label: str = "candidate",
) -> pd.DataFrame:
    """One strategy on every sample with the same seeds: one row per sample and replicate."""
    cases = [
        Case(f"{s}/{label}", {**copy.deepcopy(dict(cfg)), "strategy": dict(knobs)}, {"sample": s})
        for s, cfg in configs.items()
    ]
    ev = evaluate(
        cases, list(seeds), n_jobs=n_jobs, cache=cache, reuse_structure=True, progress=False
    )
    return ev.runs.drop(columns="config")


def run_presets(
    presets: Mapping[str, Mapping[str, Any]],
    configs: Mapping[str, Mapping[str, Any]],
    seeds: Sequence[int],
    *,
    cache: Path | None,
    n_jobs: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Every preset on every sample with the same seeds (column `strategy` added)."""
    cases = [
        Case(
            f"{s}/{name}",
            {**copy.deepcopy(dict(cfg)), "strategy": {**dict(knobs), "name": name}},
            {"sample": s, "strategy": name},
        )
        for name, knobs in presets.items()
        for s, cfg in configs.items()
    ]
    ev = evaluate(
        cases,
        list(seeds),
        n_jobs=n_jobs,
        cache=cache,
        reuse_structure=True,
        progress=progress,
        desc=f"{len(presets)} presets",
    )
    return ev.runs.drop(columns="config")


def best_per_sample(
    runs: pd.DataFrame, goals: Sequence[Any], days: float
) -> dict[str, dict[Any, float]]:
    """For each regret goal: sample -> the best strategy's replicate mean (reference presets)."""
    out: dict[str, dict[Any, float]] = {}
    for g in goals:
        if not g.regret:
            continue
        values = runs.assign(_v=g.values(runs, days))
        means = values.groupby(["sample", "strategy"])["_v"].mean().unstack("strategy")
        best = means.min(axis=1) if g.direction == "minimize" else means.max(axis=1)
        out[g.label] = {k: float(v) for k, v in best.items()}
    return out
