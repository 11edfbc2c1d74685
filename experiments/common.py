"""Shared plumbing of the Hydra apps: quiet logging, user errors with exit status 2, paths."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError, RunConfig
from sim.network import NetworkError

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
GROUPS = ("scenario", "strategy", "network")
USER_ERRORS = (ConfigError, NetworkError, FileNotFoundError)


def quiet_mesa() -> None:
    """Mesa logs every step at INFO under Hydra; keep it to warnings."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    logging.getLogger("mesa").setLevel(logging.WARNING)


def choices(group: str) -> list[str]:
    """Preset names available in a config group."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def fail(message: str) -> None:
    """Print a one-paragraph user error and exit with status 2."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def check_group_overrides(argv: list[str]) -> None:
    """Refuse unknown preset names (strategy=..., scenario=...) before Hydra starts."""
    for arg in argv:
        if "=" not in arg or arg.startswith(("-", "+", "~", "hydra")):
            continue
        key, value = arg.split("=", 1)
        if key in GROUPS:
            names = [v.strip() for v in value.split(",")] if "," in value and "(" not in value else [value]
            for name in names:
                if name and name not in choices(key) and name != "all":
                    fail(f"'{key}={name}' names no preset: {key} must be one of "
                         f"{', '.join(choices(key))} (files in conf/{key}/).")


def debug() -> bool:
    """Whether to show tracebacks of user errors (HYDRA_FULL_ERROR=1 or SIM_DEBUG=1)."""
    return os.environ.get("HYDRA_FULL_ERROR") == "1" or os.environ.get("SIM_DEBUG") == "1"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn configuration and input errors into a clear message and exit status 2."""
    try:
        yield
    except USER_ERRORS as exc:
        if debug():
            raise
        fail(str(exc))


def run_config(cfg: DictConfig) -> RunConfig:
    """The checked RunConfig inside a composed Hydra config."""
    return RunConfig.from_dict(OmegaConf.to_container(cfg, resolve=True))


def output_dir(cfg: DictConfig) -> Path:
    """`output_dir` if the config sets it (compose API), else Hydra's run directory."""
    if cfg.get("output_dir"):
        return Path(cfg.output_dir)
    from hydra.core.hydra_config import HydraConfig

    return Path(HydraConfig.get().runtime.output_dir)


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """The composed config as plain data without Hydra's own node."""
    data = OmegaConf.to_container(cfg, resolve=True)
    data.pop("hydra", None)
    return data
