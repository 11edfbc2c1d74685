"""The forest plot of a strategy comparison: paired differences vs the baseline with 95% CIs."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from sim.viz.palette import BETTER, START_MARKERS, UNCLEAR, WORSE

# (metric, panel title, axis label, scale, lower is better)
FOREST_PANELS = (
    (
        "reach_negative_scaled",
        "Negative reach",
        "people reached by negative posts\n(thousands, real scale)",
        1e-3,
        True,
    ),
    (
        "reach_positive_scaled",
        "Positive reach",
        "people reached by positive posts\n(thousands, real scale)",
        1e-3,
        False,
    ),
    (
        "sentiment_mean_final",
        "Customer sentiment",
        "final mean sentiment of customers\n(scale -1 to +1)",
        1.0,
        False,
    ),
    ("cost_total", "Cost", "cost of the strategy over the run\n(thousand dollars)", 1e-3, True),
)


def start_blocks(summary: pd.DataFrame) -> list[str]:
    """The `start` blocks of a summary in order (pooled first); [""] for one without starts."""
    if "start" not in summary.columns:
        return [""]
    return list(dict.fromkeys(summary["start"]))


def start_rows(summary: pd.DataFrame, start: str) -> pd.DataFrame:
    """The rows of one `start` block, indexed by (strategy, metric)."""
    if "start" not in summary.columns:
        return summary.set_index(["strategy", "metric"])
    return summary[summary["start"] == start].set_index(["strategy", "metric"])


def forest_figure(
    summary: pd.DataFrame,
    strategies: Sequence[str],
    baseline: str,
    replicates: int,
    titles: dict[str, str] | None = None,
) -> plt.Figure:
    """Paired differences vs the baseline with 95% CIs, one panel per outcome.

    With several start times (a summary with `pooled` rows), each strategy gets one point per
    start time (its own marker) under the pooled point (a large diamond).

    Args:
        summary: a comparison summary (`Comparison.summary()`).
        strategies: the strategies in table order.
        baseline: the strategy the differences are taken against.
        replicates: replicates per start time.
        titles: start label -> readable title for the legend.
    """
    rows = [s for s in strategies if s != baseline]
    blocks = start_blocks(summary)
    several = len(blocks) > 1
    titles = dict(titles or {})
    k = len(blocks)
    offsets = np.linspace(0.32, -0.32, k) if several else np.zeros(1)
    height = 1.2 + (0.55 if not several else 0.28 * (k + 1)) * max(len(rows), 2)
    fig, axes = plt.subplots(1, len(FOREST_PANELS), figsize=(15, height), sharey=True)
    y = np.arange(len(rows))[::-1]
    tables = {b: start_rows(summary, b) for b in blocks}
    for ax, (metric, title, label, scale, lower_better) in zip(np.atleast_1d(axes), FOREST_PANELS):
        for j, block in enumerate(blocks):
            s = tables[block]
            pooled = several and j == 0
            marker = (
                ("D" if pooled else START_MARKERS[(j - 1) % len(START_MARKERS)]) if several else "o"
            )
            for yi, name in zip(y, rows):
                r = s.loc[(name, metric)]
                d, lo, hi = r["diff"] * scale, r["diff_ci_low"] * scale, r["diff_ci_high"] * scale
                if not np.isfinite(d):
                    continue
                significant = np.isfinite(lo) and (lo > 0 or hi < 0)
                good = (d < 0) == lower_better
                colour = (BETTER if good else WORSE) if significant else UNCLEAR
                ax.errorbar(
                    d,
                    yi + offsets[j],
                    xerr=[[d - lo], [hi - d]] if np.isfinite(lo) else None,
                    fmt=marker,
                    color=colour,
                    ecolor=colour,
                    mec="black" if pooled else colour,
                    mew=1.0 if pooled else 0.5,
                    capsize=2.5 if several else 3,
                    ms=7.5 if pooled else (5 if several else 6),
                    lw=2.2 if pooled else (1.1 if several else 1.6),
                    zorder=3 if pooled else 2,
                )
        if several:
            for yi in y[:-1]:
                ax.axhline(yi - 0.5, color="grey", lw=0.5, alpha=0.4)
        ax.axvline(0, color="black", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.set_title(f"{title}: difference vs {baseline}", fontsize=10)
        ax.set_xlabel(label, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    first = np.atleast_1d(axes)[0]
    first.set_yticks(y)
    first.set_yticklabels(rows)
    first.set_ylim(-0.6, len(rows) - 0.4)
    handles = [
        Line2D([], [], color=c, marker="o", ls="none", label=t)
        for c, t in (
            (BETTER, "better than baseline (CI excludes 0)"),
            (WORSE, "worse than baseline (CI excludes 0)"),
            (UNCLEAR, "no clear difference (CI includes 0)"),
        )
    ]
    if several:
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                marker="D",
                ls="none",
                mfc="white",
                ms=7,
                label=f"pooled over start times ({replicates * (k - 1)} runs)",
            )
        )
        handles += [
            Line2D(
                [],
                [],
                color="black",
                marker=START_MARKERS[(j - 1) % len(START_MARKERS)],
                ls="none",
                mfc="white",
                ms=5,
                label=f"first incident {titles.get(b, b)}",
            )
            for j, b in enumerate(blocks)
            if j
        ]
    ncol = 3 if not several else min(4, max(3, (len(handles) + 1) // 2))
    fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False, fontsize=9)
    what = (
        f"{replicates} replicates at each of {k - 1} start times"
        if several
        else f"{replicates} replicates"
    )
    fig.suptitle(
        f"Effect of each strategy vs {baseline}: paired difference, mean and 95% CI over "
        f"{what} (same network, incident and chatter)",
        fontsize=11,
    )
    legend_rows = int(np.ceil(len(handles) / ncol))
    fig.tight_layout(rect=(0, min(0.3, (0.35 + 0.25 * legend_rows) / height), 1, 0.95))
    return fig
