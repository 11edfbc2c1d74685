"""SocialCareModel: wires network, population, diffusion, opinion and the service desk.

One `step()` is one tick (1 simulated minute by default). Customers live in numpy arrays; the few
company-side actors (care staff, community super-users) are Mesa agents. The Mesa model owns the
clock, the root RNG and a DataCollector that samples the state once an hour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import mesa
import numpy as np

from sim.config.schema import RunConfig
from sim.customers.diffusion import KIND, TOPIC_BACKGROUND, TOPIC_INCIDENT, Diffusion
from sim.customers.opinion import Opinion
from sim.customers.population import BRAND_NODE, Population, build_population
from sim.engine.lifecycle import FollowupRule, Lifecycle
from sim.engine.resources import check_memory
from sim.engine.rng import Streams, derive, keyed_uniform
from sim.engine.streams import salt
from sim.network import (
    FollowerGraph,
    LoadReport,
    NetworkError,
    build_network,
    load_edgelist_with_report,
)
from sim.scenario.schedule import (
    CHATTER_KINDS,
    Chatter,
    Clock,
    chatter_schedule,
    incident_victims,
    n_ticks,
    named_follower_counts,
    scale_factor,
)
from sim.scenario.scripted import schedule_scripted
from sim.service.desk import ServiceDesk
from sim.service.workload import unseen_cases, unseen_workload


@dataclass
class Environment:
    """Everything drawn before the strategy acts; shared by all strategies of one replicate."""

    graph: FollowerGraph
    pop: Population
    chatter: Chatter
    victims: list[np.ndarray]
    scale: float
    load_report: LoadReport | None = None  # what loading an edge list dropped (None if generated)


def build_environment(cfg: RunConfig) -> Environment:
    """Draw network, population, chatter and incident victims from their own streams."""
    streams = Streams(cfg.seed)
    sc, net = cfg.scenario, cfg.network
    n = cfg.population.size
    check_memory(cfg)  # refuse a run that cannot fit before building anything big
    load_report = None
    if net.kind == "edgelist":
        assert net.path is not None  # validate requires a path for an edge-list network
        loaded, load_report = load_edgelist_with_report(
            net.path, fmt=net.format, edge_meaning=net.edge_meaning
        )
        n = loaded.n_nodes
        if n <= len(sc.accounts) + 2:
            raise NetworkError(
                f"Edge list {net.path} holds {n} account(s) "
                f"({load_report.self_loops_dropped} self-loop line(s) dropped), but scenario "
                f"{sc.name} needs at least {len(sc.accounts) + 3}: node 0 is the brand, nodes "
                f"1..{len(sc.accounts)} its named accounts, and customers follow."
            )
        check_memory(cfg, loaded=(n, loaded.n_edges))
        del loaded
    named = named_follower_counts(cfg, n)
    graph = build_network(
        net.kind,
        n,
        streams.generator("network"),
        mean_followers=net.mean_followers,
        max_followers=net.max_followers,
        exponent=net.exponent,
        m=net.m,
        k=net.k,
        p=net.p,
        path=net.path,
        fmt=net.format,
        edge_meaning=net.edge_meaning,
        named_followers=named,
    )
    followers = graph.follower_counts()
    pop = build_population(
        cfg.population,
        cfg.diffusion,
        followers,
        streams.generator("population"),
        named_roles=[a.role for a in sc.accounts],
        named_sentiments=[a.sentiment for a in sc.accounts],
        brand_followers=graph.followers(BRAND_NODE),
        customer_share=sc.brand.customer_share,
    )
    clock = Clock(sc)
    chatter = chatter_schedule(cfg, pop, clock, streams.generator("chatter"))
    victims = incident_victims(cfg, pop, streams.generator("incident"))
    return Environment(graph, pop, chatter, victims, scale_factor(cfg, graph.n_nodes), load_report)


class SocialCareModel(mesa.Model):
    """Connected customers, a complaint that spreads, and a company that answers (or not)."""

    def __init__(self, cfg: RunConfig, env: Environment | None = None):
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        self.streams = Streams(cfg.seed)
        env = env or build_environment(cfg)
        self.env, self.graph, self.pop, self.scale = env, env.graph, env.pop, env.scale
        sc = cfg.scenario
        self.tick_min = sc.tick_min
        self.n_ticks = n_ticks(sc)
        self.ticks_per_hour = max(1, int(round(60.0 / sc.tick_min)))
        self.clock = Clock(sc)
        self.tick = 0
        self.opinion, self.diffusion = self.customer_dynamics()
        self._calendar: dict[int, list[tuple[Callable, tuple]]] = defaultdict(list)
        self.service_events: list[tuple[int, str, int, int]] = []
        self.severity: dict[int, float] = {}
        self.mentions_tick = {v: np.zeros(self.n_ticks + 2, dtype=np.int64) for v in (-1, 0, 1)}
        self.sentiment_initial = self.opinion.mean()
        self.desk = ServiceDesk(self, cfg.strategy)
        self.lifecycle = Lifecycle(self, cfg.complainer, self.desk.draws)
        ch = sc.chatter
        self._chatter_rule = FollowupRule(ch.followup_after_h, ch.max_followups)
        if self.desk.takes_work:
            self._warm_up_desk(int(round(sc.warmup_h * 60.0 / self.tick_min)))
        self._schedule_chatter(env.chatter)
        self._schedule_incidents(env.victims)
        schedule_scripted(self, env.victims)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "sentiment_mean": lambda m: m.opinion.mean(),
                "backlog": lambda m: m.desk.backlog,
                "phone_queue": lambda m: len(m.desk.phone.waiting),
                "responded": lambda m: sum(c.first_response >= 0 for c in m.desk.cases),
                "resolved": lambda m: sum(c.resolved for c in m.desk.cases),
            }
        )
        self.datacollector.collect(self)

    def customer_dynamics(self) -> tuple[Opinion, Diffusion]:
        """Customers' sentiment and word of mouth, as arrays (sim.reference.model: agents)."""
        opinion = Opinion(self.cfg.opinion, self.pop)
        diffusion = Diffusion(
            self.graph,
            self.pop,
            self.cfg.diffusion,
            opinion.s,
            self.streams.key("exposure"),
            self.n_ticks,
            self.tick_min,
            on_exposure=opinion.expose,
        )
        return opinion, diffusion

    # ---------------------------------------------------------------- clock
    def clock_now(self) -> tuple[int, int]:
        """(weekday, minute of day) now."""
        return self.clock.at(self.tick)

    def clock_at(self, tick: int) -> tuple[int, int]:
        """(weekday, minute of day) at `tick`."""
        return self.clock.at(tick)

    def schedule(self, tick: int, fn: Callable, *args) -> None:
        """Call `fn(*args)` at `tick` (a strong reference: it will fire)."""
        if tick <= self.n_ticks:
            self._calendar[tick].append((fn, args))

    def fire_due(self, tick: int) -> int:
        """Call the events scheduled for `tick` (the desk's warm-up uses it); how many."""
        due = self._calendar.pop(tick, ())
        for fn, args in due:
            fn(*args)
        return len(due)

    def _warm_up_desk(self, ticks: int) -> None:
        """Give the desk its unseen workload and run the week before the start (all of it unseen),
        so that the desk starts with the queue, the phone line and the knowledge base it would
        really have; then the desk zeroes its counters."""
        wl = unseen_workload(
            self.cfg, self.pop, self.scale, self.streams.generator("workload"), ticks
        )
        cases = unseen_cases(wl)
        self.desk.draws.draw_ahead(cases)
        for case in cases:
            self.schedule(case.tick, self.desk.unseen_arrival, case)
        # ticks before the start are negative; the last one (-1 = NOT_YET) is merged into -2
        for t in range(-ticks - 1, -1):
            self.tick = t
            self.fire_due(t)
            self.desk.step()
        while self.fire_due(-1):
            pass
        self.tick = 0
        self.desk.start()

    def log_event(self, kind: str, author: int, parent: int) -> None:
        """Record a service event (not a post) in the event log."""
        self.service_events.append((self.tick, kind, int(author), int(parent)))

    # ---------------------------------------------------------------- posts
    def publish(self, tick: int, author: int, kind: str, valence: int, **kw) -> int:
        """Post through the diffusion engine and let listening see it."""
        pid = self.diffusion.post(tick, author, kind, valence, **kw)
        self._after_post(pid)
        return pid

    def _after_post(self, pid: int) -> None:
        posts = self.diffusion.posts
        if posts.author[pid] != BRAND_NODE and posts.kind[pid] not in (
            KIND["brand_reply"],
            KIND["peer_answer"],
        ):
            self.mentions_tick[int(posts.valence[pid])][self.tick] += 1
        self.desk.on_post(pid)

    def severity_of(self, pid: int) -> float:
        """Severity of the complaint behind post `pid`."""
        posts = self.diffusion.posts
        return self.severity.get(
            pid,
            self.severity.get(
                int(posts.cascade[pid]), self.cfg.scenario.chatter.complaint_severity
            ),
        )

    def _schedule_chatter(self, chatter: Chatter) -> None:
        key = self.streams.key("chatter-posts")
        for i, (t, a, v) in enumerate(
            zip(chatter.tick.tolist(), chatter.author.tolist(), chatter.valence.tolist())
        ):
            self.schedule(t, self._chatter_post, i, a, v, key)

    def _chatter_post(self, i: int, author: int, valence: int, key: int) -> None:
        pid = self.publish(
            self.tick,
            author,
            CHATTER_KINDS[valence],
            valence,
            key=derive(key, salt("post.chatter"), i),
            topic=TOPIC_BACKGROUND,
        )
        case = self.desk.case_of_author.get(author) if valence < 0 else None
        if case is not None and case.post == pid:  # a new complaint, not a post of an open case
            self.lifecycle.start(case, self._chatter_rule)

    def _schedule_incidents(self, victims: list[np.ndarray]) -> None:
        sc = self.cfg.scenario
        index = {a.name: i + 1 for i, a in enumerate(sc.accounts)}
        key = self.streams.key("incident-posts")
        for j, inc in enumerate(sc.incidents):
            t0 = int(round(inc.at_h * 60.0 / self.tick_min))
            gap = max(0, int(round(inc.complainer_gap_min / self.tick_min)))
            people = [index[name] for name in inc.complainers]
            hit = np.asarray(victims[j], dtype=np.int64)
            u = keyed_uniform(derive(key, j), hit, salt("incident.speaks"))
            speakers = hit[u < inc.victim_complain_share]
            u_delay = keyed_uniform(derive(key, j), speakers, salt("incident.delay"))
            delays = np.ceil(-60.0 * np.log1p(-u_delay) / self.tick_min)
            post_salt = salt("post.incident")

            def post_key(person: int, j: int = j, post_salt: int = post_salt) -> int:
                return derive(key, post_salt, j, person)

            self.schedule(t0, self.opinion.incident_hit, hit, inc.severity)
            for r, person in enumerate(people):
                self.schedule(t0 + r * gap, self._incident_complaint, j, person, post_key(person))
            for person, d in zip(speakers.tolist(), delays.astype(np.int64).tolist()):
                self.schedule(t0 + d, self._incident_complaint, j, person, post_key(person))

    def _incident_complaint(self, j: int, person: int, key: int) -> None:
        inc = self.cfg.scenario.incidents[j]
        if inc.valence > 0:
            self.publish(
                self.tick, person, "praise", 1, key=key, topic=TOPIC_INCIDENT, appeal=inc.appeal
            )
            return
        self.opinion.incident_hit(person, inc.severity)
        self.severity[self.diffusion.posts.n] = inc.severity
        self.publish(
            self.tick, person, "complaint", -1, key=key, topic=TOPIC_INCIDENT, appeal=inc.appeal
        )
        case = self.desk.case_of_author.get(person)
        rule = FollowupRule(inc.followup_after_h, inc.max_followups, inc.quiet_on_reply)
        self.lifecycle.start(case, rule)

    def complainer_received(self, case, what: str) -> None:
        """The complainer of `case` received `what` (sim.engine.lifecycle.RECEIVED)."""
        self.lifecycle.received(case, what)

    def complainer_gave_up(self, case) -> None:
        """The complainer of `case` stopped waiting for an answer."""
        self.desk.outcomes.gave_up(case)

    def post_followup(self, case) -> None:
        """The complainer, still waiting (or angered by a bot), complains again."""
        case.followups += 1
        self.opinion.shift(case.author, -self.cfg.opinion.neglect_penalty)
        posts = self.diffusion.posts
        root = int(posts.cascade[case.post])
        self.severity[posts.n] = case.severity
        self.publish(
            self.tick,
            case.author,
            "followup",
            -1,
            parent=case.post,
            key=derive(int(posts.key[root]), salt("post.followup"), case.followups),
            topic=int(posts.topic[case.post]),
            appeal=float(posts.appeal[root]),
        )

    def super_user_nodes(self, k: int) -> np.ndarray:
        """The k most influential customers happier than `strategy.community_min_sentiment`,
        who can become community super-users."""
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        pop = self.pop
        fixed = 1 + len(self.cfg.scenario.accounts)
        ok = pop.is_customer & (pop.sentiment0 > self.cfg.strategy.community_min_sentiment)
        ok[:fixed] = False
        cand = np.flatnonzero(ok)
        return cand[np.argsort(-pop.influence[cand], kind="stable")[:k]]

    # ---------------------------------------------------------------- step
    def step(self) -> None:
        """Advance one tick: scheduled events, views and reshares, the desk, hourly bookkeeping."""
        t = self.tick
        for fn, args in self._calendar.pop(t, ()):
            fn(*args)
        for person, pid in self.diffusion.process(t):
            pid_new = self.diffusion.reshare(t, person, pid)
            self._after_post(pid_new)
        self.desk.step()
        self.tick = t + 1
        if self.tick % self.ticks_per_hour == 0:
            last = self.mentions_tick[-1][self.tick - self.ticks_per_hour : self.tick].sum()
            self.desk.hourly(int(last))
            self.datacollector.collect(self)
        if self.tick >= self.n_ticks:
            self.running = False
