"""The dose-response figure: one panel per metric, mean and 95% CI band against the dose."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.analysis.dose import DoseResponse
from sim.outputs.registry import get as get_metric
from sim.viz.sweep import label

LINE, BAND, CLIFF = "#1f77b4", "#aec7e8", "#d62728"


def _log_axis(doses: list[float | int]) -> bool:
    """A log x axis for positive doses spanning two orders of magnitude or more."""
    return min(doses) > 0 and max(doses) / min(doses) >= 100


def _ylabel(metric: str) -> str:
    m = get_metric(metric)
    text = label(metric) if label(metric) != metric.replace("_", " ") else m.label
    plain = not m.unit or m.unit in ("share", "sentiment") or f"({m.unit})" in text
    return text if plain else f"{text} ({m.unit})"


def dose_response_figure(result: DoseResponse, title: str) -> plt.Figure:
    """Mean of each metric with its CI band against the dose; each metric's largest step in red.

    Args:
        result: a dose-response study (`sim.analysis.dose.dose_response`).
        title: the figure's title (scenario, strategy, replicates).
    """
    summary = result.summary()
    largest = result.largest_steps().set_index("metric")
    n = len(result.metrics)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows + 0.6), squeeze=False)
    x = np.asarray(result.doses, dtype=float)
    for ax, metric in zip(axes.flat, result.metrics):
        part = summary[summary["metric"] == metric].set_index("dose").loc[result.doses]
        mean = part["mean"].to_numpy(float)
        ax.fill_between(
            x,
            part["ci_low"].to_numpy(float),
            part["ci_high"].to_numpy(float),
            color=BAND,
            alpha=0.7,
            linewidth=0,
            label="95% CI",
        )
        ax.plot(x, mean, "o-", color=LINE, markersize=4, label="mean over replicates")
        note = ""
        if metric in largest.index:
            step = largest.loc[metric]
            lo, hi = result.doses.index(step["from_dose"]), result.doses.index(step["to_dose"])
            ax.plot(
                x[[lo, hi]],
                mean[[lo, hi]],
                "-",
                color=CLIFF,
                linewidth=2.5,
                label="largest step between neighbouring doses",
            )
            note = (
                f"largest step {step['from_dose']:g} → {step['to_dose']:g}: "
                f"{step['share']:.0%} of the change"
            )
            if step["ci_low"] <= 0 <= step["ci_high"]:
                note += " (its 95% CI includes 0)"
        elif np.isfinite(mean).sum() >= 2:
            note = "flat: no change between doses"
        missing = [f"{d:g}" for d, n_ok in zip(result.doses, part["n"]) if n_ok == 0]
        if missing:
            note += ("\n" if note else "") + f"no value at {', '.join(missing)}"
        if note:
            ax.text(
                0.02,
                0.97,
                note,
                transform=ax.transAxes,
                va="top",
                fontsize=7.5,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
            )
        if get_metric(metric).unit == "share":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        elif np.nanmax(np.abs(part[["mean", "ci_high"]].to_numpy(float)), initial=0) >= 1e4:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        if _log_axis(result.doses):
            ax.set_xscale("log")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{d:g}" for d in result.doses], fontsize=8)
        ax.minorticks_off()
        ax.set_title(_ylabel(metric), fontsize=10)
        ax.set_xlabel(textwrap.fill(result.knob.axis_label, 60), fontsize=8)
        ax.grid(alpha=0.3)
        ax.margins(y=0.15)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles: dict[str, Any] = {}
    for ax in axes.flat[:n]:
        for h, text in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(text, h)
    fig.suptitle(title, fontsize=11)
    fig.legend(
        list(handles.values()), list(handles), loc="lower center", ncol=3, fontsize=8, frameon=False
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
