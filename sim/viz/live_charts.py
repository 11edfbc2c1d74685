"""Charts of runs in progress: mentions per hour, reach, sentiment, queue and cost.

Each function draws one or two `LiveView`s (the main run and, side by side, the comparison) onto
a matplotlib Axes. The time axis always spans the whole horizon, so curves grow from left to right
as the run goes. The main run is drawn solid, the comparison dashed.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from sim.viz.live import LiveView

NEG, POS, REPLY, QUEUE, COST, SENT = (
    "#c0392b",
    "#27ae60",
    "#1f5fbf",
    "#7d3c98",
    "#b9770e",
    "#2c3e50",
)
STYLES = ("-", "--")


def _axes(ax: plt.Axes, views: list[LiveView], ylabel: str) -> None:
    ax.set_xlim(0, max(v.horizon_h for v in views))
    ax.set_xlabel("hours since start")
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    for h in views[0].incident_h:
        ax.axvline(h, color="black", ls=":", lw=1)
    ax.grid(alpha=0.25)


def _replies(ax: plt.Axes, views: list[LiveView]) -> None:
    for v, ls in zip(views, STYLES):
        if v.first_reply_h is not None:
            ax.axvline(v.first_reply_h, color=REPLY, ls=ls, lw=1.2, alpha=0.8)


def run_legend(ax: plt.Axes, views: list[LiveView]) -> None:
    """A legend line per run (solid = main run, dashed = comparison)."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color="black", ls=ls, label=_short(v.label)) for v, ls in zip(views, STYLES)
    ]
    handles.append(Line2D([], [], color=REPLY, lw=1.2, label="first company reply"))
    handles.append(Line2D([], [], color="black", ls=":", lw=1, label="incident"))
    ax.legend(handles=handles, loc="upper right", fontsize=7, frameon=False)


def _short(label: str, width: int = 46) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def mentions_chart(ax: plt.Axes, views: list[LiveView]) -> None:
    """Negative and positive brand mentions per hour."""
    top = 1.0
    for v, ls in zip(views, STYLES):
        hours = np.arange(v.mentions_negative.size) + 0.5
        ax.step(hours, v.mentions_negative, where="mid", color=NEG, ls=ls, lw=1.5)
        ax.step(hours, v.mentions_positive, where="mid", color=POS, ls=ls, lw=1.5)
        if v.mentions_negative.size:
            top = max(top, float(v.mentions_negative.max()), float(v.mentions_positive.max()))
    ax.set_ylim(0, top * 1.15 + 0.5)
    _axes(ax, views, "brand mentions per hour")
    _replies(ax, views)
    ax.set_title("Mentions per hour: negative (red), positive (green)", fontsize=10)
    run_legend(ax, views)


def reach_chart(ax: plt.Axes, views: list[LiveView]) -> None:
    """Cumulative number of people who have seen negative and positive posts."""
    for v, ls in zip(views, STYLES):
        h = v.history
        ax.plot(h["t_h"], h["reach_negative"], color=NEG, ls=ls, lw=1.8)
        ax.plot(h["t_h"], h["reach_positive"], color=POS, ls=ls, lw=1.4)
        ax.annotate(
            f"{int(h['reach_negative'][-1]):,}",
            (h["t_h"][-1], h["reach_negative"][-1]),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=8,
            color=NEG,
            va="center",
        )
    _axes(ax, views, "people reached (simulated)")
    _replies(ax, views)
    ax.set_ylim(bottom=0)
    ax.set_title(
        "Cumulative reach: people who saw negative (red) / positive (green) posts", fontsize=10
    )
    run_legend(ax, views)


def sentiment_chart(ax: plt.Axes, views: list[LiveView]) -> None:
    """Mean sentiment of the brand's customers toward the brand."""
    lo, hi = math.inf, -math.inf
    for v, ls in zip(views, STYLES):
        h = v.history
        ax.plot(h["t_h"], h["sentiment_mean"], color=SENT, ls=ls, lw=1.8)
        lo, hi = (
            min(lo, float(h["sentiment_mean"].min())),
            max(hi, float(h["sentiment_mean"].max())),
        )
    pad = max(0.01, (hi - lo) * 0.3)
    ax.set_ylim(lo - pad, hi + pad)
    _axes(ax, views, "mean sentiment\n(-1 angry, +1 fan)")
    _replies(ax, views)
    ax.set_title("Mean customer sentiment toward the brand", fontsize=10)
    run_legend(ax, views)


def queue_cost_chart(ax: plt.Axes, views: list[LiveView]) -> None:
    """Complaints waiting for the desk (left) and money spent so far (right)."""
    right = ax.twinx()
    queue_top, cost_top = 1.0, 10.0
    for v, ls in zip(views, STYLES):
        h = v.history
        ax.plot(h["t_h"], h["queue"], color=QUEUE, ls=ls, lw=1.6)
        right.plot(h["t_h"], h["cost_total"], color=COST, ls=ls, lw=1.6)
        queue_top, cost_top = (
            max(queue_top, float(h["queue"].max())),
            max(cost_top, float(h["cost_total"].max())),
        )
    _axes(ax, views, "complaints waiting")
    ax.set_ylim(0, queue_top * 1.15)
    right.set_ylim(0, cost_top * 1.15)
    right.set_ylabel("cost so far ($, real desk)", color=COST)
    right.spines[["top"]].set_visible(False)
    ax.yaxis.label.set_color(QUEUE)
    ax.set_title("Queue (purple) and cost so far (brown)", fontsize=10)
    run_legend(ax, views)


def summary_rows(views: list[LiveView]) -> list[tuple[str, ...]]:
    """A small table: one row per quantity, one column per run."""

    def fmt_min(x: float) -> str:
        return "no reply yet" if not math.isfinite(x) else f"{x:,.0f} min"

    rows = [("", *(("main run" if i == 0 else "comparison") for i in range(len(views))))]
    rows.append(("strategy", *(v.label for v in views)))
    rows.append(("time", *(f"hour {v.summary['t_h']:.1f}" for v in views)))
    rows.append(
        (
            "people who saw negative posts",
            *(
                f"{v.summary['reach_negative']:,.0f} "
                f"(~{v.summary['reach_negative'] * v.summary['scale']:,.0f} real)"
                for v in views
            ),
        )
    )
    rows.append(
        ("people who saw positive posts", *(f"{v.summary['reach_positive']:,.0f}" for v in views))
    )
    rows.append(
        (
            "complaints answered",
            *(f"{v.summary['answered']:.0f} of {v.summary['complaints']:.0f}" for v in views),
        )
    )
    rows.append(
        ("median first response", *(fmt_min(v.summary["response_median_min"]) for v in views))
    )
    rows.append(
        ("mean customer sentiment", *(f"{v.summary['sentiment_mean']:+.3f}" for v in views))
    )
    rows.append(("cost so far", *(f"${v.summary['cost_total']:,.0f}" for v in views)))
    return rows


def summary_markdown(views: list[LiveView]) -> str:
    """The summary table as Markdown."""
    rows = summary_rows(views)
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)
