"""The timeline of one run: mentions per hour by valence, with the company's replies marked.

Its curve and cumulative-reach panel are shared with the replay figure (`sim.viz.replay`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.outputs.io import atomic_path

NEG, POS, REPLY = "#c0392b", "#27ae60", "#2c3e50"

# A curve: a series over the hours, or a (median, low, high) band of replicates.
Curve: TypeAlias = np.ndarray | pd.Series | tuple[np.ndarray, np.ndarray, np.ndarray]


def plot_curve(
    ax: plt.Axes,
    hours: Sequence[float],
    curve: Curve | None,
    color: str,
    label: str,
    dashed: bool = False,
) -> None:
    """Draw a curve on `ax`; a band also shades low to high unless dashed. None draws nothing."""
    if curve is None:
        return
    mid, band = (curve[0], curve[1:]) if isinstance(curve, tuple) else (curve, None)
    ax.plot(hours, mid, color=color, ls="--" if dashed else "-", label=label)
    if band is not None and not dashed:
        ax.fill_between(hours, *band, color=color, alpha=0.2, lw=0)


def reach_panel(
    ax: plt.Axes,
    hours: Sequence[float],
    negative: Curve | None,
    positive: Curve | None,
    labels: tuple[str, str],
    dashed: bool = False,
    unit: str | None = None,
) -> None:
    """Cumulative reach of negative (red) and positive (green) posts.

    Args:
        ax: the panel.
        hours: x values.
        negative: reach of negative posts (a curve or a band).
        positive: reach of positive posts.
        labels: legend labels of the two curves.
        dashed: draw dashed lines without bands (a second strategy on the same panel).
        unit: what the y axis counts, e.g. "real people"; None leaves the axis label alone.
    """
    plot_curve(ax, hours, negative, NEG, labels[0], dashed)
    plot_curve(ax, hours, positive, POS, labels[1], dashed)
    if unit is not None:
        ax.set_ylabel(f"cumulative reach\n({unit})")


def timeline_figure(
    ts: pd.DataFrame, events: pd.DataFrame, title: str, incident_hours: Sequence[float] = ()
) -> plt.Figure:
    """Negative and positive brand mentions per hour, company replies as marks on top."""
    fig, (ax, ax2) = plt.subplots(
        2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]}
    )
    hours = ts["hour"].to_numpy() - 0.5
    ax.fill_between(hours, ts["mentions_negative"], step="mid", color=NEG, alpha=0.35)
    ax.step(
        hours, ts["mentions_negative"], where="mid", color=NEG, label="negative mentions / hour"
    )
    ax.fill_between(hours, ts["mentions_positive"], step="mid", color=POS, alpha=0.3)
    ax.step(
        hours, ts["mentions_positive"], where="mid", color=POS, label="positive mentions / hour"
    )
    replies = events[
        events["kind"].isin(["brand_reply", "peer_answer", "bot_reply", "brand_statement"])
    ]
    if len(replies):
        top = max(1.0, float(max(ts["mentions_negative"].max(), ts["mentions_positive"].max())))
        ax.plot(
            replies["t_min"] / 60.0,
            np.full(len(replies), top * 1.06),
            "v",
            color=REPLY,
            ms=6,
            label=f"company replies ({len(replies)})",
            linestyle="none",
        )
    else:
        ax.text(
            0.99,
            0.7,
            "no company replies",
            transform=ax.transAxes,
            ha="right",
            va="top",
            color=REPLY,
        )
    for h in incident_hours:
        for a in (ax, ax2):
            a.axvline(h, color="black", ls="--", lw=1)
        ax.annotate(
            "incident",
            (h, ax.get_ylim()[1] * 0.9),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=9,
        )
    ax.set_ylabel("brand mentions per hour")
    ax.set_title(title)
    ax.legend(loc="upper right", frameon=False)
    reach_panel(
        ax2,
        ts["hour"],
        ts["reach_negative_cum"] / 1000,
        ts["reach_positive_cum"] / 1000,
        ("people reached, negative", "people reached, positive"),
        unit="thousands, simulated",
    )
    ax2.set_xlabel("hours since start")
    ax2.legend(loc="upper left", frameon=False, fontsize=9)
    for a in (ax, ax2):
        a.spines[["top", "right"]].set_visible(False)
        a.set_xlim(0, float(ts["hour"].max()))
    fig.tight_layout()
    return fig


def save_figure(fig: plt.Figure, path: str | Path, dpi: int = 110) -> None:
    """Save a figure atomically as PNG and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    plt.close(fig)
