"""Paired statistics for replicated strategy comparisons.

Replicate r of every strategy shares its environment (common random numbers), so a strategy's
effect is estimated from the paired differences d_r = x_r(strategy) - x_r(baseline). All
intervals are two-sided Student-t intervals (95% by default). Non-finite values (a response time
when nobody was answered) are left out, and every estimate reports `n`, the number of finite
values (or pairs) it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as st

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval and the number of values behind it."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the width of the interval."""
        return (self.high - self.low) / 2.0

    def excludes_zero(self) -> bool:
        """Whether the interval lies entirely above or below zero."""
        return bool(self.low > 0 or self.high < 0)


NAN_ESTIMATE = Estimate(math.nan, math.nan, math.nan, 0)


def _t(n_minus_1: int, level: float) -> float:
    return float(st.t.ppf(0.5 + level / 2.0, n_minus_1))


def mean_ci(values: Iterable[float], level: float = LEVEL) -> Estimate:
    """Mean and t-interval of the finite values (interval NaN with fewer than 2 values)."""
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return NAN_ESTIMATE
    m = float(x.mean())
    if n < 2:
        return Estimate(m, math.nan, math.nan, 1)
    hw = _t(n - 1, level) * float(x.std(ddof=1)) / math.sqrt(n)
    return Estimate(m, m - hw, m + hw, n)


def paired_diff(
    treated: Sequence[float], baseline: Sequence[float], level: float = LEVEL
) -> Estimate:
    """Mean paired difference treated - baseline, over pairs where both are finite."""
    a, b = np.asarray(treated, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples need equal lengths, got {a.size} and {b.size}")
    return mean_ci(a - b, level)


def unpaired_diff(
    treated: Sequence[float], baseline: Sequence[float], level: float = LEVEL
) -> Estimate:
    """Welch interval of mean(treated) - mean(baseline), ignoring the pairing."""
    a, b = np.asarray(treated, dtype=float), np.asarray(baseline, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        return NAN_ESTIMATE
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    d = float(a.mean() - b.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return Estimate(d, d, d, int(min(a.size, b.size)))
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    hw = float(st.t.ppf(0.5 + level / 2.0, df)) * se
    return Estimate(d, d - hw, d + hw, int(min(a.size, b.size)))


def ratio_ci(
    numerator: Sequence[float], denominator: Sequence[float], level: float = LEVEL
) -> Estimate:
    """Ratio of means mean(num) / mean(den) with a delta-method t-interval over paired values.

    NaN unless the denominator is positive beyond doubt (its own interval lies above zero): a
    ratio to something that may be zero, such as impressions averted by a strategy that averts
    none, has no finite interval.
    """
    a, b = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    n = int(a.size)
    den = mean_ci(b, level)
    if n == 0 or not den.mean > 0 or (n > 1 and not den.low > 0):
        return Estimate(math.nan, math.nan, math.nan, n)
    r = float(a.mean() / b.mean())
    if n < 2:
        return Estimate(r, math.nan, math.nan, n)
    cov = np.cov(a, b, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (n * b.mean() ** 2)
    hw = _t(n - 1, level) * math.sqrt(max(var, 0.0))
    return Estimate(r, r - hw, r + hw, n)


SUMMARY_COLUMNS = (
    "strategy",
    "metric",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "baseline",
    "n_pairs",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
)


def summarise(
    runs: pd.DataFrame, metrics: Sequence[str], baseline: str, level: float = LEVEL
) -> pd.DataFrame:
    """Per strategy and metric: mean with CI, and the paired difference vs `baseline` with CI.

    Args:
        runs: one row per strategy and replicate, with columns `strategy`, `replicate` and the
            metrics.
        metrics: metric columns to summarise.
        baseline: the strategy the differences are taken against.
        level: confidence level.

    Returns:
        A tidy frame with the columns of SUMMARY_COLUMNS, strategies in the order they appear.
    """
    order = list(dict.fromkeys(runs["strategy"]))
    if baseline not in order:
        raise ValueError(f"baseline {baseline!r} is not among the strategies {order}")
    wide = {
        name: g.set_index("replicate").sort_index()
        for name, g in runs.groupby("strategy", sort=False)
    }
    base = wide[baseline]
    rows = []
    for name in order:
        df = wide[name]
        common = df.index.intersection(base.index)
        for metric in metrics:
            est = mean_ci(df[metric].to_numpy(), level)
            diff = paired_diff(
                df.loc[common, metric].to_numpy(), base.loc[common, metric].to_numpy(), level
            )
            rows.append(
                (
                    name,
                    metric,
                    est.n,
                    est.mean,
                    est.low,
                    est.high,
                    baseline,
                    diff.n,
                    diff.mean,
                    diff.low,
                    diff.high,
                )
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def value_of_response(runs: pd.DataFrame, baseline: str, level: float = LEVEL) -> pd.DataFrame:
    """Cost per 1,000 negative impressions averted and ROI of each strategy vs `baseline`.

    Both are ratios of mean paired differences (real people and real dollars, `_scaled`):
    * cost per 1,000 negative impressions averted = extra cost / (averted impressions / 1,000),
      NaN when the strategy averts none on average;
    * ROI = (revenue at risk saved - extra cost) / extra cost, NaN when it costs nothing extra.

    Returns:
        Rows in the SUMMARY_COLUMNS layout (metrics `cost_per_1000_negative_impressions_averted`
        and `roi`); their `diff` columns are empty.
    """
    wide = {
        name: g.set_index("replicate").sort_index()
        for name, g in runs.groupby("strategy", sort=False)
    }
    base = wide[baseline]
    rows = []
    for name, df in wide.items():
        common = df.index.intersection(base.index)
        d, b = df.loc[common], base.loc[common]
        extra_cost = (d["cost_total"] - b["cost_total"]).to_numpy()
        averted = (
            b["impressions_negative_scaled"] - d["impressions_negative_scaled"]
        ).to_numpy() / 1000.0
        saved = (b["revenue_at_risk_scaled"] - d["revenue_at_risk_scaled"]).to_numpy()
        per_1000 = ratio_ci(extra_cost, averted, level) if name != baseline else NAN_ESTIMATE
        roi = ratio_ci(saved - extra_cost, extra_cost, level) if name != baseline else NAN_ESTIMATE
        for metric, est in (("cost_per_1000_negative_impressions_averted", per_1000), ("roi", roi)):
            rows.append(
                (
                    name,
                    metric,
                    est.n,
                    est.mean,
                    est.low,
                    est.high,
                    baseline,
                    math.nan,
                    math.nan,
                    math.nan,
                    math.nan,
                )
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
