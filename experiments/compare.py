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

With `uncertainty=posterior` (the scenario's `conf/posterior/<scenario>.yaml`), a sensitivity set
(`uncertainty=uncertain`) or a path, each replicate draws its uncertain parameters once and every
strategy runs that draw on the replicate's seed (`sim.analysis.uncertainty`): the tables above
then include the uncertainty, `draws.csv` holds the draws, and (unless
`uncertainty_reference=false`) the same seeds also run with the configured parameters:
`summary_fixed.csv`, `survival.csv` and a section of `summary.md` say which pairwise rankings
survive (`sim.analysis.survival`). `uncertainty=none` (the default) changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hydra
import pandas as pd
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
from sim.analysis.calibration import with_values
from sim.analysis.compare import Comparison, compare, placed, strategy_configs
from sim.analysis.compare_report import console_table, ranking_text, summary_markdown
from sim.analysis.start_times import StartTime, parse_starts
from sim.analysis.survival import survival_markdown, survival_table
from sim.analysis.uncertainty import NONE, describe
from sim.analysis.uncertainty import draws as uncertainty_draws
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


def draws_of(cfg: DictConfig, base: dict[str, Any], baseline: dict[str, Any]) -> list | None:
    """The per-replicate parameter draws of `uncertainty` (None for none; ConfigError if bad)."""
    source = str(cfg.get("uncertainty") or NONE)
    if source == NONE:
        return None
    full = strategy_configs(base, {"b": baseline})["b"].to_dict()
    out = uncertainty_draws(
        source, int(cfg.replicates), int(cfg.seed), scenario=str(cfg.scenario.name), base=full
    )
    strategy_configs(  # the drawn values must make valid runs
        {**with_values(base, out[0])}, {"b": baseline}
    )
    return out


def check_compare(cfg: DictConfig) -> None:
    """Pre-flight check of a composed compare config (used before Hydra runs the app)."""
    base, strategies, baseline, _ = plan(cfg)
    draws_of(cfg, base, strategies[baseline])


def execute(cfg: DictConfig) -> Comparison:
    """Run the comparison from a composed config, write its files and print the table."""
    quiet_mesa()
    with user_errors():
        base, strategies, baseline, starts = plan(cfg)
        rc = strategy_configs(base, {baseline: strategies[baseline]})[
            baseline
        ]  # as the runs see it
        draws = draws_of(cfg, base, strategies[baseline])
    outdir = output_dir(cfg)
    source = str(cfg.get("uncertainty") or NONE)
    with user_errors(outdir), incomplete_marker(outdir):

        def run(d: list | None) -> Comparison:
            return compare(
                base,
                strategies,
                int(cfg.replicates),
                baseline=baseline,
                starts=starts,
                n_jobs=int(cfg.get("n_jobs", -1)),
                progress=bool(cfg.get("progress", True)),
                draws=d,
            )

        comparison = run(draws)
        summary = comparison.summary()
        config = {**resolved(cfg), "strategy_knobs": strategies}
        title = f"{cfg.scenario.name}: strategies compared with {baseline}"
        text = summary_markdown(summary, comparison, title)
        if draws is not None:
            what = describe(source, str(cfg.scenario.name))
            write_csv(outdir / "draws.csv", pd.DataFrame(draws).rename_axis("replicate"))
            text += f"\n\nParameter uncertainty: {what}; the intervals above include it.\n"
            if cfg.get("uncertainty_reference", True):
                fixed = run(None)
                write_csv(outdir / "summary_fixed.csv", fixed.summary())
                table = survival_table(fixed.runs, comparison.runs, list(strategies), baseline)
                write_csv(outdir / "survival.csv", table)
                text += "\n" + survival_markdown(table, what) + "\n"
        write_yaml(outdir / "config.yaml", config)
        write_json(outdir / "provenance.json", provenance(config, int(cfg.seed)))
        write_csv(outdir / "runs.csv", comparison.runs)
        write_csv(outdir / "hourly.csv", comparison.hourly)
        write_csv(outdir / "response_times.csv", comparison.response_times)
        write_csv(outdir / "summary.csv", summary)
        write_text(outdir / "summary.md", text)
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
    if draws is not None:
        print(f"\nparameter uncertainty: {describe(source, str(cfg.scenario.name))}")
        if cfg.get("uncertainty_reference", True):
            print(survival_text(outdir))
    print(f"\nresults: {outdir}\n  table:   {outdir / 'summary.md'} (and summary.csv, runs.csv)")
    if cfg.get("figures", True):
        print(
            f"  figures: {outdir / 'figures'} "
            "(forest.png, mentions.png, cost_vs_reach.png, response_times.png)"
        )
    return comparison


def survival_text(outdir: Path) -> str:
    """Terminal lines: how many rankings survive the uncertainty, per outcome."""
    table = pd.read_csv(outdir / "survival.csv")
    out = []
    for outcome, part in table.groupby("outcome", sort=False):
        lost = part[part["decided_fixed"] & ~part["survives"]]
        out.append(
            f"  by {outcome}: {int(part['survives'].sum())} of {int(part['decided_fixed'].sum())} "
            "decided rankings survive"
            + (
                f"; lost: {', '.join(f'{a} vs {b}' for a, b in zip(lost['a'], lost['b']))}"
                if len(lost)
                else ""
            )
        )
    return "\n".join(out) + f"\n  (summary.md, survival.csv in {outdir})"


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="compare")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, config_name="compare", check=check_compare)
