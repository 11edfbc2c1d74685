"""Public statements: the brand speaks once negative mentions per hour pass a threshold.

A statement is a brand post to the brand's followers; it damps the reshare appeal of every
incident cascade to `diffusion.answered_appeal`. The desk posts at most one, once an hour's
negative mentions reach `statement_threshold_per_hour` (real mentions; 0 = never).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.config.schema import StrategyConfig
from sim.customers.diffusion import TOPIC_INCIDENT, TOPIC_SERVICE
from sim.customers.population import BRAND_NODE
from sim.engine.rng import derive
from sim.engine.streams import salt
from sim.service.context import Publisher


class Statements:
    """The strategy's public statement, and the posting of any statement."""

    def __init__(
        self,
        ctx: Publisher,
        strategy: StrategyConfig,
        key: int,
        damp: Callable[[list[int], float], None],
    ):
        self.ctx = ctx
        self.strategy = strategy
        self.key = key
        self.damp = damp
        self.posted = False  # whether the strategy's statement went out

    def hourly(self, negative_mentions_last_hour: int, n_ticks: int) -> None:
        """Once an hour: post the statement when the last hour's negative mentions pass the
        threshold (not at the horizon `n_ticks`, where it would come too late to matter)."""
        s, m = self.strategy, self.ctx
        if s.statement_threshold_per_hour <= 0 or self.posted or m.tick >= n_ticks:
            return
        if negative_mentions_last_hour >= s.statement_threshold_per_hour / m.scale:
            self.posted = True
            self.post(derive(self.key, salt("post.statement")))

    def post(self, key: int) -> int:
        """Post a statement with post key `key` now and damp the incident cascades; its id."""
        m = self.ctx
        pid = m.diffusion.post(
            m.tick, BRAND_NODE, "brand_statement", 1, topic=TOPIC_SERVICE, key=key
        )
        m.log_event("brand_statement", BRAND_NODE, pid)
        posts = m.diffusion.posts
        topic, cascade = posts.column("topic"), posts.column("cascade")
        roots = np.flatnonzero((topic == TOPIC_INCIDENT) & (cascade == np.arange(posts.n)))
        self.damp([int(c) for c in roots], m.cfg.diffusion.answered_appeal)
        return pid
