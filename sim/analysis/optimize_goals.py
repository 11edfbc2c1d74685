"""Objectives and constraints of a policy-design study, over any metric of the registry.

An objective `{metric: cost_total, statistic: mean, per_day: true}` is a statistic of a metric
over a candidate's runs (every replicate of every sample): `mean`, `median`, `min`, `max` or a
quantile `p<NN>` (`p90`: the 90th percentile over the runs, linear interpolation). `per_day`
divides by the horizon in days (a daily cost). Its direction is the registry's "better" (lower:
minimise) unless `direction: minimize|maximize` says otherwise. A constraint has the same keys
and a bound: `max: X` (statistic <= X) or `min: X` (statistic >= X).

Robust mode (`regret: true` on an objective): the objective is the statistic, over samples of the
uncertain inputs, of the regret in each sample: how much worse the candidate's replicate mean is
than the best of the reference strategies (the library presets) in that sample.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.outputs.registry import better as registry_better

STATISTICS = "mean, median, min, max or p<NN> (a percentile, e.g. p90)"
DIRECTIONS = ("minimize", "maximize")
OBJECTIVE_KEYS = ("metric", "statistic", "per_day", "direction", "regret")
CONSTRAINT_KEYS = ("metric", "statistic", "per_day", "max", "min")


def statistic(values: Sequence[float] | np.ndarray, name: str) -> float:
    """A statistic of values (NaN ignored; NaN if none): mean, median, min, max or pNN."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan
    if name == "mean":
        return float(x.mean())
    if name == "median":
        return float(np.median(x))
    if name == "min":
        return float(x.min())
    if name == "max":
        return float(x.max())
    return float(np.quantile(x, _quantile(name)))


def _quantile(name: str) -> float:
    m = re.fullmatch(r"p(\d{1,2}(\.\d+)?)", str(name))
    if not m:
        raise ValueError(name)
    return float(m.group(1)) / 100.0


def _check_statistic(name: Any, where: str) -> str:
    if name in ("mean", "median", "min", "max"):
        return str(name)
    try:
        _quantile(str(name))
    except ValueError:
        raise ConfigError(where, name, STATISTICS) from None
    return str(name)


@dataclass(frozen=True)
class Goal:
    """An objective (direction set) or a constraint (bound set) on one metric."""

    metric: str
    statistic: str = "mean"
    per_day: bool = False
    direction: str = "minimize"
    regret: bool = False
    max: float | None = None
    min: float | None = None

    @property
    def label(self) -> str:
        """Column name: `p90 reach_negative_scaled`, `mean cost_total/day`, `regret ...`."""
        name = f"{self.statistic} {self.metric}" + ("/day" if self.per_day else "")
        return (
            f"{self.statistic} regret {self.metric}" + ("/day" if self.per_day else "")
            if self.regret
            else name
        )

    @property
    def text(self) -> str:
        """As a person reads it: `p90 reach_negative_scaled <= 150000`."""
        if self.max is not None:
            return f"{self.label} <= {self.max:g}"
        if self.min is not None:
            return f"{self.label} >= {self.min:g}"
        return f"{self.direction} {self.label}"

    def values(self, runs: pd.DataFrame, days: float) -> np.ndarray:
        """The metric of every run (per day if asked)."""
        x = pd.to_numeric(runs[self.metric], errors="coerce").to_numpy(dtype=float)
        return x / days if self.per_day else x

    def value(self, runs: pd.DataFrame, days: float) -> float:
        """The statistic over the runs."""
        return statistic(self.values(runs, days), self.statistic)

    def regret_value(self, runs: pd.DataFrame, best: Mapping[Any, float], days: float) -> float:
        """The statistic over samples of the regret against `best` (sample -> best mean)."""
        means = runs.assign(_v=self.values(runs, days)).groupby("sample")["_v"].mean()
        sign = 1.0 if self.direction == "minimize" else -1.0
        gaps = [sign * (float(v) - float(best[s])) for s, v in means.items()]
        return statistic(gaps, self.statistic)

    def violation(self, value: float) -> float:
        """Optuna's constraint value: <= 0 when met (NaN counts as violated)."""
        if math.isnan(value):
            return math.inf
        if self.max is not None:
            return float(value - self.max)
        return float((self.min or 0.0) - value)


def _goal(entry: Any, where: str, constraint: bool) -> Goal:
    allowed = CONSTRAINT_KEYS if constraint else OBJECTIVE_KEYS
    example = (
        "{metric: reach_negative_scaled, statistic: p90, max: 150000}"
        if constraint
        else "{metric: cost_total, statistic: mean, per_day: true}"
    )
    if not isinstance(entry, Mapping):
        raise ConfigError(where, entry, f"a mapping such as {example}")
    unknown = sorted(set(map(str, entry)) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{where}.{unknown[0]}", entry[unknown[0]], "one of " + ", ".join(allowed)
        )
    metric = entry.get("metric")
    try:
        better = registry_better(str(metric))
    except KeyError as exc:
        raise ConfigError(
            f"{where}.metric", metric, f"a metric of the registry, docs/metrics.md ({exc.args[0]})"
        ) from None
    stat = _check_statistic(entry.get("statistic", "mean"), f"{where}.statistic")
    per_day = entry.get("per_day", False)
    if not isinstance(per_day, bool):
        raise ConfigError(f"{where}.per_day", per_day, "true or false")
    if constraint:
        bounds = {k: entry.get(k) for k in ("max", "min") if entry.get(k) is not None}
        if len(bounds) != 1 or not all(
            isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b)
            for b in bounds.values()
        ):
            raise ConfigError(where, dict(entry), f"one bound, max: X or min: X, e.g. {example}")
        return Goal(str(metric), stat, per_day, max=bounds.get("max"), min=bounds.get("min"))
    direction = entry.get("direction") or ("maximize" if better == "higher" else "minimize")
    if direction not in DIRECTIONS:
        raise ConfigError(f"{where}.direction", direction, "minimize or maximize")
    regret = entry.get("regret", False)
    if not isinstance(regret, bool):
        raise ConfigError(f"{where}.regret", regret, "true or false")
    return Goal(str(metric), stat, per_day, str(direction), regret)


def parse_goals(entries: Any, where: str, constraint: bool) -> tuple[Goal, ...]:
    """Checked objectives (constraint=False) or constraints (ConfigError naming entry and key)."""
    if entries is None and constraint:
        return ()
    if isinstance(entries, (Mapping, str)) or not isinstance(entries, Sequence):
        raise ConfigError(where, entries, "a list of {metric, statistic, ...} entries")
    out = tuple(_goal(e, f"{where}[{i}]", constraint) for i, e in enumerate(entries))
    if not constraint and not out:
        raise ConfigError(where, [], "at least one objective, e.g. {metric: cost_total}")
    return out


def pareto_mask(values: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Which rows of `values` (rows: candidates, columns: goals) no other row dominates."""
    x = np.asarray(values, dtype=float) * np.array(
        [1.0 if d == "minimize" else -1.0 for d in directions]
    )
    keep = ~np.isnan(x).any(axis=1)
    for i in np.flatnonzero(keep):
        others = x[keep]
        dominated = (others <= x[i]).all(axis=1) & (others < x[i]).any(axis=1)
        keep[i] = not dominated.any()
    return keep
