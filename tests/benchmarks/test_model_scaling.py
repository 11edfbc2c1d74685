"""Whole runs from the command line, 10^4 to 10^7 customers: wall time and peak memory.

Each round is the user's command in a fresh process, `python -m experiments.run
population.size=N strategy=fast_social_care` (United scenario, 72 h at 1-minute ticks), so the time
includes interpreter start-up, network generation, the run, and writing results and figures. Peak
memory is the child's maximum resident set size.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.benchmarks.helpers import full_size, run_child

GROUP = "model-scaling"
FULL_SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
SMOKE_SIZES = (5_000,)


def pytest_generate_tests(metafunc):
    if "size" in metafunc.fixturenames:
        sizes = FULL_SIZES if full_size(metafunc.config) else SMOKE_SIZES
        limit = int(os.environ.get("BENCH_MAX_SIZE", "0") or 0)
        if limit:
            sizes = tuple(s for s in sizes if s <= limit) or sizes[:1]
        metafunc.parametrize("size", sizes, ids=[f"n{s}" for s in sizes])


@pytest.mark.benchmark(group=GROUP)
def test_full_run_from_the_command_line(benchmark, size, tmp_path, full):
    rounds = 3 if full and size <= 100_000 else 1
    runs = []

    def once():
        outdir = tmp_path / f"run{len(runs)}"
        child = run_child(["-m", "experiments.run", f"population.size={size}", "strategy=fast_social_care",
                           f"hydra.run.dir={outdir}"])
        runs.append((child, outdir))
        return child

    benchmark.pedantic(once, rounds=rounds, iterations=1)
    for child, outdir in runs:
        assert child.returncode == 0, child.output[-3000:]
    metrics = json.loads((runs[-1][1] / "metrics.json").read_text())
    assert metrics["network_nodes"] == size
    assert (runs[-1][1] / "events.parquet").exists() and (runs[-1][1] / "figures" / "timeline.png").exists()
    benchmark.extra_info.update(
        size=size, edges=int(metrics["network_edges"]),
        peak_rss_mb=max(c.peak_rss_mb for c, _ in runs),
        wall_s=[round(c.wall_s, 3) for c, _ in runs],
        reach_negative=metrics["reach_negative"], posts=metrics["posts"],
    )
