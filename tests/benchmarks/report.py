"""Turn a pytest-benchmark JSON into the performance table, a tidy CSV/JSON and the scaling figure.

Usage: python -m tests.benchmarks.report results/bench/benchmark.json results/bench

Writes `table.md` (ratios side by side, absolute times, targets met or missed), `summary.json` and
`scaling.csv` (one row per benchmark) and `scaling.png` (log-log wall time and peak memory of whole
runs against the number of customers).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.outputs.io import write_csv, write_json, write_text  # noqa: E402
from sim.viz.timeline import save_figure  # noqa: E402

OURS_KERNEL = "test_socialcare_kernel"
PEERS = {"test_cynetdiff": "cynetdiff", "test_ndlib": "NDlib", "test_per_agent_mesa": "per-agent Mesa"}
FULL_SIZE, FULL_WALL_S, FULL_RSS_MB, HUGE_SIZE, HUGE_RSS_MB = 1_000_000, 20.0, 4096.0, 10_000_000, 24 * 1024.0


def rows(bench: dict) -> pd.DataFrame:
    """One row per benchmark: group, test, median/mean/min seconds, rounds, extra info."""
    out = []
    for b in bench["benchmarks"]:
        st = b["stats"]
        out.append({
            "group": b["group"], "test": b["name"].split("[")[0], "param": b.get("param") or "",
            "median_s": st["median"], "mean_s": st["mean"], "min_s": st["min"], "max_s": st["max"],
            "rounds": st["rounds"], **b.get("extra_info", {}),
        })
    return pd.DataFrame(out)


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def kernel_table(df: pd.DataFrame) -> tuple[list[str], dict]:
    """Markdown lines and figures of the cascade-kernel group."""
    k = df[df.group == "cascade-kernel"].set_index("test")
    if OURS_KERNEL not in k.index:
        return [], {}
    ours = k.loc[OURS_KERNEL, "median_s"]
    lines = ["| engine | median time per cascade | mean nodes activated | setup (s) | time / this engine |",
             "|---|---:|---:|---:|---:|"]
    summary = {"ours_s": ours}
    for test in [OURS_KERNEL, *PEERS]:
        if test not in k.index:
            lines.append(f"| {PEERS.get(test, test)} | skipped (not installed) | | | |")
            continue
        r = k.loc[test]
        ratio = r.median_s / ours
        summary[test] = {"median_s": r.median_s, "ratio": ratio, "mean_activated": r.mean_activated}
        lines.append(f"| {r.engine} | {r.median_s * 1e3:,.1f} ms | {r.mean_activated:,.0f} | "
                     f"{r.setup_s:,.2f} | {ratio:,.2f}x |")
    checks = []
    if "test_cynetdiff" in summary:
        r = 1.0 / summary["test_cynetdiff"]["ratio"]
        checks.append(f"- within 2x of cynetdiff: this engine takes {r:.2f}x cynetdiff's time: {_ok(r <= 2.0)}")
    for test, name in (("test_ndlib", "NDlib"), ("test_per_agent_mesa", "per-agent Mesa")):
        if test in summary:
            r = summary[test]["ratio"]
            checks.append(f"- at least 100x faster than {name}: {r:,.0f}x: {_ok(r >= 100.0)}")
    return lines + [""] + checks, summary


def scaling_table(df: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """Markdown lines and the tidy rows of the whole-run scaling group."""
    s = df[df.group == "model-scaling"].copy()
    if s.empty:
        return [], s
    s = s.sort_values("size")
    lines = ["| customers | follower edges | wall time (median) | peak memory |", "|---:|---:|---:|---:|"]
    for _, r in s.iterrows():
        lines.append(f"| {int(r['size']):,} | {int(r.edges):,} | {r.median_s:,.1f} s | {r.peak_rss_mb / 1024:,.2f} GB |")
    lines.append("")
    full = s[s["size"] == FULL_SIZE]
    if not full.empty:
        r = full.iloc[0]
        lines.append(f"- full-size run (1,000,000) in at most 20 s: {r.median_s:.1f} s: {_ok(r.median_s <= FULL_WALL_S)}")
        lines.append(f"- full-size run peak memory at most 4 GB: {r.peak_rss_mb / 1024:.2f} GB: "
                     f"{_ok(r.peak_rss_mb <= FULL_RSS_MB)}")
    huge = s[s["size"] == HUGE_SIZE]
    if not huge.empty:
        r = huge.iloc[0]
        lines.append(f"- 10,000,000 customers within 24 GB: {r.peak_rss_mb / 1024:.2f} GB in {r.median_s:.0f} s: "
                     f"{_ok(r.peak_rss_mb <= HUGE_RSS_MB)}")
    return lines, s


def reference_table(df: pd.DataFrame) -> tuple[list[str], dict]:
    """Markdown lines of the whole model against the per-agent reference."""
    g = df[df.group == "model-vs-reference"].set_index("test")
    if not {"test_fast_model", "test_reference_model"} <= set(g.index):
        return [], {}
    fast, ref = g.loc["test_fast_model"], g.loc["test_reference_model"]
    ratio = ref.median_s / fast.median_s
    lines = ["| model | customers | time per run (median) | time / fast model |", "|---|---:|---:|---:|",
             f"| {fast.engine} | {int(fast['size']):,} | {fast.median_s:,.3f} s | 1x |",
             f"| {ref.engine} | {int(ref['size']):,} | {ref.median_s:,.2f} s | {ratio:,.0f}x |", "",
             f"- whole model at least 50x faster than the reference: {ratio:,.0f}x: {_ok(ratio >= 50.0)}"]
    return lines, {"fast_s": fast.median_s, "reference_s": ref.median_s, "ratio": ratio}


def sweep_table(df: pd.DataFrame) -> tuple[list[str], dict]:
    """Markdown lines of the 2x2x5 sweeps, serial against all cores (pairs run back to back)."""
    g = df[df.group == "sweep-speedup"]
    if g.empty:
        return [], {}
    lines = ["| sweep | round | serial (basic launcher) | all cores (`hydra/launcher=cores`) | speed-up "
             "| grid (`experiments.compare`) | speed-up |", "|---|---:|---:|---:|---:|---:|---:|"]
    notes, summary = [], {}
    for _, r in g.iterrows():
        name = "full size (1,000,000 people)" if "population.size=1000000" in r.sweep else "default (100,000 people)"
        grid = list(r.grid_s) if isinstance(r.get("grid_s"), (list, tuple)) else [float("nan")] * len(r.serial_s)
        rows = list(zip(r.serial_s, r.cores_s, grid))
        lines += [f"| {name} | {i + 1} | {s:.1f} s | {c:.1f} s | {s / c:.2f}x | {d:.1f} s | {s / d:.2f}x |"
                  for i, (s, c, d) in enumerate(rows)]
        notes.append(f"- `{r.sweep}`: {int(r.jobs)} jobs on {int(r.cpus)} CPUs, median speed-up "
                     f"{r.speedup_median:.2f}x on all cores, "
                     f"{float(r.get('grid_speedup_median', float('nan'))):.2f}x as one grid")
        summary[name] = {"jobs": int(r.jobs), "cpus": int(r.cpus), "serial_s": list(r.serial_s),
                         "cores_s": list(r.cores_s), "grid_s": grid,
                         "speedup_median": float(r.speedup_median),
                         "grid_speedup_median": float(r.get("grid_speedup_median", float("nan")))}
    return lines + [""] + notes, summary


def scaling_figure(s: pd.DataFrame):
    """Log-log wall time and peak memory of whole runs against the number of customers."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    n = s["size"].to_numpy(dtype=float)
    a.loglog(n, s.median_s, "o-", label="whole run (command line)")
    a.loglog(n, s.median_s.iloc[-1] * n / n[-1], color="C0", ls="--", lw=0.8, alpha=0.6,
             label="proportional to size")
    a.axhline(FULL_WALL_S, color="grey", ls=":", label="target at 10^6: 20 s")
    a.set(xlabel="customers", ylabel="wall time (s)", title="Time")
    b.loglog(n, s.peak_rss_mb / 1024.0, "s-", color="C1", label="peak resident memory")
    b.loglog(n, s.peak_rss_mb.iloc[-1] / 1024.0 * n / n[-1], color="C1", ls="--", lw=0.8, alpha=0.6,
             label="proportional to size")
    b.axhline(FULL_RSS_MB / 1024, color="grey", ls=":", label="target at 10^6: 4 GB")
    b.axhline(HUGE_RSS_MB / 1024, color="black", ls="--", label="machine: 24 GB")
    b.set(xlabel="customers", ylabel="peak memory (GB)", title="Memory")
    for ax in (a, b):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("United replay, strategy fast_social_care, 72 h at 1-minute ticks")
    fig.tight_layout()
    return fig


def main(argv: list[str]) -> int:
    """Read the benchmark JSON, write the table, summary, CSV and figure."""
    if len(argv) != 2:
        print("usage: python -m tests.benchmarks.report BENCHMARK.json OUTDIR", file=sys.stderr)
        return 2
    src, outdir = Path(argv[0]), Path(argv[1])
    bench = json.loads(src.read_text())
    df = rows(bench)
    k_lines, k_sum = kernel_table(df)
    s_lines, s_rows = scaling_table(df)
    r_lines, r_sum = reference_table(df)
    w_lines, w_sum = sweep_table(df)
    m = bench.get("machine_info", {})
    head = [f"# Benchmark results ({bench.get('datetime', '')[:19]})", "",
            f"Machine: {m.get('cpu', {}).get('brand_raw', m.get('processor', '?'))}, "
            f"{m.get('cpu', {}).get('count', '?')} logical CPUs; Python {m.get('python_version', '?')}.", ""]
    text = head
    for title, lines in (("Cascade kernel, 100,000-node graph", k_lines), ("Whole runs", s_lines),
                         ("Whole model against the per-agent reference", r_lines),
                         ("A 2x2x5 sweep, serial and on all cores", w_lines)):
        if lines:
            text += [f"## {title}", "", *lines, ""]
    write_text(outdir / "table.md", "\n".join(text))
    write_json(outdir / "summary.json", {"kernel": k_sum, "reference": r_sum, "sweep": w_sum,
                                         "scaling": s_rows.to_dict(orient="records")})
    write_csv(outdir / "benchmarks.csv", df.drop(columns=[c for c in ("wall_s",) if c in df]))
    if not s_rows.empty:
        write_csv(outdir / "scaling.csv", s_rows[["size", "edges", "median_s", "min_s", "peak_rss_mb"]])
        save_figure(scaling_figure(s_rows), outdir / "scaling.png")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
