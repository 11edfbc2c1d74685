"""Long studies resume after a kill: finished evaluations are kept in the run directory.

Real kills: the command is started as a subprocess into a fixed `hydra.run.dir`, killed with
SIGKILL once a few evaluations are in its store (`evaluations/`), and started again. The rerun
must reuse every stored evaluation (files untouched, counted by its log line) and write the same
tables as an uninterrupted run (run in-process, into another folder).
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.eval_store import FOLDER, EvalStore, RunStore
from sim.analysis.run_cache import RunRecord
from sim.outputs.io import INCOMPLETE
from tests.conftest import ROOT, compose_config

PARAMS = ("sensitivity.parameters=[{key:'diffusion.reshare_base',low:0.003,high:0.012},"
          "{key:'opinion.rate',low:0.02,high:0.1}]")
COMMON = ["population.size=1000", "scenario.horizon_h=6", "n_jobs=1", "progress=false",
          "figures=false"]
STUDIES = {  # app, overrides (16 runs each), tables to compare
    "sensitivity": (
        [*COMMON, "method=sobol", "sobol.n=4", "replicates=1", "metrics=[sentiment_mean_final]", PARAMS],
        ("runs.csv", "points.csv", "sobol.csv", "indices.md"),
    ),
    "robustness": (
        [*COMMON, "strategies=[ignore,fast_social_care]", "samples=4", "replicates=2"],
        ("futures.csv", "runs.csv", "regret.csv", "robustness.csv", "robustness.md"),
    ),
}
SUMMARY = re.compile(r"evaluations: (\d+) of (\d+) reused from .*, (\d+) new stored there")


def _start(app: str, overrides: list[str], outdir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", f"experiments.{app}", *overrides, f"hydra.run.dir={outdir}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stored(outdir: Path) -> dict[str, int]:
    return {f.name: f.stat().st_mtime_ns for f in (outdir / FOLDER).glob("*.json")}


@pytest.mark.parametrize("app", list(STUDIES))
def test_a_killed_study_reuses_its_finished_evaluations(app, tmp_path):
    overrides, tables = STUDIES[app]
    outdir = tmp_path / "run"
    proc = _start(app, overrides, outdir)
    deadline = time.monotonic() + 120
    while len(_stored(outdir)) < 6 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    before = _stored(outdir)
    assert 6 <= len(before) < 16, "the kill came too late (or nothing was stored)"
    assert (outdir / INCOMPLETE).is_file() and not (outdir / tables[0]).exists()

    again = _start(app, overrides, outdir)
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 0, out
    reused, total, new = map(int, SUMMARY.search(out).groups())
    print(f"{app}: {len(before)} of {total} runs stored before the kill, {reused} reused, {new} new")
    assert (reused, total, new) == (len(before), 16, 16 - len(before))
    after = _stored(outdir)
    assert len(after) == 16 and all(after[name] == t for name, t in before.items())  # untouched
    assert not (outdir / INCOMPLETE).exists()

    from importlib import import_module

    reference = tmp_path / "reference"  # an uninterrupted run of the same study
    import_module(f"experiments.{app}").execute(
        compose_config(app, [*overrides, f"output_dir={reference}"]))
    for name in tables:
        assert (outdir / name).read_bytes() == (reference / name).read_bytes(), name


def test_a_changed_config_reuses_nothing(tmp_path, capsys):
    from experiments.sensitivity import execute

    overrides, _ = STUDIES["sensitivity"]
    small = [o.replace("sobol.n=4", "sobol.n=2") for o in overrides]
    execute(compose_config("sensitivity", [*small, f"output_dir={tmp_path}"]))
    first = capsys.readouterr().out
    assert "evaluations: 0 of 8 reused" in first and len(_stored(tmp_path)) == 8
    execute(compose_config("sensitivity", [*small, "seed=2", f"output_dir={tmp_path}"]))
    assert "evaluations: 0 of 8 reused" in capsys.readouterr().out  # other seeds: other keys
    assert len(_stored(tmp_path)) == 16  # the same config again: the kill tests above


def test_the_store_keeps_values_whole_and_ignores_damaged_files(tmp_path):
    store = EvalStore(tmp_path / "s")
    key = store.key({"config": {"a": 1, "b": [0.1, 2]}, "seed": 3})
    assert key == EvalStore.key({"seed": 3, "config": {"b": [0.1, 2], "a": 1}})  # canonical
    assert store.get(key) is None and key not in store
    store.put(key, {"x": 0.1 + 0.2, "nan": math.nan, "n": 7})
    value = EvalStore(tmp_path / "s").get(key)
    assert value["x"] == 0.1 + 0.2 and value["n"] == 7 and math.isnan(value["nan"])
    (tmp_path / "s" / f"{key}.json").write_text('{"value": {"x": 1', encoding="utf-8")  # torn
    (tmp_path / "s" / ".x.json.123.tmp").write_text("half", encoding="utf-8")
    fresh = EvalStore(tmp_path / "s")
    assert fresh.get(key) is None and not list((tmp_path / "s").glob(".*.tmp"))
    with pytest.raises(ValueError):
        fresh.get("../escape")
    runs = RunStore(tmp_path / "r")
    hourly = pd.DataFrame({"hour": [0, 1], "reach": [0.5, 1.5]})
    runs.put("k1", RunRecord({"reach_negative": 12}, hourly, {"row": {"a": 1.0}}))
    back = RunStore(tmp_path / "r").get("k1")
    assert back.metrics == {"reach_negative": 12} and back.extras == {"row": {"a": 1.0}}
    pd.testing.assert_frame_equal(back.hourly, hourly)


def test_dose_response_reruns_from_its_store_with_the_same_tables(tmp_path, capsys):
    from experiments.dose_response import execute

    overrides = ["population.size=600", "replicates=2", "scenario.horizon_h=6", "progress=false",
                 "n_jobs=1", "figures=false", "doses=[0,4]"]
    first, again = tmp_path / "first", tmp_path / "again"
    execute(compose_config("dose_response", [*overrides, f"output_dir={first}"]))
    assert "evaluations: 0 of 4 reused" in capsys.readouterr().out
    again.mkdir()
    (first / FOLDER).rename(again / FOLDER)  # another folder, the same stored runs
    execute(compose_config("dose_response", [*overrides, f"output_dir={again}"]))
    assert "evaluations: 4 of 4 reused" in capsys.readouterr().out
    for name in ("runs.csv", "dose_response.csv", "steps.csv", "dose_response.md"):
        assert (again / name).read_bytes() == (first / name).read_bytes(), name
