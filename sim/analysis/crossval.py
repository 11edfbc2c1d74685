"""Cross-validation of a scenario's fit: fit on some targets, predict the others.

For a scenario with at least two targets a fit may use (labelled `calibrated`), each such
target in turn is left out: the scenario's free parameters are fitted to the rest with the point
calibration of `sim.analysis.calibration` (on the same replicate seeds, a small evaluation
budget), and the left-out target is then measured at the fitted values. Held-out targets are
measured at the same values (they are never fitted). Every fold's fit starts from the middle of
the free parameters' bounds (the geometric middle for log-scaled ones), not from the values in the
file, which were fitted to all targets: a fold that starts there would inherit the left-out
target. A left-out target the remaining targets do not pin down is predicted only as well as the
fit happens to wander: the table says which parameters were fitted and to what.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.analysis.calibration import calibrate, log_scaled, whole_number_keys, with_values
from sim.analysis.replay import replicate
from sim.analysis.targets import evaluate, fit_targets
from sim.config.schema import FreeParameter

CROSSVAL_COLUMNS = (
    "scenario",
    "left_out",
    "fitted_on",
    "target",
    "label",
    "role",
    "documented",
    "simulated_mean",
    "ci_low",
    "ci_high",
    "tolerance",
    "ok",
    "fitted_values",
    "fit_loss",
    "evaluations",
)


@dataclass
class CrossvalOptions:
    """The fit's budget and replicates."""

    seeds: Sequence[int]
    max_evals: int = 12
    n_jobs: int = 1


def neutral_start(free: Sequence[FreeParameter], whole: Sequence[str] = ()) -> dict[str, float]:
    """The middle of each free parameter's bounds (geometric where the fit searches in logs),
    rounded for the `whole` keys (parameters that take whole numbers)."""
    out = {}
    for fp in free:
        mid = math.sqrt(fp.low * fp.high) if log_scaled(fp) else (fp.low + fp.high) / 2
        out[fp.key] = int(round(mid)) if fp.key in whole else mid
    return out


def folds(names: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Leave-one-out folds: (left-out target, targets fitted on)."""
    return [(n, [m for m in names if m != n]) for n in names]


def crossval_scenario(
    runs: Any, opts: CrossvalOptions, progress: Callable[[str], None] | None = None
) -> pd.DataFrame:
    """Leave-one-out cross-validation of one scenario (its `ScenarioRuns`); empty if it has fewer
    than two calibrated targets or no free parameters."""
    sc = runs.checked.scenario
    fit_on_all = fit_targets(sc.targets)
    if len(fit_on_all) < 2 or not sc.free:
        return pd.DataFrame(columns=list(CROSSVAL_COLUMNS))
    rows = []
    for left, rest in folds([t.name for t in fit_on_all]):
        train = [t for t in fit_on_all if t.name in rest]
        if progress:
            progress(f"{sc.name}: fit on {len(train)} target(s), predict '{left}'")
        start = neutral_start(sc.free, whole_number_keys(runs.documented, sc.free))
        fit = calibrate(
            with_values(runs.documented, start),
            with_values(runs.counterfactual, start) if runs.counterfactual else None,
            sc.free,
            train,
            opts.seeds,
            max_evals=opts.max_evals,
            n_jobs=opts.n_jobs,
        )
        doc = with_values(runs.documented, fit.values)
        cf = with_values(runs.counterfactual, fit.values) if runs.counterfactual else None
        reps = replicate(doc, cf, opts.seeds, n_jobs=opts.n_jobs, targets=sc.targets)
        cf_values = [r.cf_values or {} for r in reps] if cf else None
        results = evaluate(sc.targets, [r.values for r in reps], cf_values)
        values = "; ".join(f"{k.split('.')[-1]}={v:.4g}" for k, v in fit.values.items())
        for t, r in zip(sc.targets, results):
            role = (
                "predicted"
                if t.name == left
                else "fitted"
                if t.name in rest
                else "held_out"
                if t.label == "held_out"
                else "identity"
            )
            rows.append(
                {
                    "scenario": sc.name,
                    "left_out": left,
                    "fitted_on": " + ".join(rest),
                    "target": t.name,
                    "label": t.label,
                    "role": role,
                    "documented": t.documented,
                    "simulated_mean": r.simulated_mean,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "tolerance": r.tolerance,
                    "ok": r.ok,
                    "fitted_values": values,
                    "fit_loss": fit.loss,
                    "evaluations": fit.evaluations,
                }
            )
    return pd.DataFrame(rows, columns=list(CROSSVAL_COLUMNS))
