"""Delight spends its budget by local calendar day over waking hours, in real dollars."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.config.schema import RunConfig, StrategyConfig
from sim.customers.diffusion import KIND
from sim.service.delight import Delight

N_POSTS = 20_000


class Side:
    """The customer side delight acts on: mentions by customers, a clock that starts at 06:00."""

    def __init__(self, scale: float = 1.0, start_minute: int = 6 * 60):
        self.cfg, self.scale, self.tick, self.tick_min = RunConfig(), scale, 0, 1.0
        self.start_minute = start_minute
        self.pop = SimpleNamespace(is_customer=np.ones(N_POSTS, dtype=bool))
        posts = SimpleNamespace(kind=np.full(N_POSTS, KIND["mention"]), key=np.arange(N_POSTS) * 7919)
        self.diffusion = SimpleNamespace(posts=posts)
        self.shifted: list[int] = []
        self.opinion = SimpleNamespace(shift=lambda who, amount: self.shifted.append(who))

    def clock_at(self, tick: int) -> tuple[int, int]:
        minute = self.start_minute + int(tick * self.tick_min)
        return (minute // 1440) % 7, minute % 1440

    def schedule(self, tick, fn, *args) -> None:
        pass

    def log_event(self, kind, author, parent) -> None:
        pass


def spend(scale: float, budget: float = 140.0, cost: float = 10.0, every: int = 10, hours: int = 48,
          start_minute: int = 6 * 60) -> tuple[Delight, Side, dict[int, float]]:
    """Offer a mention every `every` minutes; the money spent per clock hour since the start."""
    side = Side(scale, start_minute)
    s = StrategyConfig(delight_budget_per_day=budget, delight_cost=cost, listening_recall=1.0)
    d = Delight(side, s, key=99)
    by_hour: dict[int, float] = {}
    for i, tick in enumerate(range(0, hours * 60, every)):
        side.tick = tick
        before = d.spent
        d.consider(i, author=i)
        by_hour[tick // 60] = by_hour.get(tick // 60, 0.0) + d.spent - before
    return d, side, by_hour


def test_spending_follows_waking_hours_of_the_local_calendar_day():
    # the run starts at 06:00: nothing before 08:00 or after 22:00, an even share in between
    d, _, by_hour = spend(scale=1.0, budget=140.0, cost=10.0)
    local = {h: (6 + h) % 24 for h in by_hour}
    assert all(v == 0.0 for h, v in by_hour.items() if not 8 <= local[h] < 22)
    waking = [v for h, v in by_hour.items() if 8 <= local[h] < 22]
    assert waking and all(v == pytest.approx(10.0) for v in waking)  # $140 / 14 h each hour
    assert d.spent == pytest.approx(2 * 140.0)  # two calendar days, each budget spent once


def test_a_run_starting_in_the_evening_has_only_the_evening_shares_of_its_first_day():
    # a start at 20:00: the shares of 08:00-19:59 went to mentions before the run; the next
    # calendar day (from midnight, not 24 h after the start) has its whole budget
    _, _, by_hour = spend(scale=1.0, budget=140.0, cost=10.0, hours=30, start_minute=20 * 60)
    first_day = sum(v for h, v in by_hour.items() if 20 + h < 24)
    assert first_day == pytest.approx(2 * 10.0)
    second_day = sum(v for h, v in by_hour.items() if 20 + h >= 24)
    assert second_day == pytest.approx(140.0)


def test_leftover_carries_to_later_hours_of_the_same_day():
    # one surprise costs more than an hour's share: it waits for the share of several hours
    _, _, by_hour = spend(scale=1.0, budget=140.0, cost=35.0, hours=24, start_minute=0)
    waking = [by_hour[h] for h in range(8, 22)]
    assert sum(waking) == pytest.approx(140.0)
    assert waking.count(35.0) == 4 and waking.count(0.0) == 10


@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_costs_are_real_dollars_whatever_the_population_size(scale):
    d, side, by_hour = spend(scale=scale, budget=1400.0, cost=10.0, every=2, hours=24, start_minute=0)
    assert max(by_hour.values()) <= 1400.0 / 14 + 1e-9  # no surprise takes the day's budget
    assert d.spent == pytest.approx(1400.0)
    assert d.metrics(scale)["delights"] == pytest.approx(d.spent / 10.0)  # real people
    assert d.count == len(side.shifted) <= d.metrics(scale)["delights"]


def test_simulated_people_are_delighted_in_the_share_of_real_surprises():
    """Over replicates of 10 days, the delighted share of simulated mentions at scale 100 is
    the real surprises bought over the real mentions they stand for."""
    shares = []
    for rep in range(5):
        side = Side(100.0, start_minute=0)
        s = StrategyConfig(delight_budget_per_day=1400.0, delight_cost=10.0, listening_recall=1.0)
        d = Delight(side, s, key=1000 + rep)
        for i, tick in enumerate(range(0, 10 * 1440, 6)):
            side.tick = tick
            d.consider(i, author=i)
        shares.append(d.count / d.real_count)
    # each simulated surprise happens with probability r / scale: count / real ~ 1 / scale
    assert np.mean(shares) == pytest.approx(1 / 100.0, rel=0.3)
