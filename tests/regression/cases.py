"""The fixed configs of the regression baseline and how to compute their metrics.

Each case is a scenario preset, a strategy preset, a seed and a population size. The baseline holds
every numeric metric of each case; `tests/regression/test_baseline.py` reruns them and compares.
"""

from __future__ import annotations

import math
from typing import Any

BASELINE_FILE = "baseline.json"

# (scenario, strategy, seed, population size, horizon in hours or None for the scenario's own)
CASES: tuple[tuple[str, str, int, int, float | None], ...] = (
    ("united_sarver", "ignore", 1, 20_000, None),
    ("united_sarver", "fast_social_care", 1, 20_000, None),
    ("united_sarver", "fast_social_care", 2, 20_000, None),
    ("united_sarver", "community_support", 1, 20_000, None),
    ("united_sarver", "integrated_social_crm", 1, 20_000, None),
    ("united_sarver", "chatbot_first", 1, 20_000, None),
    ("united_sarver", "influencer_priority", 3, 20_000, None),
    ("united_sarver", "business_hours", 1, 20_000, None),
    ("united_sarver", "proactive_delight", 1, 20_000, None),
    ("da_grasso_delight", "da_grasso_patrol", 1, 10_000, None),
    ("comcast_cares", "comcast_cares_desk", 1, 10_000, 48.0),
    ("alaska_air_weather", "alaska_web_rebooking", 1, 10_000, 48.0),
    ("united_breaks_guitars", "united_2009", 1, 10_000, 72.0),
)


def case_id(case: tuple) -> str:
    """A readable id: scenario/strategy/seed/size."""
    scenario, strategy, seed, size, _ = case
    return f"{scenario}/{strategy}/s{seed}/n{size}"


def load_preset(group: str, name: str) -> dict[str, Any]:
    """A preset file of conf/ as plain data."""
    from sim.config import presets

    return presets.load(group, name)


def case_config(case: tuple) -> dict[str, Any]:
    """The run config of one case, built from the presets."""
    scenario, strategy, seed, size, horizon = case
    cfg: dict[str, Any] = {
        "seed": seed,
        "scenario": load_preset("scenario", scenario),
        "strategy": load_preset("strategy", strategy),
        "population": {"size": size},
    }
    if horizon is not None:
        cfg["scenario"]["horizon_h"] = horizon
    return cfg


def case_metrics(case: tuple) -> dict[str, float]:
    """Every numeric metric of one case's run."""
    from sim import run

    metrics = run(case_config(case)).metrics
    out: dict[str, float] = {}
    for k, v in sorted(metrics.items()):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        out[k] = float(v) if math.isfinite(float(v)) else str(v)
    return out
