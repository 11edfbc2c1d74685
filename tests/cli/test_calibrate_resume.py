"""A killed calibration, rerun with the same config and run directory, redoes no finished work."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT

SMALL = ["scenario=united_sarver", "size=2000", "scenario.horizon_h=12", "scenario.tick_min=5", "n_jobs=1",
         "figures=false"]


def _start(args: list[str], outdir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "experiments.calibrate", *SMALL, *args, f"hydra.run.dir={outdir}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"finished before the kill: {proc.communicate()[1][-2000:]}"
        assert time.monotonic() < end, "nothing finished in time"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _rerun(args: list[str], outdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "experiments.calibrate", *SMALL, *args, f"hydra.run.dir={outdir}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.slow
def test_killed_point_fit_reuses_its_finished_evaluations(tmp_path):
    args = ["method=point", "replicates=1", "max_evals=8"]
    journal = tmp_path / "evaluations"
    proc = _start(args, tmp_path)
    _kill_when(proc, lambda: len(list(journal.glob("*.json"))) >= 3)
    finished = {p.name: p.read_bytes() for p in journal.glob("*.json")}
    assert not (tmp_path / "fit.json").exists() and (tmp_path / "INCOMPLETE").exists()
    done = _rerun(args, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    fit = json.loads((tmp_path / "fit.json").read_text())
    assert fit["reused_evaluations"] == len(finished)  # every finished one, none run twice
    history = pd.read_csv(tmp_path / "history.csv")
    assert len(history) == fit["evaluations"] and int(history["reused"].sum()) == len(finished)
    assert not history["reused"].iloc[len(finished):].any()  # the rest ran now, after them
    after = {p.name: p.read_bytes() for p in journal.glob("*.json")}
    assert all(after[name] == data for name, data in finished.items())  # untouched
    assert len(after) == fit["evaluations"] and not (tmp_path / "INCOMPLETE").exists()


def _generations(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as con:
            return con.execute(
                "select t, epsilon, nr_samples from populations where t >= 0 order by t"
            ).fetchall()
    except sqlite3.Error:
        return []


@pytest.mark.slow
def test_killed_abc_run_continues_from_its_history(tmp_path):
    pytest.importorskip("pyabc")
    args = ["method=abc", "abc.population=5", "abc.generations=3", "abc.min_epsilon=0",
            "abc.seeds=1", "abc.seed_pool=3", "abc.predictive_draws=2", "abc.predictive_seeds=1"]
    db = tmp_path / "history.db"
    proc = _start(args, tmp_path)
    _kill_when(proc, lambda: len(_generations(db)) >= 1)
    before = _generations(db)
    assert 1 <= len(before) < 3 and not (tmp_path / "posterior.csv").exists()
    done = _rerun(args, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"continued after {len(before)} generation(s)" in done.stdout
    after = _generations(db)
    assert after[: len(before)] == before and len(after) == 3  # kept, then completed
    run_now = sum(n for t, _, n in after if t >= len(before))
    assert f"{run_now} candidates run now" in done.stdout  # the finished generations not redone
    gens = pd.read_csv(tmp_path / "generations.csv")
    assert list(gens["t"]) == [0, 1, 2]
    assert len(pd.read_csv(tmp_path / "posterior.csv")) == 5
    predictive = pd.read_csv(tmp_path / "predictive.csv")
    assert len(predictive) == 1 and (tmp_path / "posterior_summary.yaml").is_file()


def test_abc_without_pyabc_exits_2_naming_the_extra(tmp_path):
    shadow = tmp_path / "shadow" / "pyabc"  # an installation without the extra
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named pyabc')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow.parent), str(ROOT)])}
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.calibrate", "scenario=united_sarver", "method=abc",
         f"hydra.run.dir={tmp_path / 'out'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "pip install -e '.[calibrate]'" in proc.stderr
    # the point fit and compare never import it
    check = subprocess.run(
        [sys.executable, "-c", "import sys, experiments.calibrate, experiments.compare; "
         "assert 'pyabc' not in sys.modules"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stderr[-2000:]
