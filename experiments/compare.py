"""Compare response strategies: `python -m experiments.compare [overrides]`.

Every strategy runs on the same `replicates` environments of one scenario (common random
numbers), in parallel over replicates, with the scenario's first incident placed at each of the
`starts` (weekday and hour: `mon10`, `wed03`, `sat20:30`; `sim.analysis.start_times`); every
start time runs the same replicates. Writes into the output directory:

* `runs.csv`: one row per start time, strategy and replicate, every metric;
* `summary.csv`: per start time (`pooled` first, with several) strategy and metric the mean, 95%
  CI, and paired difference vs the baseline with its CI (plus cost per 1,000 negative
  impressions averted and ROI);
* `summary.md`: the same as readable tables, pooled first, then per start time, then where the
  ranking changes; `hourly.csv` and `response_times.csv` behind the figures; `figures/*.png`;
  `config.yaml` (resolved, with every strategy's knobs) and `provenance.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, ListConfig

from experiments.common import (
    UserError,
    choices,
    output_dir,
    quiet_mesa,
    resolved,
    run_app,
    user_errors,
)
from sim.analysis.compare import Comparison, compare, placed, strategy_configs
from sim.analysis.compare_report import console_table, ranking_text, summary_markdown
from sim.analysis.start_times import StartTime, parse_starts
from sim.config.presets import conf_dir
from sim.config.presets import path as preset_path
from sim.config.presets import read as read_mapping
from sim.config.schema import RUN_SECTIONS
from sim.config.user_files import load_section_file
from sim.errors import ConfigError, UserFileError
from sim.outputs.io import incomplete_marker, write_csv, write_json, write_text, write_yaml
from sim.outputs.provenance import provenance

# Order of the presets in tables and figures ("all"); other presets follow alphabetically.
PRESET_ORDER = (
    "ignore",
    "business_hours",
    "influencer_priority",
    "integrated_social_crm",
    "fast_social_care",
    "community_support",
    "chatbot_first",
    "proactive_delight",
)


def _preset_list() -> list[str]:
    names = choices("strategy")
    return [n for n in PRESET_ORDER if n in names] + [n for n in names if n not in PRESET_ORDER]


def load_strategies(spec: Any) -> dict[str, dict[str, Any]]:
    """Strategy name -> knobs, from "all", a preset name, a YAML path, or a list of those."""
    if isinstance(spec, (list, tuple, ListConfig)):
        items = [str(x) for x in spec]
    else:
        items = [s.strip() for s in str(spec).split(",")] if str(spec) != "all" else _preset_list()
    out: dict[str, dict[str, Any]] = {}
    presets = choices("strategy")
    for item in items:
        if item == "all":
            for name in _preset_list():
                out.setdefault(name, _read(preset_path("strategy", name)))
            continue
        if item.endswith((".yaml", ".yml")) or "/" in item or "\\" in item:
            path = Path(item)
            if not path.exists():
                raise UserFileError(
                    path,
                    "strategy",
                    "no file is at that path",
                    f"Check the path, or name presets: {', '.join(presets)} (conf/strategy/).",
                )
            knobs = load_section_file(path, "strategy")  # UserFileError: file, line, key
            out[str(knobs.get("name") or path.stem)] = knobs
        elif item in presets:
            out[item] = _read(preset_path("strategy", item))
        else:
            raise UserError(
                f"strategies: '{item}' names no strategy preset. Allowed: all, or a list of "
                f"{', '.join(presets)} (files in conf/strategy/), or paths to YAML files, "
                "e.g. strategies=[ignore,fast_social_care]."
            )
    if not out:
        raise UserError(
            "strategies: the list is empty; name at least one preset, e.g. strategies=all."
        )
    return out


def _read(path: Path) -> dict[str, Any]:
    return read_mapping(path, "strategy preset")  # UserFileError: names the file and line


def plan(
    cfg: DictConfig,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], str, list[StartTime]]:
    """The base run config, the strategies (baseline first), the baseline and the start times.

    All checked: a bad strategy, replicate count or start time raises a user error.
    """
    data = resolved(cfg)
    if "strategy" in data:
        raise UserError(
            "experiments.compare runs several strategies: give them as a list, e.g. "
            "strategies=[ignore,fast_social_care] (not strategy=...), or strategies=all."
        )
    base = {k: v for k, v in data.items() if k in RUN_SECTIONS}
    strategies = load_strategies(data.get("strategies", "all"))
    baseline = str(data.get("baseline", "ignore"))
    if baseline not in strategies:
        strategies = {baseline: load_strategies([baseline])[baseline], **strategies}
    else:
        strategies = {
            baseline: strategies[baseline],
            **{k: v for k, v in strategies.items() if k != baseline},
        }
    replicates = data.get("replicates")
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 2:
        raise ConfigError(
            "replicates", replicates, "a whole number of 2 or more (confidence intervals need two)"
        )
    n_jobs = data.get("n_jobs", -1)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ConfigError(
            "n_jobs", n_jobs, "a whole number of worker processes: 1, 2, ... or -1 for all cores"
        )
    strategy_configs(base, strategies)  # every strategy's knobs checked (ConfigError names the key)
    starts = parse_starts(data.get("starts"))
    placed(base, starts)  # a scenario without incidents cannot be placed
    return base, strategies, baseline, starts


def check_compare(cfg: DictConfig) -> None:
    """Pre-flight check of a composed compare config (used before Hydra runs the app)."""
    plan(cfg)


def execute(cfg: DictConfig) -> Comparison:
    """Run the comparison from a composed config, write its files and print the table."""
    quiet_mesa()
    with user_errors():
        base, strategies, baseline, starts = plan(cfg)
        rc = strategy_configs(base, {baseline: strategies[baseline]})[
            baseline
        ]  # as the runs see it
    outdir = output_dir(cfg)
    with user_errors(outdir), incomplete_marker(outdir):
        comparison = compare(
            base,
            strategies,
            int(cfg.replicates),
            baseline=baseline,
            starts=starts,
            n_jobs=int(cfg.get("n_jobs", -1)),
            progress=bool(cfg.get("progress", True)),
        )
        summary = comparison.summary()
        config = {**resolved(cfg), "strategy_knobs": strategies}
        title = f"{cfg.scenario.name}: strategies compared with {baseline}"
        write_yaml(outdir / "config.yaml", config)
        write_json(outdir / "provenance.json", provenance(config, int(cfg.seed)))
        write_csv(outdir / "runs.csv", comparison.runs)
        write_csv(outdir / "hourly.csv", comparison.hourly)
        write_csv(outdir / "response_times.csv", comparison.response_times)
        write_csv(outdir / "summary.csv", summary)
        write_text(outdir / "summary.md", summary_markdown(summary, comparison, title))
        if cfg.get("figures", True):
            from sim.viz.compare import comparison_figures

            comparison_figures(
                comparison,
                summary,
                outdir / "figures",
                [i.at_h for i in rc.scenario.incidents],
                rc.population.size,
                rc.scenario.horizon_h,
            )
    reps = int(cfg.replicates)
    n_starts = len(comparison.starts)
    when = (
        f"{reps} replicates at each of {n_starts} start times "
        f"({', '.join(comparison.title(s) for s in comparison.starts)}), pooled"
        if n_starts > 1
        else f"{reps} replicates, incident on {comparison.title(comparison.starts[0])}"
    )
    print(
        f"\n{title} ({when}; {rc.population.size:,} simulated people, "
        f"1 = {comparison.scale:,.0f} real)\n"
    )
    print(console_table(summary, comparison))
    if n_starts > 1:
        print("\n" + ranking_text(summary, comparison))
    print(f"\nresults: {outdir}\n  table:   {outdir / 'summary.md'} (and summary.csv, runs.csv)")
    if cfg.get("figures", True):
        print(
            f"  figures: {outdir / 'figures'} "
            "(forest.png, mentions.png, cost_vs_reach.png, response_times.png)"
        )
    return comparison


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="compare")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, config_name="compare", check=check_compare)
