"""Warm workers for Hydra's joblib launcher: start them while Hydra prepares the sweep.

A joblib worker is a fresh Python process: before its first job it imports Hydra, Mesa, numba and
matplotlib and loads the compiled kernels from numba's cache, about two seconds on a small
machine. Hydra, meanwhile, composes and checks every job's config in the main process before it
hands the first one to the launcher. `warm_workers` overlaps the two: as soon as the command
line has been read (it is checked meanwhile; a refused one stops the workers) it starts the
launcher's own worker pool (the same `joblib.Parallel` arguments, so joblib reuses the pool for
the sweep) and has each worker import what a job needs and run one tiny simulation. Nothing of
the sweep's results depends on it; if anything goes wrong the warm-up is skipped and the
launcher starts its workers as usual.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.config.schema import RUN_SECTIONS

log = logging.getLogger(__name__)

# The fields of the joblib launcher's config, which it passes to joblib.Parallel.
JOBLIB_FIELDS = (
    "n_jobs",
    "backend",
    "prefer",
    "require",
    "verbose",
    "timeout",
    "pre_dispatch",
    "batch_size",
    "temp_folder",
    "max_nbytes",
    "mmap_mode",
)
TINY_SIZE = 2_000  # people in the warm-up run
TINY_HORIZON_H = 2.0  # simulated hours of the warm-up run


def joblib_arguments(launcher: DictConfig) -> dict[str, Any]:
    """The keyword arguments of `joblib.Parallel` that the joblib launcher's config describes.

    The config's fields are joblib's own (joblib's public API); numbers given as text
    ("2", as `pre_dispatch` may be) become integers, and the backend is loky, the launcher's.
    """
    data = OmegaConf.to_container(launcher, resolve=True)
    args = {k: data[k] for k in JOBLIB_FIELDS}
    args["backend"] = "loky"
    for key in ("pre_dispatch", "batch_size", "max_nbytes"):
        value = args.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            args[key] = int(value)
    return args


def tiny_run_config(cfg: DictConfig) -> dict[str, Any] | None:
    """A small, short copy of a run config for the warm-up; None if the app runs no simulation."""
    if not all(k in cfg for k in ("scenario", "strategy", "population", "network")):
        return None
    if cfg.network.get("kind") == "edgelist":
        return None  # loading the user's file is no warm-up
    data = {
        k: OmegaConf.to_container(cfg[k], resolve=True) if OmegaConf.is_config(cfg[k]) else cfg[k]
        for k in RUN_SECTIONS
        if k in cfg
    }
    data["population"]["size"] = TINY_SIZE
    data["scenario"]["horizon_h"] = TINY_HORIZON_H
    return data


def _warm(modules: tuple[str, ...], tiny: dict[str, Any] | None) -> int:
    """Runs in a worker: import what the jobs need and load the compiled kernels."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a warm-up must never fail the sweep
            pass
    if tiny is not None:
        try:
            from sim.engine.runner import run

            run(tiny)
        except Exception:  # noqa: BLE001
            pass
    return os.getpid()


def warm_workers(
    config_dir: str, config_name: str, job_overrides: Sequence[str]
) -> threading.Thread | None:
    """Start the joblib launcher's workers in the background, if this multirun uses that launcher.

    Args:
        config_dir: absolute path of the config directory.
        config_name: the app's primary config.
        job_overrides: the overrides of one job of the sweep (no sweep syntax), launcher included.

    Returns:
        The background thread (a daemon), or None when there is nothing to warm.
    """
    if os.environ.get("SIM_NO_WARM_WORKERS", "") not in ("", "0"):
        return None
    try:
        from hydra import compose, initialize_config_dir

        with initialize_config_dir(version_base="1.3", config_dir=config_dir, job_name="warm"):
            cfg = compose(config_name, list(job_overrides), return_hydra_config=True)
        if not all(k in cfg.hydra.launcher for k in JOBLIB_FIELDS):
            return None  # not the joblib launcher: its jobs are no workers of ours
        args = joblib_arguments(cfg.hydra.launcher)
        tiny = tiny_run_config(cfg)
    except Exception as exc:  # noqa: BLE001 - no warm-up, the launcher starts its workers itself
        log.debug("no warm workers: %s", exc)
        return None
    modules = tuple(
        m
        for m in (
            "experiments.common",
            "hydra.core.utils",
            "sim.engine.runner",
            "matplotlib.pyplot" if cfg.get("figures") else None,
        )
        if m
    )

    def start() -> None:
        from joblib import Parallel, delayed, effective_n_jobs

        try:
            n = effective_n_jobs(args.get("n_jobs", -1))
            Parallel(**args)(delayed(_warm)(modules, tiny) for _ in range(n))
        except Exception as exc:  # noqa: BLE001
            log.debug("warm-up of the workers failed: %s", exc)

    thread = threading.Thread(target=start, name="warm-workers", daemon=True)
    thread.start()
    return thread


def stop_workers(wait: bool = False) -> None:
    """Shut joblib's worker pool down at once (the command line was refused, or the sweep is over).

    Args:
        wait: return only when the workers have ended (kills them rather than waiting for each
            to finish its own slow exit).
    """
    if "joblib.externals.loky.reusable_executor" not in sys.modules:
        return  # no pool was ever started
    try:
        from joblib.externals.loky import reusable_executor

        executor = getattr(reusable_executor, "_executor", None)  # None: no pool was started
        if executor is not None:
            executor.shutdown(wait=wait, kill_workers=True)
    except Exception:  # noqa: BLE001
        pass
