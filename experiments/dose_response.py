"""Dose-response of one strategy knob: `python -m experiments.dose_response [overrides]`.

Runs the strategy preset (`strategy=fast_social_care`) with one knob set to each dose
(`curve=staff`: `strategy.staff` 0..12; `curve=latency`: `strategy.listening_latency_min`
1..600; or `knob=strategy.X doses=[...]`), every dose on the same `replicates` seeds (common
random numbers), through `sim.analysis.evaluator`. Writes into the output directory:

* `runs.csv`: one row per dose and replicate, every metric;
* `dose_response.csv`: per dose and metric the mean, 95% CI and n (`dose, metric, mean,
  ci_low, ci_high, n`);
* `steps.csv`: per metric and neighbouring doses the paired change, its CI and its share of the
  curve's total movement;
* `dose_response.md`: the table and each metric's largest step; `figures/dose_response_<knob>.png`;
  `config.yaml` (resolved, with the doses) and `provenance.json`.
"""

from __future__ import annotations

import copy
from typing import Any

import hydra
from omegaconf import DictConfig

from experiments.common import output_dir, quiet_mesa, resolved, run_app, user_errors
from experiments.options import int_option
from sim.analysis.dose import DoseResponse, dose_response, doses, knob, markdown
from sim.analysis.eval_store import FOLDER, RunStore
from sim.config.presets import conf_dir
from sim.config.schema import RUN_SECTIONS, RunConfig
from sim.errors import ConfigError
from sim.outputs.io import incomplete_marker, write_csv, write_json, write_text, write_yaml
from sim.outputs.provenance import provenance
from sim.outputs.registry import get as get_metric


def plan(cfg: DictConfig) -> tuple[dict[str, Any], str, list[float | int], list[str]]:
    """The base run config, the knob, its doses (ascending) and the metrics, all checked."""
    from sim.analysis.dose import dose_cases

    data = resolved(cfg)
    curves = data.get("curves") or {}
    name = data.get("curve")
    key, values = data.get("knob"), data.get("doses")
    if key is None or values is None:  # what the command line leaves open comes from the curve
        if name not in curves:
            raise ConfigError(
                "curve",
                name,
                f"one of {', '.join(curves) or 'the curves of conf'} "
                "(or give knob=strategy.X doses=[...])",
            )
        curve = curves[name]
        if key is not None and key != curve.get("knob"):
            raise ConfigError(
                "doses",
                None,
                f"a list of doses for knob={key}, e.g. doses=[1,2,4] "
                f"(the curve {name!r} has doses for {curve.get('knob')})",
            )
        key = key if key is not None else curve.get("knob")
        values = values if values is not None else curve.get("doses")
    k = knob(key)
    ordered = doses(k, values)
    replicates = int_option(cfg, "replicates", 6)
    if replicates < 2:
        raise ConfigError(
            "replicates", replicates, "a whole number of 2 or more (confidence intervals need two)"
        )
    n_jobs = int_option(cfg, "n_jobs", 2)
    if n_jobs == 0:
        raise ConfigError("n_jobs", n_jobs, "1, 2, ... worker processes or -1 for all cores")
    metrics = [str(m) for m in data.get("metrics") or []]
    if not metrics:
        raise ConfigError("metrics", metrics, "a list of metric names, e.g. [reach_negative]")
    for i, metric in enumerate(metrics):
        try:
            get_metric(metric)
        except KeyError as exc:
            raise ConfigError(
                f"metrics[{i}]", metric, f"a metric key of metrics.json ({exc.args[0]})"
            ) from None
    base = {k2: v for k2, v in data.items() if k2 in RUN_SECTIONS}
    dose_cases(base, k, ordered)  # every dose checked against the knob's bounds
    return base, k.key, ordered, metrics


def check_dose_response(cfg: DictConfig) -> None:
    """Pre-flight check of a composed config (run_app calls it before Hydra runs anything)."""
    plan(cfg)


def execute(cfg: DictConfig) -> DoseResponse:
    """Run the dose-response study of a composed config, write its files and print the table."""
    quiet_mesa()
    with user_errors():
        base, key, values, metrics = plan(cfg)
    outdir = output_dir(cfg)
    rc = RunConfig.from_dict(copy.deepcopy(base))  # as the runs see it
    reps = int(cfg.replicates)
    with user_errors(outdir), incomplete_marker(outdir):
        store = RunStore(outdir / FOLDER)  # finished runs: a rerun into outdir reuses them
        result = dose_response(
            base,
            key,
            values,
            reps,
            metrics,
            n_jobs=int(cfg.n_jobs),
            progress=bool(cfg.get("progress", True)),
            cache=store,
        )
        print(store.summary(len(values) * reps))
        title = (
            f"{rc.scenario.name}: {rc.strategy.name}, {key} swept "
            f"({reps} paired replicates, {rc.population.size:,} simulated people; mean, 95% CI)"
        )
        config = {**resolved(cfg), "knob": key, "doses": values}
        write_yaml(outdir / "config.yaml", config)
        write_json(outdir / "provenance.json", provenance(config, int(cfg.seed)))
        write_csv(outdir / "runs.csv", result.runs)
        write_csv(outdir / "dose_response.csv", result.summary())
        write_csv(outdir / "steps.csv", result.steps())
        text = markdown(result, title)
        write_text(outdir / "dose_response.md", text)
        figure = outdir / "figures" / f"dose_response_{result.knob.name}.png"
        if cfg.get("figures", True):
            from sim.viz.dose import dose_response_figure
            from sim.viz.timeline import save_figure

            save_figure(dose_response_figure(result, title), figure)
    print("\n" + text)
    print(
        f"results: {outdir}\n  table:  {outdir / 'dose_response.md'} (and dose_response.csv, "
        f"steps.csv, runs.csv)"
    )
    if cfg.get("figures", True):
        print(f"  figure: {figure}")
    return result


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="dose_response")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    run_app(main, config_name="dose_response", check=check_dose_response)
