"""The unseen workload: real complaints a down-scaled run does not simulate as people.

A run of `population.size` people stands for a real audience `scale` times larger. Chatter and
incident victims are scaled down by that factor, so the simulated people post only 1/scale of the
real complaints; a real desk would still have to work all of them. The unseen workload adds the
missing (1 - 1/scale) share as cases without a simulated author: they queue, take staff time,
use the phone line and cost money like any case, but post nothing and move nobody's sentiment.
So queues, waiting times and costs are those of the real desk, in real dollars, at any
population size (at full size there is no unseen workload).

Arrival times, severities and the influence of the (unseen) complainers are drawn from the named
stream "workload", so they are the same under every strategy (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.schema import RunConfig
from sim.customers.population import Population
from sim.engine.rng import derive_array
from sim.engine.streams import salt
from sim.scenario.schedule import Clock, author_weights, chatter_shape, n_ticks
from sim.service.cases import Case


@dataclass
class Workload:
    """Arrivals of unseen complaints, sorted by tick."""

    tick: np.ndarray  # int64
    severity: np.ndarray  # float64
    followers: np.ndarray  # int64, at simulated scale (comparable with simulated cases)
    influence: np.ndarray  # int64

    def __len__(self) -> int:
        return int(self.tick.size)


def unseen_workload(
    cfg: RunConfig, pop: Population, scale: float, rng: np.random.Generator, warmup_ticks: int = 0
) -> Workload:
    """Draw the complaints of real people the run does not simulate.

    Args:
        cfg: the run configuration (scenario chatter and incidents).
        pop: the simulated population; unseen complainers borrow the traits of similar people.
        scale: real people per simulated person.
        rng: the "workload" stream.
        warmup_ticks: also draw all real complaints of this many ticks before the start (negative
            ticks): before the run nobody is simulated.

    Returns:
        A Workload; without warm-up it is empty when scale is 1.
    """
    sc, ch = cfg.scenario, cfg.scenario.chatter
    share = 1.0 - 1.0 / scale if scale > 1.0 else 0.0
    total = n_ticks(sc)
    tph = max(1, int(round(60.0 / sc.tick_min)))
    ticks, sev, who = [], [], []
    fixed = 1 + len(sc.accounts)
    first_hour = -int(np.ceil(warmup_ticks / tph))
    if ch.negative_per_hour > 0 and (share > 0 or first_hour < 0):
        hours = np.arange(first_hour, int(np.ceil(total / tph)))
        clock = Clock(sc)
        hod = np.array([clock.hour_of_day(int(h) * tph) for h in hours])
        shape = chatter_shape(ch, hod)
        counts = rng.poisson(ch.negative_per_hour * np.where(hours < 0, 1.0, share) * shape)
        k = int(counts.sum())
        ticks.append(np.repeat(hours * tph, counts) + rng.integers(0, tph, size=k))
        sev.append(np.full(k, ch.complaint_severity))
        # unhappier customers complain more: the mood weight is 1 - sentiment (at least the floor)
        w = author_weights(pop, ch, 0) * np.maximum(1.0 - pop.sentiment0, ch.mood_floor)
        w[:fixed] = 0.0
        who.append(
            rng.choice(pop.size, size=k, p=w / w.sum()) if k else np.zeros(0, dtype=np.int64)
        )
    customers = np.flatnonzero(pop.is_customer[fixed:]) + fixed
    for inc in sc.incidents:
        expected = inc.victims * inc.victim_complain_share * share
        if share <= 0 or inc.valence > 0 or expected <= 0 or customers.size == 0:
            continue
        k = int(rng.poisson(expected))
        t0 = int(round(inc.at_h * 60.0 / sc.tick_min))
        ticks.append(t0 + np.ceil(rng.exponential(60.0 / sc.tick_min, size=k)).astype(np.int64))
        sev.append(np.full(k, inc.severity))
        who.append(rng.choice(customers, size=k))
    if not ticks:
        empty = np.zeros(0, dtype=np.int64)
        return Workload(empty, np.zeros(0), empty, empty)
    tick = np.concatenate(ticks).astype(np.int64)
    severity = np.concatenate(sev).astype(np.float64)
    nodes = np.concatenate(who).astype(np.int64)
    keep = (tick < total) & (tick >= -warmup_ticks)
    order = np.argsort(tick[keep], kind="stable")
    tick, severity, nodes = tick[keep][order], severity[keep][order], nodes[keep][order]
    return Workload(
        tick, severity, pop.followers[nodes].astype(np.int64), pop.influence[nodes].astype(np.int64)
    )


def unseen_cases(workload: Workload) -> list[Case]:
    """The workload's complaints as cases without a simulated author (`unseen`), in tick order."""
    n = len(workload)
    keys = derive_array(salt("workload.case"), np.arange(n)).tolist()
    cases = []
    for i in range(n):
        case = Case(
            id=i,
            author=-1,
            post=i,
            tick=int(workload.tick[i]),
            severity=float(workload.severity[i]),
            followers=int(workload.followers[i]),
            influence=int(workload.influence[i]),
            unseen=True,
            key=keys[i],
        )
        case.channel = "original"
        cases.append(case)
    return cases
