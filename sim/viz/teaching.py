"""Static teaching figures: cascade tree, reach over time with the reply moment, audience vs reach.

`record_run` runs one strategy to its horizon, minute by minute, and keeps what the figures and the
animation (`sim.viz.animation`) need: ego-network frames at regular times, the number of people who
have seen the incident's complaints after every minute, the company's replies to the complainers
and the event log. Record two strategies on the same environment
(`sim.engine.model.build_environment`) and every figure shows them side by side, so the only
difference is what the company did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.config.schema import RunConfig
from sim.customers.diffusion import KIND, TOPIC_INCIDENT
from sim.engine.model import Environment, SocialCareModel
from sim.outputs.metrics import event_log
from sim.viz.network_view import EgoFrame, EgoNetwork

NEG, POS, REPLY, OTHER = "#c0392b", "#27ae60", "#1f5fbf", "#7f8c8d"
RUN_COLOURS = ("#c0392b", "#34495e")
REPLY_KINDS = ("brand_reply", "peer_answer", "bot_reply")
TREE_KINDS = ("complaint", "followup", "reshare")


@dataclass
class Recording:
    """One finished run and what the teaching figures need from it."""

    label: str
    cfg: RunConfig
    model: SocialCareModel
    frames: list[EgoFrame]
    minutes: np.ndarray  # 0, 1, 2, ... simulated minutes
    incident_reach: np.ndarray  # people who have seen the incident's posts, after each minute
    replies: list[tuple[float, float, str]] = field(
        default_factory=list
    )  # (t_min, minutes after, who)
    events: pd.DataFrame | None = None

    @property
    def names(self) -> dict[int, str]:
        """Node -> name of the scenario's named accounts."""
        return {i + 1: a.name for i, a in enumerate(self.cfg.scenario.accounts)}

    @property
    def scale(self) -> float:
        """Real people per simulated person."""
        return float(self.model.scale)


def record_run(
    cfg: RunConfig,
    env: Environment | None = None,
    label: str = "",
    frame_min: float = 30.0,
    max_nodes: int = 400,
) -> Recording:
    """Run `cfg` to its horizon, keeping an ego-network frame every `frame_min` minutes."""
    model = SocialCareModel(cfg, env=env)
    ego = EgoNetwork(model, max_nodes=max_nodes)
    every = max(1, int(round(frame_min / model.tick_min)))
    reach = np.zeros(model.n_ticks + 1, dtype=np.int64)
    frames = [ego.frame()]
    while model.running and model.tick < model.n_ticks:
        model.step()
        reach[model.tick] = model.diffusion.reach_incident
        if model.tick % every == 0:
            ego.update()
            frames.append(ego.frame())
    reach = reach[: model.tick + 1]
    return Recording(
        label=label or cfg.strategy.name,
        cfg=cfg,
        model=model,
        frames=frames,
        minutes=np.arange(reach.size) * model.tick_min,
        incident_reach=reach,
        replies=incident_replies(model),
        events=event_log(model),
    )


def incident_replies(model: SocialCareModel) -> list[tuple[float, float, str]]:
    """The company's public answers to the incident's posts: (time, minutes after post, to whom)."""
    posts = model.diffusion.posts
    kinds = posts.column("kind")
    names = {i + 1: a.name for i, a in enumerate(model.cfg.scenario.accounts)}
    out = []
    for pid in np.flatnonzero(np.isin(kinds, [KIND[k] for k in REPLY_KINDS])).tolist():
        parent = int(posts.parent[pid])
        if parent >= 0 and posts.topic[parent] == TOPIC_INCIDENT:
            who = int(posts.author[parent])
            out.append(
                (
                    float(posts.tick[pid] * model.tick_min),
                    float((posts.tick[pid] - posts.tick[parent]) * model.tick_min),
                    names.get(who, f"person {who}"),
                )
            )
    return out


# ---------------------------------------------------------------- cascade tree
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
    ev = rec.events
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
    biggest = largest_complaint(recs[-1].events)
    author = None
    if biggest is not None:
        ev = recs[-1].events
        author = int(ev.loc[ev["post_id"] == biggest, "author"].iloc[0])
    cascades = [largest_complaint(rec.events, author) for rec in recs]
    hours = 1.0
    for rec, c in zip(recs, cascades):
        if c is not None:
            ev = rec.events[(rec.events["cascade_id"] == c) & (rec.events["post_id"] >= 0)]
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
    roots = complaint_roots(rec.events)
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
