"""Figures of sweeps, sensitivity analyses and robustness studies (matplotlib, Agg backend)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any, cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap

from sim.analysis.sweep import summarise

LABELS = {
    "reach_negative": "people reached by negative posts",
    "reach_positive": "people reached by positive posts",
    "impressions_negative": "negative impressions",
    "net_sentiment": "net sentiment",
    "sentiment_mean_final": "mean sentiment at the end",
    "sentiment_delta": "change of mean sentiment",
    "responded_share": "share of complaints answered",
    "resolved_share": "share of complaints resolved",
    "response_time_median_min": "median first response (min)",
    "cost_total": "cost ($)",
    "cost_staff": "staff cost ($)",
    "churned": "customers churned",
    "revenue_at_risk": "revenue at risk ($)",
}
_RGB = tuple[float, float, float]
PALETTE = cast(tuple[_RGB, ...], cast(ListedColormap, plt.get_cmap("tab10")).colors)


def label(metric: str) -> str:
    """Plain-language axis label of a metric key."""
    return LABELS.get(metric, metric.replace("_", " "))


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def metric_vs_value(
    table: pd.DataFrame, x: str, metric: str, group: Sequence[str] = (), level: float = 0.95
) -> plt.Figure:
    """Mean of `metric` over seeds against one swept value, with its CI band; a line per group.

    Args:
        table: a collected sweep (`sim.analysis.sweep.collect(...).table`).
        x: the swept column on the horizontal axis.
        metric: the metric on the vertical axis.
        group: other swept columns; each combination of their values gets its own line.
        level: confidence level of the bands (Student t over seeds).
    """
    group = list(group)
    summary = summarise(table, [*group, x], metric, level)
    numeric = _is_numeric(table[x])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    positions: dict[Any, int] = {}  # category -> slot on the axis (categorical x only)
    if not numeric:
        levels = list(dict.fromkeys(table[x]))
        positions = {v: i for i, v in enumerate(levels)}
    groups = [((), summary)] if not group else list(summary.groupby(group, sort=True))
    width = 0.6 / max(1, len(groups))
    for i, (key, part) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        name = ", ".join(f"{g}={v}" for g, v in zip(group, key)) or None
        color = PALETTE[i % len(PALETTE)]
        if numeric:
            part = part.sort_values(x)
            xs = part[x].to_numpy(dtype=float)
            ax.plot(xs, part["mean"], "o-", color=color, label=name)
            ax.fill_between(xs, part["ci_low"], part["ci_high"], color=color, alpha=0.2, lw=0)
        else:
            xs = np.array([positions[v] for v in part[x]]) + (i - (len(groups) - 1) / 2) * width
            err = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
            ax.errorbar(
                xs,
                part["mean"],
                yerr=np.nan_to_num(err),
                fmt="o",
                color=color,
                capsize=4,
                label=name,
            )
    if positions is not None:
        ax.set_xticks(range(len(positions)), [str(v) for v in positions])
        ax.set_xlim(-0.6, len(positions) - 0.4)
    n = int(summary["n"].min()) if len(summary) else 0
    ax.set_xlabel(x)
    ax.set_ylabel(label(metric))
    ax.set_title(f"{label(metric)} vs {x}\nmean over seeds, {level:.0%} CI (n = {n} per point)")
    if group:
        ax.legend(frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def heatmap(table: pd.DataFrame, x: str, y: str, metric: str) -> plt.Figure:
    """Mean of `metric` over seeds for every pair of values of two swept columns."""
    summary = summarise(table, [y, x], metric)
    grid = summary.pivot(index=y, columns=x, values="mean")
    fig, ax = plt.subplots(figsize=(1.2 * len(grid.columns) + 3, 0.6 * len(grid.index) + 2.5))
    image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="viridis", origin="lower")
    ax.set_xticks(range(len(grid.columns)), [str(v) for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [str(v) for v in grid.index])
    finite = grid.to_numpy(dtype=float)
    middle = np.nanmean(finite) if np.isfinite(finite).any() else 0.0
    for (i, j), value in np.ndenumerate(finite):
        if np.isfinite(value):
            ax.text(
                j,
                i,
                f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if value < middle else "black",
            )
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{label(metric)}\n(mean over seeds)")
    fig.colorbar(image, ax=ax, label=label(metric))
    fig.tight_layout()
    return fig


def morris_figure(indices: pd.DataFrame, metric: str) -> plt.Figure:
    """Morris screening: mu* (mean absolute elementary effect, with CI) against sigma.

    Inputs far right matter most; inputs high above the diagonal act non-linearly or interact.
    """
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.errorbar(
        indices["mu_star"],
        indices["sigma"],
        xerr=np.nan_to_num(indices["mu_star_conf"]),
        fmt="o",
        color=PALETTE[0],
        capsize=3,
    )
    cutoff = 0.05 * float(np.nanmax(indices["mu_star"])) if len(indices) else 0.0
    small = []
    for _, row in indices.iterrows():
        if row["mu_star"] > cutoff:
            ax.annotate(
                row["parameter"],
                (row["mu_star"], row["sigma"]),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=8,
            )
        else:
            small.append(str(row["parameter"]))
    if small:  # unlabelled crowd at the origin: name it below the axes instead
        note = textwrap.fill("mu* under 5% of the largest: " + ", ".join(small), 110)
        fig.text(0.01, 0.01, note, fontsize=7, color="dimgrey", va="bottom")
    top = float(np.nanmax([indices["mu_star"].max(), indices["sigma"].max(), 0.0])) or 1.0
    ax.plot([0, top], [0, top], color="grey", ls="--", lw=1, label="sigma = mu*")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("mu* (mean |elementary effect|, 95% CI)")
    ax.set_ylabel("sigma (spread of elementary effects)")
    ax.set_title(f"Morris screening: {label(metric)}")
    ax.legend(frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout(rect=(0, 0.08 if small else 0, 1, 1))
    return fig


def sobol_figure(indices: pd.DataFrame, metric: str) -> plt.Figure:
    """Sobol first-order (S1) and total (ST) indices per input, with 95% CIs."""
    order = indices.sort_values("ST", ascending=True, na_position="first")
    ys = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(order) + 2))
    ax.barh(
        ys - 0.2,
        order["S1"],
        height=0.4,
        xerr=np.nan_to_num(order["S1_conf"]),
        color=PALETTE[0],
        capsize=3,
        label="S1 (alone)",
    )
    ax.barh(
        ys + 0.2,
        order["ST"],
        height=0.4,
        xerr=np.nan_to_num(order["ST_conf"]),
        color=PALETTE[1],
        capsize=3,
        label="ST (with interactions)",
    )
    ax.set_yticks(ys, order["parameter"])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("share of output variance (95% CI)")
    ax.set_title(f"Sobol indices: {label(metric)}")
    ax.legend(frameon=False, fontsize=9, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def robustness_figure(regret: pd.DataFrame, summary: pd.DataFrame) -> plt.Figure:
    """Regret of each strategy over the sampled futures, one panel per objective.

    Args:
        regret: columns strategy, objective, sample, regret.
        summary: columns strategy, objective, regret_median, regret_max.
    """
    objectives = list(dict.fromkeys(summary["objective"]))
    strategies = list(dict.fromkeys(summary["strategy"]))
    fig, axes = plt.subplots(
        1,
        len(objectives),
        figsize=(4.2 * len(objectives), 0.5 * len(strategies) + 2.8),
        squeeze=False,
    )
    for ax, objective in zip(axes[0], objectives):
        data = [
            regret.loc[
                (regret["objective"] == objective) & (regret["strategy"] == s), "regret"
            ].to_numpy(dtype=float)
            for s in strategies
        ]
        ax.boxplot(data, orientation="horizontal", widths=0.6, showfliers=False)
        for i, values in enumerate(data, start=1):
            jitter = (
                np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else np.zeros(len(values))
            )
            ax.plot(values, i + jitter, ".", color=PALETTE[0], alpha=0.4, ms=4)
            if len(values):
                ax.plot(np.nanmax(values), i, "x", color=PALETTE[3], ms=9, mew=2)
        ax.set_yticks(range(1, len(strategies) + 1), strategies)
        ax.set_xlabel(f"regret: {label(objective)}")
        ax.set_title(objective)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].plot([], [], "x", color=PALETTE[3], label="worst case")
    axes[0][0].legend(frameon=False, fontsize=8, loc="best")
    fig.suptitle("Regret over the sampled futures (0 = best strategy in that future)")
    fig.tight_layout()
    return fig
