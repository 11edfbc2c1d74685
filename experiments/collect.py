"""Collect a multirun: `python -m experiments.collect DIR [--metrics a,b] [--no-figures]`.

Writes into DIR: sweep.parquet and sweep.csv (one row per run: swept values, seed, status, every
metric), collect_report.txt (missing and failed runs) and figures/ (each metric against each swept
value with 95% CI bands over seeds; a heatmap when two values are swept). Exit status 1 when runs
are missing or failed (the table is still written), 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.common import fail
from experiments.hydra_adapter import collect
from sim.analysis.sweep import FAILED, MISSING, OK, SweepTable
from sim.outputs.io import write_csv, write_parquet, write_text

DEFAULT_METRICS = ("reach_negative", "sentiment_mean_final", "cost_total", "responded_share")
MAX_LINES = 10  # more groups than this make a line figure unreadable


def report_text(sweep: SweepTable, sweep_dir: Path) -> str:
    """A short plain report: counts, then every missing or failed run."""
    c = sweep.counts
    swept = ", ".join(sweep.swept) or "nothing"
    lines = [
        f"sweep {sweep_dir}: {len(sweep.table)} runs over {swept}",
        f"  ok {c[OK]}, failed {c[FAILED]}, missing {c[MISSING]}",
    ]
    for status, where, note in sweep.problems:
        lines.append(f"  {status:<8} {where}: {note}")
    if c[FAILED] or c[MISSING]:
        lines.append(
            "  to finish the sweep, rerun the same multirun command with "
            f"hydra.sweep.dir={sweep_dir}: complete runs are skipped, the others redone."
        )
    return "\n".join(lines) + "\n"


def draw_figures(sweep: SweepTable, outdir: Path, metrics: list[str]) -> list[Path]:
    """Metric vs each swept value (CI bands over seeds) and a heatmap for two swept values."""
    from sim.viz.sweep import heatmap, metric_vs_value
    from sim.viz.timeline import save_figure

    table = sweep.table
    ok = table[table["status"] == OK]
    axes = [k for k in sweep.swept if k != "seed" and k in ok and ok[k].nunique() > 1]
    paths: list[Path] = []
    if ok.empty or not axes:
        return paths
    for metric in metrics:
        for x in axes:
            others = [k for k in axes if k != x]
            if others and len(ok.groupby(others)) > MAX_LINES:
                continue
            path = outdir / f"{metric}_vs_{x}.png"
            save_figure(metric_vs_value(ok, x, metric, others), path)
            paths.append(path)
        if len(axes) == 2:
            path = outdir / f"{metric}_heatmap.png"
            save_figure(heatmap(ok, axes[0], axes[1], metric), path)
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m experiments.collect", description=__doc__.split("\n")[0]
    )
    parser.add_argument("dir", help="the multirun directory (hydra.sweep.dir)")
    parser.add_argument(
        "--metrics",
        default=",".join(DEFAULT_METRICS),
        help="metrics to draw, comma-separated (the table always holds all)",
    )
    parser.add_argument("--no-figures", action="store_true", help="write the table only")
    args = parser.parse_args(argv)
    sweep_dir = Path(args.dir)
    try:
        sweep = collect(sweep_dir)
    except FileNotFoundError as exc:
        fail(str(exc))
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    unknown = [m for m in metrics if m not in sweep.metrics]
    if sweep.metrics and unknown:
        fail(
            f"--metrics names {', '.join(unknown)}, which the runs do not report; known metrics: "
            f"{', '.join(sweep.metrics)}."
        )
    write_parquet(sweep_dir / "sweep.parquet", sweep.table)
    write_csv(sweep_dir / "sweep.csv", sweep.table)
    report = report_text(sweep, sweep_dir)
    write_text(sweep_dir / "collect_report.txt", report)
    figures = [] if args.no_figures else draw_figures(sweep, sweep_dir / "figures", metrics)
    print(report, end="")
    print(
        f"table: {sweep_dir / 'sweep.parquet'} and sweep.csv ({len(sweep.table)} rows, "
        f"{len(sweep.metrics)} metrics)"
    )
    if figures:
        print(f"figures: {len(figures)} in {sweep_dir / 'figures'}")
    counts = sweep.counts
    return 1 if counts[FAILED] or counts[MISSING] else 0


if __name__ == "__main__":
    sys.exit(main())
