"""Scenarios: scaling to the simulated population, the clock, background chatter, incidents.

A scenario describes a real audience of `reference_population` people. A run with a smaller
`population.size` uses the scale factor f = reference_population / size: named accounts' and the
brand's follower counts and the chatter rates are divided by f, and every count metric is
reported twice, raw (simulated people) and `_scaled` (times f, real people).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from sim.config.schema import ChatterConfig, RunConfig, ScenarioConfig
from sim.customers.population import Population

CHATTER_KINDS = {-1: "complaint", 0: "mention", 1: "praise"}


def scale_factor(cfg: RunConfig, n: int | None = None) -> float:
    """Real people per simulated person (1 for a full-size run).

    Args:
        cfg: the run's configuration.
        n: the simulated population if it differs from `population.size` (a loaded edge list).
    """
    return max(1.0, cfg.scenario.reference_population / (n or cfg.population.size))


def named_follower_counts(cfg: RunConfig, n: int) -> list[int]:
    """Follower counts of node 0 (the brand) and the named accounts at this run's scale."""
    f = scale_factor(cfg, n)
    real = [cfg.scenario.brand.followers] + [a.followers for a in cfg.scenario.accounts]
    return [int(min(n - 1, max(1, round(x / f)))) for x in real]


def n_ticks(sc: ScenarioConfig) -> int:
    """Number of ticks in the horizon."""
    return int(round(sc.horizon_h * 60.0 / sc.tick_min))


class Clock:
    """Maps ticks to weekday and minute of day, starting at the scenario's `start`."""

    def __init__(self, sc: ScenarioConfig):
        self.start = datetime.fromisoformat(sc.start)
        self.tick_min = sc.tick_min
        self.start_min_of_week = (
            self.start.weekday() * 1440 + self.start.hour * 60 + self.start.minute
        )

    def at(self, tick: int) -> tuple[int, int]:
        """(weekday 0=Monday, minute of day) at `tick`."""
        m = (self.start_min_of_week + int(tick * self.tick_min)) % 10080
        return m // 1440, m % 1440

    def hour_of_day(self, tick: int) -> float:
        """Hour of the day (0..24) at `tick`."""
        return self.at(tick)[1] / 60.0


_CHATTER = ChatterConfig()  # the defaults of the diurnal rhythm live in the schema


def diurnal(
    hour: np.ndarray,
    amplitude: float = _CHATTER.diurnal_amplitude,
    peak_h: float = _CHATTER.diurnal_peak_h,
) -> np.ndarray:
    """Relative posting activity by hour of day (by default peak 16:00, trough 04:00).

    Args:
        hour: hours of the day (0..24).
        amplitude: relative swing (`scenario.chatter.diurnal_amplitude`).
        peak_h: hour of the peak (`scenario.chatter.diurnal_peak_h`).
    """
    return 1.0 + amplitude * np.cos(2.0 * np.pi * (hour - peak_h) / 24.0)


def chatter_shape(ch: ChatterConfig, hour: np.ndarray) -> np.ndarray:
    """The chatter's relative rate in each hour: the diurnal rhythm if `ch.diurnal`, else flat."""
    if not ch.diurnal:
        return np.ones_like(hour)
    return diurnal(hour, ch.diurnal_amplitude, ch.diurnal_peak_h)


def author_weights(pop: Population, ch: ChatterConfig, valence: int) -> np.ndarray:
    """How likely each person is to author a background post of `valence` (not normalised).

    Posting propensity times activity, times `ch.non_customer_weight` for non-customers; for a
    valenced post also times the mood 1 - valence * sentiment, at least `ch.mood_floor`.
    """
    outsider = np.where(pop.is_customer, 1.0, ch.non_customer_weight)
    base = pop.post_propensity * pop.activity * outsider
    if not valence:
        return base * np.maximum(np.ones(pop.size), ch.mood_floor)
    return base * np.maximum(1.0 - valence * pop.sentiment0, ch.mood_floor)


@dataclass
class Chatter:
    """Background posts fixed before the run: the same under every strategy."""

    tick: np.ndarray  # int64, sorted
    author: np.ndarray  # int64
    valence: np.ndarray  # int8


def chatter_schedule(
    cfg: RunConfig, pop: Population, clock: Clock, rng: np.random.Generator
) -> Chatter:
    """Draw the background brand mentions of the whole run (Poisson by hour, diurnal rhythm).

    Complaints come mostly from unhappy customers, praise from happy ones; posting propensity and
    activity (and so the roles) make some people post much more than others.
    """
    sc, ch = cfg.scenario, cfg.scenario.chatter
    f = scale_factor(cfg, pop.size)
    total = n_ticks(sc)
    ticks_per_hour = max(1, int(round(60.0 / sc.tick_min)))
    hours = np.arange(math.ceil(total / ticks_per_hour))
    hod = np.array([clock.hour_of_day(int(h) * ticks_per_hour) for h in hours])
    shape = chatter_shape(ch, hod)
    n_fixed = 1 + len(sc.accounts)
    parts = []
    for valence, rate in (
        (-1, ch.negative_per_hour),
        (0, ch.neutral_per_hour),
        (1, ch.positive_per_hour),
    ):
        if rate <= 0:
            continue
        counts = rng.poisson(rate / f * shape)
        k = int(counts.sum())
        if k == 0:
            continue
        ticks = np.repeat(hours * ticks_per_hour, counts) + rng.integers(0, ticks_per_hour, size=k)
        w = author_weights(pop, ch, valence)
        w[:n_fixed] = 0.0
        authors = rng.choice(pop.size, size=k, p=w / w.sum())
        parts.append((ticks, authors, np.full(k, valence, dtype=np.int8)))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Chatter(empty, empty, np.zeros(0, dtype=np.int8))
    tick = np.concatenate([p[0] for p in parts])
    author = np.concatenate([p[1] for p in parts])
    valences = np.concatenate([p[2] for p in parts])
    keep = tick < total
    order = np.argsort(tick[keep], kind="stable")
    return Chatter(
        tick[keep][order].astype(np.int64),
        author[keep][order].astype(np.int64),
        valences[keep][order],
    )


def incident_victims(cfg: RunConfig, pop: Population, rng: np.random.Generator) -> list[np.ndarray]:
    """For each incident, the further customers it hits directly (beyond the named complainers)."""
    f = scale_factor(cfg, pop.size)
    n_fixed = 1 + len(cfg.scenario.accounts)
    pool = np.flatnonzero(pop.is_customer[n_fixed:]) + n_fixed
    out = []
    for inc in cfg.scenario.incidents:
        k = min(pool.size, int(round(inc.victims / f)))
        out.append(
            np.sort(rng.choice(pool, size=k, replace=False))
            if k > 0
            else np.zeros(0, dtype=np.int64)
        )
    return out
