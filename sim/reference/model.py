"""The reference model: the same dynamics with one Mesa agent per person (teaching model, oracle).

`ReferenceModel` is `SocialCareModel` with the customer side written the obvious way. Every node of
the follower graph is a `Person` agent that keeps its own sentiment, an inbox of posts it will see,
the valences it has seen and the cascades it has passed on:

1. A post is offered to each follower of its author in turn. Each follower flips its own coin:
   it will see the post with probability `attention * visibility * activity`, after a lognormal
   delay (median `view_delay_median_min`, times its role's delay factor); a view later than
   `max_age_h` never happens.
2. Every tick every person steps: it takes in the posts due now (an impression each; reach the
   first time it sees a valence), its sentiment moves toward their valence (weighted by
   susceptibility, trust in the author and the negativity bias), and then, post by post, it may
   reshare one, with probability `reshare_p * appeal * role factor * max(0, 1 + valence *
   sentiment)`, at most once per cascade.

The company side (listening, staff, channels) and the scenario (chatter, the incident) are the fast
model's own code, so the two models differ only in how customers are simulated.
`sim.customers.diffusion`, `sim.customers.kernels` and `sim.customers.opinion` do the same with
arrays, keyed draws and compiled loops; since the coins differ (here Python's `random`, flipped
in agent order), the two agree in distribution, not run by run.
`tests/integration/test_reference.py` checks that agreement; `tests/benchmarks` measures the speed.

`CascadeModel` is the textbook independent cascade as Mesa agents: the per-agent peer of the
diffusion benchmark.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.agent import AgentSet

import sim.engine.mesa_patches  # noqa: F401 - finished models can be freed (mesa#3179)
from sim.config.schema import ROLES, RunConfig
from sim.customers.diffusion import TOPIC_INCIDENT, Diffusion
from sim.customers.opinion import Opinion, pre_problem_levels
from sim.customers.population import BRAND_NODE
from sim.engine.model import Environment, SocialCareModel
from sim.network import FollowerGraph
from sim.outputs.metrics import Result, compute_metrics, event_log, hourly_timeseries
from sim.outputs.provenance import provenance


class Person(mesa.Agent):
    """One member of the follower graph: a customer, a named account, or the brand's own account."""

    def __init__(self, model: ReferenceModel, node: int):
        super().__init__(model)
        pop, opinion = model.pop, model.cfg.opinion
        self.node = node
        self.role = ROLES[int(pop.role[node])]
        self.sentiment = float(pop.sentiment0[node])
        self.activity = float(pop.activity[node])
        self.susceptibility = float(pop.susceptibility[node])
        self.is_customer = bool(pop.is_customer[node])
        self.trust = opinion.brand_trust if node == BRAND_NODE else opinion.role_trust[self.role]
        self.followers: list[Person] = []
        self.inbox: dict[int, list[int]] = {}  # tick -> posts this person will see then
        self.seen_valences: set[int] = set()
        self.saw_incident = False
        self.passed_on: set[int] = set()  # cascades this person has posted in

    def offer(self, pid: int, tick: int, visibility: float) -> None:
        """Someone this person follows posted: decide whether, and when, they will see it."""
        cfg, model = self.model.cfg.diffusion, self.model
        if self.random.random() >= cfg.attention * visibility * self.activity:
            return
        delay = (
            cfg.view_delay_median_min
            * cfg.role_delay[self.role]
            * self.random.lognormvariate(0.0, cfg.view_delay_sigma)
        )
        if delay > cfg.max_age_h * 60.0:
            return
        due = tick + max(1, math.ceil(delay / model.tick_min))
        if due <= model.n_ticks:
            self.deliver(pid, due)

    def deliver(self, pid: int, due: int) -> None:
        """Put a post in the inbox for tick `due`."""
        self.inbox.setdefault(due, []).append(pid)

    def step(self) -> None:
        """Take in what is due now, then consider passing each post on."""
        due = self.inbox.pop(self.model.tick, None)
        if due:
            self.take_in(due)
            for pid in due:
                self.consider_resharing(pid)

    def take_in(self, pids: list[int]) -> None:
        """Count the views and move sentiment toward what was seen (all from where it stood)."""
        model = self.model
        d, posts, rules = model.diffusion, model.diffusion.posts, model.cfg.opinion
        start, pull = self.sentiment, 0.0
        for pid in pids:
            val = int(posts.valence[pid])
            d.views_now.append((self.node, pid))
            posts.impressions[pid] += 1
            d.impressions_tick[val][model.tick] += 1
            if val not in self.seen_valences:
                self.seen_valences.add(val)
                d.seen[val][self.node] = True  # the model's tally of who has seen what
                posts.reached[pid] += 1
                d.reach_tick[val][model.tick] += 1
            if val < 0 and posts.topic[pid] == TOPIC_INCIDENT and not self.saw_incident:
                self.saw_incident = True
                d.seen_incident[self.node] = True
                d.reach_incident += 1
            if val != 0:
                author = model.people[int(posts.author[pid])]
                bias = rules.negativity_bias if val < 0 else 1.0
                weight = min(1.0, rules.rate * self.susceptibility * author.trust * bias)
                pull += weight * (val - start)
        self.sentiment = min(1.0, max(-1.0, start + pull))

    def consider_resharing(self, pid: int) -> None:
        """Pass a post on with a probability that grows with agreement; once per cascade."""
        model = self.model
        posts, cfg = model.diffusion.posts, model.cfg.diffusion
        root = int(posts.cascade[pid])
        if self.node == BRAND_NODE or root in self.passed_on:
            return
        agreement = max(0.0, 1.0 + int(posts.valence[pid]) * self.sentiment)
        p = posts.reshare_p[pid] * posts.appeal[root] * cfg.role_reshare[self.role] * agreement
        if self.random.random() < p:
            self.passed_on.add(root)
            model.diffusion.wants_to_reshare.append((self.node, pid))


class AgentDiffusion(Diffusion):
    """Word of mouth through Person agents (same posting and bookkeeping as `Diffusion`)."""

    def __init__(self, model: ReferenceModel):
        super().__init__(
            model.graph,
            model.pop,
            model.cfg.diffusion,
            None,
            model.streams.key("exposure"),
            model.n_ticks,
            model.tick_min,
        )
        self.model = model
        self.wants_to_reshare: list[tuple[int, int]] = []
        self.views_now: list[tuple[int, int]] = []  # (person, post) seen this tick

    def _schedule(self, pid: int, tick: int, audience_of: int, visibility: float, direct) -> None:
        people = self.model.people
        people[int(self.posts.author[pid])].passed_on.add(int(self.posts.cascade[pid]))
        for follower in people[audience_of].followers:
            follower.offer(pid, tick, visibility)
        if tick + 1 <= self.n_ticks:
            for node in direct:
                people[node].deliver(pid, tick + 1)

    def process(self, tick: int) -> list[tuple[int, int]]:
        """Every person steps; returns (person, post) for those who decided to reshare."""
        self.wants_to_reshare, self.views_now = [], []
        self.model.people_set.do("step")
        if self.views_now:  # the per-topic tallies (incident over time, campaign) of the engine
            viewers, pids = np.array(self.views_now, dtype=np.int64).T
            self._account_topics(tick, viewers, pids)
        return self.wants_to_reshare

    def pending(self) -> int:
        """Views still waiting in the inboxes."""
        return sum(len(v) for p in self.model.people for v in p.inbox.values())


class AgentOpinion(Opinion):
    """The sentiment rules of `Opinion`, applied to each Person's own sentiment."""

    def __init__(self, model: ReferenceModel):
        self.cfg, self.pop, self.people = model.cfg.opinion, model.pop, model.people
        self.pre, self.surplus = pre_problem_levels(model.pop)
        self.hit = np.zeros(model.pop.size, dtype=bool)

    @property
    def s(self) -> np.ndarray:
        """Everyone's sentiment, gathered from the agents."""
        return np.array([p.sentiment for p in self.people])

    @s.setter
    def s(self, values: np.ndarray) -> None:
        """Set everyone's sentiment, one value per agent in node order."""
        flat = np.asarray(values, dtype=float).ravel().tolist()
        if len(flat) != len(self.people):
            raise ValueError(f"{len(flat)} sentiments given for {len(self.people)} agents")
        for person, value in zip(self.people, flat, strict=True):
            person.sentiment = value

    def expose(self, viewers, authors, valence) -> None:
        """Not used: each Person takes in what it sees (`Person.take_in`)."""
        raise NotImplementedError

    def shift(self, people, amount: float) -> None:
        """Add `amount` to the sentiment of `people` (clipped)."""
        for node in np.atleast_1d(people).tolist():
            person = self.people[int(node)]
            person.sentiment = min(1.0, max(-1.0, person.sentiment + amount))

    def value(self, person: int) -> float:
        """The sentiment of one Person."""
        return float(self.people[int(person)].sentiment)

    def set_value(self, person: int, value: float) -> None:
        """Set the sentiment of one Person (clipped to [-1, 1])."""
        self.people[int(person)].sentiment = min(1.0, max(-1.0, value))

    def mean(self, customers_only: bool = True) -> float:
        """Mean sentiment (of customers by default)."""
        values = [p.sentiment for p in self.people if p.is_customer or not customers_only]
        return float(np.mean(values)) if values else 0.0


class ReferenceModel(SocialCareModel):
    """`SocialCareModel` with one Person agent per node of the follower graph."""

    def customer_dynamics(self) -> tuple[Opinion, Diffusion]:
        """Create the Person agents and their follower lists, then the agent-based parts."""
        self.people = [Person(self, node) for node in range(self.pop.size)]
        self.people_set = AgentSet(self.people, random=self.random)
        for person in self.people:
            person.followers = [self.people[v] for v in self.graph.followers(person.node).tolist()]
        return AgentOpinion(self), AgentDiffusion(self)


def run_reference(cfg: RunConfig, env: Environment | None = None) -> Result:
    """Run the reference model to the horizon; the same Result as `sim.run`."""
    model = ReferenceModel(cfg, env=env)
    while model.running and model.tick < model.n_ticks:
        model.step()
    cfg_dict = cfg.to_dict()
    return Result(
        metrics=compute_metrics(model),
        timeseries=hourly_timeseries(model),
        events=event_log(model),
        config=cfg_dict,
        provenance=provenance(cfg_dict, cfg.seed),
    )


class Node(mesa.Agent):
    """A node of the independent cascade: once active, it tries each follower once."""

    def __init__(self, model: CascadeModel):
        super().__init__(model)
        self.followers: list[Node] = []
        self.activated_in = -1  # round of activation, -1 while inactive

    def step(self) -> None:
        """Newly active nodes (activated last round) try to activate their inactive followers."""
        model = self.model
        if self.activated_in != model.round - 1:
            return
        for follower in self.followers:
            if follower.activated_in < 0 and self.random.random() < model.p:
                follower.activated_in = model.round
                model.newly_active += 1


class CascadeModel(mesa.Model):
    """Independent cascade with one Mesa agent per node (synchronous rounds)."""

    def __init__(self, graph: FollowerGraph, p: float, seed: int = 0):
        super().__init__(rng=seed)
        self.p = p
        self.nodes = [Node(self) for _ in range(graph.n_nodes)]
        for u, node in enumerate(self.nodes):
            node.followers = [self.nodes[v] for v in graph.followers(u).tolist()]
        self.round = 0
        self.newly_active = 0

    def cascade(self, seeds) -> int:
        """Activate `seeds`, run rounds until nobody new is activated; return the number active."""
        for node in self.nodes:
            node.activated_in = -1
        for s in seeds:
            self.nodes[int(s)].activated_in = 0
        self.round = 0
        while True:
            self.round += 1
            self.newly_active = 0
            self.agents.do("step")
            if self.newly_active == 0:
                break
        return sum(node.activated_in >= 0 for node in self.nodes)
