"""The rank-robustness heat map: each strategy's rank at every parameter level (matplotlib)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.viz.sweep import label


def rank_heatmap(table: pd.DataFrame, metric: str, better: str) -> plt.Figure:
    """Rank of each strategy (columns) at each parameter level (rows; the base row first).

    Args:
        table: columns parameter, level, strategy, rank (and tau: Kendall tau vs the base),
            rows in the order to draw them; the row `parameter == "base"` is the base ranking.
        metric: the metric ranked on (for the title).
        better: "lower" or "higher".

    Cells whose rank differs from the base ranking are outlined; the right margin gives tau.
    """
    rows = list(dict.fromkeys(zip(table["parameter"], table["level"])))
    strategies = list(dict.fromkeys(table["strategy"]))
    wide = table.pivot_table(index=["parameter", "level"], columns="strategy", values="rank")
    grid = np.array([[wide.loc[r, s] for s in strategies] for r in rows], dtype=float)
    tau = (
        table.groupby(["parameter", "level"], sort=False)["tau"].first() if "tau" in table else None
    )
    base = grid[0]
    fig, ax = plt.subplots(
        figsize=(1.0 * len(strategies) + 4.5, 0.32 * len(rows) + 2.2), layout="constrained"
    )
    image = ax.imshow(grid, cmap="RdYlGn_r", vmin=1, vmax=max(len(strategies), 2), aspect="auto")
    for i in range(len(rows)):
        for j in range(len(strategies)):
            changed = i > 0 and grid[i, j] != base[j]
            ax.text(
                j,
                i,
                f"{grid[i, j]:.0f}",
                ha="center",
                va="center",
                fontsize=8,
                fontweight="bold" if changed else "normal",
            )
            if changed:
                ax.add_patch(
                    plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=1.6, ec="black")
                )
    names = ["base ranking" if p == "base" else f"{p} {lev}" for p, lev in rows]
    ax.set_yticks(range(len(rows)), names, fontsize=8)
    ax.set_xticks(range(len(strategies)), strategies, rotation=35, ha="right", fontsize=8)
    ax.axhline(0.5, color="black", lw=1.2)
    if tau is not None:
        twin = ax.secondary_yaxis("right")
        twin.set_yticks(
            range(len(rows)), [f"tau {tau.loc[r]:.2f}" if r[0] != "base" else "" for r in rows]
        )
        twin.tick_params(labelsize=8, length=0)
    bar = fig.colorbar(image, ax=ax, label="rank (1 = best)", shrink=0.6, pad=0.12)
    bar.set_ticks(range(1, max(len(strategies), 2) + 1))
    ax.set_title(
        f"Rank by {label(metric)} ({better} is better); outlined: rank differs from the base",
        fontsize=9,
    )
    return fig
