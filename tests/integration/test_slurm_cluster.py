"""Sweeps on a real one-node SLURM cluster (tests/integration/slurm_cluster.py), no stand-ins.

The cluster is started once for the module from a folder of its own and stopped at the end,
leaving no process behind. Its Debian packages are installed when missing (root or sudo); where
that is impossible the tests fail, except on a developer's machine (no CI=true) that has neither
apt-get nor root, where they are skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.sweep import FIGURE_FILES, RESULT_FILES
from sim.analysis.sweep_lock import LOCK_NAME, read_jobs
from sim.outputs.io import INCOMPLETE
from tests.conftest import ROOT
from tests.integration import slurm_cluster
from tests.integration.slurm_cluster import PARTITION, LocalCluster, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.slurm]

ACCOUNT = "sim_project"
TINY = ["population.size=3000", "scenario.horizon_h=12", "progress=false"]
# long enough (about 5 s of simulation) to cancel and kill two runs in the middle of it
LONG = ["population.size=10000", "scenario.horizon_h=3000", "progress=false", "figures=false"]
# Runs that outlast a cancellation: Slurm signals a cancelled step with SIGTERM, which submitit
# bypasses, and a run with seconds left can still finish cleanly (then it is complete, not lost).
LONGER = ["population.size=15000", "scenario.horizon_h=8000", *LONG[2:]]


def _cluster_packages() -> None:
    """Install the missing packages, or fail (CI) / skip (a developer's machine) saying why."""
    missing = slurm_cluster.missing_packages()
    if not missing:
        return
    ok, why = slurm_cluster.can_install()
    if not ok:
        message = (f"the SLURM test needs the Debian packages {' '.join(missing)}, and {why}: "
                   f"install them (apt-get install {' '.join(slurm_cluster.PACKAGES)}) or run "
                   "as root")
        # skipped only on a developer's machine without apt and root; failed anywhere else
        if not os.environ.get("CI") and slurm_cluster.which("apt-get") is None and os.geteuid():
            pytest.skip(message)
        pytest.fail(message)
    slurm_cluster.install(missing)
    assert not slurm_cluster.missing_packages(), "apt-get did not install every package"


@pytest.fixture(scope="module")
def cluster():
    _cluster_packages()
    c = LocalCluster()
    try:
        c.start()
        # an account, as on a real cluster (sbatch --account)
        c.run(["sacctmgr", "-i", "add", "account", ACCOUNT])
        c.run(["sacctmgr", "-i", "add", "user", "root", f"account={ACCOUNT}"])
        yield c
    finally:
        left = c.stop()
        root = c.root
        shutil.rmtree(root, ignore_errors=True)
    assert not left, f"processes of the cluster left running: {left}"


def multirun(cluster: LocalCluster, sweep_dir: Path, *overrides: str) -> list[str]:
    return [sys.executable, "-m", "experiments.run", "-m", "hydra/launcher=slurm",
            f"hydra.launcher.partition={PARTITION}", "hydra.launcher.mem_gb=1",
            "hydra.launcher.timeout_min=5", f"hydra.sweep.dir={sweep_dir}", *overrides]


def run(cluster: LocalCluster, cmd: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=cluster.env, capture_output=True, text=True,
                          timeout=timeout)


def collect_cli(sweep_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.collect", str(sweep_dir),
                           "--no-figures"], cwd=ROOT, capture_output=True, text=True, timeout=120)


def array_jobs(sweep_dir: Path) -> dict[str, list[int]]:
    """{array job id: [task ids]} of the submitit folders of a sweep."""
    out: dict[str, list[int]] = {}
    for folder in (sweep_dir / ".submitit").iterdir():
        if re.fullmatch(r"\d+_\d+", folder.name):
            job, task = folder.name.split("_")
            out.setdefault(job, []).append(int(task))
    return {job: sorted(tasks) for job, tasks in out.items()}


def results_fingerprint(run_dir: Path) -> dict[str, tuple[str, int]]:
    """{result file: (sha256, mtime in ns)} of a run directory."""
    out = {}
    for name in (*RESULT_FILES, *FIGURE_FILES):
        path = run_dir / name
        if path.is_file():
            out[name] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


def test_a_sweep_through_the_slurm_preset_runs_as_an_array_and_is_collected(cluster, tmp_path):
    sweep_dir = tmp_path / "sweep"
    t0 = time.monotonic()
    out = run(cluster, multirun(cluster, sweep_dir, f"hydra.launcher.account={ACCOUNT}",
                                "strategy=ignore,fast_social_care", "seed=1", *TINY))
    sweep_s = time.monotonic() - t0
    assert out.returncode == 0, out.stderr[-3000:]
    # sacct answers submitit: no "Bypassing sacct error" on any poll
    assert "Bypassing" not in out.stdout + out.stderr
    jobs = array_jobs(sweep_dir)
    assert len(jobs) == 1, jobs  # one array job, one task per run
    (array, tasks), = jobs.items()
    assert tasks == [0, 1]
    # what SLURM itself recorded: the preset's settings reached sbatch (a task's record may say
    # RUNNING for a moment after its result is in, while the step ends)
    wait_for(lambda: set(cluster.accounting(array).values()) == {"COMPLETED"}, "sacct", every=0.5)
    acct = cluster.run(["sacct", "-n", "-P", "-X", "-j", array, "-o",
                        "JobID,State,Partition,Account,Timelimit,ReqCPUS,ReqMem,JobName"])
    rows = [line.split("|") for line in acct.stdout.splitlines()]
    assert sorted(r[0] for r in rows) == [f"{array}_0", f"{array}_1"]
    for _, state, partition, account, limit, cpus, mem, name in rows:
        assert (state, partition, account, limit, cpus, mem, name) == (
            "COMPLETED", PARTITION, ACCOUNT, "00:05:00", "1", "1G", "socialcare_run")

    done = collect_cli(sweep_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok 2, failed 0, missing 0" in done.stdout
    table = pd.read_parquet(sweep_dir / "sweep.parquet").set_index("strategy")
    assert set(table.index) == {"ignore", "fast_social_care"}
    assert table.loc["ignore", "cost_total"] == 0
    assert table.loc["fast_social_care", "responded_share"] > 0
    # a run on the cluster gives the same numbers as the same run in this process
    local = tmp_path / "local"
    single = subprocess.run([sys.executable, "-m", "experiments.run", "strategy=fast_social_care",
                             "seed=1", *TINY, f"output_dir={local}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert single.returncode == 0, single.stderr[-2000:]
    here = json.loads((local / "metrics.json").read_text())
    for key in ("reach_negative", "impressions_negative", "cost_total", "sentiment_mean_final"):
        assert table.loc["fast_social_care", key] == here[key], key
    print(f"\ncluster start {cluster.timings['start_s']:.1f} s, 2-run sweep {sweep_s:.1f} s")


def test_cancelled_and_killed_runs_are_reported_and_exactly_they_are_redone(cluster, tmp_path):
    sweep_dir = tmp_path / "faults"
    cmd = multirun(cluster, sweep_dir, "seed=range(4)", *LONGER)
    log = tmp_path / "first.log"
    t0 = time.monotonic()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=cluster.env, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # runs 0 and 1 (two CPUs: they start first): each is hit as soon as its simulation is under
        # way, so neither can finish first however loaded the machine is
        wait_for(lambda: (sweep_dir / "0" / INCOMPLETE).exists(), "run 0 in progress",
                 timeout=180, every=0.05)
        (array, _), = array_jobs(sweep_dir).items() or [(None, None)]
        assert dict(cluster.queue())[f"{array}_0"] == "RUNNING"
        cluster.run(["scancel", f"{array}_0"])  # cancel one running array task
        wait_for(lambda: (sweep_dir / "1" / INCOMPLETE).exists(), "run 1 in progress",
                 timeout=180, every=0.05)
        assert dict(cluster.queue())[f"{array}_1"] == "RUNNING"
        pids = cluster.task_processes(array, 1, sys.executable)
        assert len(pids) == 1, pids
        os.kill(pids[0], signal.SIGKILL)  # and kill another one's process
        status = proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    first_s = time.monotonic() - t0
    text = log.read_text()
    # the sweep waited for the other runs, then named the two lost ones
    assert status == 1, text[-3000:]
    assert "2 of 4 runs of the sweep ended without results" in text, text[-3000:]
    assert re.search(rf"#0 seed=0 [^\n]*: job {array}_0 CANCELLED", text), text[-3000:]
    assert re.search(rf"#1 seed=1 [^\n]*: job {array}_1 FAILED", text), text[-3000:]
    assert "Traceback" not in text and "Bypassing" not in text
    states = cluster.accounting(array)
    assert states[f"{array}_0"].startswith("CANCELLED") and states[f"{array}_1"] == "FAILED"

    report = collect_cli(sweep_dir)
    assert report.returncode == 1, report.stdout + report.stderr
    assert "ok 2, failed 2, missing 0" in report.stdout
    table = pd.read_csv(sweep_dir / "sweep.csv").set_index("seed")
    assert table["status"].to_dict() == {0: "failed", 1: "failed", 2: "ok", 3: "ok"}
    finished = {n: results_fingerprint(sweep_dir / str(n)) for n in (2, 3)}
    assert all(len(f) == len(RESULT_FILES) for f in finished.values())

    t0 = time.monotonic()
    again = run(cluster, cmd)  # the same command
    rerun_s = time.monotonic() - t0
    assert again.returncode == 0, again.stderr[-3000:]
    second = (set(array_jobs(sweep_dir)) - {array}).pop()
    logs = {task: (sweep_dir / ".submitit" / f"{second}_{task}" /
                   f"{second}_{task}_0_log.out").read_text() for task in range(4)}
    redone = [t for t, text in logs.items() if "skipped" not in text]
    skipped = [t for t, text in logs.items() if "skipped" in text]
    assert redone == [0, 1] and skipped == [2, 3], logs
    for n, before in finished.items():  # finished results untouched, byte for byte
        assert results_fingerprint(sweep_dir / str(n)) == before, n
    report = collect_cli(sweep_dir)
    assert report.returncode == 0 and "ok 4, failed 0, missing 0" in report.stdout, report.stdout
    assert not list(sweep_dir.glob(f"*/{INCOMPLETE}"))
    lost = 4 - int((pd.read_csv(sweep_dir / "sweep.csv")["status"] == "ok").sum())
    assert lost == 0
    print(f"\nsubmitted 4, cancelled 1, killed 1, redone {len(redone)}, skipped {len(skipped)}, "
          f"lost {lost}; first pass {first_s:.1f} s, rerun {rerun_s:.1f} s")


def test_a_killed_sweeps_array_keeps_the_folder_until_its_jobs_end(cluster, tmp_path):
    """The launching process dies (a dropped login session), its array runs on: no second writer."""
    sweep_dir = tmp_path / "orphaned"
    cmd = multirun(cluster, sweep_dir, "seed=range(3)", *LONG)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=cluster.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        jobs = wait_for(lambda: read_jobs(sweep_dir / LOCK_NAME), "the array's id in the lock",
                        timeout=120, every=0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert cluster.queue(), "the array ended with its launcher"
    refused = run(cluster, cmd)
    assert refused.returncode == 2, refused.stderr[-2000:]
    assert f"its jobs {jobs[0]} are still queued or running" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    wait_for(lambda: not cluster.queue(), "the orphaned array to end", timeout=180, every=0.5)
    again = run(cluster, cmd)  # now the lock is stale: taken over, nothing left to redo
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"took over the stale lock of pid {proc.pid}" in again.stdout + again.stderr
    report = collect_cli(sweep_dir)
    assert report.returncode == 0 and "ok 3, failed 0, missing 0" in report.stdout, report.stdout
