"""One sweep at a time in a sweep directory: a second one is refused, a dead one's lock taken over."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import asdict, replace

import pytest

from sim.analysis.sweep_lock import (
    LOCK_NAME,
    SweepDirBusy,
    SweepLock,
    is_running,
    note_jobs,
    read_holder,
    read_jobs,
    this_process,
)
from tests.conftest import ROOT

# about 4 s of simulation per run: the first sweep is still running when the second one starts
LONG = ["population.size=10000", "scenario.horizon_h=3000", "progress=false", "figures=false"]
TINY = ["population.size=3000", "scenario.horizon_h=6", "progress=false", "figures=false"]


def sweep_cmd(sweep_dir, *overrides: str) -> list[str]:
    return [sys.executable, "-m", "experiments.run", "-m", f"hydra.sweep.dir={sweep_dir}", *overrides]


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def write_lock(sweep_dir, **fields) -> None:
    sweep_dir.mkdir(parents=True, exist_ok=True)
    holder = replace(this_process("python -m experiments.run -m ..."), **fields)
    (sweep_dir / LOCK_NAME).write_text(json.dumps(asdict(holder)))


def test_lock_is_taken_released_and_refused_while_its_holder_runs(tmp_path):
    with SweepLock(tmp_path) as lock:
        holder = read_holder(tmp_path / LOCK_NAME)
        assert holder == lock.holder and holder.host == socket.gethostname()
        assert is_running(holder) is True
        with pytest.raises(SweepDirBusy, match=rf"in use by another sweep: pid {holder.pid} on host "):
            SweepLock(tmp_path, replace(holder, pid=holder.pid + 1)).acquire()
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_dead_holders_lock_is_stale_and_taken_over(tmp_path):
    write_lock(tmp_path, pid=dead_pid())
    stale = read_holder(tmp_path / LOCK_NAME)
    assert is_running(stale) is False
    lock = SweepLock(tmp_path).acquire()
    assert lock.took_over == stale and read_holder(tmp_path / LOCK_NAME) == lock.holder
    lock.release()


def test_a_reused_process_id_does_not_keep_a_lock(tmp_path):
    # this process's id, but another start time: the holder died and its id was given again
    write_lock(tmp_path, start="1")
    assert is_running(read_holder(tmp_path / LOCK_NAME)) is False
    SweepLock(tmp_path).acquire().release()


def test_a_lock_from_another_host_is_refused_with_what_to_do(tmp_path):
    write_lock(tmp_path, host="login-node-7", pid=dead_pid())
    with pytest.raises(SweepDirBusy) as info:
        SweepLock(tmp_path).acquire()
    message = str(info.value)
    assert "host login-node-7" in message and "cannot tell whether it still runs" in message
    assert f"delete {tmp_path / LOCK_NAME}" in message


def test_an_unreadable_lock_is_replaced(tmp_path):
    (tmp_path / LOCK_NAME).write_text("not json")
    SweepLock(tmp_path).acquire().release()


@pytest.mark.slow
def test_a_second_sweep_into_a_running_sweeps_folder_is_refused(tmp_path):
    """Two real sweeps, one folder: the second stops with exit 2, the first finishes untouched."""
    sweep_dir = tmp_path / "sweep"
    first = subprocess.Popen(sweep_cmd(sweep_dir, "seed=range(3)", *LONG), cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while not (sweep_dir / "0" / ".hydra").exists() and first.poll() is None and time.time() < deadline:
            time.sleep(0.05)  # the first run has started
        holder = read_holder(sweep_dir / LOCK_NAME)
        assert holder is not None and holder.pid == first.pid
        planned = (sweep_dir / "multirun.yaml").read_text()
        t0 = time.monotonic()
        second = subprocess.run(sweep_cmd(sweep_dir, "seed=range(10,12)", *TINY), cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        refused_s = time.monotonic() - t0
        assert first.poll() is None, "the first sweep ended before the second one was refused"
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert second.returncode == 2, second.stderr[-2000:]
    assert second.stderr.startswith("error: hydra.sweep.dir=") and "Traceback" not in second.stderr
    assert f"in use by another sweep: pid {first.pid} on host {socket.gethostname()}" in second.stderr
    assert "it is still running" in second.stderr and "another hydra.sweep.dir" in second.stderr
    assert first.returncode == 0, err[-3000:]
    assert (sweep_dir / "multirun.yaml").read_text() == planned  # the second sweep wrote nothing
    assert sorted(p.name for p in sweep_dir.iterdir() if p.name.isdigit()) == ["0", "1", "2"]
    assert all((sweep_dir / str(n) / "metrics.json").is_file() for n in range(3))
    assert not (sweep_dir / LOCK_NAME).exists()  # released at the end
    print(f"\nsecond sweep refused after {refused_s:.1f} s")


def test_a_sweep_takes_over_the_lock_of_a_killed_one(tmp_path):
    sweep_dir = tmp_path / "sweep"
    pid = dead_pid()
    write_lock(sweep_dir, pid=pid)
    out = subprocess.run(sweep_cmd(sweep_dir, "seed=1", *TINY), cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"took over the stale lock of pid {pid} on host" in out.stdout + out.stderr
    assert (sweep_dir / "0" / "metrics.json").is_file() and not (sweep_dir / LOCK_NAME).exists()


def test_a_dead_sweeps_lock_holds_while_its_cluster_jobs_run(tmp_path):
    with SweepLock(tmp_path) as lock:
        assert note_jobs(tmp_path, ["41"]) and note_jobs(tmp_path, ["42"])
        assert read_jobs(tmp_path / LOCK_NAME) == ["41", "42"]
        assert read_holder(tmp_path / LOCK_NAME) == lock.holder  # still ours, still released
    assert not note_jobs(tmp_path, ["43"])  # no lock of ours: nothing recorded
    write_lock(tmp_path, pid=dead_pid())
    assert note_jobs(tmp_path, ["43"]) is False  # another process's lock is never changed
    holder = json.loads((tmp_path / LOCK_NAME).read_text())
    (tmp_path / LOCK_NAME).write_text(json.dumps({**holder, "jobs": ["43"]}))
    asked = []

    def queued(jobs):
        asked.append(list(jobs))
        return ["43"]

    with pytest.raises(SweepDirBusy, match=r"has ended, but its jobs 43 are still queued or running"):
        SweepLock(tmp_path, jobs_active=queued).acquire()
    with pytest.raises(SweepDirBusy, match=r"cannot tell whether its jobs 43 still run"):
        SweepLock(tmp_path, jobs_active=lambda jobs: None).acquire()
    lock = SweepLock(tmp_path, jobs_active=lambda jobs: []).acquire()  # they ended: stale
    assert asked == [["43"]] and lock.took_over is not None
    lock.release()
