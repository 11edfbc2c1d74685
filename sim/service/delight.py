"""Proactive delight: a daily budget to surprise customers who mention the brand (Da Grasso).

Seed 001: the pizza chain watched Facebook for people craving pizza and surprised them with a
delivery; 52 pizzas reached over 60,000 people and 95% of the talk about the campaign was positive.
Here a listening team finds customers' praise and plain mentions (recall `listening_recall`),
surprises them while the day's budget lasts (sentiment + `delight_gain`), and a delighted customer
posts about it with probability `delight_post_prob`, a post with reshare appeal `delight_appeal`,
which the brand account reshares with probability `delight_brand_reshare` (making the campaign
public, as Da Grasso did).

Budgets and costs are in real dollars. A simulated person stands for `scale` real people, so one
simulated surprise stands for `scale` real ones and costs `delight_cost * scale`; when less than
that is left of the day's budget, the surprise happens with probability (left / unit cost), which
keeps the expected spending right at any population size.
"""

from __future__ import annotations

import math

from sim.config.schema import StrategyConfig
from sim.customers.diffusion import KIND, TOPIC_CAMPAIGN
from sim.customers.population import BRAND_NODE
from sim.engine.rng import derive, keyed_uniform_one
from sim.engine.streams import salt
from sim.service.context import Publisher

MENTION_KINDS = (KIND["praise"], KIND["mention"])


class Delight:
    """Spends the daily delight budget on customers who mention the brand."""

    def __init__(self, ctx: Publisher, strategy: StrategyConfig, key: int):
        """Spend under `strategy`; draws are keyed by `key` (the stream "delight")."""
        self.ctx = ctx
        self.strategy = strategy
        self.spent = 0.0  # real dollars
        self.count = 0  # simulated people surprised
        self.delighted: set[int] = set()
        self._day = -1
        self._left = 0.0
        self.key = key

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
        day = int(m.tick * m.tick_min // 1440)
        if day != self._day:
            self._day, self._left = day, s.delight_budget_per_day
        if self._left <= 0:
            return
        key = derive(self.key, salt("delight.mention"), int(posts.key[pid]))
        if keyed_uniform_one(key, salt("delight.found")) >= s.listening_recall:
            return
        unit = s.delight_cost * m.scale
        lucky = keyed_uniform_one(key, salt("delight.budget")) < self._left / unit
        if self._left < unit and not lucky:
            self._left = 0.0
            return
        self._left = max(0.0, self._left - unit)
        self.spent += unit
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
            m.schedule(m.tick + max(1, math.ceil(30.0 / m.tick_min)), self._brand_reshare, new)

    def _brand_reshare(self, pid: int) -> None:
        m = self.ctx
        new = m.diffusion.reshare(m.tick, BRAND_NODE, pid)
        m.log_event("brand_reshare", BRAND_NODE, new)

    def metrics(self, scale: float) -> dict[str, float]:
        """Delight's own metric: real people surprised (`scale` real people per simulated one)."""
        return {"delights": self.count * scale}
