"""Where the people of the ego view sit: a small, stable sample around the complainers.

The follower graph has thousands to millions of people; a class can look at a few hundred. The
view starts from the people who complain about the incident (the hubs), shows a sample of their
followers on a ring around each, and grows as the run goes: every person who reshares the
complaint gets a place next to the one they reshared from, with a small sample of their own
followers around them. Positions never move once given, so frames of a run can be compared.

Samples are keyed draws of (run seed, person), so two strategies run on the same seed show the same
followers in the same places; only what happens to them differs. Drawing a frame is
`sim.viz.network_view.draw_ego`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.customers.diffusion import KIND, TOPIC_INCIDENT
from sim.customers.population import BRAND_NODE
from sim.engine.rng import derive, keyed_uniform, keyed_uniform_one

FOLLOWER, RESHARER, COMPLAINER = 0, 1, 2
HUB_SLOTS = (
    (-1.2, 1.2),
    (1.2, -1.2),
    (1.2, 1.2),
    (-1.2, -1.2),
)  # a square: fits side-by-side panels
REPLY_KINDS = (KIND["brand_reply"], KIND["peer_answer"], KIND["bot_reply"])
ORIGINAL_KINDS = (KIND["complaint"], KIND["followup"], KIND["praise"])


@dataclass
class EgoFrame:
    """What the view shows at one moment: a frozen copy that is safe to draw from any thread."""

    t_min: float
    x: np.ndarray
    y: np.ndarray
    kind: np.ndarray  # FOLLOWER, RESHARER or COMPLAINER
    exposed: np.ndarray  # has seen the incident's posts
    sentiment: np.ndarray
    edges: np.ndarray  # (m, 2) indices: poster -> sampled follower
    reshare_edges: np.ndarray  # (k, 2) indices: reshared from -> resharer
    labels: dict[int, str] = field(default_factory=dict)
    replied: dict[int, float] = field(default_factory=dict)  # index -> minutes to the reply
    thanked: list[int] = field(default_factory=list)
    limits: tuple[float, float, float, float] = (-2.6, 2.6, -2.6, 2.6)
    reached: int = 0  # people in the whole population who have seen the incident
    population: int = 0
    incident_h: float | None = None


class EgoNetwork:
    """Samples and places a few hundred people around the complainers of a running model.

    Args:
        model: a `SocialCareModel`.
        max_nodes: at most this many people in the view (resharers may exceed it by 25%).
        hub_sample: followers shown around each complainer.
        child_sample: followers shown around each resharer.
        max_hubs: at most this many complainers get their own ring.
    """

    def __init__(
        self,
        model,
        max_nodes: int = 400,
        hub_sample: int = 60,
        child_sample: int = 8,
        max_hubs: int = 4,
    ):
        self.model = model
        self.max_nodes, self.hub_sample, self.child_sample = max_nodes, hub_sample, child_sample
        self.max_hubs = min(max_hubs, len(HUB_SLOTS))
        self.key = derive(model.cfg.seed, 0xE60)
        self.index: dict[int, int] = {}
        self.nodes: list[int] = []
        self.xy: list[tuple[float, float]] = []
        self.kind: list[int] = []
        self.edges: list[tuple[int, int]] = []
        self.reshare_edges: list[tuple[int, int]] = []
        self.rings: dict[int, tuple[float, float, float, float, float]] = {}  # cx, cy, r, dir, span
        self.labels: dict[int, str] = {}
        self.replied: dict[int, float] = {}
        self.thanked: list[int] = []
        self.depth: dict[int, int] = {}  # generation of a poster in the view (complainers: 0)
        self.hubs = 0
        self.next_post = 0
        names = [a.name for a in model.cfg.scenario.accounts]
        self.names = {i + 1: name for i, name in enumerate(names)}
        incidents = model.cfg.scenario.incidents
        self.negative = not incidents or incidents[0].valence < 0
        self.incident_h = incidents[0].at_h if incidents else None
        node_of = {name: node for node, name in self.names.items()}
        for inc in incidents:  # the named complainers are known before they post: place them now
            for name in inc.complainers:
                i = self._place_hub(node_of[name]) if name in node_of else None
                if i is not None:
                    self.labels[i] = name

    # ------------------------------------------------------------ placing people
    def _add(self, node: int, x: float, y: float, kind: int) -> int:
        i = len(self.nodes)
        self.index[node] = i
        self.nodes.append(node)
        self.xy.append((x, y))
        self.kind.append(kind)
        return i

    def _sample_followers(self, node: int, k: int) -> np.ndarray:
        followers = self.model.graph.followers(node)
        followers = followers[followers != BRAND_NODE]
        if followers.size <= k:
            return followers
        u = keyed_uniform(derive(self.key, node), followers, 1)
        return followers[np.argsort(u, kind="stable")[:k]]

    def _ring(
        self, owner: int, cx: float, cy: float, r: float, direction: float, span: float, k: int
    ) -> None:
        """Place up to k sampled followers of `owner` on an arc around (cx, cy)."""
        self.rings[owner] = (cx, cy, r, direction, span)
        room = self.max_nodes - len(self.nodes)
        sample = self._sample_followers(int(self.nodes[owner]), min(k, max(0, room)))
        n = len(sample)
        jitter = keyed_uniform(derive(self.key, self.nodes[owner], 2), np.arange(max(n, 1)), 3)
        for j, person in enumerate(sample.tolist()):
            if person in self.index:
                self.edges.append((owner, self.index[person]))
                continue
            frac = (j + 0.5) / n if span < 2 * math.pi else j / n
            angle = direction - span / 2 + span * frac
            rr = r * (0.82 + 0.3 * jitter[j])
            i = self._add(person, cx + rr * math.cos(angle), cy + rr * math.sin(angle), FOLLOWER)
            self.edges.append((owner, i))

    def _place_hub(self, node: int) -> int | None:
        if node in self.index:
            i = self.index[node]
            self.kind[i] = COMPLAINER
            self.depth.setdefault(i, 0)
            return i
        if self.hubs >= self.max_hubs:
            return None
        cx, cy = HUB_SLOTS[self.hubs]
        self.hubs += 1
        i = self._add(node, cx, cy, COMPLAINER)
        self.depth[i] = 0
        self._ring(i, cx, cy, 1.0, math.pi / 2, 2 * math.pi, self.hub_sample)
        return i

    def _place_resharer(self, node: int, parent_node: int) -> None:
        p = self.index.get(parent_node)
        if p is None:
            return
        if node in self.index:
            i = self.index[node]
            if self.kind[i] == FOLLOWER:
                self.kind[i] = RESHARER
        else:
            if len(self.nodes) >= self.max_nodes * 1.25:
                return
            cx, cy, r, direction, span = self.rings.get(p, (*self.xy[p], 0.4, 0.0, 2 * math.pi))
            u = keyed_uniform_one(derive(self.key, node, parent_node), 4)
            angle = direction - span / 2 + span * u
            i = self._add(node, cx + r * math.cos(angle), cy + r * math.sin(angle), RESHARER)
        self.reshare_edges.append((p, i))
        if i not in self.rings:
            px, py = self.xy[p]
            x, y = self.xy[i]
            self.depth[i] = self.depth.get(p, 0) + 1
            r = 0.42 * 0.72 ** (self.depth[i] - 1)
            self._ring(i, x, y, r, math.atan2(y - py, x - px), math.radians(200), self.child_sample)

    # ------------------------------------------------------------ following the run
    def update(self) -> None:
        """Place the posters of new posts about the incident; mark replies and thanks."""
        posts = self.model.diffusion.posts
        kind, topic = posts.kind, posts.topic
        for pid in range(self.next_post, posts.n):
            k, author = int(kind[pid]), int(posts.author[pid])
            parent = int(posts.parent[pid])
            if topic[pid] == TOPIC_INCIDENT and k in ORIGINAL_KINDS and author != BRAND_NODE:
                i = self._place_hub(author)
                if i is not None:
                    self.labels[i] = self.names.get(author, f"person {author}")
            elif topic[pid] == TOPIC_INCIDENT and k == KIND["reshare"] and parent >= 0:
                self._place_resharer(author, int(posts.author[parent]))
            elif k in REPLY_KINDS and parent >= 0:
                i = self.index.get(int(posts.author[parent]))
                if i is not None and self.kind[i] == COMPLAINER and i not in self.replied:
                    self.replied[i] = float(
                        (posts.tick[pid] - posts.tick[parent]) * self.model.tick_min
                    )
            elif k == KIND["thanks"]:
                i = self.index.get(author)
                if i is not None and i not in self.thanked:
                    self.thanked.append(i)
        self.next_post = posts.n

    def frame(self) -> EgoFrame:
        """A frozen copy of the view now (positions, who has seen what, sentiment)."""
        m = self.model
        nodes = np.asarray(self.nodes, dtype=np.int64)
        seen = m.diffusion.seen_incident if self.negative else m.diffusion.seen[1]
        xy = np.asarray(self.xy, dtype=float).reshape(-1, 2)
        used = HUB_SLOTS[: max(self.hubs, 1)]
        xs = [s[0] for s in used] + (
            [float(xy[:, 0].min()), float(xy[:, 0].max())] if len(xy) else []
        )
        ys = [s[1] for s in used] + (
            [float(xy[:, 1].min()), float(xy[:, 1].max())] if len(xy) else []
        )
        pad = 0.2
        limits = (
            min(xs + [-2.4]) - pad,
            max(xs + [2.4]) + pad,
            min(ys + [-2.4]) - pad,
            max(ys + [2.4]) + pad,
        )
        return EgoFrame(
            t_min=m.tick * m.tick_min,
            x=xy[:, 0].copy(),
            y=xy[:, 1].copy(),
            kind=np.asarray(self.kind, dtype=np.int8),
            exposed=seen[nodes].copy() if nodes.size else np.zeros(0, bool),
            sentiment=m.opinion.s[nodes].copy() if nodes.size else np.zeros(0),
            edges=np.asarray(self.edges, dtype=np.int64).reshape(-1, 2),
            reshare_edges=np.asarray(self.reshare_edges, dtype=np.int64).reshape(-1, 2),
            labels=dict(self.labels),
            replied=dict(self.replied),
            thanked=list(self.thanked),
            limits=limits,
            reached=int(m.diffusion.reach_incident if self.negative else seen.sum()),
            population=int(m.pop.size),
            incident_h=self.incident_h,
        )
