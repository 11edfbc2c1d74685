"""The timeline of one run: mentions per hour by valence, with the company's replies marked."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.io import atomic_path

NEG, POS, REPLY = "#c0392b", "#27ae60", "#2c3e50"


def timeline_figure(ts: pd.DataFrame, events: pd.DataFrame, title: str, incident_hours: list[float] = ()) -> plt.Figure:
    """Negative and positive brand mentions per hour, company replies as marks on top."""
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]})
    hours = ts["hour"].to_numpy() - 0.5
    ax.fill_between(hours, ts["mentions_negative"], step="mid", color=NEG, alpha=0.35)
    ax.step(hours, ts["mentions_negative"], where="mid", color=NEG, label="negative mentions / hour")
    ax.fill_between(hours, ts["mentions_positive"], step="mid", color=POS, alpha=0.3)
    ax.step(hours, ts["mentions_positive"], where="mid", color=POS, label="positive mentions / hour")
    replies = events[events["kind"].isin(["brand_reply", "peer_answer", "bot_reply", "brand_statement"])]
    if len(replies):
        top = max(1.0, float(max(ts["mentions_negative"].max(), ts["mentions_positive"].max())))
        ax.plot(replies["t_min"] / 60.0, np.full(len(replies), top * 1.06), "v", color=REPLY, ms=6,
                label=f"company replies ({len(replies)})", linestyle="none")
    else:
        ax.text(0.99, 0.7, "no company replies", transform=ax.transAxes, ha="right", va="top", color=REPLY)
    for h in incident_hours:
        for a in (ax, ax2):
            a.axvline(h, color="black", ls="--", lw=1)
        ax.annotate("incident", (h, ax.get_ylim()[1] * 0.9), xytext=(4, 0), textcoords="offset points", fontsize=9)
    ax.set_ylabel("brand mentions per hour")
    ax.set_title(title)
    ax.legend(loc="upper right", frameon=False)
    ax2.plot(ts["hour"], ts["reach_negative_cum"] / 1000, color=NEG, label="people reached, negative")
    ax2.plot(ts["hour"], ts["reach_positive_cum"] / 1000, color=POS, label="people reached, positive")
    ax2.set_ylabel("cumulative reach\n(thousands, simulated)")
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
