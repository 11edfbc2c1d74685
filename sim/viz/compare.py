"""Figures of a strategy comparison: forest plot, mentions per hour, cost vs reach, reply times.

Each figure takes the frames of a `sim.analysis.compare.Comparison` (and its summary) and returns a
matplotlib Figure; `comparison_figures` writes all four as PNG files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from sim.viz.timeline import save_figure

NEG, POS = "#c0392b", "#27ae60"
BETTER, WORSE, UNCLEAR = "#1e8449", "#c0392b", "#7f8c8d"
STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">")


def strategy_colours(names: Sequence[str]) -> dict[str, tuple]:
    """One colour per strategy, the same in every figure."""
    cmap = plt.get_cmap("tab10")
    return {name: cmap(i % 10) for i, name in enumerate(names)}


def _thousands(x: float) -> str:
    return f"{x / 1000:,.0f}k" if abs(x) >= 10_000 else f"{x:,.0f}"


# (metric, panel title, axis label, scale, lower is better)
FOREST_PANELS = (
    (
        "reach_negative_scaled",
        "Negative reach",
        "people reached by negative posts\n(thousands, real scale)",
        1e-3,
        True,
    ),
    (
        "reach_positive_scaled",
        "Positive reach",
        "people reached by positive posts\n(thousands, real scale)",
        1e-3,
        False,
    ),
    (
        "sentiment_mean_final",
        "Customer sentiment",
        "final mean sentiment of customers\n(scale -1 to +1)",
        1.0,
        False,
    ),
    ("cost_total", "Cost", "cost of the strategy over the run\n(thousand dollars)", 1e-3, True),
)


START_MARKERS = ("o", "s", "^", "v", "P", "X", "h", "<", ">")


def _blocks(summary: pd.DataFrame) -> list[str]:
    """The `start` blocks of a summary in order (pooled first); [""] for one without starts."""
    if "start" not in summary.columns:
        return [""]
    return list(dict.fromkeys(summary["start"]))


def _rows(summary: pd.DataFrame, start: str) -> pd.DataFrame:
    if "start" not in summary.columns:
        return summary.set_index(["strategy", "metric"])
    return summary[summary["start"] == start].set_index(["strategy", "metric"])


def forest_figure(
    summary: pd.DataFrame,
    strategies: Sequence[str],
    baseline: str,
    replicates: int,
    titles: dict[str, str] | None = None,
) -> plt.Figure:
    """Paired differences vs the baseline with 95% CIs, one panel per outcome.

    With several start times (a summary with `pooled` rows), each strategy gets one point per
    start time (its own marker) under the pooled point (a large diamond).

    Args:
        summary: a comparison summary (`Comparison.summary()`).
        strategies: the strategies in table order.
        baseline: the strategy the differences are taken against.
        replicates: replicates per start time.
        titles: start label -> readable title for the legend.
    """
    rows = [s for s in strategies if s != baseline]
    blocks = _blocks(summary)
    several = len(blocks) > 1
    titles = dict(titles or {})
    k = len(blocks)
    offsets = np.linspace(0.32, -0.32, k) if several else np.zeros(1)
    height = 1.2 + (0.55 if not several else 0.28 * (k + 1)) * max(len(rows), 2)
    fig, axes = plt.subplots(1, len(FOREST_PANELS), figsize=(15, height), sharey=True)
    y = np.arange(len(rows))[::-1]
    tables = {b: _rows(summary, b) for b in blocks}
    for ax, (metric, title, label, scale, lower_better) in zip(np.atleast_1d(axes), FOREST_PANELS):
        for j, block in enumerate(blocks):
            s = tables[block]
            pooled = several and j == 0
            marker = (
                ("D" if pooled else START_MARKERS[(j - 1) % len(START_MARKERS)]) if several else "o"
            )
            for yi, name in zip(y, rows):
                r = s.loc[(name, metric)]
                d, lo, hi = r["diff"] * scale, r["diff_ci_low"] * scale, r["diff_ci_high"] * scale
                if not np.isfinite(d):
                    continue
                significant = np.isfinite(lo) and (lo > 0 or hi < 0)
                good = (d < 0) == lower_better
                colour = (BETTER if good else WORSE) if significant else UNCLEAR
                ax.errorbar(
                    d,
                    yi + offsets[j],
                    xerr=[[d - lo], [hi - d]] if np.isfinite(lo) else None,
                    fmt=marker,
                    color=colour,
                    ecolor=colour,
                    mec="black" if pooled else colour,
                    mew=1.0 if pooled else 0.5,
                    capsize=2.5 if several else 3,
                    ms=7.5 if pooled else (5 if several else 6),
                    lw=2.2 if pooled else (1.1 if several else 1.6),
                    zorder=3 if pooled else 2,
                )
        if several:
            for yi in y[:-1]:
                ax.axhline(yi - 0.5, color="grey", lw=0.5, alpha=0.4)
        ax.axvline(0, color="black", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.set_title(f"{title}: difference vs {baseline}", fontsize=10)
        ax.set_xlabel(label, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    first = np.atleast_1d(axes)[0]
    first.set_yticks(y)
    first.set_yticklabels(rows)
    first.set_ylim(-0.6, len(rows) - 0.4)
    handles = [
        Line2D([], [], color=c, marker="o", ls="none", label=t)
        for c, t in (
            (BETTER, "better than baseline (CI excludes 0)"),
            (WORSE, "worse than baseline (CI excludes 0)"),
            (UNCLEAR, "no clear difference (CI includes 0)"),
        )
    ]
    if several:
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                marker="D",
                ls="none",
                mfc="white",
                ms=7,
                label=f"pooled over start times ({replicates * (k - 1)} runs)",
            )
        )
        handles += [
            Line2D(
                [],
                [],
                color="black",
                marker=START_MARKERS[(j - 1) % len(START_MARKERS)],
                ls="none",
                mfc="white",
                ms=5,
                label=f"first incident {titles.get(b, b)}",
            )
            for j, b in enumerate(blocks)
            if j
        ]
    ncol = 3 if not several else min(4, max(3, (len(handles) + 1) // 2))
    fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False, fontsize=9)
    what = (
        f"{replicates} replicates at each of {k - 1} start times"
        if several
        else f"{replicates} replicates"
    )
    fig.suptitle(
        f"Effect of each strategy vs {baseline}: paired difference, mean and 95% CI over "
        f"{what} (same network, incident and chatter)",
        fontsize=11,
    )
    legend_rows = int(np.ceil(len(handles) / ncol))
    fig.tight_layout(rect=(0, min(0.3, (0.35 + 0.25 * legend_rows) / height), 1, 0.95))
    return fig


def mentions_figure(
    hourly: pd.DataFrame,
    strategies: Sequence[str],
    incident_hours: Sequence[float],
    population: int,
    scale: float,
) -> plt.Figure:
    """Negative and positive brand mentions per hour per strategy: median and 10-90% band."""
    n = len(strategies)
    cols = min(4, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(3.6 * cols + 1, 2.7 * rows + 1.2),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    runs = ["start", "replicate"] if "start" in hourly.columns else ["replicate"]
    replicates = int(hourly[runs].drop_duplicates().shape[0])
    starts = int(hourly["start"].nunique()) if "start" in hourly.columns else 1
    for ax, name in zip(axes.flat, strategies):
        df = hourly[hourly["strategy"] == name]
        for col, colour, label in (
            ("mentions_negative", NEG, "negative"),
            ("mentions_positive", POS, "positive"),
        ):
            wide = df.pivot_table(index="hour", columns=runs, values=col, aggfunc="first")
            x = wide.index.to_numpy() - 0.5
            q = np.nanpercentile(wide.to_numpy(dtype=float), [10, 50, 90], axis=1)
            ax.fill_between(x, q[0], q[2], step="mid", color=colour, alpha=0.25, lw=0)
            ax.step(x, q[1], where="mid", color=colour, lw=1.3, label=f"{label} mentions, median")
        for h in incident_hours:
            ax.axvline(h, color="black", ls="--", lw=0.9)
        ax.set_title(name, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("mentions per hour")
    for i, ax in enumerate(axes.flat[:n]):
        if i + cols >= n:  # nothing visible below: label this panel's time axis
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel("hours since start")
    handles = [
        Line2D([], [], color=NEG, lw=1.5, label="negative mentions (median)"),
        Line2D([], [], color=POS, lw=1.5, label="positive mentions (median)"),
        plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.3, label="10-90% of runs"),
        Line2D([], [], color="black", ls="--", lw=1, label="incident"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=9)
    runs_text = (
        f"{replicates} runs: {replicates // starts} replicates x {starts} start times, aligned "
        "at the incident"
        if starts > 1
        else f"{replicates} replicates"
    )
    fig.suptitle(
        f"Brand mentions per hour under each strategy ({runs_text}; simulated "
        f"population of {population:,}, 1 simulated person = {scale:,.0f} real)",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    return fig


def pareto_front(cost: np.ndarray, reach: np.ndarray, tolerance: float = 0.01) -> np.ndarray:
    """Indices of the strategies no cheaper one beats on negative reach, in order of cost.

    A strategy joins the front only if it reaches fewer people than every cheaper one by more
    than `tolerance` times the largest reach (paying for no visible change is not a gain).
    """
    order = np.lexsort((reach, cost))
    margin = tolerance * float(np.nanmax(reach)) if np.isfinite(reach).any() else 0.0
    front, best = [], np.inf
    for i in order:
        if np.isfinite(reach[i]) and reach[i] < best - (margin if front else 0.0):
            front.append(int(i))
            best = reach[i]
    return np.array(front, dtype=int)


def cost_reach_figure(
    summary: pd.DataFrame, strategies: Sequence[str], replicates: int, unit: str = "replicates"
) -> plt.Figure:
    """Mean cost vs mean negative reach (95% CIs), the Pareto front highlighted.

    Args:
        summary: the summary rows of one start time (or pooled), without a `start` column.
        strategies: the strategies in table order.
        replicates: the number of runs per strategy behind the means.
        unit: what those runs are, for the title.
    """
    s = summary.set_index(["strategy", "metric"])
    get = lambda metric, col: np.array([s.loc[(n, metric), col] for n in strategies], dtype=float)  # noqa: E731
    cost, reach = get("cost_total", "mean"), get("reach_negative_scaled", "mean") / 1000
    c_lo, c_hi = get("cost_total", "ci_low"), get("cost_total", "ci_high")
    r_lo, r_hi = (
        get("reach_negative_scaled", "ci_low") / 1000,
        get("reach_negative_scaled", "ci_high") / 1000,
    )
    front = pareto_front(cost, reach)
    on_front = set(front.tolist())
    colours = strategy_colours(strategies)
    fig, ax = plt.subplots(figsize=(12, 6.2))
    ax.plot(
        cost[front],
        reach[front],
        color=BETTER,
        lw=6,
        alpha=0.25,
        zorder=1,
        solid_capstyle="round",
        label="Pareto front (no cheaper strategy reaches fewer; ties within 1% ignored)",
    )
    for i, name in enumerate(strategies):
        xerr = (
            [[max(cost[i] - c_lo[i], 0)], [max(c_hi[i] - cost[i], 0)]]
            if np.isfinite(c_lo[i])
            else None
        )
        yerr = (
            [[max(reach[i] - r_lo[i], 0)], [max(r_hi[i] - reach[i], 0)]]
            if np.isfinite(r_lo[i])
            else None
        )
        marker = MARKERS[i % len(MARKERS)]
        ax.errorbar(
            cost[i],
            reach[i],
            xerr=xerr,
            yerr=yerr,
            fmt=marker,
            ms=9,
            color=colours[name],
            ecolor=colours[name],
            elinewidth=1,
            capsize=3,
            zorder=3,
            alpha=0.9,
            mec="black" if i in on_front else colours[name],
            mew=1.8 if i in on_front else 0.5,
            label=f"{name}{' (on the front)' if i in on_front else ''}: ${cost[i]:,.0f}, "
            f"{reach[i]:,.0f}k people",
        )
    ax.set_xlabel("cost of the strategy over the run (dollars)")
    ax.set_ylabel("people reached by negative posts (thousands, real scale)")
    ax.set_title(
        f"Cost vs negative reach (lower left is better): mean and 95% CI over {replicates} {unit}",
        fontsize=11,
    )
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"${v:,.0f}"))
    xmax = float(np.nanmax(cost)) if np.isfinite(np.nanmax(cost)) else 1.0
    ax.set_xlim(-0.05 * xmax - 1, xmax * 1.25 + 1)
    ax.set_ylim(0, float(np.nanmax(r_hi if np.isfinite(r_hi).any() else reach)) * 1.12 + 1)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=9,
        title="strategy: mean cost, mean negative reach",
        title_fontsize=9,
    )
    fig.tight_layout()
    return fig


def response_time_figure(
    times: pd.DataFrame, strategies: Sequence[str], horizon_min: float
) -> plt.Figure:
    """Share of complainers publicly answered within t minutes (an ECDF; unanswered never count)."""
    colours = strategy_colours(strategies)
    fig, ax = plt.subplots(figsize=(10.5, 5.8))
    never = []
    grid = np.logspace(0, np.log10(max(horizon_min, 10)), 400)
    for i, name in enumerate(strategies):
        t = times.loc[times["strategy"] == name, "minutes"].to_numpy(dtype=float)
        if t.size == 0 or not np.isfinite(t).any():
            never.append(name)
            continue
        answered = np.sort(t[np.isfinite(t)])
        share = np.searchsorted(answered, grid, side="right") / t.size
        median = np.median(answered)
        ax.step(
            grid,
            100 * share,
            where="post",
            color=colours[name],
            ls=STYLES[i % len(STYLES)],
            lw=1.8,
            label=f"{name} (median {median:,.0f} min; {answered.size / t.size:.0%} ever answered)",
        )
    for x in (20, 60):
        ax.axvline(x, color="black", lw=0.9, ls=":")
    ax.plot(
        [],
        [],
        color="black",
        lw=0.9,
        ls=":",
        label="20 min (Comcast's fix) and 1 h (42% of customers expect a reply by then)",
    )
    for name in never:
        ax.plot([], [], color="none", label=f"{name}: never answers")
    ax.set_xscale("log")
    ax.set_xlim(1, grid[-1] * 1.02)
    ax.set_ylim(0, 100)
    ticks = [1, 5, 20, 60, 240, 1440, 4320]
    ax.set_xticks([v for v in ticks if v <= grid[-1] * 1.001])
    ax.set_xticklabels([_minutes(v) for v in ticks if v <= grid[-1] * 1.001])
    ax.set_xlabel("time since the complaint (log scale)")
    ax.set_ylabel("complainers publicly answered (%)")
    pooled = (
        "all replicates and start times"
        if "start" in times.columns and times["start"].nunique() > 1
        else "all replicates"
    )
    ax.set_title(f"How fast complainers get a first public answer ({pooled} pooled)", fontsize=11)
    ax.grid(alpha=0.3, which="both")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def _minutes(v: float) -> str:
    if v < 60:
        return f"{v:g} min"
    if v < 1440:
        return f"{v / 60:g} h"
    return f"{v / 1440:g} d"


def comparison_figures(
    comparison,
    summary: pd.DataFrame,
    outdir: str | Path,
    incident_hours: Sequence[float],
    population: int,
    horizon_h: float,
) -> list[Path]:
    """Write forest.png, mentions.png, cost_vs_reach.png and response_times.png into `outdir`."""
    outdir = Path(outdir)
    names, base = comparison.strategies, comparison.baseline
    replicates = int(comparison.runs["replicate"].nunique())
    headline = _rows(summary, comparison.headline).reset_index()
    runs = replicates * len(comparison.starts)
    figures = {
        "forest.png": forest_figure(summary, names, base, replicates, comparison.titles),
        "mentions.png": mentions_figure(
            comparison.hourly, names, incident_hours, population, comparison.scale
        ),
        "cost_vs_reach.png": cost_reach_figure(
            headline,
            names,
            runs,
            "runs, pooled over start times" if len(comparison.starts) > 1 else "replicates",
        ),
        "response_times.png": response_time_figure(
            comparison.response_times, names, horizon_h * 60.0
        ),
    }
    paths = []
    for name, fig in figures.items():
        save_figure(fig, outdir / name)
        paths.append(outdir / name)
    return paths
