"""A 2x2x5 sweep, run serially and on every core through Hydra's joblib launcher, side by side.

Each round runs the same sweep twice from the command line in fresh processes, once with the
basic launcher (one job after another) and once with `hydra/launcher=cores`, alternating which
goes first, so both see the same machine. The speed-up is serial time / parallel time. Both
sweeps must give the same metrics for every job. `make bench` runs it at the default size
(100,000 people, about 0.8 s per run, 5 rounds) and at the full United size (1,000,000 people,
about 4 s per run, 2 rounds); the ordinary test suite runs a 4-job smoke sweep once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.benchmarks.helpers import full_size, run_child

pytest.importorskip("hydra_plugins.hydra_joblib_launcher", reason='needs the sweep extra: pip install -e ".[sweep]"')

GROUP = "sweep-speedup"
FULL_SWEEP = ["strategy=ignore,fast_social_care", "strategy.staff=2,4", "seed=range(5)"]
SMOKE_SWEEP = ["strategy=ignore,fast_social_care", "seed=range(2)", "population.size=3000",
               "scenario.horizon_h=6"]


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


@pytest.mark.benchmark(group=GROUP)
def test_sweep_serial_and_in_parallel(benchmark, tmp_path, full, people):
    sweep = (FULL_SWEEP + ([f"population.size={people}"] if people else [])) if full else SMOKE_SWEEP
    n_jobs = 20 if full else 4
    pairs: list[tuple[float, float]] = []
    dirs: list[tuple[Path, Path]] = []

    def one_pair() -> None:
        i = len(pairs)
        serial_dir, parallel_dir = tmp_path / f"serial{i}", tmp_path / f"cores{i}"
        common = ["-m", "experiments.run", "-m", *sweep, "progress=false"]
        runs = {
            "serial": common + [f"hydra.sweep.dir={serial_dir}"],
            "cores": common + ["hydra/launcher=cores", f"hydra.sweep.dir={parallel_dir}"],
        }
        order = ("serial", "cores") if i % 2 == 0 else ("cores", "serial")
        wall = {}
        for name in order:
            child = run_child(runs[name])
            assert child.returncode == 0, child.output[-3000:]
            wall[name] = child.wall_s
        pairs.append((wall["serial"], wall["cores"]))
        dirs.append((serial_dir, parallel_dir))

    benchmark.pedantic(one_pair, rounds=(5 if people is None else 2) if full else 1, iterations=1)
    serial, cores = _metrics(dirs[0][0]), _metrics(dirs[0][1])
    assert len(serial) == n_jobs and serial == cores  # same jobs, same results
    ratios = sorted(s / c for s, c in pairs)
    benchmark.extra_info.update(
        jobs=n_jobs, cpus=os.cpu_count(), sweep=" ".join(sweep),
        serial_s=[round(s, 2) for s, _ in pairs], cores_s=[round(c, 2) for _, c in pairs],
        speedup_median=ratios[len(ratios) // 2],
    )
