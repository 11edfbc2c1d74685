"""Build a RunConfig from the presets in `conf/` exactly as the command line does.

The dashboard and the teaching figures offer the presets of `conf/scenario/` and `conf/strategy/`
by name; this module composes them with Hydra's compose API (so a preset means the same thing
here as in `python -m experiments.run`) and checks the result with `RunConfig.from_dict`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Mapping

from omegaconf import OmegaConf

from sim.config.schema import RunConfig

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
_LOCK = threading.Lock()


def preset_names(group: str) -> list[str]:
    """Names of the presets in a config group (`scenario`, `strategy`, `network`)."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


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
        overrides: further Hydra overrides (`key=value`).

    Returns:
        The checked RunConfig.
    """
    from hydra import compose, initialize_config_dir

    args = [f"scenario={scenario}", f"strategy={strategy}", f"population.size={int(population)}",
            f"seed={int(seed)}"]
    args += [f"++strategy.{k}={_value(v)}" for k, v in (strategy_overrides or {}).items()]
    args += list(overrides)
    with _LOCK, initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose(config_name="config", overrides=args)
    return RunConfig.from_dict(OmegaConf.to_container(cfg, resolve=True))
