"""Keyed draws about a case, common to every strategy of a replicate.

A case's draws are keyed by its complaint's post key (post ids differ between strategies once
their posts differ; post keys do not), or by author and post for cases made without a key (direct
contacts of `sim.scenario.scripted`). Each purpose of a draw has a registered name
(`sim.engine.streams.DRAWS`); what varies within a purpose (a follow-up's number) is a separate
part of the key.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.rng import derive, derive_array, unit, unit_array
from sim.engine.streams import salt
from sim.service.cases import Case

# the draws nearly every case of the unseen workload makes, drawn for all of them at once
AHEAD: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("case.patience", ()),
    ("listening.delay", (0,)),
    ("staff.handling", ()),
    ("staff.resolves", ()),
    ("bot.resolves", ()),
    ("community.wait", ()),
    ("community.resolves", ()),
)
_AHEAD_INDEX = {draw: i for i, draw in enumerate(AHEAD)}


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
        if case.drawn is not None:
            i = _AHEAD_INDEX.get((name, parts))
            if i is not None:
                return case.drawn[i]
        return unit(self.key(case, name, *parts))

    def draw_ahead(self, cases: list[Case]) -> None:
        """Draw the `AHEAD` uniforms of many cases in arrays (the numbers `uniform` would give)."""
        if not cases:
            return
        raw = np.array([c.key for c in cases], dtype=np.uint64)
        if raw.all():  # every case keyed: `case_key` for all of them in arrays
            keys = derive_array(self.base, raw)
            for case, key in zip(cases, keys.tolist(), strict=True):
                case.draw_key = key
        else:
            keys = np.array([self.case_key(c) for c in cases], dtype=np.uint64)
        columns = [unit_array(derive_array(keys, salt(name), *parts)) for name, parts in AHEAD]
        for case, row in zip(cases, np.column_stack(columns).tolist(), strict=True):
            case.drawn = row

    def delay_ticks(
        self, case: Case, mean_min: float, tick_min: float, name: str, *parts: int
    ) -> int:
        """An exponential delay of mean `mean_min` minutes, in whole ticks (at least one)."""
        u = self.uniform(case, name, *parts)
        return max(1, math.ceil(-mean_min * math.log(max(1.0 - u, 1e-12)) / tick_min))
