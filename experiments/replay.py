"""Replay documented cases: `python -m experiments.replay [scenario=NAME|all] [overrides]`.

Each scenario runs its documented strategy over `replicates` seeds (and, paired on the same
environments, its counterfactual if it names one) and its targets are evaluated: the documented
value beside the simulated mean with its 95% CI and whether it is within tolerance. Writes into
the output directory:

* `replay.csv`: one row per scenario and target (`target, label, metric, documented,
  simulated_mean, ci_low, ci_high, tolerance, ok`, plus the scenario, bound, replicates and
  source); `label` is identity (holds by construction), calibrated (a fit uses it) or held_out
  (no fit uses it), and the printed summary counts passes per label, held-out ones apart;
* `counterfactual.csv`: for scenarios with a counterfactual, key metrics under both strategies and
  their paired difference with its 95% CI;
* `runs.csv` (every metric of every run), `hourly.csv` (the time courses), `config.yaml` (the
  resolved run configs), `provenance.json`, and `figures/<scenario>.png` (time course).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig

from experiments.common import output_dir, quiet_mesa, resolved, run_app, user_errors
from experiments.options import int_option
from experiments.replay_modes import below_min_size, parse_sizes, run_crossval, run_scale
from experiments.scenarios import ScenarioRuns, scenario_names, scenario_runs
from sim.analysis.replay import Replicate, replicate
from sim.analysis.targets import TargetResult, evaluate, label_counts, mean_ci
from sim.config.presets import conf_dir
from sim.outputs.io import incomplete_marker, write_csv, write_json, write_yaml
from sim.outputs.provenance import provenance

REPLAY_COLUMNS = (
    "scenario",
    "target",
    "label",
    "metric",
    "documented",
    "simulated_mean",
    "ci_low",
    "ci_high",
    "tolerance",
    "ok",
    "bound",
    "statistic",
    "lift",
    "by_h",
    "n",
    "source",
)
# Metrics compared between the documented strategy and the counterfactual.
COMPARE_METRICS = (
    "reach_negative_scaled",
    "reach_incident_scaled",
    "reach_positive_scaled",
    "mentions_brand_scaled",
    "reach_campaign_scaled",
    "sentiment_mean_final",
    "sentiment_delta",
    "churned_scaled",
    "revenue_at_risk_scaled",
    "incident_responded_share",
    "incident_resolved_share",
    "phone_wait_mean_min",
    "phone_queue_peak",
    "web_wait_mean_min",
    "cost_contacts",
    "cost_total",
)


@dataclass
class ScenarioReplay:
    """A scenario's replay: its runs, replicates and target results."""

    runs: ScenarioRuns
    replicates: list[Replicate]
    results: list[TargetResult]

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.runs.name

    def table(self) -> pd.DataFrame:
        """Target rows (REPLAY_COLUMNS)."""
        rows = [{"scenario": self.name, **r.as_row()} for r in self.results]
        table = pd.DataFrame(rows, columns=list(REPLAY_COLUMNS))
        sc, size = self.runs.checked.scenario, self.runs.checked.population.size
        if below_min_size(sc, size):
            table.attrs["note"] = (
                f"population.size {size:,} is below this scenario's min_size {sc.min_size:,}: "
                "its targets are not expected to hold"
            )
        return table

    @property
    def note(self) -> str:
        """A warning about the replay's size ("" if none)."""
        return str(self.table().attrs.get("note", ""))

    def comparison(self) -> pd.DataFrame:
        """Key metrics under the documented strategy and the counterfactual, paired."""
        if self.runs.counterfactual is None:
            return pd.DataFrame()
        rows = []
        for k in COMPARE_METRICS:
            doc = np.array([r.metrics.get(k, np.nan) for r in self.replicates], dtype=float)
            cf = np.array([r.cf_metrics.get(k, np.nan) for r in self.replicates], dtype=float)
            if (
                not (np.isfinite(doc).any() or np.isfinite(cf).any())
                or (np.nan_to_num(doc) == 0).all()
                and (np.nan_to_num(cf) == 0).all()
            ):
                continue
            d, c, diff = mean_ci(doc), mean_ci(cf), mean_ci(doc - cf)
            rows.append(
                {
                    "scenario": self.name,
                    "metric": k,
                    "documented_strategy": self.runs.strategy,
                    "counterfactual": self.runs.counterfactual_name,
                    "documented_mean": d[0],
                    "documented_low": d[1],
                    "documented_high": d[2],
                    "counterfactual_mean": c[0],
                    "counterfactual_low": c[1],
                    "counterfactual_high": c[2],
                    "difference": diff[0],
                    "difference_low": diff[1],
                    "difference_high": diff[2],
                    "n": diff[3],
                }
            )
        return pd.DataFrame(rows)

    def run_rows(self) -> pd.DataFrame:
        """Every metric of every run (one row per strategy and replicate)."""
        rows = []
        for i, r in enumerate(self.replicates):
            rows.append(
                {
                    "scenario": self.name,
                    "strategy": self.runs.strategy,
                    "replicate": i,
                    "seed": r.seed,
                    **r.metrics,
                }
            )
            if r.cf_metrics is not None:
                rows.append(
                    {
                        "scenario": self.name,
                        "strategy": self.runs.counterfactual_name,
                        "replicate": i,
                        "seed": r.seed,
                        **r.cf_metrics,
                    }
                )
        return pd.DataFrame(rows)

    def hourly(self) -> pd.DataFrame:
        """Time courses of every run."""
        parts = []
        for i, r in enumerate(self.replicates):
            for name, h in (
                (self.runs.strategy, r.hourly),
                (self.runs.counterfactual_name, r.cf_hourly),
            ):
                if h is not None:
                    parts.append(h.assign(scenario=self.name, strategy=name, replicate=i))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def replay_scenario(
    scenario: Any,
    *,
    seed: int = 1,
    replicates: int | None = None,
    size: int | None = None,
    network: dict | None = None,
    n_jobs: int = 1,
) -> ScenarioReplay:
    """Replay one scenario (a name in conf/scenario/ or its content) and evaluate its targets.

    `replicates` None: the number the scenario asks for (`scenario.replicates`, else 10).
    """
    runs = scenario_runs(scenario, seed=seed, size=size, network=network)
    seeds = [seed + r for r in range(replicates or runs.replicates)]
    reps = replicate(runs.documented, runs.counterfactual, seeds, n_jobs=n_jobs)
    targets = runs.checked.scenario.targets
    results = evaluate(
        targets,
        [r.values for r in reps],
        [r.cf_values for r in reps] if runs.counterfactual is not None else None,
    )
    return ScenarioReplay(runs, reps, results)


def _fmt(x: float) -> str:
    if x != x:  # NaN
        return "n/a"
    return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}"


SUMMARY_ORDER = ("held_out", "calibrated", "identity")  # evidence first, identity last


def label_summary(table: pd.DataFrame) -> str:
    """Targets met per label; identity targets are listed apart (they are never evidence)."""
    counts = label_counts(list(table["label"]), list(table["ok"]))
    parts = []
    for label, (met, n) in sorted(counts.items(), key=lambda kv: SUMMARY_ORDER.index(kv[0])):
        if label == "identity":
            parts.append(f"{met} of {n} identity (by construction, not evidence)")
        else:
            parts.append(f"{label.replace('_', '-')}: {met} of {n} met")
    return "; ".join(parts) if parts else "no targets"


def console_table(table: pd.DataFrame) -> str:
    """The replay table as aligned text."""
    lines = []
    for name, part in table.groupby("scenario", sort=False):
        lines.append(f"\n{name}: {label_summary(part)}")
        if "note" in part and str(part["note"].iloc[0]):
            lines.append(f"  note: {part['note'].iloc[0]}")
        for _, r in part.iterrows():
            sign = {"at_least": ">=", "at_most": "<=", "near": "~"}[r["bound"]]
            lift = " (lift)" if r["lift"] else ""
            lines.append(
                f"  [{'ok' if r['ok'] else 'MISS'}] ({r['label']}) {r['target']}{lift}\n"
                f"        {r['metric']}: documented {sign} {_fmt(r['documented'])} "
                f"+/- {_fmt(r['tolerance'])}, simulated {_fmt(r['simulated_mean'])} "
                f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] (n={r['n']})"
            )
    return "\n".join(lines)


@dataclass(frozen=True)
class ReplayOptions:
    """The replay's numeric options, checked."""

    seed: int
    replicates: int | None
    size: int | None
    n_jobs: int


def replay_options(cfg: DictConfig) -> ReplayOptions:
    """Read seed, replicates, size and n_jobs (ConfigError naming a bad one)."""
    return ReplayOptions(
        seed=int_option(cfg, "seed", 1),
        replicates=int_option(cfg, "replicates", 10, null="the number each scenario asks for"),
        size=int_option(cfg, "size", 20000, null="each scenario's own size"),
        n_jobs=int_option(cfg, "n_jobs", 2, default=1),
    )


def _names(cfg: DictConfig) -> list[str]:
    which = str(cfg.get("scenarios", "all"))
    return scenario_names() if which == "all" else [which]


def _scenarios(names: list[str], data: dict) -> list[tuple[str, Any]]:
    """(name, what to replay) per scenario: the composed scenario, overrides included, when one
    scenario is replayed; else its name (the file in conf/scenario/)."""
    composed = data["scenario"]
    one = len(names) == 1 and names[0] == composed["name"]
    return [(name, composed if one else name) for name in names]


def execute(cfg: DictConfig) -> pd.DataFrame:
    """Replay the scenarios of a composed config, write the files and print the table."""
    quiet_mesa()
    data = resolved(cfg)
    scenarios = _scenarios(_names(cfg), data)
    network = data.get("network")
    outdir = output_dir(cfg)
    with user_errors():
        opts = replay_options(cfg)
    with user_errors():
        sizes = parse_sizes(cfg.get("sizes")) if cfg.get("sizes") is not None else None
        evals = int_option(cfg, "crossval_evals", 12, default=12)
    if sizes is not None or cfg.get("crossval", False):
        with user_errors(outdir), incomplete_marker(outdir):
            write_yaml(outdir / "config.yaml", data)
            write_json(outdir / "provenance.json", provenance(data, opts.seed))
            if sizes is not None:
                return run_scale(scenarios, sizes, replay_scenario, opts, outdir, network)
            return run_crossval(scenarios, opts, outdir, int(evals or 12), network)
    with user_errors(outdir), incomplete_marker(outdir):
        replays = []
        for name, scenario in scenarios:
            print(f"replaying {name}...", flush=True)
            replays.append(
                replay_scenario(
                    scenario,
                    seed=opts.seed,
                    replicates=opts.replicates,
                    size=opts.size,
                    network=network,
                    n_jobs=opts.n_jobs,
                )
            )
        table = pd.concat([r.table() for r in replays], ignore_index=True)
        notes = {r.name: r.note for r in replays if r.note}
        comparisons = [r.comparison() for r in replays]
        comparisons = (
            pd.concat([c for c in comparisons if len(c)], ignore_index=True)
            if any(len(c) for c in comparisons)
            else pd.DataFrame()
        )
        configs = {
            r.name: {"documented": r.runs.documented, "counterfactual": r.runs.counterfactual}
            for r in replays
        }
        config = {
            "replay": {k: v for k, v in data.items() if k not in ("scenario",)},
            "scenarios": configs,
        }
        write_yaml(outdir / "config.yaml", config)
        write_json(outdir / "provenance.json", provenance(config, opts.seed))
        write_csv(
            outdir / "runs.csv", pd.concat([r.run_rows() for r in replays], ignore_index=True)
        )
        write_csv(
            outdir / "hourly.csv", pd.concat([r.hourly() for r in replays], ignore_index=True)
        )
        if len(comparisons):
            write_csv(outdir / "counterfactual.csv", comparisons)
        if cfg.get("figures", True):
            from sim.viz.replay import replay_figure, save_figure

            for r in replays:
                save_figure(replay_figure(r), outdir / "figures" / f"{r.name}.png")
        write_csv(outdir / "replay.csv", table)
    print(console_table(table.assign(note=table["scenario"].map(notes).fillna(""))))
    if len(comparisons):
        print("\ndocumented strategy vs counterfactual (paired difference, 95% CI):")
        for _, c in comparisons.iterrows():
            print(
                f"  {c['scenario']}: {c['metric']}: {c['documented_strategy']} "
                f"{_fmt(c['documented_mean'])} vs {c['counterfactual']} "
                f"{_fmt(c['counterfactual_mean'])}: difference {_fmt(c['difference'])} "
                f"[{_fmt(c['difference_low'])}, {_fmt(c['difference_high'])}]"
            )
    print(
        f"\ntargets met by label over {len(replays)} scenario(s): {label_summary(table)}. "
        f"results: {outdir}"
    )
    return table


def check_replay(cfg: DictConfig) -> None:
    """Pre-flight check: every scenario to replay builds a valid run config."""
    opts = replay_options(cfg)
    data = resolved(cfg)
    for _name, scenario in _scenarios(_names(cfg), data):
        scenario_runs(scenario, seed=opts.seed, size=opts.size, network=data.get("network"))


def scenario_argv(argv: Sequence[str]) -> list[str]:
    """`scenario=all` becomes `scenarios=all`; `scenario=NAME` also sets `scenarios=NAME`."""
    out = []
    for arg in argv:
        if arg.startswith("scenario="):
            value = arg.split("=", 1)[1]
            out.append(f"scenarios={value}")
            if value == "all":
                continue
        out.append(arg)
    return out


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="replay")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    sys.argv[1:] = scenario_argv(sys.argv[1:])
    run_app(main, config_name="replay", check=check_replay)
