"""Paired statistics for replicated strategy comparisons.

Replicate r of every strategy shares its environment (common random numbers), so a strategy's
effect is estimated from the paired differences d_r = x_r(strategy) - x_r(baseline). All
intervals are two-sided Student-t intervals (95% by default). Non-finite values (a response time
when nobody was answered) are left out, and every estimate reports `n`, the number of finite
values (or pairs) it rests on.

When the values come in clusters that are not independent of each other (one replicate's world
seen at several incident start times), the estimates take a `cluster` column: the values are
averaged within each cluster first and the interval is taken over the cluster means, so it rests
on the number of clusters, not the number of values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

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


def clustered_mean_ci(
    values: Sequence[float] | np.ndarray, clusters: Sequence[Any] | np.ndarray, level: float = LEVEL
) -> Estimate:
    """Mean and t-interval of finite values that come in clusters, over the cluster means.

    Each cluster's finite values are averaged and the interval is `mean_ci` of those averages
    (with equal, complete clusters the mean is the mean of all values); `n` counts the finite
    values.
    """
    x = np.asarray(values, dtype=float)
    c = np.asarray(clusters)
    if x.shape != c.shape:
        raise ValueError(f"values and clusters need equal lengths, got {x.size} and {c.size}")
    ok = np.isfinite(x)
    if not ok.any():
        return NAN_ESTIMATE
    means = pd.Series(x[ok]).groupby(c[ok], sort=True).mean().to_numpy()
    est = mean_ci(means, level)
    return Estimate(est.mean, est.low, est.high, int(ok.sum()))


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


def _by_strategy(runs: pd.DataFrame, pair_by: str | Sequence[str]) -> dict[str, pd.DataFrame]:
    """Each strategy's rows, indexed (and sorted) by the columns that identify a pair."""
    keys = [pair_by] if isinstance(pair_by, str) else list(pair_by)
    return {
        name: g.set_index(keys).sort_index() for name, g in runs.groupby("strategy", sort=False)
    }


def _clusters(df: pd.DataFrame, cluster: str) -> np.ndarray:
    """The cluster of each row of an indexed frame (an index level or a column)."""
    if cluster in (df.index.names or ()):
        return df.index.get_level_values(cluster).to_numpy()
    return df[cluster].to_numpy()


def _estimate(values: np.ndarray, clusters: np.ndarray | None, level: float) -> Estimate:
    return (
        mean_ci(values, level) if clusters is None else clustered_mean_ci(values, clusters, level)
    )


def summarise(
    runs: pd.DataFrame,
    metrics: Sequence[str],
    baseline: str,
    level: float = LEVEL,
    *,
    pair_by: str | Sequence[str] = "replicate",
    cluster: str | None = None,
) -> pd.DataFrame:
    """Per strategy and metric: mean with CI, and the paired difference vs `baseline` with CI.

    Args:
        runs: one row per strategy and pair, with columns `strategy`, the `pair_by` columns
            and the metrics.
        metrics: metric columns to summarise.
        baseline: the strategy the differences are taken against.
        level: confidence level.
        pair_by: the column(s) naming a pair: rows of two strategies with the same values are
            one pair (`replicate`; `("start", "replicate")` for a pooled comparison).
        cluster: a column (or `pair_by` column) whose rows are not independent; means and
            differences then get intervals over the cluster means (`clustered_mean_ci`).

    Returns:
        A tidy frame with the columns of SUMMARY_COLUMNS, strategies in the order they appear.
    """
    order = list(dict.fromkeys(runs["strategy"]))
    if baseline not in order:
        raise ValueError(f"baseline {baseline!r} is not among the strategies {order}")
    wide = _by_strategy(runs, pair_by)
    base = wide[baseline]
    rows = []
    for name in order:
        df = wide[name]
        common = df.index.intersection(base.index)
        own = _clusters(df, cluster) if cluster else None
        paired = _clusters(df.loc[common], cluster) if cluster else None
        for metric in metrics:
            est = _estimate(df[metric].to_numpy(dtype=float), own, level)
            d = df.loc[common, metric].to_numpy(dtype=float) - base.loc[common, metric].to_numpy(
                dtype=float
            )
            diff = _estimate(d, paired, level)
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


def _cluster_means(columns: dict[str, np.ndarray], clusters: np.ndarray) -> list[np.ndarray]:
    """Per cluster the means of the columns, over the rows where every column is finite."""
    frame = pd.DataFrame(columns)
    frame["_cluster"] = clusters
    frame = frame[np.isfinite(frame.drop(columns="_cluster").to_numpy(dtype=float)).all(axis=1)]
    means = frame.groupby("_cluster", sort=True).mean()
    return [means[k].to_numpy(dtype=float) for k in columns]


def _reply_value(runs: pd.DataFrame) -> np.ndarray:
    """The value of a strategy's replies per run (0 where runs lack the metric)."""
    if "reply_value_usd" not in runs:
        return np.zeros(len(runs))
    return runs["reply_value_usd"].to_numpy(dtype=float)


def value_of_response(
    runs: pd.DataFrame,
    baseline: str,
    level: float = LEVEL,
    *,
    pair_by: str | Sequence[str] = "replicate",
    cluster: str | None = None,
) -> pd.DataFrame:
    """Cost per 1,000 negative impressions averted and ROI of each strategy vs `baseline`.

    Both are ratios of mean paired differences (real people and real dollars, `_scaled`):
    * cost per 1,000 negative impressions averted = extra cost / (averted impressions / 1,000),
      NaN when the strategy averts none on average;
    * ROI = (revenue at risk saved + value of replies gained - extra cost) / extra cost, NaN
      when it costs nothing extra; the value of replies is `reply_value_usd` (complainers'
      extra willingness to pay, docs/metrics.md), counted as 0 where a run lacks the column.

    `pair_by` and `cluster` as in `summarise`; with a cluster, the paired differences are
    averaged per cluster first and the delta-method interval is taken over those averages.

    Returns:
        Rows in the SUMMARY_COLUMNS layout (metrics `cost_per_1000_negative_impressions_averted`
        and `roi`); their `diff` columns are empty.
    """
    wide = _by_strategy(runs, pair_by)
    base = wide[baseline]
    rows = []
    for name, df in wide.items():
        common = df.index.intersection(base.index)
        d, b = df.loc[common], base.loc[common]
        extra_cost = (d["cost_total"] - b["cost_total"]).to_numpy(dtype=float)
        averted = (b["impressions_negative_scaled"] - d["impressions_negative_scaled"]).to_numpy(
            dtype=float
        ) / 1000.0
        saved = (b["revenue_at_risk_scaled"] - d["revenue_at_risk_scaled"]).to_numpy(dtype=float)
        saved = saved + _reply_value(d) - _reply_value(b)
        pairs = int((np.isfinite(extra_cost) & np.isfinite(averted) & np.isfinite(saved)).sum())
        if cluster:
            extra_cost, averted, saved = _cluster_means(
                {"cost": extra_cost, "averted": averted, "saved": saved}, _clusters(d, cluster)
            )
        per_1000 = ratio_ci(extra_cost, averted, level) if name != baseline else NAN_ESTIMATE
        roi = ratio_ci(saved - extra_cost, extra_cost, level) if name != baseline else NAN_ESTIMATE
        for metric, est in (("cost_per_1000_negative_impressions_averted", per_1000), ("roi", roi)):
            n = pairs if (cluster and name != baseline) else est.n
            rows.append(
                (
                    name,
                    metric,
                    n,
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
