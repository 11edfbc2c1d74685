"""The building blocks of the apps' schemas (`experiments.schemas`): run sections and settings.

The run sections are mirrors of the library's dataclasses (`sim.config.schema`) with nothing set
(`unset`), so Hydra checks names and types while a value counts as set only where a preset, a
primary config or the command line set it. The small dataclasses are the settings groups the apps
share (parameter ranges, objectives, screening and index settings, service levels, animation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, is_dataclass, make_dataclass
from typing import Any, get_type_hints

from sim.config import schema as library
from sim.config.sections import SECTIONS

UNSET = "???"  # OmegaConf's mark of a typed key that nothing set


@functools.cache
def unset(cls: type) -> type:
    """`cls` with the same typed fields, none of them set (nested sections likewise).

    The run sections of every schema are of this kind: Hydra still checks names and types, but
    a value counts as set only where a preset, the primary config or the command line set it, so
    a scenario's `settings` fill in what nobody set (`RunConfig.from_dict`), and the library's
    defaults fill in the rest.
    """
    hints = get_type_hints(cls)
    spec = []
    for f in fields(cls):
        kind = hints[f.name]
        if isinstance(kind, type) and is_dataclass(kind):
            mirror = unset(kind)
            spec.append((f.name, mirror, field(default_factory=mirror)))
        else:
            spec.append((f.name, kind, field(default=UNSET)))
    return make_dataclass(f"Unset{cls.__name__}", spec)


def strip_unset(data: Any) -> Any:
    """Plain data without the keys nothing set."""
    if isinstance(data, dict):
        return {k: strip_unset(v) for k, v in data.items() if not _is_unset(v)}
    if isinstance(data, list):
        return [strip_unset(v) for v in data]
    return data


def _is_unset(value: Any) -> bool:
    return value == UNSET or (
        isinstance(value, dict) and value != {} and all(_is_unset(v) for v in value.values())
    )


# the sections the apps' schemas name one by one (the rest come in ModelSections)
ScenarioConfig = unset(library.ScenarioConfig)
StrategyConfig = unset(library.StrategyConfig)
NetworkConfig = unset(library.NetworkConfig)
# the run sections an app may change besides scenario and strategy, from the one registry
ModelSections = make_dataclass(
    "ModelSections",
    [
        (s.name, unset(s.cls), field(default_factory=unset(s.cls)))
        for s in SECTIONS
        if s.name not in ("scenario", "strategy")
    ],
)


@dataclass
class ParameterRange:
    """One input of a sensitivity or robustness study: a dotted config key and its range."""

    key: str = ""
    low: float = 0.0
    high: float = 1.0
    default: float | None = None  # the base value of a ranking study; None: the config's


@dataclass
class ParameterSet:
    """A file of conf/sensitivity/: named parameter ranges."""

    name: str = "default"
    description: str = ""
    parameters: list[ParameterRange] = field(default_factory=list)


@dataclass
class Objective:
    """A metric a robustness study ranks strategies on, and which way is better."""

    metric: str = "reach_negative"
    better: str = "lower"


@dataclass
class Morris:
    """Morris screening settings."""

    trajectories: int = 10
    levels: int = 4


@dataclass
class Sobol:
    """Sobol index settings."""

    n: int = 64
    second_order: bool = False


@dataclass
class Sla:
    """The service level a staffing search must meet."""

    minutes: float = 60.0
    share: float = 0.8
    max_staff: int = 60


@dataclass
class Animation:
    """The animated GIF of the teaching figures."""

    enabled: bool = True
    hours: float = 24.0
    frame_min: float = 30.0
    fps: int = 4
    dpi: int = 72


@dataclass
class AppSchema:
    """Keys every app has: the root seed and where the compose API writes."""

    seed: int = 1
    output_dir: str | None = None  # the compose API sets it; None: Hydra's run directory
