"""Same config and seed, same bytes: across repeated runs, a fresh process, launchers and workers.

What must be identical: `events.parquet` and `timeseries.csv` byte for byte, and `metrics.json`
byte for byte once its `provenance` object is set aside (provenance records when and where a
result was made, e.g. whether the checkout had uncommitted changes). The provenance fields that
identify the computation (seed, entropy, config hash, versions) must match as well.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, compose_config

OVERRIDES = ["strategy=fast_social_care", "population.size=6000", "scenario.horizon_h=12",
             "progress=false", "figures=false"]
IDENTITY = ("seed", "seed_entropy", "config_hash", "package_version", "packages", "python")


def metrics_without_provenance(path: Path) -> tuple[bytes, dict]:
    """metrics.json's bytes with the provenance object removed, and that object."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    prov = data.pop("provenance")
    start = text.index('  "provenance": {')
    end = text.index("\n  }", start) + len("\n  }")
    end += 2 if text[end:end + 2] == ",\n" else 0
    stripped = text[:start] + text[end:]
    assert json.loads(stripped) == data  # exactly the provenance object was removed
    return stripped.encode("utf-8"), prov


def assert_same_results(a: Path, b: Path) -> None:
    for name in ("events.parquet", "timeseries.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, pa = metrics_without_provenance(a / "metrics.json")
    mb, pb = metrics_without_provenance(b / "metrics.json")
    assert ma == mb
    for key in IDENTITY:
        assert pa[key] == pb[key], key


def run_in_process(outdir: Path, extra: list[str] = ()) -> Path:
    from experiments.run import execute

    execute(compose_config("config", [*OVERRIDES, *extra, f"output_dir={outdir}"]))
    return outdir


def run_cli(args: list[str], timeout: float = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "SIM_DEBUG")}
    out = subprocess.run([sys.executable, "-m", "experiments.run", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    return run_in_process(tmp_path_factory.mktemp("reference"), ["seed=7"])


def test_repeated_runs_give_identical_bytes(reference, tmp_path):
    again = run_in_process(tmp_path / "again", ["seed=7"])
    assert_same_results(reference, again)
    events = (reference / "events.parquet").stat().st_size
    assert events > 1000  # a run with real content, not two empty files


def test_another_seed_gives_other_results(reference, tmp_path):
    other = run_in_process(tmp_path / "other", ["seed=8"])
    assert (other / "events.parquet").read_bytes() != (reference / "events.parquet").read_bytes()
    assert metrics_without_provenance(other / "metrics.json")[0] != metrics_without_provenance(reference / "metrics.json")[0]


def test_fresh_process_gives_identical_bytes(reference, tmp_path):
    out = tmp_path / "fresh"
    run_cli([*OVERRIDES, "seed=7", f"hydra.run.dir={out}"])
    assert_same_results(reference, out)


def test_provenance_is_complete_and_matches_the_config(reference):
    from sim.outputs.provenance import config_hash
    from sim.engine.runner import as_run_config

    _, prov = metrics_without_provenance(reference / "metrics.json")
    import yaml

    resolved = yaml.safe_load((reference / "config.yaml").read_text())
    assert prov["config_hash"] == config_hash(as_run_config(resolved).to_dict())
    assert prov["seed"] == 7 and prov["seed_entropy"] == "7"
    assert prov["git_commit"] is None or len(prov["git_commit"]) == 40
    assert isinstance(prov["git_dirty"], (bool, type(None)))
    assert prov["packages"]["mesa"].startswith("3.3") and prov["python"].startswith("3.11")


def _launcher_installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"hydra_plugins.{name}") is not None


def _sweep_jobs(sweep: Path) -> dict[int, Path]:
    jobs = {}
    for metrics in sweep.glob("*/metrics.json"):
        jobs[json.loads(metrics.read_text())["provenance"]["seed"]] = metrics.parent
    return jobs


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[int, Path]:
    return {seed: run_in_process(tmp_path_factory.mktemp(f"ref{seed}"), [f"seed={seed}"]) for seed in (7, 8)}


LAUNCHERS = [
    ("hydra_joblib_launcher", ["hydra/launcher=joblib", "hydra.launcher.n_jobs=1"]),
    ("hydra_joblib_launcher", ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]),
    ("hydra_submitit_launcher", ["hydra/launcher=submitit_local", "hydra.launcher.timeout_min=30",
                                 "hydra.sweeper.max_batch_size=2"]),
]


@pytest.mark.slow
@pytest.mark.parametrize(("plugin", "launcher"), LAUNCHERS, ids=["joblib-1-worker", "joblib-2-workers", "submitit-local"])
def test_launchers_and_worker_counts_give_identical_bytes(references, tmp_path, plugin, launcher):
    if not _launcher_installed(plugin):
        pytest.skip(f"{plugin} is not installed (pip install -e '.[sweep]')")
    sweep = tmp_path / "sweep"
    run_cli(["-m", *launcher, *OVERRIDES, "seed=7,8", f"hydra.sweep.dir={sweep}"], timeout=1800)
    jobs = _sweep_jobs(sweep)
    assert sorted(jobs) == [7, 8]
    for seed, job in jobs.items():
        assert not (job / "INCOMPLETE").exists()
        assert_same_results(references[seed], job)
