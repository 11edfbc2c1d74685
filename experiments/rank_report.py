"""The files of `experiments.rank_robustness`: tables, the summary in words and the heat map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from experiments.common import resolved
from experiments.sensitivity import markdown_table
from sim.outputs.io import write_csv, write_text, write_yaml

BASE = "base"


def _value_text(values: pd.Series) -> str:
    """The parameter's value at a level: one number, or `per preset` where they differ."""
    distinct = pd.unique(values.dropna())
    if len(distinct) == 0:
        return ""
    if len(distinct) == 1:
        return f"{float(distinct[0]):.4g}"
    return f"per preset ({float(np.min(distinct)):.4g} to {float(np.max(distinct)):.4g})"


def _level_text(row) -> str:
    if row.tau == 1:
        return f"{row.level}: unchanged"
    if not row.swaps:
        return f"{row.level}: tau {row.tau:.2f}, only ties differ"
    clear = f"; clear: {row.clear}" if row.clear_swaps else "; none clear"
    return f"{row.level}: tau {row.tau:.2f}, {row.swaps} pairs swapped: {row.swapped}{clear}"


def in_words(levels: pd.DataFrame) -> list[str]:
    """Which parameters reorder the strategies, which only make or break ties, which do neither."""
    swapped, ties, steady = [], [], []
    for key, part in levels[levels["parameter"] != BASE].groupby("parameter", sort=False):
        line = f"  - `{key}`: " + "; ".join(_level_text(r) for r in part.itertuples(index=False))
        if (part["swaps"] > 0).any():
            swapped.append(line)
        elif (part["tau"] == 1).all():
            steady.append(f"`{key}`")
        else:
            ties.append(line)
    lines = []
    if swapped:
        lines += ["- **The ranking changes** (pairs of strategies swap places) with:", *swapped]
    else:
        lines.append("- **No parameter swaps two strategies** at these levels.")
    if ties:
        lines += [
            "- **Only ties change** (strategies with equal means part, or become equal) with:",
            *ties,
        ]
    if steady:
        lines.append(
            "- **The ranking does not change** (tau 1 at every level) with: "
            + ", ".join(steady)
            + "."
        )
    lines.append(
        "- A swap is *clear* where the pair's paired difference over the replicates at that level "
        "has a 95% interval on the swapped side of zero; other swaps are within replicate noise "
        "(more `replicates` tell them apart)."
    )
    return lines


def summary_markdown(
    cfg: DictConfig, metric: str, better: str, table: pd.DataFrame, levels: pd.DataFrame
) -> str:
    """rank_robustness.md: setup, the answer in words, then one row per parameter and level."""
    base = levels[levels["parameter"] == BASE].iloc[0]
    n_params = levels.loc[levels["parameter"] != BASE, "parameter"].nunique()
    n_strategies = table["strategy"].nunique()
    factors = ", ".join(f"x{float(f):g}" for f in cfg.factors)
    starts = list(cfg.starts or [])
    when = f" at start times {', '.join(map(str, starts))} (pooled)" if starts else ""
    rows = levels.copy()
    rows["value"] = [
        _value_text(
            table.loc[(table["parameter"] == r.parameter) & (table["level"] == r.level), "value"]
        )
        for r in levels.itertuples(index=False)
    ]
    rows = rows[["parameter", "level", "value", "tau", "swaps", "swapped", "clear", "ranking"]]
    mean = table.pivot_table(
        index="strategy", columns=["parameter", "level"], values="mean", sort=False
    )
    text = [
        f"# Rank robustness: {cfg.scenario.name}, ranked by {metric} ({better} is better)",
        "",
        f"{n_params} parameters of the set `{cfg.sensitivity.name}`, each moved to {factors} of "
        f"its base value one at a time (`strategy.*` keys: each preset's own value); "
        f"{n_strategies} "
        f"strategies, {int(cfg.replicates)} replicates with the same seeds at every level, "
        f"{int(cfg.population.size):,} simulated people{when}. Kendall tau compares each ranking "
        "with the base ranking (1: the same order).",
        "",
        f"**Base ranking:** {base['ranking']}",
        "",
        "## In words",
        "",
        *in_words(levels),
        "",
        "## Per parameter and level",
        "",
        markdown_table(rows.fillna("")),
        "",
        f"## Mean {metric} per strategy and level",
        "",
        markdown_table(
            pd.DataFrame(
                {
                    "strategy": mean.index,
                    **{
                        f"{p} {lev}" if p != BASE else BASE: mean[(p, lev)].to_numpy()
                        for p, lev in mean.columns
                    },
                }
            )
        )
        if len(mean.columns) <= 12
        else "(see rank_robustness.csv)",
        "",
    ]
    return "\n".join(text)


def write_outputs(
    cfg: DictConfig,
    outdir: Path,
    metric: str,
    better: str,
    runs: pd.DataFrame,
    table: pd.DataFrame,
    levels: pd.DataFrame,
) -> str:
    """Write every file of the study into `outdir`; return the markdown summary."""
    write_yaml(outdir / "config.yaml", resolved(cfg))
    write_csv(outdir / "runs.csv", runs)
    write_csv(outdir / "rank_robustness.csv", table)
    write_csv(outdir / "tau.csv", levels)
    text = summary_markdown(cfg, metric, better, table, levels)
    write_text(outdir / "rank_robustness.md", text)
    if cfg.get("figures", True):
        from sim.viz.ranking import rank_heatmap
        from sim.viz.timeline import save_figure

        save_figure(rank_heatmap(table, metric, better), outdir / "figures" / "rank_robustness.png")
    return text
