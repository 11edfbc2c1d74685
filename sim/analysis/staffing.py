"""Staffing for a service level: the smallest desk of a strategy that answers in time.

`staff_for_sla` bisects over whole numbers of staff on replicated runs with common random numbers
(`experiments.calibrate staffing=true`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.calibration import with_values
from sim.analysis.replay import replicate


def staff_for_sla(
    documented: Mapping[str, Any],
    seeds: Sequence[int],
    *,
    minutes: float,
    share: float,
    low: int = 1,
    high: int = 100,
    n_jobs: int = 1,
    metric: str = "workload_sla_met_share",
) -> tuple[int | None, pd.DataFrame]:
    """The smallest staff whose replicate-mean share answered within `minutes` reaches `share`.

    The share answered in time grows with the staff, so a bisection over whole numbers of staff
    finds the answer in about log2(high - low) replicated evaluations (common random numbers: the
    same seeds for every staff level).

    Returns:
        (staff, table of the levels tried with their mean share); staff is None if even `high`
        misses.
    """
    tried: dict[int, float] = {}

    def mean_share(staff: int) -> float:
        if staff not in tried:
            cfg = with_values(
                documented, {"strategy.staff": staff, "strategy.response_target_min": minutes}
            )
            reps = replicate(cfg, None, seeds, n_jobs=n_jobs, reuse=True)
            tried[staff] = float(np.nanmean([r.metrics[metric] for r in reps]))
        return tried[staff]

    if mean_share(high) < share:
        answer = None
    else:
        lo, hi = low, high
        if mean_share(lo) >= share:
            hi = lo
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if mean_share(mid) >= share:
                hi = mid
            else:
                lo = mid
        answer = hi
    table = pd.DataFrame({"staff": list(tried), metric: list(tried.values())}).sort_values("staff")
    return answer, table.reset_index(drop=True)
