"""Keyed draws about a case, common to every strategy of a replicate.

A case's draws are keyed by its complaint's post key (post ids differ between strategies once
their posts differ; post keys do not), or by author and post for cases made without a key (direct
contacts of `sim.scenario.scripted`). Each purpose of a draw has a registered name
(`sim.engine.streams.DRAWS`); what varies within a purpose (a follow-up's number) is a separate
part of the key.
"""

from __future__ import annotations

import math

from sim.engine.rng import derive, unit
from sim.engine.streams import salt
from sim.service.cases import Case


class CaseDraws:
    """Uniform numbers and exponential delays about cases, from the desk's key."""

    def __init__(self, key: int):
        self.base = key  # the desk's key (stream "service")

    def case_key(self, case: Case) -> int:
        """The key of every draw about `case` (computed once, kept on the case)."""
        if not case.draw_key:
            case.draw_key = (
                derive(self.base, case.key)
                if case.key
                else derive(self.base, case.author, case.post)
            )
        return case.draw_key

    def key(self, case: Case, name: str, *parts: int) -> int:
        """The key of the draw (or post) `name` about `case`; `parts` vary within the purpose."""
        return derive(self.case_key(case), salt(name), *parts)

    def uniform(self, case: Case, name: str, *parts: int) -> float:
        """A uniform number in [0, 1) about `case` for the draw `name`."""
        return unit(self.key(case, name, *parts))

    def delay_ticks(
        self, case: Case, mean_min: float, tick_min: float, name: str, *parts: int
    ) -> int:
        """An exponential delay of mean `mean_min` minutes, in whole ticks (at least one)."""
        u = self.uniform(case, name, *parts)
        return max(1, math.ceil(-mean_min * math.log(max(1.0 - u, 1e-12)) / tick_min))
