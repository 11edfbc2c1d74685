"""Sentiment toward the brand: exposure, direct experience, service outcomes, churn.

Rules (all keep sentiment in [-1, 1]):

* Exposure: seeing a post of valence x by author a moves s toward x by
  `rate * susceptibility * trust(a) * bias(x) * (x - s)`, with bias(-1) = negativity_bias.
* Incident: a victim's sentiment drops by `incident_hit * severity` at once.
* Service: a public reply after d minutes adds `reply_gain * exp(-d / response_decay_min)`
  (a canned reply adds `canned_gain`); a resolution after T minutes pulls s toward +1 by
  `recovery_gain * speed(T)` with `speed(T) = floor + (1 - floor) * exp(-T / decay)`, so a fast
  resolution can leave a complainer above where they started (service-recovery paradox).
* Neglect: every follow-up complaint of an ignored customer costs `neglect_penalty`.
* Churn at the end: a customer below `churn_threshold` leaves with probability rising linearly to
  `churn_prob_max` at -1, decided by a keyed draw per person (common to all strategies).
"""

from __future__ import annotations

import math

import numpy as np

from sim.config.schema import ROLES, OpinionConfig, PopulationConfig
from sim.customers.population import BRAND_NODE, Population


class Opinion:
    """Holds the sentiment array and applies the update rules."""

    def __init__(self, cfg: OpinionConfig, pop: Population):
        self.cfg = cfg
        self.pop = pop
        self.s = pop.sentiment0.copy()
        trust = np.array([cfg.role_trust[r] for r in ROLES])[pop.role]
        trust[BRAND_NODE] = cfg.brand_trust
        self.trust = trust
        self._coef = cfg.rate * pop.susceptibility
        self._customers: np.ndarray | None = None  # indices of customers, for mean()
        self._customers_of: np.ndarray | None = None

    def expose(self, viewers: np.ndarray, authors: np.ndarray, valence: np.ndarray) -> None:
        """Pull viewers toward the valence of what they saw (vectorised, repeats allowed)."""
        cfg = self.cfg
        bias = np.where(valence < 0, cfg.negativity_bias, 1.0)
        w = self._coef[viewers] * self.trust[authors] * bias
        np.minimum(w, 1.0, out=w)
        delta = w * (valence - self.s[viewers])
        np.add.at(self.s, viewers, delta)
        # only viewers moved; every other entry is already in [-1, 1]
        self.s[viewers] = np.clip(self.s[viewers], -1.0, 1.0)

    def shift(self, people, amount: float) -> None:
        """Add `amount` to the sentiment of `people` (clipped)."""
        self.s[people] = np.clip(self.s[people] + amount, -1.0, 1.0)

    def incident_hit(self, people, severity: float) -> None:
        """Direct experience of a service failure."""
        self.shift(people, -self.cfg.incident_hit * severity)

    def speed(self, minutes: float) -> float:
        """Value of an answer given after `minutes`: 1 when instant, falling to the floor."""
        c = self.cfg
        return c.recovery_floor + (1 - c.recovery_floor) * math.exp(-minutes / c.response_decay_min)

    def replied(self, person: int, minutes: float, canned: bool) -> None:
        """Effect of a public reply `minutes` after the complaint."""
        c = self.cfg
        gain = c.canned_gain if canned else c.reply_gain * math.exp(-minutes / c.response_decay_min)
        self.shift(person, gain)

    def resolution_pull(self, minutes: float, compensation: float = 0.0) -> float:
        """How far toward +1 (0 to 1) a resolution after `minutes` moves sentiment."""
        c = self.cfg
        pull = min(1.0, c.recovery_gain * self.speed(minutes))
        return min(1.0, pull + c.compensation_gain * min(1.0, compensation / 100.0))

    def resolved(self, person: int, minutes: float, compensation: float = 0.0) -> None:
        """Effect of a resolution `minutes` after the complaint (can overshoot the start)."""
        pull = self.resolution_pull(minutes, compensation)
        s = self.s[person]
        self.s[person] = s + pull * (1.0 - s)

    def mean(self, customers_only: bool = True) -> float:
        """Mean sentiment (of customers by default)."""
        if customers_only:
            if self._customers is None or self._customers_of is not self.pop.is_customer:
                self._customers_of = self.pop.is_customer
                self._customers = np.flatnonzero(self.pop.is_customer)
            # same elements in the same order as s[is_customer], without a full boolean pass
            return float(self.s.take(self._customers).mean()) if self._customers.size else 0.0
        return float(self.s.mean())


def churn(
    s: np.ndarray, is_customer: np.ndarray, u: np.ndarray, cfg: PopulationConfig
) -> np.ndarray:
    """Customers who leave, given final sentiment `s` and one uniform `u` per person."""
    thr = cfg.churn_threshold
    p = cfg.churn_prob_max * np.clip((thr - s) / (1.0 + thr), 0.0, 1.0)
    return is_customer & (u < p)
