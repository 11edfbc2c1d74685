"""Build a RunConfig from the presets in `conf/` as the command line does.

The dashboard and the teaching figures offer the presets of `conf/scenario/` and `conf/strategy/`
by name; this module composes them with `sim.config.presets` (the one preset module: a preset
means the same thing here as in `python -m experiments.run`) and checks the result with
`RunConfig.from_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.config import presets
from sim.config.schema import RunConfig


def preset_names(group: str) -> list[str]:
    """Names of the presets in a config group (`scenario`, `strategy`, `network`)."""
    return presets.names(group)


def compose_run_config(
    scenario: str = "united_sarver",
    strategy: str = "ignore",
    population: int = 10_000,
    seed: int = 1,
    strategy_overrides: Mapping[str, Any] | None = None,
    overrides: list[str] | tuple[str, ...] = (),
) -> RunConfig:
    """Compose `conf/config.yaml` with presets and overrides into a checked RunConfig.

    Args:
        scenario: a preset of `conf/scenario/`.
        strategy: a preset of `conf/strategy/`.
        population: simulated people.
        seed: root seed of the run.
        strategy_overrides: knobs of the strategy to set on top of the preset.
        overrides: further overrides (`key=value`).

    Returns:
        The checked RunConfig.
    """
    values = {"population.size": int(population), "seed": int(seed)}
    values.update({f"strategy.{k}": v for k, v in (strategy_overrides or {}).items()})
    values.update(presets.parse_overrides(overrides))
    return RunConfig.from_dict(presets.compose(scenario, strategy, overrides=values))
