"""A 2x2x5 sweep, run serially, on every core through Hydra's joblib launcher, and as one grid.

Each round runs the same sweep three times from the command line in fresh processes: with the
basic launcher (one job after another), with `hydra/launcher=cores`, and as the evaluator's own
grid (`experiments.compare` over one strategy file per strategy and staff value, a replicate per
seed: each worker builds a seed's environment once and runs every strategy on it), rotating
which goes first, so all see the same machine. The speed-ups are serial time / the other's time.
Both sweeps must give the same metrics for every job, and the grid the same as the sweep.
`make bench` runs it at the default size (100,000 people, about 0.8 s per run, 5 rounds) and at
the full United size (1,000,000 people, about 4 s per run, 2 rounds); the ordinary test suite
runs an 8-job smoke sweep of small runs once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.benchmarks.helpers import ROOT, full_size, run_child

pytest.importorskip("hydra_plugins.hydra_joblib_launcher", reason='needs the sweep extra: pip install -e ".[sweep]"')

GROUP = "sweep-speedup"
STRATEGIES, STAFF = ("ignore", "fast_social_care"), (2, 4)
FULL_SWEEP = ["strategy=ignore,fast_social_care", "strategy.staff=2,4", "seed=range(5)"]
SMOKE_SWEEP = ["strategy=ignore,fast_social_care", "strategy.staff=2,4", "seed=range(2)",
               "population.size=3000", "scenario.horizon_h=6"]
CHECKED = ("reach_negative", "impressions_negative", "cost_total", "sentiment_mean_final",
           "responded_share")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """People per run: the default size, and under `make bench` also the full United size."""
    if "people" in metafunc.fixturenames:
        sizes = [None, 1_000_000] if full_size(metafunc.config) else [None]
        metafunc.parametrize("people", sizes, ids=lambda n: "default" if n is None else f"{n:_}")


def _metrics(sweep_dir: Path) -> dict[str, dict]:
    out = {}
    for path in sorted(sweep_dir.glob("*/metrics.json")):
        data = json.loads(path.read_text())
        data.pop("provenance", None)
        out[path.parent.name] = data
    return out


def _by_run(sweep_dir: Path) -> dict[tuple, dict]:
    """{(strategy, staff, seed): metrics} of a sweep's run directories."""
    out = {}
    for path in sweep_dir.glob("*/metrics.json"):
        config = yaml.safe_load((path.parent / "config.yaml").read_text())
        out[(config["strategy"]["name"], config["strategy"]["staff"], config["seed"])] = (
            json.loads(path.read_text()))
    return out


def _strategy_files(folder: Path) -> list[str]:
    """One strategy file per preset and staff value of the sweep, named `<preset>_s<staff>`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in STRATEGIES:
        knobs = yaml.safe_load((ROOT / "conf" / "strategy" / f"{name}.yaml").read_text())
        for staff in STAFF:
            path = folder / f"{name}_s{staff}.yaml"
            path.write_text(yaml.safe_dump({**knobs, "name": f"{name}_s{staff}", "staff": staff}))
            paths.append(str(path))
    return paths


@pytest.mark.benchmark(group=GROUP)
def test_sweep_serial_and_in_parallel(benchmark, tmp_path, full, people):
    sweep = (FULL_SWEEP + ([f"population.size={people}"] if people else [])) if full else SMOKE_SWEEP
    seeds = 5 if full else 2
    n_jobs = len(STRATEGIES) * len(STAFF) * seeds
    rest = [o for o in sweep if not o.startswith(("strategy", "seed"))]  # sizes, horizon
    grid_files = _strategy_files(tmp_path / "strategies")
    rounds: list[dict[str, float]] = []

    def one_round() -> None:
        i = len(rounds)
        common = ["-m", "experiments.run", "-m", *sweep, "progress=false"]
        runs = {
            "serial": common + [f"hydra.sweep.dir={tmp_path / f'serial{i}'}"],
            "cores": common + ["hydra/launcher=cores", f"hydra.sweep.dir={tmp_path / f'cores{i}'}"],
            "grid": ["-m", "experiments.compare", f"strategies=[{','.join(grid_files)}]",
                     f"baseline={STRATEGIES[0]}_s{STAFF[0]}", "seed=0", f"replicates={seeds}",
                     "starts=[]", "n_jobs=-1", "progress=false", *rest,
                     f"hydra.run.dir={tmp_path / f'grid{i}'}"],
        }
        names = list(runs)
        wall = {}
        for name in names[i % 3:] + names[:i % 3]:
            child = run_child(runs[name])
            assert child.returncode == 0, child.output[-3000:]
            wall[name] = child.wall_s
        rounds.append(wall)

    benchmark.pedantic(one_round, rounds=(5 if people is None else 2) if full else 1, iterations=1)
    serial, cores = _metrics(tmp_path / "serial0"), _metrics(tmp_path / "cores0")
    assert len(serial) == n_jobs and serial == cores  # same jobs, same results
    by_run = _by_run(tmp_path / "serial0")
    grid = pd.read_csv(tmp_path / "grid0" / "runs.csv")
    assert len(grid) == n_jobs
    for _, row in grid.iterrows():  # the grid runs the same configs and seeds: same metrics
        name, staff = row["strategy"].rsplit("_s", 1)
        assert {k: row[k] for k in CHECKED} == pytest.approx(
            {k: by_run[(name, int(staff), int(row["seed"]))][k] for k in CHECKED}, rel=1e-12)

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    benchmark.extra_info.update(
        jobs=n_jobs, cpus=os.cpu_count(), sweep=" ".join(sweep),
        serial_s=[round(r["serial"], 2) for r in rounds],
        cores_s=[round(r["cores"], 2) for r in rounds],
        grid_s=[round(r["grid"], 2) for r in rounds],
        speedup_median=median([r["serial"] / r["cores"] for r in rounds]),
        grid_speedup_median=median([r["serial"] / r["grid"] for r in rounds]),
    )
