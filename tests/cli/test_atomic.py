"""A run killed at any moment leaves complete results or an INCOMPLETE marker, and reruns cleanly.

Real kills: `python -m experiments.run` is started as a subprocess and killed with SIGKILL at a
random delay or the moment a chosen file (the marker, a temporary file, a result) appears. Fault
injection: in-process, the k-th rename of a result file fails, for every k. In both cases every
file under its final name must be whole (identical to an undisturbed run's), and a directory
without the marker must hold the complete results.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.outputs import io as sim_io
from tests.conftest import ROOT, compose_config

OVERRIDES = ["strategy=fast_social_care", "population.size=20000", "scenario.horizon_h=24",
             "seed=5", "progress=false", "figures=true"]
DATA_FILES = ("timeseries.csv", "events.parquet")
RESULT_FILES = ("config.yaml", "timeseries.csv", "events.parquet", "metrics.json", "figures/timeline.png")


def _metrics(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("provenance")
    return data


def _execute(outdir: Path) -> None:
    from experiments.run import execute

    execute(compose_config("config", [*OVERRIDES, f"output_dir={outdir}"]))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    _execute(out)
    return out


def check_state(out: Path, reference: Path) -> str:
    """Assert the directory is complete or visibly incomplete; return which."""
    present = [name for name in RESULT_FILES if (out / name).exists()]
    for name in present:  # whatever carries a final name is whole
        if name in DATA_FILES:
            assert (out / name).read_bytes() == (reference / name).read_bytes(), name
        elif name == "metrics.json":
            assert _metrics(out / name) == _metrics(reference / name)
        elif name == "config.yaml":
            assert yaml.safe_load((out / name).read_text())["seed"] == 5
        else:
            assert (out / name).stat().st_size > 1000 and (out / name).read_bytes()[:4] == b"\x89PNG"
    if (out / sim_io.INCOMPLETE).exists():
        return "incomplete"
    if not present:
        return "not started"
    assert present == list(RESULT_FILES), f"results without the marker but not complete: {present}"
    assert not list(out.glob(".*.tmp")) and not list((out / "figures").glob(".*.tmp"))
    pd.read_parquet(out / "events.parquet")
    return "complete"


def _start(out: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "SIM_DEBUG")}
    return subprocess.Popen([sys.executable, "-m", "experiments.run", *OVERRIDES, f"hydra.run.dir={out}"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _seen(out: Path, trigger: str) -> bool:
    if trigger == "temp file":  # a result being written (not the marker's own temporary file)
        temps = [*out.glob(".*.tmp"), *(out / "figures").glob(".*.tmp")]
        return any(not t.name.startswith(f".{sim_io.INCOMPLETE}.") for t in temps)
    return (out / trigger).exists()


def kill_at(out: Path, trigger: str | float, limit: float = 600) -> str:
    """Start a run into `out`; SIGKILL it at a delay (seconds) or when `trigger` appears."""
    proc = _start(out)
    t0 = time.monotonic()
    while proc.poll() is None and time.monotonic() - t0 < limit:
        if (time.monotonic() - t0 >= trigger) if isinstance(trigger, float) else _seen(out, trigger):
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.0005)
    proc.wait(timeout=60)
    return "killed" if proc.returncode == -signal.SIGKILL else f"finished ({proc.returncode})"


def _kill_and_resume(tmp_path: Path, reference: Path, triggers: list) -> list[tuple]:
    seen = []
    for i, trigger in enumerate(triggers):
        out = tmp_path / f"run{i}"
        fate = kill_at(out, trigger)
        seen.append((trigger, fate, check_state(out, reference)))
    last = tmp_path / f"run{len(triggers) - 1}"  # resume the last one: same command, same dir
    proc = _start(last)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert check_state(last, reference) == "complete"
    return seen


def test_run_killed_while_writing_leaves_complete_results_or_a_marker(tmp_path, reference):
    seen = _kill_and_resume(tmp_path, reference, ["temp file", "events.parquet"])
    assert any(state == "incomplete" for _, _, state in seen), seen


@pytest.mark.slow
def test_run_killed_at_random_moments_leaves_complete_results_or_a_marker(tmp_path, reference):
    rng = random.Random(20240607)
    full = time.monotonic()
    proc = _start(tmp_path / "timing")
    proc.wait(timeout=600)
    full = time.monotonic() - full
    triggers = [rng.uniform(0.2, full * 1.05) for _ in range(8)]
    triggers += ["INCOMPLETE", "temp file", "figures/timeline.png", "timeseries.csv", "events.parquet",
                 "metrics.json"]
    seen = _kill_and_resume(tmp_path, reference, triggers)
    states = {state for _, _, state in seen}
    assert "incomplete" in states, seen
    print("\n".join(f"{t!r:>24} {fate:>14} -> {state}" for t, fate, state in seen))


class Crash(BaseException):
    """Stands in for the process dying (not an Exception: nothing may catch it)."""


def test_failure_at_every_write_leaves_no_half_written_file(tmp_path, reference, monkeypatch):
    calls = {"n": 0}
    real_replace = os.replace

    def counting(src, dst):
        calls["n"] += 1
        return real_replace(src, dst)

    monkeypatch.setattr(sim_io.os, "replace", counting)
    _execute(tmp_path / "count")
    n_writes = calls["n"]
    assert n_writes >= len(RESULT_FILES) + 1  # the marker and every result file
    for k in range(1, n_writes + 1):
        calls["n"] = 0

        def failing(src, dst, k=k):
            calls["n"] += 1
            if calls["n"] == k:
                Path(src).write_bytes(b"half")  # a torn temporary file that must never be renamed
                raise Crash(f"write {k}")
            return real_replace(src, dst)

        monkeypatch.setattr(sim_io.os, "replace", failing)
        out = tmp_path / f"crash{k}"
        with pytest.raises(Crash):
            _execute(out)
        assert check_state(out, reference) in ("incomplete", "not started"), k
        monkeypatch.setattr(sim_io.os, "replace", real_replace)
        _execute(out)  # rerun into the same directory
        assert check_state(out, reference) == "complete", k


def test_incomplete_marker_nests_and_survives_errors(tmp_path):
    out = tmp_path / "run"
    (out).mkdir()
    (out / "metrics.json").write_text("{}")  # left by an earlier run
    (out / ".events.parquet.abc.tmp").write_text("torn")
    with pytest.raises(RuntimeError):
        with sim_io.incomplete_marker(out):
            assert not (out / "metrics.json").exists() and not (out / ".events.parquet.abc.tmp").exists()
            with sim_io.incomplete_marker(out):
                pass
            assert (out / sim_io.INCOMPLETE).exists()  # the inner block does not clear it
            raise RuntimeError("boom")
    assert (out / sim_io.INCOMPLETE).exists()
    with sim_io.incomplete_marker(out):
        sim_io.write_json(out / "metrics.json", {"a": 1})
    assert not (out / sim_io.INCOMPLETE).exists() and sim_io.is_complete(out, ("metrics.json",))
    assert oct((out / "metrics.json").stat().st_mode & 0o777) != oct(0o600)  # readable by others
