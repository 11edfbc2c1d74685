"""Keyed draws about a case, common to every strategy of a replicate.

A case's draws are keyed by its complaint's post key (post ids differ between strategies once
their posts differ; post keys do not), or by author and post for cases made without a key (direct
contacts of `sim.scenario.scripted`). Each purpose of a draw has its own salt.
"""

from __future__ import annotations

import math

from sim.engine.rng import derive, keyed_uniform_one
from sim.service.cases import Case


class CaseDraws:
    """Uniform numbers and exponential delays about cases, from the desk's key."""

    def __init__(self, key: int):
        self.key = key

    def case_key(self, case: Case) -> int:
        """The key of every draw about `case`."""
        return derive(self.key, case.key) if case.key else derive(self.key, case.author, case.post)

    def uniform(self, case: Case, salt: int) -> float:
        """A uniform number in [0, 1) about `case`, one per salt."""
        return keyed_uniform_one(self.case_key(case), salt)

    def delay_ticks(self, case: Case, mean_min: float, salt: int, tick_min: float) -> int:
        """An exponential delay of mean `mean_min` minutes, in whole ticks (at least one)."""
        u = self.uniform(case, salt)
        return max(1, math.ceil(-mean_min * math.log(max(1.0 - u, 1e-12)) / tick_min))
