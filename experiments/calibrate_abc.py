"""`python -m experiments.calibrate scenario=NAME method=abc`: a posterior instead of one point.

ABC-SMC (pyabc, `sim.analysis.posterior`) over the scenario's `free:` parameters, uniform priors
over their bounds, fitted to the targets labelled `calibrated`. Writes into the output directory:

* `posterior.csv`: the last generation's particles (the free keys, weight, distance);
* `posterior_summary.csv` and `.yaml`: per parameter the weighted mean, sd, 5/25/50/75/95%
  quantiles, the bounds and the effective sample size;
* `generations.csv`: epsilon, simulations and acceptance per generation;
* `predictive.csv`: the posterior predictive check of every target of the scenario, whatever its
  label (`predictive_draws` posterior draws, each on `predictive_seeds` new seeds): the 90%
  predictive interval, the share of draws inside the band, met (the median inside the band);
  `predictive_draws.csv` holds every draw's value;
* `figures/posterior.png`, `config.yaml`, `provenance.json`, and `history.db` (pyabc's SQLite
  history: a killed run started again with the same config and `hydra.run.dir` continues there;
  the predictive draws already run are kept in `predictive/`).

`apply=true` writes the summary and the weighted particles to `conf/posterior/<scenario>.yaml`
(or `posterior_file`), where `experiments.compare uncertainty=posterior` reads them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from experiments.common import UserError, resolved
from experiments.options import float_option, int_option
from experiments.scenarios import ScenarioRuns
from sim.analysis.eval_store import EvalStore
from sim.analysis.posterior import (
    AbcSettings,
    MissingExtra,
    Posterior,
    Simulator,
    calibrated,
    fingerprint,
    predictive,
    pyabc_module,
    resample,
    run_abc,
    summary_table,
)
from sim.analysis.uncertainty import posterior_path
from sim.errors import ConfigError
from sim.outputs.io import write_csv, write_json, write_yaml

PREDICTIVE_SEED_OFFSET = 10_000  # predictive runs use seeds the fit never ran


def abc_settings(cfg: DictConfig, seed: int, n_jobs: int) -> AbcSettings:
    """The checked `abc.*` options."""
    s = AbcSettings(
        population=int_option(cfg, "abc.population", 20, default=20) or 20,
        generations=int_option(cfg, "abc.generations", 4, default=4) or 4,
        min_epsilon=float_option(cfg, "abc.min_epsilon", 0.5, default=0.5),
        initial_epsilon=float_option(cfg, "abc.initial_epsilon", 4.0, default=4.0),
        seeds=int_option(cfg, "abc.seeds", 2, default=2) or 2,
        seed_pool=int_option(cfg, "abc.seed_pool", 10, default=10) or 10,
        rng_seed=seed,
        n_jobs=n_jobs,
    )
    for key, value, low in (
        ("abc.population", s.population, 2),
        ("abc.generations", s.generations, 1),
        ("abc.seeds", s.seeds, 1),
        ("abc.seed_pool", s.seed_pool, s.seeds),
    ):
        if value < low:
            raise ConfigError(key, value, f"a whole number of at least {low}")
    if s.initial_epsilon <= 0 or s.min_epsilon < 0:
        raise ConfigError("abc.initial_epsilon", s.initial_epsilon, "a positive number")
    return s


def _resume_check(outdir: Path, key: str) -> None:
    """Refuse to continue a history that another configuration wrote."""
    state = outdir / "abc_state.json"
    if (outdir / "history.db").exists() and state.is_file():
        import json

        old = json.loads(state.read_text()).get("fingerprint")
        if old != key:
            raise UserError(
                f"{outdir} holds the ABC history of another configuration (fingerprint {old}, "
                f"now {key}). Rerun with the same overrides to continue it, or give a new "
                "hydra.run.dir."
            )
    write_json(state, {"fingerprint": key})


def posterior_document(
    name: str, post: Posterior, summary: pd.DataFrame, sc: Any, outdir: Path
) -> dict[str, Any]:
    """What `apply=true` writes: the summary and the weighted particles."""
    import pyabc

    def g(x: float) -> float:
        return float(f"{x:.6g}")

    return {
        "note": (
            f"written by `python -m experiments.calibrate scenario={name} method=abc apply=true`; "
            "read by `python -m experiments.compare uncertainty=posterior` (one particle per "
            "replicate, drawn by weight)"
        ),
        "scenario": name,
        "method": f"ABC-SMC (pyabc {pyabc.__version__}), uniform priors over scenario.free",
        "run": outdir.name,
        "fitted_to": [t.name for i, t in enumerate(sc.targets) if i in set(calibrated(sc.targets))],
        "labels": {t.name: t.label for t in sc.targets},  # as the fit saw them
        "generations": int(len(post.generations)),
        "epsilon": g(post.generations["epsilon"].iloc[-1]),
        "simulations": int(post.generations["simulations"].sum()),
        "parameters": {
            row["parameter"]: {k: g(v) for k, v in row.items() if k != "parameter"}
            for row in summary.to_dict("records")
        },
        "samples": {
            "keys": post.keys,
            "values": [[g(v) for v in r] for r in post.samples[post.keys].to_numpy(float)],
            "weights": [g(w) for w in post.samples["weight"].to_numpy(float)],
        },
    }


def execute_abc(
    cfg: DictConfig, name: str, runs: ScenarioRuns, seed: int, n_jobs: int, outdir: Path
) -> Posterior:
    """Run (or continue) the ABC-SMC calibration of one scenario and write its files."""
    try:
        pyabc_module()
    except MissingExtra as exc:
        raise UserError(str(exc)) from None
    settings = abc_settings(cfg, seed, n_jobs)
    draws_n = int_option(cfg, "abc.predictive_draws", 20, default=20) or 20
    pred_seeds_n = int_option(cfg, "abc.predictive_seeds", 2, default=2) or 2
    sc = runs.checked.scenario
    if not calibrated(sc.targets):
        raise UserError(f"{name}: no target is labelled calibrated, so there is nothing to fit to")
    simulator = Simulator(runs.documented, runs.counterfactual, sc.free, sc.targets, n_jobs)
    # the stop rules (generations, min_epsilon) may change on a rerun: more generations continue
    same = {k: v for k, v in settings.__dict__.items() if k not in ("generations", "min_epsilon")}
    key = fingerprint(
        {"settings": same | {"n_jobs": 0}, "runs": [runs.documented, runs.counterfactual]}
    )
    _resume_check(outdir, key)
    used = [sc.targets[i].name for i in calibrated(sc.targets)]
    print(
        f"ABC-SMC for {name}: {len(sc.free)} free parameter(s), fitted to {len(used)} calibrated "
        f"target(s) of {len(sc.targets)}; {settings.population} particles per generation, at most "
        f"{settings.generations} generations, {settings.seeds} seeds per candidate",
        flush=True,
    )
    post = run_abc(
        simulator,
        outdir / "history.db",
        settings,
        seed,
        meta={"fingerprint": key},
        progress=lambda line: print(line, flush=True),
    )
    if post.resumed_from:
        print(f"  continued after {post.resumed_from} generation(s) found in history.db")
    summary = summary_table(post.samples, sc.free)
    write_csv(outdir / "posterior.csv", post.samples)
    write_csv(outdir / "posterior_summary.csv", summary)
    write_csv(outdir / "generations.csv", post.generations)
    t0 = time.perf_counter()
    draws = resample(post.samples, post.keys, draws_n, seed)
    pred_seeds = [seed + PREDICTIVE_SEED_OFFSET + r for r in range(pred_seeds_n)]
    # a draw's result depends on the run configs, its values (the journal's key) and the seeds
    # (each draw its own: sim.analysis.posterior.draw_seeds)
    context = [
        runs.documented,
        runs.counterfactual,
        [t.name for t in sc.targets],
        pred_seeds,
        "fresh seeds per draw",
    ]
    journal = EvalStore(outdir / "predictive")
    table, per_draw = predictive(simulator, draws, pred_seeds, journal=journal, context=context)
    pred_seconds = time.perf_counter() - t0
    write_csv(outdir / "predictive.csv", table)
    write_csv(outdir / "predictive_draws.csv", per_draw)
    doc = posterior_document(name, post, summary, sc, outdir)
    doc["seconds"] = {  # the generations' wall time over every (resumed) call; this call's rest
        "abc": round(float(post.generations["wall_time_s"].sum()), 1),
        "predictive_this_call": round(pred_seconds, 1),  # draws run now (not from predictive/)
    }
    write_yaml(outdir / "posterior_summary.yaml", {k: v for k, v in doc.items() if k != "samples"})
    applied = ""
    if cfg.get("apply", False):
        target = Path(str(cfg.get("posterior_file") or posterior_path(name)))
        write_yaml(target, doc)
        applied = str(target)
    if cfg.get("figures", True):
        from sim.viz.posterior import posterior_figure
        from sim.viz.replay import save_figure

        fig = posterior_figure(name, post, summary, table, sc.free, runs.documented)
        save_figure(fig, outdir / "figures" / "posterior.png")
    _report(name, post, summary, table, pred_seconds, applied, outdir)
    return post


def _report(
    name: str,
    post: Posterior,
    summary: pd.DataFrame,
    table: pd.DataFrame,
    pred_seconds: float,
    applied: str,
    outdir: Path,
) -> None:
    print(
        f"\n{name}: posterior after {len(post.generations)} generation(s), epsilon "
        f"{post.generations['epsilon'].iloc[-1]:.3f} (RMS miss in tolerance units); "
        f"{post.simulations} candidates run now, {post.seconds:.0f} s; predictive "
        f"{pred_seconds:.0f} s"
    )
    for row in summary.itertuples(index=False):
        print(
            f"  {row.parameter} = {row.mean:.4g} +- {row.sd:.3g}  "
            f"(90% interval {row.q05:.4g} .. {row.q95:.4g}; bounds {row.low:g} .. {row.high:g})"
        )
    print("\nposterior predictive check (90% interval over posterior draws):")
    for row in table.itertuples(index=False):
        print(
            f"  [{row.label:10s}] {row.target[:60]:60s} documented {row.documented:.4g}: "
            f"{row.predictive_median:.4g} [{row.predictive_low:.4g}, {row.predictive_high:.4g}] "
            f"{'met' if row.met else 'NOT met'} ({row.share_in_band:.0%} of draws in band)"
        )
    print(
        f"written into {applied}"
        if applied
        else "\nnot applied (apply=true writes conf/posterior/<scenario>.yaml for compare)"
    )
    print(f"results: {outdir}")


def resolved_config(cfg: DictConfig) -> dict[str, Any]:
    """The resolved calibrate options (for config.yaml)."""
    return {k: v for k, v in resolved(cfg).items() if k != "scenario"}
