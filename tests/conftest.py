"""Shared test helpers: small configs built from the real presets in conf/."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sim.config import presets

ROOT = Path(__file__).resolve().parent.parent
CONF = presets.conf_dir()


def load_preset(group: str, name: str) -> dict[str, Any]:
    """A preset of a config group (conf/<group>/<name>.yaml) as a dict."""
    return presets.load(group, name)


def deep_update(base: dict, extra: dict) -> dict:
    """Recursively merge `extra` into a copy of `base`."""
    out = copy.deepcopy(base)
    for k, v in extra.items():
        out[k] = deep_update(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def make_config(scenario: str = "united_sarver", strategy: str = "ignore", size: int = 10_000,
                horizon_h: float | None = 24.0, seed: int = 1, **extra: Any) -> dict[str, Any]:
    """A small run config from real presets; `extra` sections are merged on top."""
    cfg = {
        "seed": seed,
        "scenario": load_preset("scenario", scenario),
        "strategy": load_preset("strategy", strategy),
        "population": {"size": size},
    }
    if horizon_h is not None:
        cfg["scenario"]["horizon_h"] = horizon_h
    return deep_update(cfg, extra)


def compose_config(config_name: str, overrides: list[str] | tuple[str, ...] = (),
                   hydra_config: bool = False):
    """A primary config of conf/ composed with Hydra's compose API, as an entry point would get it.

    Args:
        config_name: e.g. "config", "compare", "sensitivity".
        overrides: command-line style overrides.
        hydra_config: also return Hydra's own node (`hydra.launcher`, `hydra.sweeper`, ...).
    """
    from hydra import compose, initialize_config_dir

    from experiments import schemas

    schemas.register()  # the apps' typed schemas, as the entry points register theirs
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF), job_name="test"):
        return compose(config_name=config_name, overrides=list(overrides),
                       return_hydra_config=hydra_config)


@pytest.fixture
def small_config():
    """Factory fixture: `small_config(strategy="fast_social_care", size=5000)`."""
    return make_config
