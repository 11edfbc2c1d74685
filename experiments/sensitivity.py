"""Sensitivity analysis with SALib.

`python -m experiments.sensitivity [method=morris|sobol] [overrides]`.

Samples the parameter ranges of `conf/sensitivity/<set>.yaml` with SALib (Morris trajectories or
Sobol' sequences), runs every sample point `replicates` times through `sim.analysis.evaluator`
(seeds seed, seed+1, ...: the same seeds at every point), averages the replicates and analyses
each metric. Writes into the output directory: config.yaml, runs.csv (one row per run),
points.csv (replicate means per sample point), morris.csv or sobol.csv (indices with 95% CIs,
one row per metric and parameter), indices.md and figures/ (mu*-sigma for Morris, S1/ST bars
for Sobol).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.common import output_dir, quiet_mesa, resolved, run_app, user_errors
from experiments.options import int_option
from sim.analysis.eval_store import FOLDER, RunStore
from sim.analysis.evaluator import Case, Evaluation, evaluate
from sim.analysis.run_cache import Cache
from sim.config.presets import conf_dir
from sim.config.schema import RUN_SECTIONS
from sim.errors import ConfigError
from sim.outputs.io import incomplete_marker, write_csv, write_text, write_yaml
from sim.outputs.registry import get as get_metric

METHODS = ("morris", "sobol")


@dataclass
class Parameter:
    """One input of the analysis: a dotted config key and its range."""

    key: str
    low: float
    high: float
    integer: bool = False


def parameters(cfg: DictConfig, base: dict[str, Any]) -> list[Parameter]:
    """The parameter ranges of `cfg.sensitivity`, checked against the full run config `base`."""
    full = OmegaConf.create(base)
    entries = OmegaConf.select(cfg, "sensitivity.parameters")
    if not entries:
        raise ConfigError(
            "sensitivity.parameters",
            None,
            "a list of {key, low, high} entries (conf/sensitivity/*.yaml)",
        )
    params, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"sensitivity.parameters[{i}]"
        key, low, high = entry.get("key"), entry.get("low"), entry.get("high")
        if not key or key.split(".")[0] not in RUN_SECTIONS or key.split(".")[0] == "seed":
            raise ConfigError(
                f"{where}.key", key, "a dotted key of the run config, e.g. diffusion.reshare_base"
            )
        current = OmegaConf.select(full, key, default=None)
        if current is None or isinstance(current, (bool, str)) or OmegaConf.is_config(current):
            raise ConfigError(f"{where}.key", key, "the key of a number in the composed run config")
        if (
            not isinstance(low, (int, float))
            or not isinstance(high, (int, float))
            or not low < high
        ):
            raise ConfigError(f"{where}", f"low={low}, high={high}", "numbers with low < high")
        if key in seen:
            raise ConfigError(f"{where}.key", key, "each key once")
        seen.add(key)
        params.append(Parameter(key, float(low), float(high), isinstance(current, int)))
    return params


def problem(params: Sequence[Parameter]) -> dict[str, Any]:
    """The SALib problem definition of the parameters."""
    return {
        "num_vars": len(params),
        "names": [p.key for p in params],
        "bounds": [[p.low, p.high] for p in params],
    }


def base_config(cfg: DictConfig) -> dict[str, Any]:
    """The full, checked run config of a composed config (every default spelt out), plain data."""
    from sim.config.schema import RunConfig

    return RunConfig.from_dict(resolved(cfg)).to_dict()


def point_config(
    base: dict[str, Any], params: Sequence[Parameter], values: Sequence[float], seed: int
) -> dict[str, Any]:
    """`base` with the parameters set to `values` and the seed set."""
    node = OmegaConf.create(copy.deepcopy(base))
    for p, v in zip(params, values):
        OmegaConf.update(node, p.key, int(round(v)) if p.integer else float(v), merge=False)
    data = OmegaConf.to_container(node)
    data["seed"] = int(seed)
    return data


def metric_values(metrics: Mapping[str, Any], keys: Sequence[str]) -> list[float]:
    """The chosen metrics of one run as floats (NaN where undefined or not a metric)."""
    return [float(metrics[k]) if metrics.get(k) is not None else np.nan for k in keys]


def evaluate_points(
    base: dict[str, Any],
    params: Sequence[Parameter],
    X: np.ndarray,
    seeds: Sequence[int],
    n_jobs: int,
    progress: bool,
    what: str,
    cache: Cache | None = None,
) -> Evaluation:
    """Every sample point of `X` with every seed, through the evaluator (case id `point <i>`).

    `cache` (e.g. a `sim.analysis.eval_store.RunStore`) keeps each finished run and serves the
    runs it already holds.
    """
    cases = [
        Case(f"point {i}", point_config(base, params, x, seeds[0]), {"point": i})
        for i, x in enumerate(X)
    ]
    return evaluate(cases, list(seeds), n_jobs=n_jobs, progress=progress, desc=what, cache=cache)


def sample(method: str, prob: dict[str, Any], cfg: DictConfig) -> np.ndarray:
    """The SALib sample of the chosen method (rows = sample points)."""
    seed = int(cfg.sample_seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(
            prob, int(cfg.morris.trajectories), num_levels=int(cfg.morris.levels), seed=seed
        )
    from SALib.sample import sobol

    return sobol.sample(
        prob, int(cfg.sobol.n), calc_second_order=bool(cfg.sobol.second_order), seed=seed
    )


def analyse(
    method: str, prob: dict[str, Any], X: np.ndarray, Y: np.ndarray, cfg: DictConfig, metric: str
) -> pd.DataFrame:
    """SALib indices of one output as a tidy table (one row per parameter)."""
    seed = int(cfg.sample_seed)
    names = prob["names"]
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(
            prob, X, Y, num_levels=int(cfg.morris.levels), conf_level=0.95, seed=seed
        )
        cols = {
            k: np.asarray(res[k], dtype=float) for k in ("mu", "mu_star", "sigma", "mu_star_conf")
        }
    else:
        from SALib.analyze import sobol

        res = sobol.analyze(
            prob, Y, calc_second_order=bool(cfg.sobol.second_order), conf_level=0.95, seed=seed
        )
        cols = {k: np.asarray(res[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    table = pd.DataFrame({"metric": metric, "parameter": names, **cols})
    order = "mu_star" if method == "morris" else "ST"
    return table.sort_values(order, ascending=False, kind="stable").reset_index(drop=True)


def markdown_table(table: pd.DataFrame) -> str:
    """A DataFrame as a GitHub markdown table, numbers to 4 significant digits."""

    def cell(v: Any) -> str:
        return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)

    lines = [
        "| " + " | ".join(map(str, table.columns)) + " |",
        "|" + "|".join("---" for _ in table.columns) + "|",
    ]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join(lines)


def plan(cfg: DictConfig) -> tuple[dict[str, Any], list[Parameter]]:
    """The full base run config and the checked parameters; raises ConfigError on bad input."""
    if cfg.method not in METHODS:
        raise ConfigError("method", cfg.method, "one of " + ", ".join(METHODS))
    if not cfg.metrics:
        raise ConfigError("metrics", cfg.metrics, "a list of metric keys, e.g. [reach_negative]")
    for i, metric in enumerate(cfg.metrics):  # every output must be a metric of the registry
        try:
            get_metric(str(metric))
        except KeyError as exc:
            raise ConfigError(
                f"metrics[{i}]", metric, f"a metric key of metrics.json ({exc.args[0]})"
            ) from None
    for key, example in (
        ("seed", 1),
        ("sample_seed", 1),
        ("n_jobs", 2),
        ("morris.trajectories", 10),
        ("morris.levels", 4),
        ("sobol.n", 64),
    ):
        int_option(cfg, key, example)
    if int_option(cfg, "replicates", 2) < 1:
        raise ConfigError("replicates", cfg.replicates, "a whole number of 1 or more")
    base = base_config(cfg)
    params = parameters(cfg, base)
    from sim.engine.runner import as_run_config

    for end in ("low", "high"):  # both ends of every range must make valid runs
        as_run_config(point_config(base, params, [getattr(p, end) for p in params], cfg.seed))
    return base, params


def check_sensitivity(cfg: DictConfig) -> None:
    """Preflight check of a composed config (run_app calls it before Hydra runs anything)."""
    plan(cfg)


def execute(cfg: DictConfig) -> dict[str, pd.DataFrame]:
    """Run the analysis of a composed config and write its files; return the indices per metric."""
    quiet_mesa()
    with user_errors():
        base, params = plan(cfg)
    method, metrics = str(cfg.method), [str(m) for m in cfg.metrics]
    outdir = output_dir(cfg)
    prob = problem(params)
    X = sample(method, prob, cfg)
    seeds = [int(cfg.seed) + r for r in range(int(cfg.replicates))]
    print(
        f"{method}: {len(X)} sample points x {len(seeds)} replicates = "
        f"{len(X) * len(seeds)} runs over {len(params)} parameters"
    )
    with user_errors(outdir), incomplete_marker(outdir):  # INCOMPLETE until every file is in
        store = RunStore(outdir / FOLDER)  # finished runs: a rerun into outdir reuses them
        ev = evaluate_points(
            base, params, X, seeds, int(cfg.n_jobs), bool(cfg.progress), method, store
        )
        print(store.summary(len(X) * len(seeds)))
        runs, points, tables = analyse_all(method, prob, X, seeds, ev, cfg, metrics)
        write_outputs(cfg, outdir, method, runs, points, tables)
    return tables


def analyse_all(
    method: str,
    prob: dict[str, Any],
    X: np.ndarray,
    seeds: Sequence[int],
    ev: Evaluation,
    cfg: DictConfig,
    metrics: Sequence[str],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """The runs and points tables of an evaluation and the indices of every defined metric."""
    keys = [(i, r) for i in range(len(X)) for r in range(len(seeds))]
    values = np.asarray(
        [metric_values(ev.record(f"point {i}", r).metrics, metrics) for i, r in keys], dtype=float
    )
    runs = pd.DataFrame(
        [
            {"point": i, "replicate": r, "seed": seeds[r], **dict(zip(prob["names"], X[i]))}
            for i, r in keys
        ]
    )
    runs[list(metrics)] = values
    points = runs.groupby("point", sort=True)[[*prob["names"], *metrics]].mean().reset_index()
    tables = {}
    for metric in metrics:
        Y = points[metric].to_numpy(dtype=float)
        if not np.isfinite(Y).all():
            print(
                f"note: {metric} has no value in {int((~np.isfinite(Y)).sum())} sample points "
                "(undefined "
                f"there, or not a key of metrics.json); left out of the analysis"
            )
            continue
        tables[metric] = analyse(method, prob, X, Y, cfg, metric)
    return runs, points, tables


def write_outputs(
    cfg: DictConfig,
    outdir: Path,
    method: str,
    runs: pd.DataFrame,
    points: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
) -> None:
    """Tables, a markdown summary and figures."""
    write_yaml(outdir / "config.yaml", resolved(cfg))
    write_csv(outdir / "runs.csv", runs)
    write_csv(outdir / "points.csv", points)
    indices = pd.concat(tables.values(), ignore_index=True) if tables else pd.DataFrame()
    write_csv(outdir / f"{method}.csv", indices)
    text = [
        f"# {method.capitalize()} sensitivity: {cfg.scenario.name} / {cfg.strategy.name}",
        "",
        f"{len(points)} sample points x {int(cfg.replicates)} replicates, "
        f"{cfg.population.size:,} simulated people; 95% CIs from SALib's bootstrap.",
        "",
    ]
    for metric, table in tables.items():
        text += [f"## {metric}", "", markdown_table(table.drop(columns="metric")), ""]
    write_text(outdir / "indices.md", "\n".join(text))
    if cfg.get("figures", True):
        from sim.viz.sweep import morris_figure, sobol_figure
        from sim.viz.timeline import save_figure

        draw = morris_figure if method == "morris" else sobol_figure
        for metric, table in tables.items():
            save_figure(draw(table, metric), outdir / "figures" / f"{method}_{metric}.png")
    print("\n".join(text[4:]))
    print(f"results: {outdir}")


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="sensitivity")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, "sensitivity", check=check_sensitivity)
