"""Posts and word of mouth: exposure of followers, impressions, unique reach, reshares.

A post by author `a` is offered to a's followers. Follower `v` sees it with probability
`attention * activity[v] * visibility`, after a lognormal delay (median `view_delay_median_min`,
shorter for trendsetters and amplifiers); a post older than `max_age_h` is no longer seen. Seen
posts count impressions and unique reach by valence, move sentiment (`sim.customers.opinion`) and
may be reshared. Each person reshares a cascade at most once. All draws are keyed by (post,
person), so they are common to every strategy run on the same seed.

Exposures wait in a calendar queue (`sim.customers.calendar.Calendar`): per tick, the (viewer,
post) pairs due then, in the order they were scheduled. The loops over followers and over a tick's
views are compiled (`sim.customers.kernels`); the draws are keyed exactly as in `sim.engine.rng`,
so the compiled engine makes the same decisions as the plain numpy one it replaced.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from sim.config.choices import POST_KINDS
from sim.config.schema import ROLES, DiffusionConfig
from sim.customers.calendar import Calendar
from sim.customers.kernels import account_views, reshare_hits, select_viewers
from sim.customers.population import BRAND_NODE, Population
from sim.engine.rng import derive
from sim.engine.streams import salt
from sim.network import FollowerGraph

KINDS = POST_KINDS
KIND = {name: i for i, name in enumerate(KINDS)}
TOPIC_BACKGROUND, TOPIC_INCIDENT, TOPIC_SERVICE = 0, 1, 2
TOPIC_CAMPAIGN = 3  # posts of delighted customers (proactive delight) and their reshares
SALT_SEE, SALT_DELAY = salt("diffusion.see"), salt("diffusion.view_delay")
SALT_RESHARE = salt("diffusion.reshare")


class PostTable:
    """Growable column store of posts; a post's id is its row."""

    COLUMNS = {
        "author": np.int64,
        "tick": np.int64,
        "kind": np.int8,
        "valence": np.int8,
        "parent": np.int64,
        "cascade": np.int64,
        "topic": np.int8,
        "key": np.uint64,
        "reached": np.int64,
        "impressions": np.int64,
        "appeal": np.float64,
        "reshare_p": np.float64,
    }
    # one array per entry of COLUMNS, set in __init__ and regrown by `add`
    author: np.ndarray
    tick: np.ndarray
    kind: np.ndarray
    valence: np.ndarray
    parent: np.ndarray
    cascade: np.ndarray
    topic: np.ndarray
    key: np.ndarray
    reached: np.ndarray
    impressions: np.ndarray
    appeal: np.ndarray
    reshare_p: np.ndarray

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._cap = capacity
        for name, dtype in self.COLUMNS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def add(self, **values) -> int:
        """Append one post and return its id."""
        if self.n == self._cap:
            self._cap *= 2
            for name in self.COLUMNS:
                old = getattr(self, name)
                new = np.zeros(self._cap, dtype=old.dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        i = self.n
        for name, value in values.items():
            getattr(self, name)[i] = value
        self.n += 1
        return i

    def column(self, name: str) -> np.ndarray:
        """The filled part of a column."""
        return getattr(self, name)[: self.n]


class Diffusion:
    """Spreads posts over the follower graph and keeps reach, impressions and reshares."""

    def __init__(
        self,
        graph: FollowerGraph,
        pop: Population,
        cfg: DiffusionConfig,
        sentiment: np.ndarray | None,
        exposure_key: int,
        n_ticks: int,
        tick_min: float,
        on_exposure=None,
    ):
        self.g, self.pop, self.cfg = graph, pop, cfg
        self.sentiment = sentiment  # None where a subclass keeps sentiment itself (per agent)
        self.key = exposure_key
        self.n_ticks, self.tick_min = n_ticks, tick_min
        self.on_exposure = on_exposure  # callback(viewers, authors, valence) for opinion updates
        n = pop.size
        self.posts = PostTable()
        self.queue = Calendar(n_ticks)
        self.seen = {v: np.zeros(n, dtype=bool) for v in (-1, 0, 1)}
        self.seen_incident = np.zeros(n, dtype=bool)
        self.reshared: set[tuple[int, int]] = set()
        self.role_reshare = np.array([cfg.role_reshare[r] for r in ROLES])
        self.role_delay = np.array([cfg.role_delay[r] for r in ROLES])
        # how reshareable each kind is (times reshare_base), by kind code
        self.kind_reshare = np.array([cfg.kind_reshare[k] for k in KINDS])
        self.max_age_min = cfg.max_age_h * 60.0
        size = n_ticks + 2
        self.impressions_tick = {v: np.zeros(size, dtype=np.int64) for v in (-1, 0, 1)}
        self.reach_tick = {v: np.zeros(size, dtype=np.int64) for v in (-1, 0, 1)}
        self.reach_incident = 0
        self.impressions_incident_tick = np.zeros(size, dtype=np.int64)  # negative incident views
        self.seen_campaign = np.zeros(n, dtype=bool)
        self.reach_campaign = 0
        self.impressions_campaign = 0
        # the brand's own posts (replies, statements, its reshares) apart from customers' praise
        self.seen_brand = np.zeros(n, dtype=bool)
        self.reach_brand = 0
        self.seen_positive_customers = np.zeros(n, dtype=bool)
        self.reach_positive_customers = 0

    # ---------------------------------------------------------------- posting
    def post(
        self,
        tick: int,
        author: int,
        kind: str,
        valence: int,
        *,
        parent: int = -1,
        cascade: int | None = None,
        key: int | None = None,
        topic: int = TOPIC_BACKGROUND,
        appeal: float = 1.0,
        audience_of: int | None = None,
        visibility: float = 1.0,
        direct: tuple[int, ...] = (),
    ) -> int:
        """Publish a post now and schedule its views.

        Args:
            tick: the current tick.
            author: the posting node.
            kind: one of KINDS.
            valence: -1, 0 or +1.
            parent: the post it reshares or answers (-1 for an original).
            cascade: root post of its cascade (itself when None).
            key: 64-bit key of its keyed draws (derived from the cascade and author when None).
            topic: background, incident or service.
            appeal: reshare multiplier of a new cascade.
            audience_of: whose followers can see it (the author's by default; a reply is seen by
                the complainer's followers).
            visibility: multiplier of the probability that a follower sees it.
            direct: people who see it for sure one tick later (the person a reply is addressed to).

        Returns:
            The new post's id.
        """
        posts = self.posts
        if key is None:
            root_key = int(posts.key[cascade]) if cascade is not None else self.key
            at = tick if cascade is None else 0
            key = derive(root_key, salt("post.original"), author, KIND[kind], at)
        pid = posts.add(
            author=author,
            tick=tick,
            kind=KIND[kind],
            valence=valence,
            parent=parent,
            cascade=-1,
            topic=topic,
            key=key,
            appeal=appeal,
        )
        posts.cascade[pid] = pid if cascade is None else cascade
        root = posts.cascade[pid]
        posts.reshare_p[pid] = (
            self.cfg.reshare_base
            * self.kind_reshare[KIND[kind]]
            * (self.cfg.negative_appeal if valence < 0 else 1.0)
        )
        self.reshared.add((int(root), int(author)))
        self._schedule(
            pid, tick, author if audience_of is None else audience_of, visibility, direct
        )
        return pid

    def _schedule(self, pid: int, tick: int, audience_of: int, visibility: float, direct) -> None:
        cfg = self.cfg
        viewers, u_delay = select_viewers(
            self.g.followers(audience_of),
            self.pop.activity,
            int(self.posts.key[pid]),
            cfg.attention * visibility,
            SALT_SEE,
            SALT_DELAY,
        )
        if viewers.size:
            delay = (
                cfg.view_delay_median_min
                * self.role_delay[self.pop.role[viewers]]
                * np.exp(cfg.view_delay_sigma * ndtri(u_delay))
            )
            self.queue.add_delayed(
                pid, viewers, delay, tick, self.tick_min, self.max_age_min, self.n_ticks
            )
        if direct and tick + 1 <= self.n_ticks:
            self.queue.add(pid, np.asarray(direct, dtype=np.int32), np.full(len(direct), tick + 1))

    @property
    def calendar(self) -> dict[int, list[tuple[int, np.ndarray]]]:
        """A readable copy of the pending views: tick -> [(post, viewers), ...]."""
        return self.queue.as_dict()

    # ------------------------------------------------------------- exposures
    def process(self, tick: int) -> list[tuple[int, int]]:
        """Deliver the views due at `tick`.

        Returns:
            (person, post) pairs of people who decided to reshare; the caller publishes them.
        """
        viewers, pids = self.queue.take(tick)
        if viewers.size == 0:
            return []
        posts = self.posts
        counts = account_views(viewers, pids, posts, self.seen, self.seen_incident, TOPIC_INCIDENT)
        for i, v in enumerate((-1, 0, 1)):
            self.impressions_tick[v][tick] += counts[i]
            self.reach_tick[v][tick] += counts[3 + i]
        self.reach_incident += int(counts[6])
        self._account_topics(tick, viewers, pids)
        if self.on_exposure is not None:
            val = posts.valence[pids]
            nz = val != 0
            if nz.any():
                self.on_exposure(viewers[nz], posts.author[pids[nz]], val[nz].astype(np.float64))
        return self._reshare_decisions(viewers, pids)

    def _account_topics(self, tick: int, viewers: np.ndarray, pids: np.ndarray) -> None:
        """Impressions of the incident over time; impressions and unique reach of the campaign;
        unique reach of the brand's own posts and of others' positive posts."""
        by_brand = self.posts.author[pids] == BRAND_NODE
        if by_brand.any():
            self.reach_brand += _first_views(self.seen_brand, viewers[by_brand])
        others_positive = ~by_brand & (self.posts.valence[pids] > 0)
        if others_positive.any():
            self.reach_positive_customers += _first_views(
                self.seen_positive_customers, viewers[others_positive]
            )
        topic = self.posts.topic[pids]
        inc = topic == TOPIC_INCIDENT
        if inc.any():
            self.impressions_incident_tick[tick] += int(
                np.count_nonzero(inc & (self.posts.valence[pids] < 0))
            )
        camp = topic == TOPIC_CAMPAIGN
        if camp.any():
            self.impressions_campaign += int(np.count_nonzero(camp))
            new = np.unique(viewers[camp])
            new = new[~self.seen_campaign[new]]
            self.seen_campaign[new] = True
            self.reach_campaign += int(new.size)

    def _reshare_decisions(self, viewers: np.ndarray, pids: np.ndarray) -> list[tuple[int, int]]:
        posts = self.posts
        assert self.sentiment is not None  # this engine's reshares read the sentiment array
        hit = reshare_hits(
            viewers, pids, posts, self.role_reshare, self.pop.role, self.sentiment, SALT_RESHARE
        )
        out = []
        for i in hit.tolist():
            person, pid = int(viewers[i]), int(pids[i])
            if person == BRAND_NODE:
                continue
            key = (int(posts.cascade[pid]), person)
            if key in self.reshared:
                continue
            self.reshared.add(key)
            out.append((person, pid))
        return out

    def reshare(self, tick: int, person: int, pid: int, copy: int = 0) -> int:
        """Publish `person`'s reshare of post `pid`.

        `copy` > 0: a further copy, for an account of which one simulated reshare stands for
        several real ones of as many real posts (the brand sharing its delighted customers' posts
        in a scaled-down run). A copy starts a cascade of its own, with its own draws and the
        original's appeal, as the real post it stands for would.
        """
        posts = self.posts
        root = int(posts.cascade[pid])
        key = derive(int(posts.key[root]), salt("post.reshare"), person)
        if copy > 0:
            key = derive(key, salt("post.reshare_copy"), copy)
        return self.post(
            tick,
            person,
            "reshare",
            int(posts.valence[pid]),
            parent=pid,
            cascade=root if copy == 0 else None,
            key=key,
            topic=int(posts.topic[pid]),
            appeal=float(posts.appeal[root]) if copy > 0 else 1.0,
        )

    def set_appeal(self, cascade: int, factor: float) -> None:
        """Scale the reshare appeal of a cascade (e.g. once its complaint is answered)."""
        self.posts.appeal[cascade] *= factor

    def pending(self) -> int:
        """Views still waiting in the calendar."""
        return self.queue.pending()


def _first_views(seen: np.ndarray, viewers: np.ndarray) -> int:
    """Mark `viewers` in `seen`; how many of them had not been marked before."""
    new = np.unique(viewers)
    new = new[~seen[new]]
    seen[new] = True
    return int(new.size)
