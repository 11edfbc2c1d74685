"""A scenario's documented figures, measured on replicated runs: mean, 95% CI and within tolerance.

A target names a metric of `Result.metrics` (or, with `by_h`, an hourly flow column of
`Result.timeseries` summed over the first `by_h` hours; a `_scaled` name multiplies that sum by
the run's scale factor). A `lift` target compares the documented strategy with the scenario's
counterfactual on the same replicate (common random numbers): the paired relative change
x(documented) / x(counterfactual) - 1, e.g. Da Grasso's brand mentions +135%.

The tolerance is relative to the documented value unless `absolute`. Bounds:
`near` (|mean - documented| <= tolerance), `at_least` (mean >= documented - tolerance) and
`at_most` (mean <= documented + tolerance). A target is met when the replicate mean is in its band;
the 95% Student-t interval of the mean is reported beside it. A target about one documented case
(Comcast's 20 minutes) may use `statistic: median` instead: the typical replicate, with a
distribution-free interval from order statistics (the column keeps the name `simulated_mean`).

Each target carries a label: `identity` (holds by construction: shown, never evidence),
`calibrated` (a fit uses it) or `held_out` (no fit uses it). `fit_targets` are those a fit may use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.config.schema import Target
from sim.config.validation import TARGET_LABELS

LEVEL = 0.95


class TargetError(KeyError):
    """A target names a metric the run does not produce."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class TargetResult:
    """One target evaluated over replicates."""

    target: str
    metric: str
    documented: float
    simulated_mean: float
    ci_low: float
    ci_high: float
    tolerance: float  # absolute half-width of the band
    ok: bool
    bound: str
    n: int  # replicates with a finite value
    lift: bool = False
    by_h: float = 0.0
    source: str = ""
    statistic: str = "mean"
    label: str = "calibrated"  # identity, calibrated or held_out (Target.label)

    def as_row(self) -> dict:
        """A flat dict (for a tidy table)."""
        return asdict(self)


LABELS = TARGET_LABELS  # identity, calibrated, held_out


def fit_targets(targets: Sequence[Target]) -> list[Target]:
    """The targets a fit may use: those labelled `calibrated` (never identity or held-out ones)."""
    return [t for t in targets if t.label == "calibrated"]


def label_counts(labels: Sequence[str], ok: Sequence[bool]) -> dict[str, tuple[int, int]]:
    """Per label (in LABELS order, present ones only): (targets met, targets)."""
    out = {}
    for name in LABELS:
        hits = [bool(o) for lab, o in zip(labels, ok) if lab == name]
        if hits:
            out[name] = (sum(hits), len(hits))
    return out


def tolerance_abs(t: Target) -> float:
    """The tolerance as an absolute half-width."""
    return float(t.tolerance if t.absolute else t.tolerance * abs(t.documented))


def band(t: Target) -> tuple[float, float]:
    """The interval of acceptable replicate means."""
    tol = tolerance_abs(t)
    if t.bound == "at_least":
        return t.documented - tol, math.inf
    if t.bound == "at_most":
        return -math.inf, t.documented + tol
    return t.documented - tol, t.documented + tol


def within(t: Target, value: float) -> bool:
    """Whether a replicate mean meets the target."""
    lo, hi = band(t)
    return bool(math.isfinite(value) and lo <= value <= hi)


def distance(t: Target, value: float) -> float:
    """Signed miss in tolerance units (0 on target; |d| <= 1 inside a near band).

    One-sided targets count only a miss on the wrong side of the documented value, so a fit aims
    at the documented value rather than at the edge of the band.
    """
    if not math.isfinite(value):
        return 10.0
    tol = tolerance_abs(t) or 1e-9
    d = (value - t.documented) / tol
    if t.bound == "at_least":
        return min(d, 0.0)
    if t.bound == "at_most":
        return max(d, 0.0)
    return d


def measure(t: Target, metrics: Mapping[str, float], hourly: pd.DataFrame | None = None) -> float:
    """The value of a target's metric in one run (before any lift)."""
    if t.by_h > 0:
        column = t.metric[: -len("_scaled")] if t.metric.endswith("_scaled") else t.metric
        if hourly is None or column not in hourly:
            raise TargetError(
                f"target '{t.name}': by_h needs the hourly column '{column}' "
                f"(hourly columns: {', '.join(hourly.columns) if hourly is not None else 'none'})"
            )
        value = float(hourly.loc[hourly["hour"] <= t.by_h, column].sum())
        return value * float(metrics.get("scale_factor", 1.0)) if column != t.metric else value
    if t.metric not in metrics:
        raise TargetError(
            f"target '{t.name}' names the metric '{t.metric}', which runs do not produce; "
            f"known metrics: {', '.join(sorted(metrics))}"
        )
    return float(metrics[t.metric])


def mean_ci(
    values: Sequence[float] | np.ndarray, level: float = LEVEL
) -> tuple[float, float, float, int]:
    """Mean, t-interval and count of the finite values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan, 1
    hw = float(stats.t.ppf(0.5 + level / 2, x.size - 1)) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return m, m - hw, m + hw, int(x.size)


def median_ci(
    values: Sequence[float] | np.ndarray, level: float = LEVEL
) -> tuple[float, float, float, int]:
    """Median and its distribution-free (order statistics, binomial) interval of finite values."""
    x = np.sort(np.asarray(values, dtype=float))
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(np.median(x))
    lo_rank = int(stats.binom.ppf((1 - level) / 2, n, 0.5))  # 0-based ranks of the bounds
    hi_rank = n - 1 - lo_rank
    if n < 2 or lo_rank < 0 or lo_rank >= hi_rank:
        return m, math.nan, math.nan, n
    return m, float(x[max(lo_rank - 1, 0)]), float(x[min(hi_rank + 1, n - 1)]), n


def replicate_values(
    t: Target, documented: Sequence[float], counterfactual: Sequence[float] | None
) -> np.ndarray:
    """Per-replicate values of a target: the measurement, or its paired lift."""
    x = np.asarray(documented, dtype=float)
    if not t.lift:
        return x
    if counterfactual is None:
        raise TargetError(f"target '{t.name}' is a lift but no counterfactual was run")
    base = np.asarray(counterfactual, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, x / base - 1.0, np.nan)


def evaluate(
    targets: Sequence[Target],
    documented: Sequence[Mapping[str, float]],
    counterfactual: Sequence[Mapping[str, float]] | None = None,
) -> list[TargetResult]:
    """Evaluate targets over replicates.

    Args:
        targets: the scenario's targets.
        documented: per replicate, target name -> measured value under the documented strategy.
        counterfactual: the same under the counterfactual strategy (needed by lift targets).

    Returns:
        One TargetResult per target, in order.
    """
    out = []
    for t in targets:
        doc = [r[t.name] for r in documented]
        cf = [r[t.name] for r in counterfactual] if counterfactual is not None else None
        summary = median_ci if t.statistic == "median" else mean_ci
        mean, low, high, n = summary(replicate_values(t, doc, cf))
        out.append(
            TargetResult(
                target=t.name,
                metric=t.metric,
                documented=t.documented,
                simulated_mean=mean,
                ci_low=low,
                ci_high=high,
                tolerance=tolerance_abs(t),
                ok=within(t, mean),
                bound=t.bound,
                n=n,
                lift=t.lift,
                by_h=t.by_h,
                source=t.source,
                statistic=t.statistic,
                label=t.label,
            )
        )
    return out


def loss(targets: Sequence[Target], results: Sequence[TargetResult]) -> float:
    """Mean squared miss in tolerance units: below 1 for a target inside its band."""
    if not targets:
        return 0.0
    return float(np.mean([distance(t, r.simulated_mean) ** 2 for t, r in zip(targets, results)]))
