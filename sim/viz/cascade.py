"""The cascade tree of the largest complaint: who reshared whom, when, by generation.

The complaint is found in a recording's event log (`sim.viz.recording.Recording`); each dot is a
post, linked to the post it reshared, sized by the new people it reached.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.viz.recording import REPLY, REPLY_KINDS, Recording

TREE_KINDS = ("complaint", "followup", "reshare")


def complaint_roots(events: pd.DataFrame) -> pd.DataFrame:
    """The complaints and follow-ups that start a cascade, with the people each cascade reached."""
    posts = events[events["post_id"] >= 0]
    roots = posts[
        posts["kind"].isin(["complaint", "followup"]) & (posts["cascade_id"] == posts["post_id"])
    ]
    reach = posts[posts["cascade_id"].isin(roots["post_id"])].groupby("cascade_id")["reached"].sum()
    return roots.assign(cascade_reach=roots["post_id"].map(reach).fillna(0).astype(np.int64))


def largest_complaint(events: pd.DataFrame, author: int | None = None) -> int | None:
    """The cascade id of the complaint whose cascade reached most people (of `author`, if given)."""
    roots = complaint_roots(events)
    if author is not None:
        roots = roots[roots["author"] == author]
    if roots.empty:
        return None
    return int(roots.loc[roots["cascade_reach"].idxmax(), "post_id"])


GENERATION_COLOURS = ("#1b2631", "#e67e22", "#c0392b", "#8e44ad", "#16a085", "#f1c40f", "#7f8c8d")


def generation_colour(depth: int) -> str:
    """The same colour for the same generation in every panel (0 = the complaint itself)."""
    return GENERATION_COLOURS[min(depth, len(GENERATION_COLOURS) - 1)]


def tree_layout(tree: pd.DataFrame) -> dict[int, float]:
    """Vertical positions: each post's leaves in time order, a parent centred on its children."""
    children: dict[int, list[int]] = {}
    for pid, parent in zip(tree["post_id"].tolist(), tree["parent_id"].tolist()):
        children.setdefault(int(parent), []).append(int(pid))
    root = int(tree["post_id"].iloc[0])
    y: dict[int, float] = {}
    counter = [0.0]
    stack = [(root, False)]
    while stack:  # iterative post-order walk (cascades can be deep)
        node, done = stack.pop()
        kids = children.get(node, [])
        if done or not kids:
            if kids:
                y[node] = float(np.mean([y[k] for k in kids]))
            else:
                y[node] = counter[0]
                counter[0] += 1
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in reversed(kids))
    return y


def cascade_tree(
    ax: plt.Axes, rec: Recording, cascade: int | None = None, hours: float | None = None
) -> None:
    """Draw the cascade of the largest complaint as a tree over time (x) by generation (colour)."""
    ev = rec.log
    cascade = largest_complaint(ev) if cascade is None else cascade
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.set_yticks([])
    if cascade is None:
        ax.text(0.5, 0.5, "no complaint in this run", ha="center", transform=ax.transAxes)
        return
    posts = ev[ev["post_id"] >= 0]
    tree = posts[(posts["cascade_id"] == cascade) & posts["kind"].isin(TREE_KINDS)].sort_values(
        "t_min"
    )
    t0 = float(tree["t_min"].iloc[0])
    y = tree_layout(tree)
    depth = {int(tree["post_id"].iloc[0]): 0}
    for pid, parent in zip(tree["post_id"].tolist()[1:], tree["parent_id"].tolist()[1:]):
        depth[int(pid)] = depth.get(int(parent), 0) + 1
    t = {int(p): (float(tm) - t0) / 60.0 for p, tm in zip(tree["post_id"], tree["t_min"])}
    for pid, parent in zip(tree["post_id"].tolist()[1:], tree["parent_id"].tolist()[1:]):
        if int(parent) in y:
            ax.plot(
                [t[parent], t[parent], t[pid]],
                [y[parent], y[pid], y[pid]],
                color="#b0b0b0",
                lw=0.7,
                zorder=1,
            )
    gens = max(depth.values())
    reached = tree.set_index("post_id")["reached"]
    xs = [t[p] for p in tree["post_id"]]
    ys = [y[p] for p in tree["post_id"]]
    sizes = [18 + 4 * np.sqrt(max(reached[p], 0)) for p in tree["post_id"]]
    colours = [generation_colour(depth[p]) for p in tree["post_id"]]
    ax.scatter(xs, ys, s=sizes, c=colours, edgecolors="black", linewidths=0.4, zorder=3)
    for d in range(gens + 1):
        ax.scatter(
            [],
            [],
            color=generation_colour(d),
            label="the complaint" if d == 0 else f"generation {d}",
        )
    root = tree.iloc[0]
    who = rec.names.get(int(root["author"]), f"person {int(root['author'])}")
    ax.annotate(
        f"{who}\n({int(root['author_followers']):,} followers)",
        (0, y[int(root["post_id"])]),
        xytext=(-6, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=8,
    )
    post_ids = set(tree["post_id"].astype(int))
    replies = ev[ev["kind"].isin(REPLY_KINDS) & ev["parent_id"].isin(post_ids)]
    for tm in sorted(replies["t_min"].tolist())[:1]:
        h = (tm - t0) / 60.0
        ax.axvline(h, color=REPLY, lw=2)
        ax.annotate(
            f"company replies\n{h * 60:.0f} min after the complaint",
            (h, ax.get_ylim()[1]),
            xytext=(4, -4),
            textcoords="offset points",
            va="top",
            fontsize=8,
            color=REPLY,
        )
    total = int(tree["reached"].sum())
    ax.set_title(
        f"{rec.label}\n{len(tree) - 1} reshares in {gens} generation{'s' if gens != 1 else ''}; "
        f"{total:,} people reached "
        f"(~{total * rec.scale:,.0f} real)",
        fontsize=10,
    )
    ax.set_xlabel("hours after the complaint")
    ax.set_xlim(-0.02 * (hours or 1), hours)
    ax.legend(loc="lower right", fontsize=7, frameon=False, markerscale=0.8)


def cascade_tree_figure(recs: list[Recording]) -> plt.Figure:
    """The largest complaint's cascade under each recorded strategy, on one time scale.

    The complaint is the largest of the last recording (the comparison, usually unanswered); the
    other panels show the same person's complaint, so the panels differ only in the response.
    """
    biggest = largest_complaint(recs[-1].log)
    author = None
    if biggest is not None:
        ev = recs[-1].log
        author = int(ev.loc[ev["post_id"] == biggest, "author"].iloc[0])
    cascades = [largest_complaint(rec.log, author) for rec in recs]
    hours = 1.0
    for rec, c in zip(recs, cascades):
        if c is not None:
            ev = rec.log[(rec.log["cascade_id"] == c) & (rec.log["post_id"] >= 0)]
            hours = max(hours, float(ev["t_min"].max() - ev["t_min"].min()) / 60.0 * 1.05)
    fig, axes = plt.subplots(1, len(recs), figsize=(6.5 * len(recs), 6.5), squeeze=False)
    for ax, rec, c in zip(axes[0], recs, cascades):
        cascade_tree(ax, rec, cascade=c, hours=hours)
    fig.suptitle(
        "How the largest complaint spread: each dot is a post, linked to the post it reshared; "
        "dot size = new people it reached",
        fontsize=11,
    )
    fig.tight_layout()
    return fig
