"""Where the time of a full-size run goes: phase timings and a sampled call tree.

Usage: python -m tests.benchmarks.profile_full OUTDIR [SIZE]   (SIZE defaults to 1,000,000)

Runs the United scenario under fast_social_care in this process, phase by phase (environment,
model set-up, the 4,320 ticks, metrics, time series, event log, writing the results) and writes
`phases.json` (seconds per phase, peak memory) and `profile_full.txt` (pyinstrument's call tree,
or cProfile's top functions when pyinstrument is not installed).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

from sim.config.schema import RunConfig
from sim.outputs.io import save_result, write_json, write_text
from sim.outputs.metrics import Result, compute_metrics, event_log, hourly_timeseries
from sim.engine.model import SocialCareModel, build_environment
from tests.conftest import make_config


def _peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024.0 * 1024.0) if sys.platform == "darwin" else rss / 1024.0


def run_in_phases(size: int) -> dict[str, float]:
    """One run, timed phase by phase; returns seconds per phase and the peak memory."""
    cfg = RunConfig.from_dict(make_config(strategy="fast_social_care", size=size, horizon_h=None))
    t = {"start": time.perf_counter()}
    env = build_environment(cfg)
    t["environment (network, population, chatter)"] = time.perf_counter()
    model = SocialCareModel(cfg, env=env)
    t["model set-up (desk warm-up)"] = time.perf_counter()
    while model.running and model.tick < model.n_ticks:
        model.step()
    t["simulation (4,320 ticks)"] = time.perf_counter()
    metrics = compute_metrics(model)
    t["metrics"] = time.perf_counter()
    ts = hourly_timeseries(model)
    t["hourly time series"] = time.perf_counter()
    events = event_log(model)
    t["event log"] = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        save_result(Result(metrics, ts, events, cfg.to_dict(), {}), tmp)
    t["writing results"] = time.perf_counter()
    names = list(t)
    phases = {b: t[b] - t[a] for a, b in zip(names, names[1:])}
    phases["total"] = t[names[-1]] - t["start"]
    return {"size": size, "edges": env.graph.n_edges, "seconds": phases, "peak_rss_mb": _peak_rss_mb()}


def main(argv: list[str]) -> int:
    """Profile a run and write phases.json and profile_full.txt into OUTDIR."""
    if not 1 <= len(argv) <= 2:
        print("usage: python -m tests.benchmarks.profile_full OUTDIR [SIZE]", file=sys.stderr)
        return 2
    outdir, size = Path(argv[0]), int(argv[1]) if len(argv) > 1 else 1_000_000
    run_in_phases(min(size, 10_000))  # load numba's cached kernels and warm imports first
    phases = run_in_phases(size)  # timed without a profiler
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    if Profiler is not None:
        profiler = Profiler(interval=0.001)
        profiler.start()
        run_in_phases(size)
        profiler.stop()
        tree = profiler.output_text(unicode=False, color=False, show_all=False)
    else:
        prof = cProfile.Profile()
        prof.enable()
        run_in_phases(size)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
        tree = buf.getvalue()
    lines = [f"{name:<45} {sec:8.2f} s" for name, sec in phases["seconds"].items()]
    summary = (f"Full run in one process: {size:,} customers, {phases['edges']:,} follower edges, "
               f"peak memory {phases['peak_rss_mb'] / 1024:.2f} GB\n(phase times without a profiler; the call "
               f"tree below is from a second, profiled run)\n\n"
               + "\n".join(lines) + "\n\n")
    write_json(outdir / "phases.json", phases)
    write_text(outdir / "profile_full.txt", summary + tree)
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
