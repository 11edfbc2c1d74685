"""The diagnostics figure of an ABC-SMC calibration: marginals, pairs, epsilon, predictive check.

Top row: each free parameter's weighted posterior (histogram over its prior's bounds, the flat
prior drawn as a line) with the mean, the 90% interval and the value the scenario file holds,
then epsilon per generation. Middle row (two or more parameters): every pair of parameters, one
dot per particle, its area by weight. Bottom: the posterior predictive check of every target in
tolerance units ((value - documented) / tolerance, so the band of a `near` target is -1 to 1),
coloured by label: the 90% predictive interval over posterior draws, its median, and the band.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.config.schema import FreeParameter

LABEL_COLOURS = {"calibrated": "#2c7fb8", "held_out": "#d95f02", "identity": "#7f7f7f"}


def _current(documented: Mapping[str, Any], key: str) -> float:
    from sim.analysis.calibration import current_values

    try:
        return float(current_values(documented, [FreeParameter(key, 0.0, 1.0)])[key])
    except (KeyError, ValueError, TypeError):
        return math.nan


def _short(key: str) -> str:
    return ".".join(key.split(".")[-2:])


def _tol_units(row: pd.Series, value: float) -> float:
    tol = (row["band_high"] - row["documented"]) if math.isfinite(row["band_high"]) else math.nan
    if not math.isfinite(tol):
        tol = row["documented"] - row["band_low"]
    return (value - row["documented"]) / tol if tol else math.nan


def posterior_figure(
    scenario: str,
    post: Any,
    summary: pd.DataFrame,
    predictive: pd.DataFrame,
    free: Sequence[FreeParameter],
    documented: Mapping[str, Any],
):
    """The figure (matplotlib Figure) of a posterior and its predictive check."""
    import matplotlib.pyplot as plt

    k = len(free)
    pairs = list(itertools.combinations(range(k), 2))
    cols = max(k + 1, len(pairs), 2)
    rows = 3 if pairs else 2
    height = [3.2] + ([3.0] if pairs else []) + [1.0 + 0.6 * len(predictive)]
    fig = plt.figure(figsize=(max(13.0, 4.2 * cols), sum(height) + 1.8))
    grid = fig.add_gridspec(rows, cols, height_ratios=height)
    s = post.samples
    w = s["weight"].to_numpy(dtype=float)
    stats = summary.set_index("parameter")
    for i, fp in enumerate(free):
        ax = fig.add_subplot(grid[0, i])
        x = s[fp.key].to_numpy(dtype=float)
        span = max(float(x.max() - x.min()), 1e-9 * (fp.high - fp.low))
        lo, hi = max(fp.low, x.min() - 0.6 * span), min(fp.high, x.max() + 0.6 * span)
        bins = np.linspace(lo, hi, 16).tolist()
        ax.hist(
            x,
            bins=bins,
            weights=w,
            density=True,
            color="#9ecae1",
            edgecolor="white",
            label="posterior",
        )
        ax.axhline(
            1.0 / (fp.high - fp.low),
            color="#636363",
            ls="--",
            lw=1,
            label=f"prior: uniform {fp.low:g} .. {fp.high:g}",
        )
        st = stats.loc[fp.key]
        ax.axvspan(
            st["q05"],
            st["q95"],
            color="#3182bd",
            alpha=0.12,
            label=f"90% interval {st['q05']:.4g} .. {st['q95']:.4g}",
        )
        ax.axvline(st["mean"], color="#08519c", lw=2, label=f"mean {st['mean']:.4g}")
        cur = _current(documented, fp.key)
        if math.isfinite(cur):
            ax.axvline(cur, color="#e6550d", ls=":", lw=2, label=f"scenario file {cur:.4g}")
        ax.set_xlim(lo, hi)
        ax.set_title(f"{_short(fp.key)} (zoomed in the prior's range)", fontsize=10)
        ax.set_yticks([])
        ax.legend(fontsize=7, frameon=False, loc="upper right")
    ax = fig.add_subplot(grid[0, k])
    g = post.generations
    ax.plot(g["t"], g["epsilon"], "o-", color="#31a354")
    for t, e, n in zip(g["t"], g["epsilon"], g["simulations"]):
        ax.annotate(f"{n} sims", (t, e), fontsize=7, textcoords="offset points", xytext=(3, 4))
    ax.set_xlabel("generation")
    ax.set_ylabel("epsilon")
    ax.axhline(1.0, color="#636363", ls=":", lw=1)
    ax.set_title(
        "acceptance threshold per generation\n(RMS miss of the calibrated targets in tolerance "
        "units;\nbelow 1: inside the bands on average)",
        fontsize=9,
    )
    ax.set_xticks(list(g["t"]))
    for j, (a, b) in enumerate(pairs):
        ax = fig.add_subplot(grid[1, j])
        fa, fb = free[a], free[b]
        ax.scatter(s[fa.key], s[fb.key], s=20 + 600 * w, alpha=0.6, color="#3182bd")
        ax.set_xlim(fa.low, fa.high)
        ax.set_ylim(fb.low, fb.high)
        ax.set_xlabel(_short(fa.key), fontsize=9)
        ax.set_ylabel(_short(fb.key), fontsize=9)
        ax.set_title("pair (dot area: weight)", fontsize=9)
    ax = fig.add_subplot(grid[rows - 1, :])
    _predictive_panel(ax, predictive)
    fig.suptitle(
        f"{scenario}: posterior of the free parameters (ABC-SMC, {len(g)} generations, "
        f"{len(s)} particles, final epsilon {g['epsilon'].iloc[-1]:.2f})",
        fontsize=12,
    )
    fig.tight_layout()
    return fig


def _predictive_panel(ax: Any, predictive: pd.DataFrame) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    n = len(predictive)
    for y, (_, row) in enumerate(predictive.iloc[::-1].iterrows()):
        colour = LABEL_COLOURS.get(str(row["label"]), "#333333")
        lo, hi = _tol_units(row, row["predictive_low"]), _tol_units(row, row["predictive_high"])
        med = _tol_units(row, row["predictive_median"])
        b_lo, b_hi = _tol_units(row, row["band_low"]), _tol_units(row, row["band_high"])
        b_lo, b_hi = (max(b_lo, -6), min(b_hi, 6))
        ax.add_patch(Rectangle((b_lo, y - 0.35), b_hi - b_lo, 0.7, color="#e5f5e0", zorder=0))
        if all(map(math.isfinite, (lo, hi, med))):
            ax.plot([max(lo, -6), min(hi, 6)], [y, y], color=colour, lw=3)
            ax.plot([max(min(med, 6), -6)], [y], "o", color=colour, ms=7)
        verdict = "met" if row["met"] else "NOT met"
        ax.text(
            6.2,
            y,
            f"{verdict}: median {row['predictive_median']:.4g} vs {row['documented']:.4g}\n"
            f"{row['share_in_band']:.0%} of draws in band",
            va="center",
            fontsize=8,
        )
        ax.text(
            -5.9,
            y + 0.38,
            f"[{row['label']}] {row['target'][:80]}",
            fontsize=8,
            va="bottom",
            color=colour,
        )
    ax.set_yticks([])
    ax.axvline(0, color="black", lw=1)
    ax.set_xlim(-6, 11)
    ax.set_ylim(-0.6, n - 0.1)
    ax.set_xlabel(
        "(value - documented) / tolerance   (green: the target's band; line: 90% interval over "
        "posterior draws; dot: median; clipped at +-6)"
    )
    handles = [
        Line2D([], [], color=c, lw=3, label=label)
        for label, c in LABEL_COLOURS.items()
        if label in set(predictive["label"])
    ]
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="lower right", title="label")
    draws = int(predictive["draws"].max()) if len(predictive) else 0
    ax.set_title(
        f"posterior predictive check of every target, whatever its label ({draws} posterior "
        "draws, each run on seeds the fit never used)",
        fontsize=10,
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
