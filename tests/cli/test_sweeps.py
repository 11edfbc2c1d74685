"""Sweeps: Hydra multiruns through the joblib and submitit launchers, collecting, and resuming."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml

from experiments.hydra_adapter import collect
from sim.analysis.sweep import FAILED, MISSING, OK, complete_metrics, summarise
from sim.outputs.io import INCOMPLETE
from tests.conftest import ROOT, compose_config

SMALL = ["population.size=3000", "scenario.horizon_h=12", "progress=false"]


def multirun(sweep_dir, *overrides: str, timeout: float = 240) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "experiments.run", "-m", f"hydra.sweep.dir={sweep_dir}", *SMALL, *overrides]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return out


def collect_cli(sweep_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.collect", str(sweep_dir), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def job_metrics(sweep_dir) -> dict[tuple, dict]:
    """{(strategy, seed): metrics} read straight from the run directories."""
    out = {}
    for path in sweep_dir.glob("*/metrics.json"):
        m = json.loads(path.read_text())
        config = yaml.safe_load((path.parent / "config.yaml").read_text())
        out[(config["strategy"]["name"], m["provenance"]["seed"])] = m
    return out


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory):
    sweep_dir = tmp_path_factory.mktemp("joblib_sweep")
    multirun(sweep_dir, "hydra/launcher=cores", "hydra.launcher.n_jobs=2",
             "strategy=ignore,fast_social_care", "seed=range(2)")
    return sweep_dir


def test_joblib_multirun_is_collected_into_the_tidy_table(joblib_sweep):
    out = collect_cli(joblib_sweep)
    assert out.returncode == 0, out.stderr
    assert "ok 4, failed 0, missing 0" in out.stdout
    table = pd.read_parquet(joblib_sweep / "sweep.parquet")
    csv = pd.read_csv(joblib_sweep / "sweep.csv")
    assert len(table) == len(csv) == 4
    assert list(table.columns[:4]) == ["job", "strategy", "seed", "status"]
    assert set(zip(table["strategy"], table["seed"])) == {
        ("ignore", 0), ("ignore", 1), ("fast_social_care", 0), ("fast_social_care", 1)}
    assert (table["status"] == OK).all()
    on_disk = job_metrics(joblib_sweep)
    for _, row in table.iterrows():
        m = on_disk[(row["strategy"], row["seed"])]
        for key in ("reach_negative", "cost_total", "sentiment_mean_final", "responded_share"):
            assert row[key] == pytest.approx(m[key]), key
        assert row["config_hash"] == m["provenance"]["config_hash"]
    # the strategies differ as they should: nobody answers under `ignore`
    by = table.set_index(["strategy", "seed"])
    assert (by.loc["ignore", "cost_total"] == 0).all()
    assert (by.loc["fast_social_care", "cost_total"] > 0).all()
    assert (by.loc["fast_social_care", "responded_share"] > 0).all()
    figures = {p.name for p in (joblib_sweep / "figures").glob("*.png")}
    assert "reach_negative_vs_strategy.png" in figures and "cost_total_vs_strategy.png" in figures


def test_submitit_local_multirun_matches_the_joblib_runs(joblib_sweep, tmp_path):
    sweep_dir = tmp_path / "submitit"
    multirun(sweep_dir, "hydra/launcher=local", "hydra.sweeper.max_batch_size=2",
             "strategy=ignore,fast_social_care", "seed=1")
    assert list(sweep_dir.glob(".submitit/*")), "jobs did not go through submitit"
    sweep = collect(sweep_dir)
    assert sweep.counts == {OK: 2, FAILED: 0, MISSING: 0}
    assert sweep.swept == ["strategy"]
    reference = job_metrics(joblib_sweep)
    for _, row in sweep.table.iterrows():
        # same config and seed give identical results under any launcher
        ref = reference[(row["strategy"], 1)]
        for key in ("reach_negative", "impressions_negative", "cost_total", "sentiment_mean_final"):
            assert row[key] == ref[key], key


def test_kill_a_sweep_resume_it_and_collect_the_grid(tmp_path):
    """A real parallel sweep, killed halfway: finished runs survive, the rest is redone on rerun."""
    sweep_dir = tmp_path / "killed"
    args = ["hydra/launcher=cores", "hydra.launcher.n_jobs=2", "strategy=fast_social_care",
            "strategy.staff=1,3", "strategy.listening_latency_min=5,90", "seed=range(2)"]
    cmd = [sys.executable, "-m", "experiments.run", "-m", f"hydra.sweep.dir={sweep_dir}", *SMALL, *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 180
    try:
        while time.time() < deadline and proc.poll() is None:
            done = [p for p in sweep_dir.glob("*/metrics.json") if not (p.parent / INCOMPLETE).exists()]
            if len(done) >= 2:
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher and its worker processes
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"

    before = collect(sweep_dir)
    complete = before.table[before.table["status"] == OK]
    assert 2 <= len(complete) < 8
    assert before.counts[FAILED] + before.counts[MISSING] == 8 - len(complete)
    stamps = {d: (sweep_dir / d / "metrics.json").stat().st_mtime_ns for d in complete["dir"]}

    out = multirun(sweep_dir, *args)
    assert out.stdout.count("skipped ") == len(complete)
    for d, stamp in stamps.items():  # finished runs were neither lost nor redone
        assert (sweep_dir / d / "metrics.json").stat().st_mtime_ns == stamp
    assert not list(sweep_dir.glob(f"*/{INCOMPLETE}"))

    out = collect_cli(sweep_dir, "--metrics", "reach_negative,cost_total")
    assert out.returncode == 0, out.stderr
    assert "ok 8, failed 0, missing 0" in out.stdout
    table = pd.read_csv(sweep_dir / "sweep.csv")
    assert list(table.columns[:5]) == ["job", "strategy.staff", "strategy.listening_latency_min", "seed", "status"]
    assert table[["strategy.staff", "strategy.listening_latency_min", "seed"]].values.tolist() == [
        [s, lat, r] for s in (1, 3) for lat in (5, 90) for r in (0, 1)]
    # staff cost = staff x 12 h x $30 on a 24/7 shift
    assert (table["cost_staff"] == table["strategy.staff"] * 12 * 30.0).all()
    names = {p.name for p in (sweep_dir / "figures").glob("*.png")}
    assert {"reach_negative_vs_strategy.staff.png", "reach_negative_heatmap.png",
            "cost_total_vs_strategy.listening_latency_min.png"} <= names

    # a later sweep with other values in the same directory, killed before job 0 ran: its old
    # results no longer count
    hydra_cfg = sweep_dir / "0" / ".hydra" / "config.yaml"
    config = yaml.safe_load(hydra_cfg.read_text())
    config["strategy"]["staff"] = 7
    hydra_cfg.write_text(yaml.safe_dump(config))
    row = collect(sweep_dir).table.set_index("dir").loc["0"]
    assert row["status"] == FAILED and "another config" in row["note"]


FAKE_SBATCH = """#!/bin/sh
for last; do :; done
cp "$last" "$(dirname "$0")/submitted.sh"
echo "Submitted batch job 4242"
"""


def test_slurm_preset_options_a_one_node_cluster_cannot_run_reach_the_sbatch_script(tmp_path):
    """A stand-in `sbatch` records the script submitit writes from conf/hydra/launcher/slurm.yaml.

    tests/integration/test_slurm_cluster.py runs the preset on a real cluster (partition, account,
    time, memory, CPUs, job name, as SLURM records them); this covers what that one node cannot:
    a QOS, node features and excluded nodes, the array throttle and setup lines, and it needs no
    Slurm installed.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sbatch").write_text(FAKE_SBATCH)
    for tool in ("srun", "squeue", "sacct", "scancel"):
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    cmd = [sys.executable, "-m", "experiments.run", "-m", "hydra/launcher=slurm", f"hydra.sweep.dir={tmp_path / 'sweep'}",
           "hydra.launcher.partition=cpu", "hydra.launcher.qos=long", "hydra.launcher.constraint=avx512",
           "hydra.launcher.exclude=node13", "hydra.launcher.array_parallelism=2",
           "hydra.launcher.setup=[\"module load python/3.11\"]", "seed=range(3)", *SMALL]
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    script = bin_dir / "submitted.sh"
    deadline = time.time() + 120
    try:
        while time.time() < deadline and proc.poll() is None and not script.exists():
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # it would wait for the (never running) array job
        proc.wait(timeout=30)
    assert script.exists(), proc.stderr.read()[-2000:]
    text = script.read_text()
    for option in ("--qos=long", "--constraint=avx512", "--exclude=node13", "--array=0-2%2"):
        assert f"#SBATCH {option}" in text, option
    assert "\nmodule load python/3.11\n" in text
    assert "submitit.core._submit" in text


def compose_run(overrides):
    return compose_config("config", overrides)


def test_execute_skips_complete_runs_and_redoes_changed_or_broken_ones(tmp_path):
    from experiments.run import execute

    base = ["strategy=fast_social_care", "figures=false", f"output_dir={tmp_path}", *SMALL]
    first = execute(compose_run(base))
    metrics_file = tmp_path / "metrics.json"
    stamp = metrics_file.stat().st_mtime_ns
    again = execute(compose_run(base))
    assert metrics_file.stat().st_mtime_ns == stamp
    assert again["reach_negative"] == first["reach_negative"]
    # another config in the same directory is run, not skipped
    changed = execute(compose_run([*base, "strategy.staff=2"]))
    assert metrics_file.stat().st_mtime_ns != stamp
    assert changed["cost_staff"] == 2 * 12 * 30.0
    # an interrupted write (marker left behind) is redone
    stamp = metrics_file.stat().st_mtime_ns
    (tmp_path / INCOMPLETE).write_text("interrupted")
    execute(compose_run([*base, "strategy.staff=2"]))
    assert metrics_file.stat().st_mtime_ns != stamp and not (tmp_path / INCOMPLETE).exists()
    # resume=false always reruns
    stamp = metrics_file.stat().st_mtime_ns
    execute(compose_run([*base, "strategy.staff=2", "resume=false"]))
    assert metrics_file.stat().st_mtime_ns != stamp


def test_complete_metrics_checks_marker_files_hash_and_seed(tmp_path):
    for name in ("config.yaml", "timeseries.csv", "events.parquet"):
        (tmp_path / name).write_text("x")
    (tmp_path / "metrics.json").write_text(json.dumps({"reach_negative": 5.0,
                                                      "provenance": {"config_hash": "abc", "seed": 3}}))
    assert complete_metrics(tmp_path, "abc", 3)["reach_negative"] == 5.0
    assert complete_metrics(tmp_path, "abd", 3) is None
    assert complete_metrics(tmp_path, "abc", 4) is None
    assert complete_metrics(tmp_path, "abc", 3, figures=True) is None  # no figures/timeline.png
    (tmp_path / INCOMPLETE).write_text("")
    assert complete_metrics(tmp_path, "abc", 3) is None
    (tmp_path / INCOMPLETE).unlink()
    (tmp_path / "events.parquet").unlink()
    assert complete_metrics(tmp_path, "abc", 3) is None


def test_summarise_gives_t_intervals_over_seeds_per_swept_value():
    table = pd.DataFrame({"strategy.staff": [1, 1, 1, 1, 2, 2], "seed": [0, 1, 2, 3, 0, 1],
                          "status": [OK, OK, OK, OK, OK, FAILED], "cost": [1.0, 2.0, 3.0, 4.0, 7.0, 99.0]})
    s = summarise(table, ["strategy.staff"], "cost").set_index("strategy.staff")
    assert s.loc[1, "mean"] == 2.5 and s.loc[1, "n"] == 4
    # t(0.975, 3) = 3.1824; sd = 1.2910; half width = t * sd / sqrt(4)
    assert s.loc[1, "ci_high"] - 2.5 == pytest.approx(3.1824 * 1.2910 / 2, rel=1e-3)
    assert s.loc[2, "mean"] == 7.0 and s.loc[2, "n"] == 1  # the failed run is left out


def test_collect_refuses_a_directory_without_runs(tmp_path, capsys):
    from experiments.collect import main

    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "nothing", tmp_path / "empty"):
        with pytest.raises(SystemExit) as exit_info:
            main([str(target)])
        assert exit_info.value.code == 2
        assert capsys.readouterr().err.startswith("error:")
