"""What a sweep spends outside its jobs: the checked sweeper and its grid, the pre-flight shortcut, the exit."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

from experiments.common import preflight
from experiments.hydra_adapter import grid_jobs
from experiments.hydra_adapter import with_one_value_changed as _with_one_value_changed
from hydra_plugins.socialcare_sim import checked_sweeper
from tests.conftest import compose_config

ROOT = Path(__file__).resolve().parents[2]
BASE = ["strategy=ignore", "strategy.staff=2", "seed=0"]


def _compose(overrides: list[str]):
    return compose_config("config", overrides)


class _CountingLoader:
    def __init__(self) -> None:
        self.calls = 0

    def load_sweep_config(self, master_config, sweep_overrides):
        self.calls += 1


@pytest.fixture
def counting_sweeper(monkeypatch):
    monkeypatch.delenv(checked_sweeper.CHECKED_ENV, raising=False)
    # Hydra's plugin discovery re-executes plugin modules: take the class the module holds now
    sweeper = checked_sweeper.CheckedSweeper()
    sweeper.config_loader = _CountingLoader()
    sweeper.config = OmegaConf.create({})
    return sweeper


def test_sweeper_composes_every_job_unless_the_command_line_was_checked(counting_sweeper):
    batch = [["seed=1"], ["seed=2"], ["seed=3"]]
    counting_sweeper.validate_batch_is_legal(batch)
    assert counting_sweeper.config_loader.calls == 3  # outside our entry points: Hydra's check
    checked_sweeper.set_command_line_checked()
    counting_sweeper.validate_batch_is_legal(batch)
    assert counting_sweeper.config_loader.calls == 3  # checked before Hydra started: no second pass
    counting_sweeper.validate_every_job = True
    counting_sweeper.validate_batch_is_legal(batch)
    assert counting_sweeper.config_loader.calls == 6


def test_mark_of_a_checked_command_line_is_not_inherited(monkeypatch):
    monkeypatch.setenv(checked_sweeper.CHECKED_ENV, str(os.getpid() + 1))  # a parent's mark
    assert not checked_sweeper.command_line_checked()


def test_the_run_config_uses_the_checked_sweeper():
    cfg = compose_config("config", hydra_config=True)
    assert cfg.hydra.sweeper._target_.endswith("CheckedSweeper")
    assert cfg.hydra.sweeper.validate_every_job is False


def test_grid_jobs_are_the_product_in_command_line_order():
    jobs, swept = grid_jobs(["strategy=ignore,fast_social_care", "population.size=3000",
                             "strategy.staff=range(1,3)", "seed=5,6"])
    assert swept == ["strategy", "strategy.staff", "seed"]
    assert jobs == [["strategy=" + s, "population.size=3000", f"strategy.staff={n}", f"seed={r}"]
                    for s in ("ignore", "fast_social_care") for n in (1, 2) for r in (5, 6)]
    # a key given twice keeps its first place and its last values
    assert grid_jobs(["seed=1,2", "progress=0", "seed=7"])[0] == [["seed=7", "progress=0"]]


def test_grid_jobs_refuse_an_interval_sweep():
    with pytest.raises(ValueError, match="interval"):
        grid_jobs(["diffusion.attention=interval(0.1,0.9)"])


def test_the_sweeper_numbers_jobs_in_grid_order_in_batches(tmp_path):
    """A real multirun in batches of three: job n of the sweep runs the n-th grid point."""
    sweep = ["strategy.staff=1,3", "seed=range(2)"]
    out = tmp_path / "sweep"
    child = subprocess.run(
        [sys.executable, "-m", "experiments.run", "-m", *sweep, "strategy=fast_social_care",
         "population.size=3000", "scenario.horizon_h=2", "progress=false", "figures=false",
         "hydra.sweeper.max_batch_size=3", f"hydra.sweep.dir={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-3000:]
    expected, _ = grid_jobs([*sweep, "strategy=fast_social_care", "population.size=3000",
                             "scenario.horizon_h=2", "progress=false", "figures=false"])
    for num, job in enumerate(expected):
        recorded = yaml.safe_load((out / str(num) / ".hydra" / "overrides.yaml").read_text())
        assert recorded == job, num
        assert (out / str(num) / "metrics.json").is_file()
    assert (out / "multirun.yaml").is_file() and not (out / str(len(expected))).exists()


@pytest.mark.parametrize("before, after", [
    ("seed=0", "seed=3"), ("strategy.staff=2", "strategy.staff=4"),
    ("population.size=100000", "population.size=5000"),
    ("scenario.horizon_h=72", "scenario.horizon_h=12.5"),
    ("strategy.triage=fifo", "strategy.triage=influence"), ("progress=true", "progress=false"),
    ("figures=false", "figures=true"), ("network.exponent=2.3", "network.exponent=2.5"),
    ("strategy.shift=24/7", "strategy.shift='mon-fri 09:00-17:00'"),
])
def test_one_value_changed_equals_hydras_composition(before, after):
    base_overrides = ["strategy=ignore", before]
    base = (base_overrides, _compose(base_overrides))
    shortcut = _with_one_value_changed(base, ["strategy=ignore", after])
    assert shortcut is not None
    expected = _compose(["strategy=ignore", after])
    assert OmegaConf.to_container(shortcut) == OmegaConf.to_container(expected)
    assert OmegaConf.to_container(base[1]) == OmegaConf.to_container(_compose(base_overrides))


@pytest.mark.parametrize("before, after", [
    ("strategy=ignore", "strategy=fast_social_care"),  # a preset: composed by Hydra
    ("strategy.staff=2", "strategy.staff=[1,2]"),  # not a plain value
    ("seed=1", "strategy.no_such_key=1"),  # Hydra explains the unknown key
    ("seed=1", "+extra=1"),  # adds a key
    ("seed=1", "~figures"),  # deletes one
    ("seed=1", "population=5"),  # a whole section
])
def test_anything_but_one_plain_value_is_composed(before, after):
    base = ([before], _compose([before]))
    assert _with_one_value_changed(base, [after]) is None


def test_two_changed_values_are_composed():
    assert _with_one_value_changed((BASE, _compose(BASE)), ["strategy=ignore", "strategy.staff=4", "seed=1"]) is None


def test_preflight_still_refuses_a_bad_swept_value():
    from experiments.common import UserError
    from sim.errors import ConfigError

    with pytest.raises((UserError, ConfigError), match="staff"):
        preflight(["-m", "strategy.staff=2,-4", "seed=1,2"])


def _processes_tagged(tag: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if f"SIM_TEST_TAG={tag}".encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc to find processes")
def test_quick_exit_of_a_parallel_sweep_leaves_no_process_and_no_warning(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    tag = uuid.uuid4().hex
    env = {**os.environ, "SIM_TEST_TAG": tag, "PYTHONWARNINGS": "default"}
    env.pop("SIM_SLOW_EXIT", None)
    out = tmp_path / "sweep"
    child = subprocess.run(
        [sys.executable, "-m", "experiments.run", "-m", "hydra/launcher=cores",
         "hydra.launcher.n_jobs=2", "seed=1,2", "population.size=3000", "scenario.horizon_h=6",
         "progress=false", "figures=false", f"hydra.sweep.dir={out}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-3000:]
    assert sorted(p.parent.name for p in out.glob("*/metrics.json")) == ["0", "1"]
    assert "leaked" not in child.stderr and "resource_tracker" not in child.stderr, child.stderr
    assert _processes_tagged(tag) == []  # no worker (nor resource tracker) outlives the sweep
