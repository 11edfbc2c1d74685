"""Proactive delight: a daily budget to surprise customers who mention the brand (Da Grasso).

Seed 001: the pizza chain watched Facebook for people craving pizza and surprised them with a
delivery; 52 pizzas reached over 60,000 people and 95% of the talk about the campaign was positive.
Here a listening team finds customers' praise and plain mentions (recall `listening_recall`),
surprises them while the day's budget lasts (sentiment + `delight_gain`), and a delighted customer
posts about it with probability `delight_post_prob`, a post with reshare appeal `delight_appeal`,
which the brand account reshares with probability `delight_brand_reshare` (making the campaign
public, as Da Grasso did).

Budgets and costs are in real dollars. The team spends the day's budget by the local calendar
day of the scenario's clock, over waking hours (`delight_day_start_h` to `delight_day_end_h`,
08:00-22:00 by default): at the start of each waking hour an even share of the budget is
released, and what an hour leaves unspent carries over to later hours of the same day (not to
the next day). Mentions outside waking hours are not acted on. On the run's first day, the
shares of the waking hours that ended before the start are taken as spent on the mentions before
it (a run starting at 20:00 has the shares of 20:00 and 21:00 left).

A simulated person stands for `scale` real people, so a simulated mention found stands for
`scale` real mentions found about then. The money released and not yet spent buys
`r = min(scale, floor(left / delight_cost))` real surprises among them, at `delight_cost` each;
the simulated author is one of the surprised with probability `r / scale` (a keyed draw). So the
spending is real dollars, never more than the day's budget, in whole surprises of
`delight_cost`, at any population size, and the expected share of simulated people delighted is
that of the real ones.

The brand account is one account at any scale, but a simulated delighted customer's post stands
for `scale` real posts, each of which the brand shares with its fans. So a share by the brand
stands for `scale` real shares: it is published as that many copies with their own draws
(`brand_copies`), and a fan sees at least one of them as often as a real fan sees one of the real
shares. Without that, a run at a quarter of the reference population showed the brand's fans
only a quarter of the shares, and the campaign's unique reach fell short (about 45,000-49,000
against 60,000 at 50,000 people).
"""

from __future__ import annotations

import math
from typing import Protocol

from sim.config.schema import StrategyConfig
from sim.customers.diffusion import KIND, TOPIC_CAMPAIGN
from sim.customers.population import BRAND_NODE
from sim.engine.rng import derive, keyed_uniform_one
from sim.engine.streams import salt
from sim.service.context import Publisher, WeekClock

MENTION_KINDS = (KIND["praise"], KIND["mention"])


def brand_copies(scale: float, u: float) -> int:
    """Real brand shares one simulated share stands for: floor(scale), one more with probability
    of its fraction (`u` a uniform draw); 1 at full scale."""
    whole = max(1, math.floor(scale))
    return whole + (1 if u < scale - whole else 0)


class DelightContext(Publisher, WeekClock, Protocol):
    """What delight uses of the model: the customer side and the local clock."""


class Delight:
    """Spends the daily delight budget on customers who mention the brand."""

    def __init__(self, ctx: DelightContext, strategy: StrategyConfig, key: int):
        """Spend under `strategy`; draws are keyed by `key` (the stream "delight")."""
        self.ctx = ctx
        self.strategy = strategy
        self.spent = 0.0  # real dollars
        self.count = 0  # simulated people surprised
        self.real_count = 0.0  # real people surprised
        self.delighted: set[int] = set()
        self._day: int | None = None  # the calendar day being spent
        self._spent_today = 0.0
        self.key = key

    def released(self, minute_of_day: float) -> float:
        """Real dollars of the day's budget released by `minute_of_day` (0 outside the window
        before it opens, all of it once it has closed)."""
        s = self.strategy
        hours = s.delight_day_end_h - s.delight_day_start_h
        started = math.floor(minute_of_day / 60.0 - s.delight_day_start_h) + 1
        return s.delight_budget_per_day * min(1.0, max(0, started) / math.ceil(hours))

    def open_at(self, minute_of_day: float) -> bool:
        """Whether the delight team works at `minute_of_day`."""
        s = self.strategy
        return s.delight_day_start_h * 60.0 <= minute_of_day < s.delight_day_end_h * 60.0

    def _calendar_day(self) -> tuple[int, float]:
        """(local calendar day counted from the start's, minute of day) now."""
        m = self.ctx
        start_minute = m.clock_at(0)[1]
        elapsed = start_minute + m.tick * m.tick_min
        return int(elapsed // 1440), elapsed % 1440

    def consider(self, pid: int, author: int) -> None:
        """Maybe surprise the author of post `pid` (a praise or a mention of the brand)."""
        s, m = self.strategy, self.ctx
        if s.delight_budget_per_day <= 0 or s.listening_recall <= 0:
            return
        posts = m.diffusion.posts
        if (
            posts.kind[pid] not in MENTION_KINDS
            or not m.pop.is_customer[author]
            or author in self.delighted
        ):
            return
        day, minute = self._calendar_day()
        if not self.open_at(minute):
            return
        if day != self._day:  # a new calendar day; on the first, the shares before the start
            self._day, self._spent_today = day, 0.0  # of the run went to mentions before it
            if day == 0:
                self._spent_today = self.released(self.ctx.clock_at(0)[1] - 60.0)
        left = self.released(minute) - self._spent_today
        real = min(float(m.scale), math.floor(left / s.delight_cost + 1e-9))
        if real < 1:
            return
        key = derive(self.key, salt("delight.mention"), int(posts.key[pid]))
        if keyed_uniform_one(key, salt("delight.found")) >= s.listening_recall:
            return
        cost = real * s.delight_cost  # the real surprises of the mentions this one stands for
        self._spent_today += cost
        self.spent += cost
        self.real_count += real
        if keyed_uniform_one(key, salt("delight.budget")) >= real / m.scale:
            return  # this simulated author is not among those surprised
        self.count += 1
        self.delighted.add(author)
        m.opinion.shift(author, m.cfg.opinion.delight_gain)
        m.log_event("delight", author, pid)
        if keyed_uniform_one(key, salt("delight.posts")) < s.delight_post_prob:
            u = keyed_uniform_one(key, salt("delight.post_delay"))
            delay = max(1, math.ceil(-60.0 * math.log(max(1.0 - u, 1e-12)) / m.tick_min))
            m.schedule(m.tick + delay, self._post, author, pid, key)

    def _post(self, author: int, pid: int, key: int) -> None:
        m = self.ctx
        new = m.publish(
            m.tick,
            author,
            "praise",
            1,
            parent=pid,
            topic=TOPIC_CAMPAIGN,
            key=derive(key, salt("post.delight")),
            appeal=self.strategy.delight_appeal,
        )
        u = keyed_uniform_one(key, salt("delight.brand_reshare"))
        if u < self.strategy.delight_brand_reshare:
            copies = brand_copies(
                float(m.scale), keyed_uniform_one(key, salt("delight.brand_copies"))
            )
            at = m.tick + max(1, math.ceil(30.0 / m.tick_min))
            for c in range(copies):
                m.schedule(at, self._brand_reshare, new, c)

    def _brand_reshare(self, pid: int, copy: int = 0) -> None:
        m = self.ctx
        new = m.diffusion.reshare(m.tick, BRAND_NODE, pid, copy)
        m.log_event("brand_reshare", BRAND_NODE, new)

    def metrics(self, scale: float) -> dict[str, float]:
        """Delight's own metric: real people surprised (`scale`: kept for the desk's call)."""
        return {"delights": float(self.real_count)}
