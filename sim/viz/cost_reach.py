"""Cost vs negative reach of the compared strategies, with their Pareto front."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.viz.palette import BETTER, MARKERS, strategy_colours


def pareto_front(cost: np.ndarray, reach: np.ndarray, tolerance: float = 0.01) -> np.ndarray:
    """Indices of the strategies no cheaper one beats on negative reach, in order of cost.

    A strategy joins the front only if it reaches fewer people than every cheaper one by more
    than `tolerance` times the largest reach (paying for no visible change is not a gain).
    """
    order = np.lexsort((reach, cost))
    margin = tolerance * float(np.nanmax(reach)) if np.isfinite(reach).any() else 0.0
    front: list[int] = []
    best = np.inf
    for i in order:
        if np.isfinite(reach[i]) and reach[i] < best - (margin if front else 0.0):
            front.append(int(i))
            best = reach[i]
    return np.array(front, dtype=int)


def cost_reach_figure(
    summary: pd.DataFrame, strategies: Sequence[str], replicates: int, unit: str = "replicates"
) -> plt.Figure:
    """Mean cost vs mean negative reach (95% CIs), the Pareto front highlighted.

    Args:
        summary: the summary rows of one start time (or pooled), without a `start` column.
        strategies: the strategies in table order.
        replicates: the number of runs per strategy behind the means.
        unit: what those runs are, for the title.
    """
    s = summary.set_index(["strategy", "metric"])
    get = lambda metric, col: np.array([s.loc[(n, metric), col] for n in strategies], dtype=float)  # noqa: E731
    cost, reach = get("cost_total", "mean"), get("reach_negative_scaled", "mean") / 1000
    c_lo, c_hi = get("cost_total", "ci_low"), get("cost_total", "ci_high")
    r_lo, r_hi = (
        get("reach_negative_scaled", "ci_low") / 1000,
        get("reach_negative_scaled", "ci_high") / 1000,
    )
    front = pareto_front(cost, reach)
    on_front = set(front.tolist())
    colours = strategy_colours(strategies)
    fig, ax = plt.subplots(figsize=(12, 6.2))
    ax.plot(
        cost[front],
        reach[front],
        color=BETTER,
        lw=6,
        alpha=0.25,
        zorder=1,
        solid_capstyle="round",
        label="Pareto front (no cheaper strategy reaches fewer; ties within 1% ignored)",
    )
    for i, name in enumerate(strategies):
        xerr = (
            [[max(cost[i] - c_lo[i], 0)], [max(c_hi[i] - cost[i], 0)]]
            if np.isfinite(c_lo[i])
            else None
        )
        yerr = (
            [[max(reach[i] - r_lo[i], 0)], [max(r_hi[i] - reach[i], 0)]]
            if np.isfinite(r_lo[i])
            else None
        )
        marker = MARKERS[i % len(MARKERS)]
        ax.errorbar(
            cost[i],
            reach[i],
            xerr=xerr,
            yerr=yerr,
            fmt=marker,
            ms=9,
            color=colours[name],
            ecolor=colours[name],
            elinewidth=1,
            capsize=3,
            zorder=3,
            alpha=0.9,
            mec="black" if i in on_front else colours[name],
            mew=1.8 if i in on_front else 0.5,
            label=f"{name}{' (on the front)' if i in on_front else ''}: ${cost[i]:,.0f}, "
            f"{reach[i]:,.0f}k people",
        )
    ax.set_xlabel("cost of the strategy over the run (dollars)")
    ax.set_ylabel("people reached by negative posts (thousands, real scale)")
    ax.set_title(
        f"Cost vs negative reach (lower left is better)\nmean and 95% CI over {replicates} {unit}",
        fontsize=11,
    )
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"${v:,.0f}"))
    xmax = float(np.nanmax(cost)) if np.isfinite(np.nanmax(cost)) else 1.0
    ax.set_xlim(-0.05 * xmax - 1, xmax * 1.25 + 1)
    ax.set_ylim(0, float(np.nanmax(r_hi if np.isfinite(r_hi).any() else reach)) * 1.12 + 1)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=9,
        title="strategy: mean cost, mean negative reach",
        title_fontsize=9,
    )
    fig.tight_layout()
    return fig
