"""The spreading complaint on a small ego network around the complainers: drawing a frame.

Who is shown and where they sit comes from `sim.viz.ego_layout` (`EgoNetwork`, `EgoFrame`); the
names are importable from here too.

Colours: grey = has not seen the complaint yet; filled = has seen it, coloured by sentiment toward
the brand (red negative, green positive). Red arrows are reshares; a blue ring marks a complainer
the company answered, a green star one who posted thanks.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from sim.viz.ego_layout import (
    COMPLAINER,
    FOLLOWER,
    HUB_SLOTS,
    ORIGINAL_KINDS,
    REPLY_KINDS,
    RESHARER,
    EgoFrame,
    EgoNetwork,
)

__all__ = [
    "COMPLAINER",
    "FOLLOWER",
    "HUB_SLOTS",
    "ORIGINAL_KINDS",
    "REPLY_COLOUR",
    "REPLY_KINDS",
    "RESHARER",
    "RESHARE_COLOUR",
    "SENTIMENT_CMAP",
    "THANKS_COLOUR",
    "UNSEEN_EDGE",
    "UNSEEN_FACE",
    "EgoFrame",
    "EgoNetwork",
    "clock_text",
    "draw_ego",
    "legend_handles",
    "sentiment_colorbar",
]

SENTIMENT_CMAP = plt.get_cmap("RdYlGn")
UNSEEN_FACE, UNSEEN_EDGE = "#e4e4e4", "#b5b5b5"
RESHARE_COLOUR, REPLY_COLOUR, THANKS_COLOUR = "#8e1b10", "#1f5fbf", "#1e8449"


def clock_text(t_min: float) -> str:
    """Elapsed time since the start of the run, as 'hour 27:30'."""
    h, mnt = divmod(int(round(t_min)), 60)
    return f"hour {h}:{mnt:02d}"


def draw_ego(
    ax: plt.Axes, frame: EgoFrame, title: str = "", legend: bool = True, small: bool = False
) -> None:
    """Draw one EgoFrame onto `ax`."""
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    x0, x1, y0, y1 = frame.limits
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    head = title + ("\n" if title else "")
    if frame.x.size == 0:
        when = (
            f" (the incident starts at hour {frame.incident_h:g})"
            if frame.incident_h is not None
            else ""
        )
        ax.set_title(
            f"{head}{clock_text(frame.t_min)}: nobody has complained yet{when}", fontsize=10
        )
        return
    scale = 0.6 if small else 1.0
    pts = np.column_stack([frame.x, frame.y])
    if len(frame.edges):
        ax.add_collection(
            LineCollection(pts[frame.edges], colors="#c8c8c8", linewidths=0.4, zorder=1)
        )
    if len(frame.reshare_edges):
        start, end = pts[frame.reshare_edges[:, 0]], pts[frame.reshare_edges[:, 1]]
        vec = end - start
        length = np.maximum(np.hypot(vec[:, 0], vec[:, 1]), 1e-9)
        trim = np.minimum(0.06, 0.3 * length) / length  # stop short of the nodes
        tail = start + vec * trim[:, None]
        ax.quiver(
            tail[:, 0],
            tail[:, 1],
            vec[:, 0] * (1 - 2 * trim),
            vec[:, 1] * (1 - 2 * trim),
            angles="xy",
            scale_units="xy",
            scale=1,
            color=RESHARE_COLOUR,
            width=0.0035,
            headwidth=4,
            headlength=5,
            headaxislength=4.5,
            zorder=2,
        )
    exposed = frame.exposed | (frame.kind != FOLLOWER)  # posters have seen what they posted
    face = SENTIMENT_CMAP(Normalize(-1, 1)(frame.sentiment))
    face[~exposed] = plt.matplotlib.colors.to_rgba(UNSEEN_FACE)
    size = np.where(exposed, 26.0, 14.0) * scale
    size[frame.kind == RESHARER] = 70 * scale
    size[frame.kind == COMPLAINER] = 280 * scale
    edge = np.where(exposed, "#555555", UNSEEN_EDGE).astype(object)
    edge[frame.kind == RESHARER] = RESHARE_COLOUR
    edge[frame.kind == COMPLAINER] = "black"
    lw = np.where(frame.kind == FOLLOWER, 0.4, 1.6)
    order = np.argsort(frame.kind, kind="stable")
    ax.scatter(
        frame.x[order],
        frame.y[order],
        s=size[order],
        c=face[order],
        edgecolors=list(edge[order]),
        linewidths=lw[order].tolist(),
        zorder=3,
    )
    fs = 8 if small else 9
    for i, name in frame.labels.items():
        ax.annotate(
            name,
            (frame.x[i], frame.y[i]),
            xytext=(0, 11 * scale + 4),
            textcoords="offset points",
            ha="center",
            fontsize=fs,
            weight="bold",
            zorder=5,
        )
    for i, minutes in frame.replied.items():
        ax.scatter(
            [frame.x[i]],
            [frame.y[i]],
            s=620 * scale,
            facecolors="none",
            edgecolors=REPLY_COLOUR,
            linewidths=2.4,
            zorder=4,
        )
        ax.annotate(
            f"company replied\nafter {minutes:.0f} min",
            (frame.x[i], frame.y[i]),
            xytext=(0, -16 * scale - 12),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=fs - 1,
            color=REPLY_COLOUR,
            zorder=5,
        )
    if frame.thanked:
        idx = np.asarray(frame.thanked)
        ax.scatter(
            frame.x[idx] + 0.22,
            frame.y[idx] + 0.22,
            marker="*",
            s=160 * scale,
            color=THANKS_COLOUR,
            edgecolors="white",
            linewidths=0.5,
            zorder=6,
        )
    followers = frame.kind == FOLLOWER
    seen_here = int((frame.exposed & followers).sum())
    ax.set_title(
        f"{head}{clock_text(frame.t_min)}: {frame.reached:,} of {frame.population:,} people have "
        f"seen the complaint\n(shown: {int(followers.sum())} of their followers, {seen_here} have "
        f"seen it; {len(frame.reshare_edges)} reshares)",
        fontsize=9.5 if small else 10.5,
    )
    if legend:
        ax.legend(
            handles=legend_handles(),
            loc="lower left",
            ncol=1,
            fontsize=8 if small else 9,
            frameon=False,
            handletextpad=0.3,
            borderaxespad=0.1,
        )


def legend_handles() -> list[Line2D]:
    """Legend entries that explain the markers of the view."""
    dot: dict[str, Any] = {"marker": "o", "linestyle": "none"}
    return [
        Line2D(
            [],
            [],
            markerfacecolor=UNSEEN_FACE,
            markeredgecolor=UNSEEN_EDGE,
            markersize=6,
            label="has not seen it",
            **dot,
        ),
        Line2D(
            [],
            [],
            markerfacecolor=SENTIMENT_CMAP(0.15),
            markeredgecolor="#555555",
            markersize=6,
            label="has seen it (colour = sentiment)",
            **dot,
        ),
        Line2D([], [], color=RESHARE_COLOUR, marker=">", markersize=5, lw=1.3, label="reshare"),
        Line2D(
            [],
            [],
            markerfacecolor="white",
            markeredgecolor="black",
            markersize=11,
            markeredgewidth=1.6,
            label="complainer",
            **dot,
        ),
        Line2D(
            [],
            [],
            markerfacecolor="none",
            markeredgecolor=REPLY_COLOUR,
            markersize=13,
            markeredgewidth=2.2,
            label="company replied",
            **dot,
        ),
        Line2D(
            [],
            [],
            marker="*",
            color=THANKS_COLOUR,
            linestyle="none",
            markersize=10,
            label="posted thanks",
        ),
    ]


def sentiment_colorbar(fig: plt.Figure, ax, label: str = "sentiment toward the brand") -> None:
    """A colour bar explaining the sentiment colours."""
    sm = plt.cm.ScalarMappable(norm=Normalize(-1, 1), cmap=SENTIMENT_CMAP)
    bar = fig.colorbar(sm, ax=ax, fraction=0.03, pad=0.01)
    bar.set_label(label, fontsize=8)
    bar.set_ticks([-1, 0, 1], labels=["-1 angry", "0", "+1 fan"], fontsize=7)
