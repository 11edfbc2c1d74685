"""Fit a scenario's free parameters to its targets: `python -m experiments.calibrate scenario=NAME`.

The free parameters are the scenario's `free:` list (dotted keys with bounds). Every candidate
runs the replay's seeds (`seed`, `seed + 1`, ...: common random numbers) and is scored by the
mean squared miss of its targets in tolerance units; SciPy's differential evolution searches the
bounds (see `sim.analysis.calibration`). Writes into the output directory `fit.json` (fitted
values, loss, evaluations), `history.csv` (every evaluation), `targets.csv` (the targets at the
fitted values, as in replay.csv), `config.yaml`, `provenance.json` and `figures/calibration.png`.

`apply=true` writes the fitted values (rounded to 4 significant digits) into the scenario file,
keeping its comments: `scenario.*` keys in place, model parameters under `settings:`, strategy
knobs into the scenario's documented strategy preset. `staffing=true` answers another question
instead: the smallest staff of the documented strategy that answers `sla.share` of all complaints
within `sla.minutes`.

Only targets labelled `calibrated` enter the fit; `identity` and `held_out` ones are shown in
`targets.csv` beside them. Every finished evaluation is kept in `evaluations/` (one JSON file
each, atomically): a killed fit rerun with the same config and `hydra.run.dir` reuses them and
runs only the rest (`sim.analysis.eval_store`).

`method=point` (the default) is the best fit above; `method=abc` gives a posterior instead
(ABC-SMC with pyabc, the `calibrate` extra): see `experiments.calibrate_abc`.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

import hydra
import pandas as pd
from omegaconf import DictConfig

from experiments.common import (
    UserError,
    output_dir,
    quiet_mesa,
    resolved,
    run_app,
    user_errors,
)
from experiments.options import float_option, int_option
from experiments.replay import console_table
from experiments.scenarios import CONF_DIR, ScenarioRuns, scenario_runs
from experiments.yaml_edit import update_file
from sim.analysis.calibration import Fit, calibrate, with_values
from sim.analysis.replay import replicate
from sim.analysis.staffing import staff_for_sla
from sim.analysis.targets import evaluate, fit_targets, loss
from sim.config.presets import conf_dir
from sim.config.schema import SETTINGS_SECTIONS
from sim.errors import ConfigError
from sim.outputs.io import incomplete_marker, write_csv, write_json, write_yaml
from sim.outputs.provenance import provenance


def rounded(values: dict[str, float]) -> dict[str, float]:
    """Values rounded to 4 significant digits (what is written into files)."""
    return {k: (v if isinstance(v, int) else float(f"{v:.4g}")) for k, v in values.items()}


def file_edits(runs: ScenarioRuns, scenario_file: str, values: dict[str, float]) -> dict[str, dict]:
    """Which file gets which value: path in conf/ -> {yaml path: value}."""
    edits: dict[str, dict] = {}
    for key, value in values.items():
        section, _, rest = key.partition(".")
        if section == "scenario":
            edits.setdefault(f"scenario/{scenario_file}.yaml", {})[rest.replace(".", "/")] = value
        elif section in SETTINGS_SECTIONS:
            edits.setdefault(f"scenario/{scenario_file}.yaml", {})[f"settings/{key}"] = value
        elif section == "strategy":
            edits.setdefault(f"strategy/{runs.strategy}.yaml", {})[rest] = value
        else:
            raise ConfigError(
                "scenario.free", key, "keys of scenario, strategy, " + ", ".join(SETTINGS_SECTIONS)
            )
    return edits


def apply_fit(runs: ScenarioRuns, scenario_file: str, values: dict[str, float]) -> list[str]:
    """Write fitted values into the scenario file (and its strategy preset); return the files."""
    edits = file_edits(runs, scenario_file, values)
    for rel, vals in edits.items():
        update_file(CONF_DIR / rel, vals)
    return [f"conf/{rel}" for rel in edits]


def fit_figure(fit: Fit, targets):
    """Loss per evaluation (log scale), the parameters tried, the fitted targets vs documented."""
    import matplotlib.pyplot as plt

    h = fit.history
    n = len(fit.keys)
    fig, axes = plt.subplots(2 + n, 1, figsize=(9, 3 + 1.8 * (n + 1)), squeeze=False)
    ax = axes[0, 0]
    ax.semilogy(h["eval"], h["loss"].clip(lower=1e-6), ".", color="#7f8c8d", label="candidate")
    ax.semilogy(
        h["eval"], h["loss"].cummin().clip(lower=1e-6), "-", color="#c0392b", label="best so far"
    )
    ax.axhline(1.0, color="black", ls=":", lw=1)
    ax.set_ylabel("loss (tolerance units²)")
    ax.set_title("calibration: differential evolution on the replicate-mean loss")
    ax.legend(frameon=False, fontsize=8)
    for i, key in enumerate(fit.keys):
        ax = axes[1 + i, 0]
        ax.plot(h["eval"], h[key], ".", color="#2c3e50")
        ax.axhline(fit.values[key], color="#c0392b", lw=1)
        ax.set_ylabel(key.split(".")[-1], fontsize=8)
    ax = axes[-1, 0]
    labels = [r.target[:40] for r in fit.results]
    ratio = [
        r.simulated_mean / t.documented if t.documented else r.simulated_mean - t.documented
        for r, t in zip(fit.results, targets)
    ]
    ax.barh(labels, ratio, color=["#27ae60" if r.ok else "#c0392b" for r in fit.results])
    ax.axvline(1.0, color="black", lw=1)
    ax.set_xlabel("simulated / documented at the fitted values")
    axes[-2, 0].set_xlabel("evaluation")
    for a in axes[:, 0]:
        a.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


@dataclass(frozen=True)
class CalibrateOptions:
    """The calibration's numeric options, checked."""

    seed: int
    replicates: int | None
    size: int | None
    n_jobs: int
    maxiter: int
    popsize: int
    stop_loss: float
    max_evals: int | None
    sla_minutes: float
    sla_share: float
    sla_max_staff: int


def calibrate_options(cfg: DictConfig) -> CalibrateOptions:
    """Read every numeric option of a calibrate config (ConfigError naming a bad one)."""
    return CalibrateOptions(
        seed=int_option(cfg, "seed", 1),
        replicates=int_option(cfg, "replicates", 10, null="the scenario's own number"),
        size=int_option(cfg, "size", 20000, null="the scenario's own size"),
        n_jobs=int_option(cfg, "n_jobs", 2),
        maxiter=int_option(cfg, "maxiter", 8),
        popsize=int_option(cfg, "popsize", 6),
        stop_loss=float_option(cfg, "stop_loss", 0.02),
        max_evals=int_option(cfg, "max_evals", 80, null="no cap") or None,
        sla_minutes=float_option(cfg, "sla.minutes", 60.0),
        sla_share=float_option(cfg, "sla.share", 0.8),
        sla_max_staff=int_option(cfg, "sla.max_staff", 60),
    )


def _scenario(cfg: DictConfig, opts: CalibrateOptions) -> tuple[str, ScenarioRuns]:
    data = resolved(cfg)
    name = str(cfg.get("scenarios") or data["scenario"]["name"])
    if name == "all":
        raise ConfigError(
            "scenario", "all", "one scenario name: calibration fits one scenario at a time"
        )
    return name, scenario_runs(
        data["scenario"], seed=opts.seed, size=opts.size, network=data.get("network")
    )


def staffing(opts: CalibrateOptions, runs: ScenarioRuns, seeds: list[int], outdir) -> int | None:
    """Smallest staff meeting the SLA; writes staffing.csv."""
    staff, table = staff_for_sla(
        runs.documented,
        seeds,
        minutes=opts.sla_minutes,
        share=opts.sla_share,
        low=1,
        high=opts.sla_max_staff,
        n_jobs=opts.n_jobs,
    )
    write_csv(outdir / "staffing.csv", table)
    print(table.to_string(index=False))
    if staff is None:
        print(
            f"\neven {opts.sla_max_staff} staff answer less than {opts.sla_share:.0%} "
            f"within {opts.sla_minutes:g} minutes"
        )
    else:
        print(
            f"\n{runs.name}: {staff} staff answer {opts.sla_share:.0%} of all complaints within "
            f"{opts.sla_minutes:g} minutes (replicate mean over {len(seeds)} seeds; "
            f"the documented team has {runs.checked.strategy.staff})"
        )
    return staff


METHODS = ("point", "abc")


def execute(cfg: DictConfig) -> Fit | Any | int | None:
    """Calibrate (or size the staff of) one scenario from a composed config."""
    quiet_mesa()
    with user_errors():
        opts = calibrate_options(cfg)
        name, runs = _scenario(cfg, opts)
        method = str(cfg.get("method", "point"))
    seeds = [
        opts.seed + r
        for r in range(opts.replicates if opts.replicates is not None else runs.replicates)
    ]
    outdir = output_dir(cfg)
    with incomplete_marker(outdir), user_errors(outdir):
        config = {
            "calibrate": {k: v for k, v in resolved(cfg).items() if k != "scenario"},
            "documented": runs.documented,
            "counterfactual": runs.counterfactual,
        }
        write_yaml(outdir / "config.yaml", config)
        write_json(outdir / "provenance.json", provenance(config, opts.seed))
        if cfg.get("staffing", False):
            return staffing(opts, runs, seeds, outdir)
        sc = runs.checked.scenario
        if method == "abc" and sc.free:
            from experiments.calibrate_abc import execute_abc

            return execute_abc(cfg, name, runs, opts.seed, opts.n_jobs, outdir)
        if not sc.free:
            print(
                f"{name}: no free parameters (scenario.free is empty): "
                "every value is sourced or assumed."
            )
            write_json(
                outdir / "fit.json", {"scenario": name, "free": [], "message": "nothing to fit"}
            )
            return None
        file_edits(
            runs, name, {fp.key: 0.0 for fp in sc.free}
        )  # refuses keys that cannot be written back

        def progress(i: int, value: float, values: dict) -> None:
            shown = ", ".join(f"{k.split('.')[-1]}={v:.4g}" for k, v in values.items())
            print(f"  eval {i:3d}: loss {value:9.4f}  {shown}", flush=True)

        fitted = fit_targets(sc.targets)  # never identity or held_out
        if not fitted:
            raise UserError(f"{name}: no target is labelled calibrated, so there is nothing to fit")
        print(
            f"calibrating {name}: {len(sc.free)} free parameter(s), {len(fitted)} calibrated "
            f"target(s) of {len(sc.targets)}, {len(seeds)} replicates per candidate",
            flush=True,
        )
        fit = calibrate(
            runs.documented,
            runs.counterfactual,
            sc.free,
            fitted,
            seeds,
            maxiter=opts.maxiter,
            popsize=opts.popsize,
            stop_loss=opts.stop_loss,
            rng_seed=opts.seed,
            n_jobs=opts.n_jobs,
            max_evals=opts.max_evals,
            progress=progress,
            journal=outdir / "evaluations",
        )
        fit.values = rounded(fit.values)  # re-evaluate at what is written to files
        doc = with_values(runs.documented, fit.values)
        cf = (
            with_values(runs.counterfactual, fit.values)
            if runs.counterfactual is not None
            else None
        )
        reps = replicate(doc, cf, seeds, n_jobs=opts.n_jobs)
        fit.results = evaluate(
            sc.targets, [r.values for r in reps], [r.cf_values for r in reps] if cf else None
        )
        fit.loss = loss(
            fitted, [r for r, t in zip(fit.results, sc.targets) if t.label == "calibrated"]
        )
        table = pd.DataFrame([{"scenario": name, **r.as_row()} for r in fit.results])
        write_csv(outdir / "history.csv", fit.history)
        write_csv(outdir / "targets.csv", table)
        applied = apply_fit(runs, name, fit.values) if cfg.get("apply", False) else []
        write_json(
            outdir / "fit.json",
            {
                "scenario": name,
                "values": fit.values,
                "start": fit.start,
                "loss": fit.loss,
                "evaluations": fit.evaluations,
                "reused_evaluations": fit.reused,
                "fitted_to": [t.name for t in fitted],
                "seconds": fit.seconds,
                "message": fit.message,
                "replicates": len(seeds),
                "applied_to": applied,
                "bounds": {fp.key: [fp.low, fp.high] for fp in sc.free},
            },
        )
        if cfg.get("figures", True):
            from sim.viz.replay import save_figure

            save_figure(fit_figure(fit, sc.targets), outdir / "figures" / "calibration.png")
    reused = f"; {fit.reused} from an earlier run's journal" if fit.reused else ""
    print(
        f"\nfitted after {fit.evaluations} evaluations{reused} ({fit.seconds:.0f} s, "
        f"{fit.message}):"
    )
    for k, v in fit.values.items():
        print(f"  {k} = {v:.4g}   (start {fit.start[k]:.4g})")
    print(console_table(table))
    print(
        f"\nloss {fit.loss:.4f}"
        + ("" if math.isfinite(fit.loss) else " (a target could not be measured)")
    )
    print(
        f"written into {', '.join(applied)}"
        if applied
        else "not applied (apply=true writes the values into the scenario file)"
    )
    print(f"results: {outdir}")
    return fit


def check_calibrate(cfg: DictConfig) -> None:
    """Pre-flight check of a composed calibrate config."""
    _scenario(cfg, calibrate_options(cfg))
    method = str(cfg.get("method", "point"))
    if method not in METHODS:
        raise ConfigError("method", method, "point (a best fit) or abc (a posterior, pyabc)")
    if method == "abc":
        from experiments.calibrate_abc import abc_settings
        from sim.analysis.posterior import MissingExtra, pyabc_module

        abc_settings(cfg, 1, 1)
        try:
            pyabc_module()
        except MissingExtra as exc:
            raise UserError(str(exc)) from None


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="calibrate")
def main(cfg: DictConfig) -> None:
    """Hydra entry point."""
    execute(cfg)


if __name__ == "__main__":
    from experiments.replay import scenario_argv

    sys.argv[1:] = scenario_argv(sys.argv[1:])
    run_app(main, config_name="calibrate", check=check_calibrate)
