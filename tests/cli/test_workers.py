"""Warm workers of the joblib launcher: the sweep reuses the pool that was started early."""

from __future__ import annotations

import os

import pytest

from experiments.common import CONF_DIR
from experiments.workers import joblib_arguments, tiny_run_config, warm_workers
from tests.conftest import compose_config

pytest.importorskip("hydra_plugins.hydra_joblib_launcher", reason='needs the sweep extra: pip install -e ".[sweep]"')


def _composed(*overrides: str):
    return compose_config("config", overrides, hydra_config=True)


def test_joblib_arguments_are_the_launchers():
    cfg = _composed("hydra/launcher=cores", "hydra.launcher.n_jobs=2")
    args = joblib_arguments(cfg.hydra.launcher)
    assert args["n_jobs"] == 2 and args["backend"] == "loky" and args["batch_size"] == 1
    assert "_target_" not in args


def test_tiny_run_is_small_and_runs():
    from sim.engine.runner import run

    cfg = _composed("strategy=fast_social_care")
    tiny = tiny_run_config(cfg)
    assert tiny["population"]["size"] <= 5_000 and tiny["scenario"]["horizon_h"] <= 6
    assert "hydra" not in tiny and "figures" not in tiny
    assert run(tiny).metrics["complaints"] >= 0
    assert tiny_run_config(_composed("network=edgelist", "network.path=x.txt")) is None


def test_basic_launcher_starts_no_workers():
    assert warm_workers(str(CONF_DIR), "config", ["strategy=ignore"]) is None


def test_the_sweep_reuses_the_warm_pool():
    from joblib import Parallel, delayed

    overrides = ["hydra/launcher=cores", "hydra.launcher.n_jobs=2", "population.size=3000"]
    thread = warm_workers(str(CONF_DIR), "config", overrides)
    assert thread is not None
    thread.join(timeout=120)
    assert not thread.is_alive()
    from joblib.externals.loky import reusable_executor

    warm = reusable_executor._executor
    assert warm is not None
    warm_pids = set(warm._processes)
    # what Hydra's joblib launcher then does: Parallel with the launcher's own arguments
    args = joblib_arguments(_composed(*overrides).hydra.launcher)
    pids = set(Parallel(**args)(delayed(os.getpid)() for _ in range(8)))
    assert reusable_executor._executor is warm
    assert pids <= warm_pids, (pids, warm_pids)
