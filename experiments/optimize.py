"""Policy design: `python -m experiments.optimize [optimize=<study>] [trials=N] [overrides]`.

Searches the strategy knobs a study declares (`conf/optimize/<study>.yaml`, or `study_file=`)
for the best candidate under its objectives and constraints, with Optuna (TPE for one objective,
NSGA-II for several; `sim.analysis.optimize_study`). Every candidate and every library preset
runs on the same samples and replicate seeds (`sim.analysis.optimize_runs`). Writes into the run
directory (no time stamp, so the same command resumes): study.db (the Optuna study), runs/ (the
run cache), samples.csv, presets.csv, trials.parquet, pareto.csv, recommended.yaml, figures/
pareto.png, fresh/ (a comparison of the recommendation, the presets and `fresh.compare_with`
on fresh seeds, and verdict.md), summary.md, config.yaml and provenance.json.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.common import UserError, output_dir, quiet_mesa, resolved, run_app, user_errors
from experiments.options import int_option
from sim.analysis.compare import strategy_configs
from sim.analysis.optimize_goals import parse_goals
from sim.analysis.optimize_runs import SOURCES, posterior_samples, samples
from sim.analysis.optimize_space import Space, parse_variables
from sim.analysis.optimize_study import MISSING, Design, require_optuna
from sim.config.presets import conf_dir
from sim.config.presets import load as load_preset
from sim.config.schema import RUN_SECTIONS, RunConfig
from sim.errors import ConfigError

STUDY_KEYS = ("name", "description", "base", "variables", "objectives", "constraints", "budget")


def read_study_file(path: str | Path) -> dict[str, Any]:
    """A study YAML file as a mapping (UserError naming the file, and the line, otherwise)."""
    import yaml

    file = Path(path)
    if not file.is_file():
        raise UserError(f"study_file: '{file}' is not a file; give the path to a study YAML file.")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{file}: not a text file; a study is a YAML mapping.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{file}: malformed YAML{where}: {problem}.") from None
    if not isinstance(data, dict):
        raise UserError(
            f"{file}: a study file must hold a mapping (name, base, variables, objectives, "
            f"constraints), not {type(data).__name__}."
        )
    return data


def _base_knobs(spec: Any) -> dict[str, Any]:
    """The base strategy of a study: a preset name, or a mapping (with an optional `preset`)."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        return load_preset("strategy", spec)
    if not isinstance(spec, Mapping):
        raise ConfigError("optimize.base", spec, "a strategy preset name or a mapping of knobs")
    knobs = dict(spec)
    preset = knobs.pop("preset", None)
    start = load_preset("strategy", str(preset)) if preset is not None else {}
    return {**start, **knobs}


@dataclass
class Plan:
    """Everything a study needs, checked."""

    base: dict[str, Any]  # full run config without strategy
    design: Design
    name: str  # the study's name in study.db (a hash of what its results depend on)
    seeds: list[int]
    fresh_seeds: list[int]
    confirm_seeds: list[int]  # where the best feasible trials are checked before one is chosen
    presets: dict[str, dict[str, Any]]
    configs: dict[str, dict[str, Any]]  # sample -> run config
    sample_table: pd.DataFrame
    study: dict[str, Any]  # the study section as given


def study_section(cfg: DictConfig) -> tuple[dict[str, Any], str]:
    """The study mapping and where it came from (a file path, or `optimize`)."""
    if cfg.get("study_file"):
        return read_study_file(str(cfg.study_file)), str(cfg.study_file)
    data = OmegaConf.to_container(cfg.optimize, resolve=True) if cfg.get("optimize") else None
    if not isinstance(data, dict):
        raise ConfigError("optimize", data, "a study: optimize=<a file of conf/optimize/>")
    return data, "optimize"


def _design(study: dict[str, Any], base: dict[str, Any]) -> Design:
    unknown = sorted(set(map(str, study)) - set(STUDY_KEYS))
    if unknown:
        raise ConfigError(
            f"optimize.{unknown[0]}", study[unknown[0]], "one of " + ", ".join(STUDY_KEYS)
        )
    if not isinstance(study.get("name"), str) or not study["name"]:
        raise ConfigError("optimize.name", study.get("name"), "a name (text)")
    space = Space(parse_variables(study.get("variables")), _base_knobs(study.get("base")))
    objectives = parse_goals(study.get("objectives"), "optimize.objectives", constraint=False)
    constraints = parse_goals(study.get("constraints"), "optimize.constraints", constraint=True)
    rc = RunConfig.from_dict({**base, "strategy": dict(space.base)})
    design = Design(space, objectives, constraints, rc.scenario.horizon_h / 24.0)

    def check(knobs: dict[str, Any], where: str) -> None:
        try:
            strategy_configs(base, {"candidate": knobs})
        except ConfigError as exc:
            exc.add_note(f"in {where}")
            raise ConfigError(where, exc.value, f"{exc.allowed} ({exc.key})") from None

    space.check_values(check)
    return design


def _points(cfg: DictConfig, base: dict[str, Any]) -> list[dict[str, Any]]:
    n = int_option(cfg, "robust.samples", 8) or 0
    if n < 0:
        raise ConfigError("robust.samples", n, "0 (off) or a whole number of samples")
    if n == 0:
        return []
    source = str(cfg.robust.source)
    if source not in SOURCES:
        raise ConfigError("robust.source", source, " or ".join(SOURCES))
    seed = int_option(cfg, "robust.sample_seed", 1) or 0
    if source == "posterior":
        return posterior_samples(base, n, seed)
    from SALib.sample import latin

    from experiments.sensitivity import parameters, point_config, problem

    params = parameters(
        OmegaConf.create({"sensitivity": load_preset("sensitivity", str(cfg.robust.parameters))}),
        base,
    )
    strategic = [p.key for p in params if p.key.startswith("strategy.")]
    if strategic:
        raise ConfigError("robust.parameters", strategic, "a set without strategy.* keys")
    X = latin.sample(problem(params), n, seed=seed)
    return [point_config(base, params, x, int(base["seed"])) for x in X]


def plan(cfg: DictConfig) -> Plan:
    """The checked plan of a composed config (ConfigError or UserError naming key or file)."""
    try:
        require_optuna()
    except ImportError:
        raise UserError(MISSING) from None
    from experiments.compare import load_strategies
    from sim.analysis.start_times import parse_starts

    data = resolved(cfg)
    full = RunConfig.from_dict({k: v for k, v in data.items() if k in RUN_SECTIONS}).to_dict()
    base = {k: v for k, v in full.items() if k != "strategy"}
    study, where = study_section(cfg)
    try:
        design = _design(study, base)
    except ConfigError as exc:
        if where == "optimize":
            raise
        raise UserError(f"{where}: {exc}") from None
    for key, example in (("trials", 40), ("replicates", 6), ("fresh.replicates", 8)):
        if (int_option(cfg, key, example) or 0) < 1:
            raise ConfigError(
                key, OmegaConf.select(cfg, key), f"a whole number >= 1, e.g. {key}={example}"
            )
    for key in ("seed", "fresh.seed", "confirm.seed", "sampler_seed", "startup_trials", "n_jobs"):
        int_option(cfg, key, 1)
    if (int_option(cfg, "confirm.top", 5) or 0) < 0 or (
        int_option(cfg, "confirm.replicates", 8) or 0
    ) < 1:
        raise ConfigError("confirm", dict(cfg.confirm), "top >= 0 (0: off) and replicates >= 1")
    seeds = [int(cfg.seed) + r for r in range(int(cfg.replicates))]
    confirm = [int(cfg.confirm.seed) + r for r in range(int(cfg.confirm.replicates))]
    fresh = [int(cfg.fresh.seed) + r for r in range(int(cfg.fresh.replicates))]
    for key, these, others, what in (
        ("confirm.seed", confirm, seeds, "the study's"),
        ("fresh.seed", fresh, seeds + confirm, "the study's and the confirmation's"),
    ):
        if set(these) & set(others):
            raise ConfigError(
                key,
                these[0],
                f"a seed whose {len(these)} replicates avoid {what} seeds "
                f"({min(others)}..{max(others)}), e.g. {key}={max(others) + 1000}",
            )
    presets = {
        k: design.space.priced_preset(v)
        for k, v in load_strategies(data.get("presets") or ["ignore"]).items()
    }
    load_strategies(list(cfg.fresh.compare_with or ["ignore"]))
    parse_starts(data.get("fresh", {}).get("starts"))
    configs, table = samples(base, parse_starts(data.get("starts")), _points(cfg, base))
    if any(g.regret for g in design.objectives) and not configs:
        raise ConfigError("robust.samples", 0, "samples > 0 for regret objectives")
    what = {
        "study": study,
        "base": base,
        "seeds": seeds,
        "samples": configs,
        "presets": presets,
        "sampler_seed": int(cfg.sampler_seed),
        "startup_trials": int(cfg.startup_trials),
        "warm_start": True,
    }
    digest = hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()
    name = f"{design.space.base.get('name', 'study')}-{study['name']}-{digest[:12]}"
    return Plan(base, design, name, seeds, fresh, confirm, presets, configs, table, study)


def check_optimize(cfg: DictConfig) -> None:
    """Pre-flight check of a composed config (run_app calls it before Hydra runs anything)."""
    plan(cfg)


def execute(cfg: DictConfig) -> dict[str, Any]:
    """Run (or resume) the study of a composed config and write its files; return its outcome."""
    from experiments.optimize_outputs import finish

    quiet_mesa()
    with user_errors():
        p = plan(cfg)
    outdir = output_dir(cfg)
    started = time.perf_counter()
    with user_errors(outdir):
        return finish(cfg, p, outdir, started)


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="optimize")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, "optimize", check=check_optimize)
