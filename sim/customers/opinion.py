"""Sentiment toward the brand: exposure, direct experience, service outcomes, loyalty, churn.

Two quantities per person. Sentiment `s` is satisfaction: what posts and answers make people feel
and what they pass on. Loyalty is the churn driver: `s` minus the surplus a service recovery put
above the person's pre-problem level, so a recovered complainer is never more loyal than before
the problem (de Matos et al. 2007: the recovery paradox holds for satisfaction, not for
repurchase intention or word of mouth).

Rules (all keep sentiment in [-1, 1]):

* Exposure: seeing a post of valence x by author a moves s toward x by
  `rate * susceptibility * trust(a) * bias(x) * (x - s)`, with bias(-1) = negativity_bias.
* Incident: a victim's sentiment drops by `incident_hit * severity` at once; the sentiment just
  before their first hit is their pre-problem level. People without a hit (a complaint from the
  everyday chatter, whose problem predates the run) have as pre-problem level the customers' mean
  starting sentiment, or their own start where that is higher.
* Service: a public reply after d minutes adds `reply_gain * exp(-d / response_decay_min)`
  (a canned reply adds `canned_gain`), but never lifts s above the pre-problem level; a
  resolution after T minutes pulls s toward +1 by `recovery_gain * speed(T)` with
  `speed(T) = floor + (1 - floor) * exp(-T / decay)`, up to the pre-problem level plus the
  paradox allowance `paradox_max * max(0, 1 - T / paradox_window_min)`: only a fast resolution
  leaves a complainer more satisfied than before (service-recovery paradox, bounded).
* Neglect: every follow-up complaint of an ignored customer costs `neglect_penalty`.
* Churn at the end: a customer whose loyalty is below `churn_threshold` leaves with probability
  rising linearly to `churn_prob_max` at -1, decided by a keyed draw per person (common to all
  strategies).
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
        self.pre, self.surplus = pre_problem_levels(pop)
        self.hit = np.zeros(pop.size, dtype=bool)  # had an incident's direct hit

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

    def value(self, person: int) -> float:
        """The sentiment of one person."""
        return float(self.s[person])

    def set_value(self, person: int, value: float) -> None:
        """Set the sentiment of one person (clipped to [-1, 1])."""
        self.s[person] = min(1.0, max(-1.0, value))

    def incident_hit(self, people, severity: float) -> None:
        """Direct experience of a service failure (the first one fixes the pre-problem level)."""
        people = np.atleast_1d(np.asarray(people, dtype=np.int64))
        first = people[~self.hit[people]]
        if first.size:
            self.pre[first] = self.s[first]
            self.hit[first] = True
        self.shift(people, -self.cfg.incident_hit * severity)

    def speed(self, minutes: float) -> float:
        """Value of an answer given after `minutes`: 1 when instant, falling to the floor."""
        c = self.cfg
        return c.recovery_floor + (1 - c.recovery_floor) * math.exp(-minutes / c.response_decay_min)

    def paradox_allowance(self, minutes: float) -> float:
        """How far above the pre-problem level a resolution after `minutes` may lift sentiment."""
        c = self.cfg
        return c.paradox_max * max(0.0, 1.0 - minutes / c.paradox_window_min)

    def replied(self, person: int, minutes: float, canned: bool) -> None:
        """Effect of a public reply `minutes` after the complaint (up to the pre-problem level)."""
        c = self.cfg
        gain = c.canned_gain if canned else c.reply_gain * math.exp(-minutes / c.response_decay_min)
        self._recover(person, gain, ceiling=float(self.pre[person]))

    def resolution_pull(self, minutes: float, compensation: float = 0.0) -> float:
        """How far toward +1 (0 to 1) a resolution after `minutes` moves sentiment."""
        c = self.cfg
        pull = min(1.0, c.recovery_gain * self.speed(minutes))
        return min(1.0, pull + c.compensation_gain * min(1.0, compensation / 100.0))

    def resolved(self, person: int, minutes: float, compensation: float = 0.0) -> None:
        """Effect of a resolution `minutes` after the complaint (a fast one may overshoot)."""
        s = self.value(person)
        gain = self.resolution_pull(minutes, compensation) * (1.0 - s)
        ceiling = float(self.pre[person]) + self.paradox_allowance(minutes)
        self._recover(person, gain, ceiling)

    def _recover(self, person: int, gain: float, ceiling: float) -> None:
        """Raise sentiment by `gain`, not past `ceiling` (never lowering it); loyalty stays at or
        below the pre-problem level."""
        s = self.value(person)
        self.set_value(person, min(s + gain, max(s, ceiling)))
        over = self.value(person) - float(self.pre[person])
        if over > self.surplus[person]:
            self.surplus[person] = over

    def loyalty(self) -> np.ndarray:
        """The churn driver: sentiment minus the surplus of service recovery over the
        pre-problem level."""
        return np.clip(self.s - self.surplus, -1.0, 1.0)

    def mean(self, customers_only: bool = True) -> float:
        """Mean sentiment (of customers by default)."""
        if customers_only:
            if self._customers is None or self._customers_of is not self.pop.is_customer:
                self._customers_of = self.pop.is_customer
                self._customers = np.flatnonzero(self.pop.is_customer)
            # same elements in the same order as s[is_customer], without a full boolean pass
            return float(self.s.take(self._customers).mean()) if self._customers.size else 0.0
        return float(self.s.mean())


def pre_problem_levels(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Everyone's pre-problem level before any incident (the customers' mean starting sentiment,
    or their own start where higher) and a zero recovery surplus."""
    s0 = pop.sentiment0
    customers = pop.is_customer
    typical = float(s0[customers].mean()) if customers.any() else float(s0.mean())
    return np.maximum(s0, typical), np.zeros(s0.shape[0])


def churn_probability(s: np.ndarray, cfg: PopulationConfig) -> np.ndarray:
    """Probability of leaving over the horizon at loyalty `s`: 0 at the threshold and above,
    rising linearly to `churn_prob_max` at -1."""
    thr = cfg.churn_threshold
    return cfg.churn_prob_max * np.clip((thr - s) / (1.0 + thr), 0.0, 1.0)


def churn(
    s: np.ndarray, is_customer: np.ndarray, u: np.ndarray, cfg: PopulationConfig
) -> np.ndarray:
    """Customers who leave, given loyalty `s` and one uniform `u` per person."""
    return is_customer & (u < churn_probability(s, cfg))
