"""Robustness of strategies: `python -m experiments.robustness [strategies=[a,b]] [overrides]`.

Draws a Latin hypercube (SALib) over the uncertain parameters of `conf/sensitivity/<set>.yaml`
(default `uncertain`): each row is one possible future. Every strategy (a lever) runs in every
future, with the same replicate seeds and the same network, population and chatter (common random
numbers), through `sim.analysis.evaluator`.
Regret of a strategy in a future = how much worse it does than the best strategy in that future,
per objective. Writes config.yaml, futures.csv, runs.csv, regret.csv, robustness.csv (per strategy
and objective: median value, median and worst-case regret, share of futures where it is best),
robustness.md and figures/robustness.png.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig

from experiments.common import output_dir, quiet_mesa, resolved, run_app, user_errors
from experiments.options import int_option
from experiments.sensitivity import (
    base_config,
    markdown_table,
    metric_values,
    parameters,
    point_config,
    problem,
)
from sim.analysis.eval_store import FOLDER, RunStore
from sim.analysis.evaluator import Evaluation, cross, evaluate
from sim.config.presets import conf_dir
from sim.errors import ConfigError
from sim.outputs.io import incomplete_marker, write_csv, write_text, write_yaml
from sim.outputs.registry import better as metric_better

BETTER = ("lower", "higher")


def strategies(cfg: DictConfig) -> dict[str, dict[str, Any]]:
    """Strategy name -> knobs, as `experiments.compare` reads them (all, presets, YAML paths)."""
    from experiments.compare import load_strategies

    out = load_strategies(cfg.strategies)
    if len(out) < 2:
        raise ConfigError(
            "strategies",
            list(out),
            "at least two strategies: all, or a list such as [ignore,fast_social_care]",
        )
    return out


def objectives(cfg: DictConfig) -> list[tuple[str, str]]:
    """(metric, better) pairs, checked."""
    out = []
    for i, entry in enumerate(cfg.objectives or []):
        metric, better = entry.get("metric"), entry.get("better")
        try:  # the metric registry knows each metric and which way is better
            better = better or (metric_better(str(metric)) if metric else "") or "lower"
        except KeyError as exc:
            raise ConfigError(
                f"objectives[{i}].metric", metric, f"a metric key of metrics.json ({exc.args[0]})"
            ) from None
        if not metric or better not in BETTER:
            raise ConfigError(
                f"objectives[{i}]", dict(entry), "{metric: <metric key>, better: lower|higher}"
            )
        out.append((str(metric), str(better)))
    if not out:
        raise ConfigError("objectives", None, "at least one {metric, better} entry")
    return out


def regret(
    values: pd.DataFrame, goals: Sequence[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Regret per future, strategy and objective, and its summary per strategy and objective.

    Args:
        values: one row per future and strategy (columns `future`, `strategy` and the metrics),
            replicates already averaged.
        goals: (metric, better) pairs.

    Returns:
        (long table future/strategy/objective/value/regret, summary per strategy and objective).
    """
    rows, summary = [], []
    for metric, better in goals:
        wide = values.pivot(index="future", columns="strategy", values=metric)
        best = wide.min(axis=1) if better == "lower" else wide.max(axis=1)
        gap = wide.sub(best, axis=0) if better == "lower" else (-wide).add(best, axis=0)
        for strategy in wide.columns:
            for future, value, r in zip(wide.index, wide[strategy], gap[strategy]):
                rows.append(
                    {
                        "future": future,
                        "strategy": strategy,
                        "objective": metric,
                        "value": value,
                        "regret": r,
                    }
                )
            summary.append(
                {
                    "strategy": strategy,
                    "objective": metric,
                    "better": better,
                    "value_median": float(np.nanmedian(wide[strategy])),
                    "regret_median": float(np.nanmedian(gap[strategy])),
                    "regret_max": float(np.nanmax(gap[strategy])),
                    "best_share": float(
                        np.mean(gap[strategy].to_numpy() <= 1e-12 * (1 + best.abs().to_numpy()))
                    ),
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(summary)


def plan(
    cfg: DictConfig,
) -> tuple[dict[str, Any], list, dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """Base run config, uncertain parameters, strategies and objectives, all checked."""
    base = base_config(cfg)
    params = parameters(cfg, base)
    strategic = [p.key for p in params if p.key.startswith("strategy.")]
    if strategic:
        raise ConfigError(
            "sensitivity.parameters",
            strategic,
            "uncertain parameters outside strategy.* "
            "(each strategy keeps its own knobs); use sensitivity=uncertain",
        )
    presets = strategies(cfg)
    goals = objectives(cfg)
    for key, example in (("seed", 1), ("sample_seed", 1), ("n_jobs", 2)):
        int_option(cfg, key, example)
    if int_option(cfg, "samples", 20) < 2:
        raise ConfigError("samples", cfg.samples, "a whole number of 2 or more")
    if int_option(cfg, "replicates", 2) < 1:
        raise ConfigError("replicates", cfg.replicates, "a whole number of 1 or more")
    from sim.engine.runner import as_run_config

    for end in ("low", "high"):
        point = point_config(base, params, [getattr(p, end) for p in params], cfg.seed)
        for strategy in presets.values():
            as_run_config({**point, "strategy": strategy})
    return base, params, presets, goals


def check_robustness(cfg: DictConfig) -> None:
    """Preflight check of a composed config (run_app calls it before Hydra runs anything)."""
    plan(cfg)


def execute(cfg: DictConfig) -> pd.DataFrame:
    """Run the robustness study of a composed config and write its files; return the summary."""
    quiet_mesa()
    with user_errors():
        base, params, presets, goals = plan(cfg)
    names = list(presets)
    from SALib.sample import latin

    prob = problem(params)
    X = latin.sample(prob, int(cfg.samples), seed=int(cfg.sample_seed))
    seeds = [int(cfg.seed) + r for r in range(int(cfg.replicates))]
    print(
        f"robustness: {len(names)} strategies x {len(X)} futures x {len(seeds)} replicates "
        f"= {len(X) * len(seeds) * len(names)} runs"
    )
    futures_cfg = {i: point_config(base, params, x, seeds[0]) for i, x in enumerate(X)}
    cases = cross(futures_cfg, presets, scenario_label="future", lever_label="strategy")
    outdir = output_dir(cfg)
    with user_errors(outdir), incomplete_marker(outdir):  # INCOMPLETE until every file is in
        store = RunStore(outdir / FOLDER)  # finished runs: a rerun into outdir reuses them
        ev = evaluate(
            cases,
            seeds,
            n_jobs=int(cfg.n_jobs),
            progress=bool(cfg.progress),
            desc="runs",
            cache=store,
        )
        print(store.summary(len(cases) * len(seeds)))
        summary = summarise(cfg, X, prob, seeds, names, goals, ev, outdir)
    return summary


def summarise(
    cfg: DictConfig,
    X: np.ndarray,
    prob: dict[str, Any],
    seeds: Sequence[int],
    names: Sequence[str],
    goals: Sequence[tuple[str, str]],
    ev: Evaluation,
    outdir: Path,
) -> pd.DataFrame:
    """The tables of an evaluation, written into `outdir`; returns the summary."""
    metrics = [m for m, _ in goals]
    rows = []
    for future in range(len(X)):
        for rep, seed in enumerate(seeds):
            for name in names:
                m = ev.record(f"{future}/{name}", rep).metrics
                rows.append(
                    {
                        "future": future,
                        "replicate": rep,
                        "seed": seed,
                        "strategy": name,
                        **dict(zip(metrics, metric_values(m, metrics))),
                    }
                )
    runs = pd.DataFrame(rows)
    values = runs.groupby(["future", "strategy"], sort=False)[metrics].mean().reset_index()
    long, summary = regret(values, goals)
    futures = pd.DataFrame(X, columns=prob["names"]).rename_axis("future").reset_index()
    write_outputs(cfg, outdir, futures, runs, long, summary)
    return summary


def write_outputs(
    cfg: DictConfig,
    outdir: Path,
    futures: pd.DataFrame,
    runs: pd.DataFrame,
    long: pd.DataFrame,
    summary: pd.DataFrame,
) -> None:
    """Tables, a markdown summary and the figure."""
    write_yaml(outdir / "config.yaml", resolved(cfg))
    write_csv(outdir / "futures.csv", futures)
    write_csv(outdir / "runs.csv", runs)
    write_csv(outdir / "regret.csv", long)
    write_csv(outdir / "robustness.csv", summary)
    text = [
        f"# Robustness: {cfg.scenario.name}, {len(futures)} futures x "
        f"{int(cfg.replicates)} replicates",
        "",
        f"Uncertain: {', '.join(futures.columns[1:])}. Regret = distance to the best strategy "
        "in the same future (0 = best).",
        "",
    ]
    for objective, part in summary.groupby("objective", sort=False):
        robust = part.loc[part["regret_max"].idxmin(), "strategy"]
        text += [
            f"## {objective} ({part['better'].iloc[0]} is better); "
            f"least worst-case regret: {robust}",
            "",
            markdown_table(part.drop(columns=["objective", "better"])),
            "",
        ]
    write_text(outdir / "robustness.md", "\n".join(text))
    if cfg.get("figures", True):
        from sim.viz.sweep import robustness_figure
        from sim.viz.timeline import save_figure

        save_figure(robustness_figure(long, summary), outdir / "figures" / "robustness.png")
    print("\n".join(text))
    print(f"results: {outdir}")


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="robustness")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, "robustness", check=check_robustness)
