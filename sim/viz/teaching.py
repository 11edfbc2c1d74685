"""Static teaching figures: cascade tree, reach over time with the reply moment, audience vs reach.

Recordings come from `record_run` (`sim.viz.recording`): record two strategies on the same
environment (`sim.engine.model.build_environment`) and every figure shows them side by side, so
the only difference is what the company did. The cascade tree lives in `sim.viz.cascade`; its
names, and those of the recording, are importable from here too.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from sim.viz.cascade import (
    GENERATION_COLOURS,
    TREE_KINDS,
    cascade_tree,
    cascade_tree_figure,
    complaint_roots,
    generation_colour,
    largest_complaint,
    tree_layout,
)
from sim.viz.recording import (
    NEG,
    OTHER,
    POS,
    REPLY,
    REPLY_KINDS,
    RUN_COLOURS,
    Recording,
    incident_replies,
    record_run,
)

__all__ = [
    "GENERATION_COLOURS",
    "NEG",
    "OTHER",
    "POS",
    "REPLY",
    "REPLY_KINDS",
    "RUN_COLOURS",
    "TREE_KINDS",
    "Recording",
    "audience_figure",
    "cascade_tree",
    "cascade_tree_figure",
    "complaint_roots",
    "generation_colour",
    "incident_replies",
    "largest_complaint",
    "reach_over_time_figure",
    "record_run",
    "tree_layout",
]


# ---------------------------------------------------------------- reach over time
def reach_over_time_figure(recs: list[Recording], zoom_min: float = 120.0) -> plt.Figure:
    """Cumulative people who saw the incident's posts, per strategy, with the reply moment marked.

    Left: the whole spread. Right: the first `zoom_min` minutes after the incident, where the
    replies happen (blue lines), in minutes.
    """
    fig, (ax, zoom) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [1.7, 1]})
    end_h = 6.0
    t0 = recs[0].cfg.scenario.incidents[0].at_h * 60.0 if recs[0].cfg.scenario.incidents else 0.0
    top = max(int(r.incident_reach[-1]) for r in recs) or 1
    for rec, colour in zip(recs, RUN_COLOURS):
        hours = rec.minutes / 60.0
        final = rec.incident_reach[-1]
        if final > 0:
            end_h = max(end_h, float(hours[np.searchsorted(rec.incident_reach, 0.99 * final)]))
        ax.plot(
            hours,
            rec.incident_reach,
            color=colour,
            lw=2.2,
            label=f"{rec.label}: {final:,} people (~{final * rec.scale:,.0f} real)",
        )
        near = (rec.minutes >= t0) & (rec.minutes <= t0 + zoom_min)
        zoom.plot(rec.minutes[near] - t0, rec.incident_reach[near], color=colour, lw=2.2)
        for tm, _, _ in rec.replies:
            yv = rec.incident_reach[min(int(tm / rec.model.tick_min), rec.incident_reach.size - 1)]
            ax.plot([tm / 60.0], [yv], "o", ms=8, color=REPLY, zorder=5)
    replies = sorted(
        {(tm, after, who) for rec in recs for tm, after, who in rec.replies if tm - t0 <= zoom_min}
    )
    for j, (tm, after, who) in enumerate(replies[:4]):
        zoom.axvline(tm - t0, color=REPLY, lw=1.5)
        zoom.annotate(
            f"reply to {who}:\n{after:.0f} min after\nthe complaint",
            (tm - t0, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -6 - 40 * j),
            textcoords="offset points",
            va="top",
            fontsize=8.5,
            color=REPLY,
        )
    if not replies:
        zoom.text(
            0.5, 0.9, "no reply in this window", transform=zoom.transAxes, ha="center", color=REPLY
        )
    zoom.text(
        0.98,
        0.03,
        "Those who follow the complainers see the post\nanyway; a reply cannot undo that. "
        "It stops\nthe reshares that would have come later.",
        transform=zoom.transAxes,
        ha="right",
        va="bottom",
        fontsize=8.5,
        color="#444444",
    )
    if len(recs) == 2 and recs[1].incident_reach[-1] != recs[0].incident_reach[-1]:
        a, b = recs[0].incident_reach[-1], recs[1].incident_reach[-1]
        diff = b - a
        ax.annotate(
            "",
            xy=(end_h * 0.97, a),
            xytext=(end_h * 0.97, b),
            arrowprops=dict(arrowstyle="<->", color="black", lw=1.2),
        )
        ax.text(
            end_h * 0.955,
            (a + b) / 2,
            f"{abs(diff):,} people {'spared' if diff > 0 else 'more'}\n"
            f"(~{abs(diff) * recs[0].scale:,.0f} real)",
            ha="right",
            va="center",
            fontsize=10,
        )
    for inc in recs[0].cfg.scenario.incidents:
        ax.axvline(inc.at_h, color="black", ls=":", lw=1)
        ax.annotate(
            "incident",
            (inc.at_h, 0.6),
            xycoords=("data", "axes fraction"),
            xytext=(-4, 0),
            textcoords="offset points",
            fontsize=9,
            ha="right",
            rotation=90,
        )
    end_h = float(np.ceil(end_h / 6.0) * 6.0)
    ax.set_xlim(0, min(end_h, recs[0].minutes[-1] / 60.0))
    ax.set_xlabel("hours since start (later hours add almost nobody); blue dots: company replies")
    ax.set_ylabel(f"people who have seen the complaint\n(simulated; real = x {recs[0].scale:g})")
    ax.set_title("Reach of the complaint over time", fontsize=12)
    ax.legend(loc="upper left", frameon=False)
    zoom.set_xlim(0, zoom_min)
    zoom.set_xlabel("minutes after the incident")
    zoom.set_title(f"Zoom: the first {zoom_min:.0f} minutes, when the company replies", fontsize=12)
    ax.set_ylim(0, top * 1.22)  # headroom for the legend
    zoom.set_ylim(bottom=0)
    for a in (ax, zoom):
        a.spines[["top", "right"]].set_visible(False)
        a.grid(alpha=0.25)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- audience vs reach
def audience_figure(recs: list[Recording]) -> plt.Figure:
    """Everyone who complained in a run: their audience against the people their complaints
    reached."""
    rec = recs[-1]
    roots = complaint_roots(rec.log)
    people = roots.groupby("author").agg(
        followers=("author_followers", "first"),
        reached=("cascade_reach", "sum"),
        posts=("post_id", "size"),
    )
    named = people.index.isin(list(rec.names))
    fig, ax = plt.subplots(figsize=(9, 5.5))
    ax.scatter(
        people["followers"][~named] + 1,
        people["reached"][~named] + 1,
        s=24,
        color=OTHER,
        alpha=0.7,
        label="an ordinary customer who complained",
    )
    ax.scatter(
        people["followers"][named] + 1,
        people["reached"][named] + 1,
        s=110,
        color=NEG,
        edgecolors="black",
        label="a large account who complained",
        zorder=3,
    )
    for j, (author, row) in enumerate(people[named].sort_values("followers").iterrows()):
        ax.annotate(
            f"{rec.names[int(author)]} ({int(row['posts'])} posts)",
            (row["followers"] + 1, row["reached"] + 1),
            xytext=(0, -16 if j % 2 == 0 else 12),
            textcoords="offset points",
            fontsize=9,
            va="center",
            ha="center",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("followers of the person who complained (simulated, log scale)")
    ax.set_ylabel("people their complaints and the reshares\nreached, + 1 (log scale)")
    share = people["reached"][named].sum() / max(1, people["reached"].sum())
    ax.set_title(
        f"{rec.label}: {len(people)} people complained; the {int(named.sum())} large accounts' "
        f"complaints made {share:.1%} of all the reach",
        fontsize=11,
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(alpha=0.25, which="major")
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig
