"""The figure of a policy-design study: cost against negative reach, coloured by sentiment."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def pareto_figure(
    trials: pd.DataFrame,
    presets: pd.DataFrame,
    front: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    *,
    recommended: pd.Series | None = None,
    unconfirmed: pd.DataFrame | None = None,
    bound: float | None = None,
    title: str = "",
) -> plt.Figure:
    """Every candidate (hollow: misses a constraint), the front, the presets and the pick.

    Args:
        trials: one row per trial with columns `x`, `y`, `color` and `feasible`.
        presets: the library presets on the same seeds (column `strategy`, and x, y, color).
        front: the feasible non-dominated trials.
        x, y, color: the columns on the axes and the colour.
        recommended: the recommended trial (marked with a ring).
        unconfirmed: trials that met every constraint in the study but not on the confirmation
            seeds (crossed out).
        bound: a constraint bound on `y` (drawn as a dashed line).
        title: the figure's title.
    """
    fig, ax = plt.subplots(figsize=(8.5, 6.4))
    everything = pd.concat([trials[color], presets[color]]) if len(presets) else trials[color]
    finite = everything[np.isfinite(everything.astype(float))]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    norm = plt.Normalize(lo, hi if hi > lo else lo + 1e-9)
    cmap = plt.get_cmap("RdYlGn")
    ok = trials["feasible"].astype(bool) if len(trials) else pd.Series(dtype=bool)
    ax.scatter(
        trials.loc[~ok, x],
        trials.loc[~ok, y],
        s=28,
        facecolors="none",
        edgecolors=cmap(norm(trials.loc[~ok, color])),
        linewidths=1.0,
        label="candidate missing a constraint",
    )
    sc = ax.scatter(
        trials.loc[ok, x],
        trials.loc[ok, y],
        c=trials.loc[ok, color],
        cmap=cmap,
        norm=norm,
        s=34,
        edgecolors="0.3",
        linewidths=0.5,
        label="candidate meeting every constraint",
    )
    if len(front):
        ax.scatter(
            front[x],
            front[y],
            s=70,
            facecolors="none",
            edgecolors="black",
            linewidths=1.2,
            label="front (no feasible candidate beats it on every goal)",
        )
    if unconfirmed is not None and len(unconfirmed):
        ax.scatter(
            unconfirmed[x],
            unconfirmed[y],
            s=90,
            marker="x",
            color="0.2",
            label="misses a constraint on the confirmation seeds",
        )
    if len(presets):
        ax.scatter(
            presets[x],
            presets[y],
            c=presets[color],
            cmap=cmap,
            norm=norm,
            marker="*",
            s=220,
            edgecolors="black",
            linewidths=0.8,
            label="library preset",
            zorder=5,
        )
        ordered = presets.sort_values([y, x]).reset_index(drop=True)
        preset_labels = [
            (
                float(row[x]),
                float(row[y]),
                f"{row['strategy']}" + (" (meets)" if bool(row.get("feasible", False)) else ""),
            )
            for _, row in ordered.iterrows()
        ]
        _place_labels(ax, preset_labels)
    if recommended is not None:
        ax.scatter(
            [recommended[x]],
            [recommended[y]],
            s=300,
            facecolors="none",
            edgecolors="blue",
            linewidths=2.0,
            label="recommended",
            zorder=6,
        )
    if bound is not None:
        ax.axhline(bound, color="red", ls="--", lw=1.0, label=f"target: {y} <= {bound:,.0f}")
    fig.colorbar(sc, ax=ax, label=color)
    ax.set_xlabel(x + (" ($)" if "cost" in x else ""))
    ax.set_ylabel(y + (" (real people)" if "reach" in y else ""))
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7.5, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0.0, 0.13, 1.0, 1.0))
    return fig


# offsets (points) tried in turn for a preset's label: right, left, then further up and down
_OFFSETS = ((7, 5), (7, -12), (-7, 5), (-7, -12), (7, 16), (7, -23), (-7, 16), (-7, -23))


def _place_labels(ax, labels: list[tuple[float, float, str]], size: float = 7.5) -> None:
    """Annotate points so that no two labels overlap (first free offset; the first if none)."""
    ax.get_xlim(), ax.get_ylim()  # settle the autoscaled limits before reading positions
    to_points = 72.0 / ax.figure.dpi
    centres = [
        tuple(v * to_points for v in ax.transData.transform((px, py))) for px, py, _ in labels
    ]
    # the other markers are obstacles too (a star is about 14 points wide)
    markers = [(cx - 7.0, cy - 7.0, cx + 7.0, cy + 7.0) for cx, cy in centres]
    placed: list[tuple[float, float, float, float]] = []
    for i, ((px, py, text), (cx, cy)) in enumerate(zip(labels, centres, strict=True)):
        others = placed + markers[:i] + markers[i + 1 :]
        width, height = 0.55 * size * len(text), 1.2 * size
        choice = _OFFSETS[0]
        for dx, dy in _OFFSETS:
            x0 = cx + dx if dx > 0 else cx + dx - width
            box = (x0, cy + dy, x0 + width, cy + dy + height)
            if not any(_overlap(box, other) for other in others):
                choice = (dx, dy)
                break
        dx, dy = choice
        x0 = cx + dx if dx > 0 else cx + dx - width
        placed.append((x0, cy + dy, x0 + width, cy + dy + height))
        ax.annotate(
            text,
            (px, py),
            textcoords="offset points",
            xytext=(dx, dy),
            ha="left" if dx > 0 else "right",
            fontsize=size,
        )


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
