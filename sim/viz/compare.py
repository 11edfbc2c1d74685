"""Figures of a strategy comparison: forest plot, mentions per hour, cost vs reach, reply times.

Each figure takes the frames of a `sim.analysis.compare.Comparison` (and its summary) and returns a
matplotlib Figure; `comparison_figures` writes all four as PNG files. The forest plot lives in
`sim.viz.forest`, cost vs reach in `sim.viz.cost_reach`, the shared colours in `sim.viz.palette`;
their names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from sim.viz.cost_reach import cost_reach_figure, pareto_front
from sim.viz.forest import FOREST_PANELS, forest_figure, start_rows
from sim.viz.palette import (
    BETTER,
    MARKERS,
    NEG,
    POS,
    START_MARKERS,
    STYLES,
    UNCLEAR,
    WORSE,
    strategy_colours,
)
from sim.viz.timeline import save_figure

__all__ = [
    "BETTER",
    "FOREST_PANELS",
    "MARKERS",
    "NEG",
    "POS",
    "START_MARKERS",
    "STYLES",
    "UNCLEAR",
    "WORSE",
    "comparison_figures",
    "cost_reach_figure",
    "forest_figure",
    "mentions_figure",
    "pareto_front",
    "response_time_figure",
    "strategy_colours",
]


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
    headline = start_rows(summary, comparison.headline).reset_index()
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
