"""Does the ranking of strategies hold? `python -m experiments.rank_robustness [overrides]`.

For each parameter of `conf/sensitivity/<set>.yaml` (default `default`) and each factor of
`factors` (default x0.5 and x1.5), one at a time, every strategy of `strategies` (default: the
eight of `conf/compare.yaml`) runs at the parameter's base value times the factor, on the same
replicate seeds as the base runs (common random numbers), through `sim.analysis.evaluator`.
The base value is the entry's `default`, else the composed config's value; for `strategy.*`
keys it is each preset's own value. A moved value is clipped to the entry's range (widened to
hold the base value itself) and to the field's bounds; whole numbers are rounded.
Writes config.yaml, runs.csv, rank_robustness.csv (parameter, level, strategy, mean, rank, ...),
tau.csv (per parameter and level: Kendall tau vs the base ranking, swapped pairs),
rank_robustness.md and figures/rank_robustness.png.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from typing import Any

import hydra
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.common import output_dir, quiet_mesa, run_app, user_errors
from experiments.options import int_option
from experiments.rank_report import write_outputs
from experiments.robustness import strategies as load_strategies
from experiments.sensitivity import Parameter, base_config, parameters
from sim.analysis.compare import placed
from sim.analysis.eval_store import FOLDER, EvalStore, RunStore
from sim.analysis.evaluator import Case, evaluate
from sim.analysis.ranking import (
    describe_pairs,
    kendall_tau,
    order_text,
    rank_by,
    swapped_pairs,
)
from sim.analysis.run_cache import Cache
from sim.analysis.start_times import parse_starts
from sim.analysis.stats import paired_diff
from sim.config.fields import info
from sim.config.presets import conf_dir
from sim.config.sections import SECTION_TYPES
from sim.errors import ConfigError
from sim.outputs.io import incomplete_marker
from sim.outputs.registry import better as metric_better

BASE = "base"  # the `parameter` and `level` of the base ranking's rows
BOUNDS = {"probability": (0.0, 1.0), "nonnegative": (0.0, None), "sentiment": (-1.0, 1.0)}


@dataclass
class Plan:
    """Everything a study needs, checked."""

    base: dict[str, Any]  # full run config without the strategy's knobs
    params: list[Parameter]
    defaults: dict[str, float | None]  # key -> the set's `default` (None: read the config)
    presets: dict[str, dict[str, Any]]  # strategy -> its knobs
    metric: str
    better: str
    factors: list[float]
    starts: dict[str, dict[str, Any]]  # start label -> base config placed there
    seeds: list[int]


def field_bounds(key: str) -> tuple[float | None, float | None, bool]:
    """(low, high, whole number) that a dotted run-config key's field allows (None: open)."""
    from dataclasses import fields, is_dataclass
    from typing import get_args, get_origin, get_type_hints

    parts = [p for p in key.split(".") if not p.isdigit()]
    cls: Any = SECTION_TYPES.get(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        match = {f.name: f for f in fields(cls)}.get(part) if is_dataclass(cls) else None
        if match is None:
            return None, None, False
        if i == len(parts) - 1:
            meta = info(match)
            low, high = BOUNDS.get(meta.kind, (None, None))
            low = meta.low if meta.low is not None else low
            high = meta.high if meta.high is not None else high
            return low, high, meta.integer
        hint = get_type_hints(cls)[part]
        if get_origin(hint) is dict:  # a table such as diffusion.role_reshare: each >= 0
            return 0.0, None, False
        cls = get_args(hint)[0] if get_args(hint) else hint
    return None, None, False


def moved_value(p: Parameter, base: float, factor: float) -> float:
    """`base x factor`, clipped to p's range widened to hold `base`, and to the field's bounds."""
    value = float(base) * factor
    value = min(max(value, min(p.low, base)), max(p.high, base))
    low, high, integer = field_bounds(p.key)
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    if p.integer or integer:
        return int(math.floor(value + 0.5))
    return value


def level_name(factor: float) -> str:
    """`x0.5` for a factor of 0.5."""
    return f"x{factor:g}"


def _numeric_keys(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        return [k for key, v in data.items() for k in _numeric_keys(v, f"{prefix}{key}.")]
    if isinstance(data, list):
        return [k for i, v in enumerate(data) for k in _numeric_keys(v, f"{prefix}{i}.")]
    ok = isinstance(data, (int, float)) and not isinstance(data, bool)
    return [prefix.rstrip(".")] if ok else []


def checked_parameters(cfg: DictConfig, base: dict[str, Any]) -> list[Parameter]:
    """The set's parameters; an unknown key names the closest keys of the run config."""
    try:
        return parameters(cfg, base)
    except ConfigError as exc:
        if not exc.key.endswith(".key"):
            raise
        import difflib

        close = difflib.get_close_matches(str(exc.value), _numeric_keys(base), n=3, cutoff=0.6)
        hint = f" (closest: {', '.join(close)})" if close else ""
        raise ConfigError(
            exc.key, exc.value, f"the dotted key of a number in the run config{hint}"
        ) from None


def plan(cfg: DictConfig) -> Plan:
    """The checked study of a composed config; raises ConfigError on bad input."""
    base = base_config(cfg)
    params = checked_parameters(cfg, base)
    defaults = {}
    for entry, p in zip(OmegaConf.select(cfg, "sensitivity.parameters"), params):
        value = entry.get("default")
        if value is not None and not p.low <= float(value) <= p.high:
            raise ConfigError(f"{p.key} default", value, f"a number from {p.low:g} to {p.high:g}")
        defaults[p.key] = None if value is None else float(value)
    presets = load_strategies(cfg)
    metric = str(cfg.metric)
    try:
        better = str(cfg.better or metric_better(metric) or "")
    except KeyError as exc:
        raise ConfigError(
            "metric", metric, f"a metric key of metrics.json ({exc.args[0]})"
        ) from None
    if better not in ("lower", "higher"):
        raise ConfigError("better", cfg.better, "lower or higher (which way the metric is better)")
    factors = [float(f) for f in cfg.factors or []]
    if not factors or any(not f > 0 or f == 1 for f in factors) or len(set(factors)) < len(factors):
        raise ConfigError(
            "factors", cfg.factors, "distinct positive numbers other than 1, e.g. [0.5,1.5]"
        )
    for key, example in (("seed", 1), ("n_jobs", 2)):
        int_option(cfg, key, example)
    if int_option(cfg, "replicates", 4) < 1:
        raise ConfigError("replicates", cfg.replicates, "a whole number of 1 or more")
    starts, _ = placed(base, parse_starts(OmegaConf.to_container(cfg).get("starts")))
    seeds = [int(cfg.seed) + r for r in range(int(cfg.replicates))]
    study = Plan(base, params, defaults, presets, metric, better, factors, starts, seeds)
    from sim.engine.runner import as_run_config

    for case in cases(study):  # every moved value must make a valid run
        as_run_config(case.config)
    return study


def check_rank_robustness(cfg: DictConfig) -> None:
    """Preflight check of a composed config (run_app calls it before Hydra runs anything)."""
    plan(cfg)


def base_value(study: Plan, p: Parameter, strategy: str) -> float:
    """The parameter's base value for one strategy (its own value for strategy.* keys)."""
    if p.key.startswith("strategy."):
        from sim.config.schema import RunConfig

        knobs = {**study.presets[strategy], "name": strategy}
        full = RunConfig.from_dict({**study.base, "strategy": knobs}, check=False).to_dict()
        return OmegaConf.select(OmegaConf.create(full), p.key)
    if study.defaults.get(p.key) is not None:
        return study.defaults[p.key]
    return OmegaConf.select(OmegaConf.create(study.base), p.key)


def with_value(data: dict[str, Any], key: str, value: float) -> dict[str, Any]:
    """A copy of `data` with the dotted `key` set to `value` (list items by index)."""
    node = OmegaConf.create(copy.deepcopy(data))
    OmegaConf.update(node, key, value, merge=False)
    return OmegaConf.to_container(node)


def points(study: Plan) -> list[tuple[str, str, Parameter | None, float]]:
    """(parameter, level, Parameter, factor) of every point; the base point first (factor 1)."""
    out: list[tuple[str, str, Parameter | None, float]] = [(BASE, BASE, None, 1.0)]
    out += [(p.key, level_name(f), p, f) for p in study.params for f in study.factors]
    return out


def cases(study: Plan) -> list[Case]:
    """Every point x start x strategy as an evaluator case (labels: parameter, level, value)."""
    out = []
    for key, level, p, factor in points(study):
        for start, data in study.starts.items():
            for name, knobs in study.presets.items():
                config = copy.deepcopy(data)
                strategy = {**copy.deepcopy(knobs), "name": name}
                value = None
                if p is not None:
                    value = moved_value(p, base_value(study, p, name), factor)
                    if p.key.startswith("strategy."):
                        strategy = with_value({"strategy": strategy}, p.key, value)["strategy"]
                    else:
                        config = with_value(config, p.key, value)
                config["strategy"] = strategy
                labels = {"parameter": key, "level": level, "start": start, "strategy": name}
                out.append(
                    Case(f"{key} {level}|{start}|{name}", config, {**labels, "value": value})
                )
    return out


def run_all(study: Plan, n_jobs: int, progress: bool, cache: Cache | None = None) -> pd.DataFrame:
    """One row per case and replicate with the metric; runs with equal configs run once.

    `cache` keeps each finished run and serves those it holds (`sim.analysis.eval_store`).
    """
    unique: dict[str, Case] = {}
    same: dict[str, str] = {}
    all_cases = cases(study)
    for case in all_cases:
        text = json.dumps(case.config, sort_keys=True, default=str)
        same[case.id] = unique.setdefault(text, case).id
    ev = evaluate(
        list(unique.values()),
        study.seeds,
        n_jobs=n_jobs,
        progress=progress,
        desc="runs",
        cache=cache,
    )
    if isinstance(cache, EvalStore):
        print(cache.summary(len(unique) * len(study.seeds)))
    rows = []
    for case in all_cases:
        for r, seed in enumerate(study.seeds):
            value = ev.record(same[case.id], r).metrics.get(study.metric)
            metric = float(value) if value is not None else math.nan
            rows.append({**case.labels, "replicate": r, "seed": seed, study.metric: metric})
    return pd.DataFrame(rows)


def rankings(study: Plan, runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows per point and strategy: mean, rank; rows per point: tau, swapped pairs).

    A swap counts as clear where the pair's paired difference over replicates (start times
    averaged first) at that level has a 95% interval on the swapped side of zero.
    """
    lower = study.better == "lower"
    keys = ["parameter", "level", "strategy"]
    means = runs.groupby(keys, sort=False)[study.metric].mean()
    per_rep = runs.groupby([*keys, "replicate"], sort=True)[study.metric].mean()
    names = list(study.presets)
    base_rank = rank_by({n: means[(BASE, BASE, n)] for n in names}, lower)
    table, levels = [], []
    for key, level, _, _ in points(study):
        here = {n: float(means[(key, level, n)]) for n in names}
        rank = rank_by(here, lower)
        tau = kendall_tau(base_rank, rank)
        at = runs[(runs["parameter"] == key) & (runs["level"] == level)]
        values = at.groupby("strategy", sort=False)["value"].first()
        for n in names:
            table.append(
                {
                    "parameter": key,
                    "level": level,
                    "strategy": n,
                    "mean": here[n],
                    "rank": rank[n],
                    "base_rank": base_rank[n],
                    "value": values[n],
                    "tau": tau,
                }
            )
        swaps = swapped_pairs(base_rank, rank)
        clear = [
            (a, b)
            for a, b in swaps  # base: a before b; here: b before a
            if paired_diff(
                per_rep[(key, level, b)].to_numpy(), per_rep[(key, level, a)].to_numpy()
            ).excludes_zero()
        ]
        levels.append(
            {
                "parameter": key,
                "level": level,
                "tau": tau,
                "swaps": len(swaps),
                "clear_swaps": len(clear),
                "swapped": describe_pairs(swaps),
                "clear": describe_pairs(clear),
                "ranking": order_text(rank),
            }
        )
    return pd.DataFrame(table), pd.DataFrame(levels)


def execute(cfg: DictConfig) -> pd.DataFrame:
    """Run the study of a composed config and write its files; return the tau table."""
    quiet_mesa()
    with user_errors():
        study = plan(cfg)
    n_points = 1 + len(study.params) * len(study.factors)
    print(
        f"rank robustness: {n_points} points x {len(study.starts)} start times x "
        f"{len(study.presets)} strategies x {len(study.seeds)} replicates"
    )
    outdir = output_dir(cfg)
    with user_errors(outdir), incomplete_marker(outdir):  # INCOMPLETE until every file is in
        store = RunStore(outdir / FOLDER)  # finished runs: a rerun into outdir reuses them
        runs = run_all(study, int(cfg.n_jobs), bool(cfg.progress), store)
        table, levels = rankings(study, runs)
        text = write_outputs(cfg, outdir, study.metric, study.better, runs, table, levels)
    print(text)
    print(f"results: {outdir}")
    return levels


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="rank_robustness")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, "rank_robustness", check=check_rank_robustness)
