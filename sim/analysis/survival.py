"""Which pairwise rankings of a comparison survive parameter uncertainty.

Two comparisons of the same strategies on the same seeds: one with the configured parameters
(`uncertainty=none`), one where every replicate draws its uncertain parameters
(`sim.analysis.uncertainty`). For each ranked outcome, each strategy is paired with the baseline
and with its neighbour in the ranking (1st vs 2nd, 2nd vs 3rd, 3rd vs 4th: the top pairs), and the
paired difference is taken per replicate (averaged over start times first, as the pooled
intervals are). A ranking is *decided* when the 95% interval of the difference excludes 0, and it
*survives* when it is decided with the parameters fixed and still decided, the same way round,
with them drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.stats import mean_ci
from sim.outputs.registry import get as get_metric
from sim.outputs.registry import signed

RANKED = (
    ("reach_negative_scaled", "negative reach", True),
    ("sentiment_mean_final", "final sentiment", False),
)
TOP_PAIRS = 3


def per_replicate(runs: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Strategy columns, one row per replicate: the metric averaged over start times."""
    return runs.pivot_table(index="replicate", columns="strategy", values=metric, aggfunc="mean")


def _diff(wide: pd.DataFrame, a: str, b: str) -> tuple[float, float, float]:
    est = mean_ci((wide[a] - wide[b]).to_numpy(dtype=float))
    return est.mean, est.low, est.high


def _pairs(
    wide: pd.DataFrame, strategies: Sequence[str], baseline: str, lower_better: bool
) -> list[tuple[str, str, str]]:
    means = wide.mean()
    order = sorted(strategies, key=lambda s: means[s] if lower_better else -means[s])
    out = [(s, baseline, "vs baseline") for s in strategies if s != baseline]
    for i in range(min(TOP_PAIRS, len(order) - 1)):
        if baseline not in (order[i], order[i + 1]):  # a pair with the baseline is listed above
            out.append((order[i], order[i + 1], f"ranks {i + 1}-{i + 2}"))
    return out


def _decided(low: float, high: float) -> int:
    """+1 when the interval lies above 0, -1 below, 0 when it holds 0 (or is undefined)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return 0
    return 1 if low > 0 else -1 if high < 0 else 0


def survival_table(
    fixed: pd.DataFrame, uncertain: pd.DataFrame, strategies: Sequence[str], baseline: str
) -> pd.DataFrame:
    """One row per ranked outcome and pair: the difference and CI fixed and drawn, survives.

    Args:
        fixed: runs of the comparison with the configured parameters.
        uncertain: runs of the same comparison with drawn parameters.
        strategies: the strategies, baseline included.
        baseline: the baseline strategy.
    """
    rows = []
    for metric, what, lower_better in RANKED:
        wf, wu = per_replicate(fixed, metric), per_replicate(uncertain, metric)
        for a, b, kind in _pairs(wf, strategies, baseline, lower_better):
            f, u = _diff(wf, a, b), _diff(wu, a, b)
            df, du = _decided(f[1], f[2]), _decided(u[1], u[2])
            rows.append(
                {
                    "metric": metric,
                    "outcome": what,
                    "lower_better": lower_better,
                    "pair": kind,
                    "a": a,
                    "b": b,
                    "diff_fixed": f[0],
                    "ci_low_fixed": f[1],
                    "ci_high_fixed": f[2],
                    "diff_uncertain": u[0],
                    "ci_low_uncertain": u[1],
                    "ci_high_uncertain": u[2],
                    "decided_fixed": df != 0,
                    "decided_uncertain": du != 0,
                    "survives": df != 0 and du == df,
                }
            )
    return pd.DataFrame(rows)


def _verdict(row: pd.Series) -> str:
    if row["survives"]:
        return "**survives**"
    if row["decided_fixed"]:
        return "lost (CI now holds 0)" if not row["decided_uncertain"] else "reversed"
    return "decided only with uncertainty" if row["decided_uncertain"] else "undecided in both"


def _better(row: pd.Series, diff: float) -> str:
    a_better = (diff < 0) == bool(row["lower_better"])
    return f"{row['a'] if a_better else row['b']} better"


def survival_markdown(table: pd.DataFrame, source: str) -> str:
    """The report section "Rankings under parameter uncertainty"."""
    out = [
        "## Rankings under parameter uncertainty",
        "",
        f"Uncertainty: {source}. The same seeds ran once with the configured parameters (fixed) "
        "and once with each replicate's draw, shared by every strategy (drawn). Differences "
        "a - b per replicate (averaged over start times) with 95% CIs; a ranking is decided when "
        "the CI excludes 0 and survives when it is decided the same way in both.",
    ]
    for metric, what, _ in RANKED:
        part = table[table["metric"] == metric]
        if part.empty:
            continue
        out += ["", f"### {what.capitalize()}", ""]
        out += [
            "| pair | a - b fixed [95% CI] | a - b drawn [95% CI] | verdict |",
            "|---|---|---|---|",
        ]
        for _, row in part.iterrows():
            cells = []
            fmt = signed(get_metric(metric).fmt)
            for side in ("fixed", "uncertain"):
                d, lo, hi = row[f"diff_{side}"], row[f"ci_low_{side}"], row[f"ci_high_{side}"]
                text = f"{fmt.format(d)} [{fmt.format(lo)}, {fmt.format(hi)}]"
                if row[f"decided_{side}"]:
                    text += f" ({_better(row, d)})"
                cells.append(text)
            out.append(
                f"| {row['a']} vs {row['b']} ({row['pair']}) | {cells[0]} | {cells[1]} | "
                f"{_verdict(row)} |"
            )
        kept = int(part["survives"].sum())
        decided = int(part["decided_fixed"].sum())
        out += ["", f"{kept} of the {decided} rankings decided with fixed parameters survive."]
    return "\n".join(out)
