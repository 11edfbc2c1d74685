"""Fit a scenario's free parameters to its documented targets.

The loss of a candidate is `sim.analysis.targets.loss`: the mean squared miss of the replicate
means, in units of each target's tolerance (below 1 means inside the band). Every candidate runs
the same replicate seeds (common random numbers), so two candidates differ only by their
parameters and the loss surface is not re-drawn at each evaluation. The optimiser is SciPy's
`differential_evolution` (a population-based global optimiser that needs no gradients and
tolerates the small steps keyed draws make in the loss), on bounds from the scenario's `free:`
list; a parameter whose bounds span a factor of 10 or more is searched on a log scale. Differential
evolution explores the box for part of the evaluation budget; a Nelder-Mead search started from
its best candidate then refines it with the rest. The search stops early once the best loss is
below `stop_loss`.

With a `journal` directory every finished evaluation is kept there (`sim.analysis.eval_store`). A
killed fit started again with the same config and journal takes each evaluation it finds there
instead of running it; the optimisers are deterministic (`rng_seed`), so the rerun asks for the
same candidates in the same order and only the unfinished ones run.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution, minimize

from sim.analysis.eval_store import EvalStore
from sim.analysis.replay import Replicate, replicate
from sim.analysis.targets import TargetResult, evaluate, loss
from sim.config.schema import FreeParameter, RunConfig, Target

STRUCTURAL_PREFIXES = (
    "network.",
    "population.",
    "scenario.reference_population",
    "scenario.brand.followers",
    "scenario.brand.customer_share",
    "scenario.accounts",
    "diffusion.role_post",
    "diffusion.role_reshare",
)


@dataclass
class Fit:
    """The outcome of a calibration."""

    keys: list[str]
    values: dict[str, float]  # fitted value per key
    loss: float
    results: list[TargetResult]  # targets at the fitted values
    history: pd.DataFrame  # one row per evaluation: eval, loss, the keys, each target's mean
    evaluations: int
    seconds: float
    message: str = ""
    start: dict[str, float] = field(default_factory=dict)
    reused: int = 0  # evaluations taken from the journal of an earlier, interrupted fit


def get_path(data: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted key (list indices as numbers), or KeyError."""
    node: Any = data
    for part in key.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise KeyError(key)
    return node


def set_path(data: dict[str, Any], key: str, value: Any) -> None:
    """Set the value at a dotted key, creating mappings on the way."""
    parts = key.split(".")
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node.setdefault(part, {})
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value


def with_values(cfg: Mapping[str, Any], values: Mapping[str, float]) -> dict[str, Any]:
    """A copy of a config mapping with the given dotted keys set."""
    out = copy.deepcopy(dict(cfg))
    for k, v in values.items():
        set_path(out, k, v)
    return out


def current_values(cfg: Mapping[str, Any], free: Sequence[FreeParameter]) -> dict[str, float]:
    """The values the free keys have in a config (after defaults and scenario settings)."""
    full = RunConfig.from_dict(cfg).to_dict()
    return {fp.key: float(get_path(full, fp.key)) for fp in free}


def whole_number_keys(cfg: Mapping[str, Any], free: Sequence[FreeParameter]) -> list[str]:
    """Free keys whose config field holds a whole number (candidates are rounded for them)."""
    full = RunConfig.from_dict(cfg).to_dict()
    return [
        fp.key
        for fp in free
        if isinstance(get_path(full, fp.key), int) and not isinstance(get_path(full, fp.key), bool)
    ]


def log_scaled(fp: FreeParameter) -> bool:
    """Whether a parameter is searched on a log scale (positive bounds a factor 10 apart)."""
    return fp.low > 0 and fp.high / fp.low >= 10.0


def reusable(free: Sequence[FreeParameter]) -> bool:
    """Whether candidates can share each seed's network and population."""
    return not any(fp.key.startswith(STRUCTURAL_PREFIXES) for fp in free)


class Objective:
    """Replicate-averaged loss of candidate parameters, with a record of every evaluation."""

    def __init__(
        self,
        documented: Mapping[str, Any],
        counterfactual: Mapping[str, Any] | None,
        free: Sequence[FreeParameter],
        targets: Sequence[Target],
        seeds: Sequence[int],
        n_jobs: int = 1,
        integer_keys: Sequence[str] = (),
        progress: Callable[[int, float, dict], None] | None = None,
        journal: str | Path | None = None,
    ):
        self.documented, self.counterfactual = documented, counterfactual
        self.free, self.targets, self.seeds = list(free), list(targets), list(seeds)
        self.n_jobs, self.integer_keys, self.progress = n_jobs, set(integer_keys), progress
        self.reuse = reusable(free)
        self.rows: list[dict[str, Any]] = []
        self.best: tuple[float, dict[str, float], list[TargetResult]] = (math.inf, {}, [])
        self._seen: dict[tuple, float] = {}
        self._context = [documented, counterfactual, self.seeds, [repr(t) for t in self.targets]]
        self.journal = EvalStore(journal) if journal is not None else None
        self.reused = 0

    def _finished(self, values: Mapping[str, float]) -> tuple[float, list[TargetResult]] | None:
        """Loss and results of a candidate from the journal, or None."""
        data = self.journal.get(self._key(values)) if self.journal is not None else None
        if data is None:
            return None
        nan = {k: math.nan for k in ("simulated_mean", "ci_low", "ci_high")}
        results = [
            TargetResult(**{**row, **{k: nan[k] for k in nan if row[k] is None}})
            for row in data["results"]
        ]
        return (math.inf if data["loss"] is None else float(data["loss"])), results

    def _key(self, values: Mapping[str, float]) -> str:
        """The journal's key of a candidate: the fit's context and the candidate's values."""
        return EvalStore.key([self._context, sorted(values.items())])

    def values_of(self, x: np.ndarray) -> dict[str, float]:
        """Dotted key -> value for a point of the search space."""
        out = {}
        for fp, xi in zip(self.free, x):
            v = float(math.exp(xi)) if log_scaled(fp) else float(xi)
            v = min(max(v, fp.low), fp.high)
            out[fp.key] = int(round(v)) if fp.key in self.integer_keys else v
        return out

    def bounds(self) -> list[tuple[float, float]]:
        """Search bounds (log bounds for log-scaled parameters)."""
        return [
            (math.log(fp.low), math.log(fp.high)) if log_scaled(fp) else (fp.low, fp.high)
            for fp in self.free
        ]

    def point(self, values: Mapping[str, float]) -> np.ndarray:
        """The search-space point of given values."""
        return np.array(
            [math.log(values[fp.key]) if log_scaled(fp) else values[fp.key] for fp in self.free]
        )

    def evaluate(
        self, values: Mapping[str, float]
    ) -> tuple[float, list[TargetResult], list[Replicate]]:
        """Loss and target results of one candidate."""
        doc = with_values(self.documented, values)
        cf = with_values(self.counterfactual, values) if self.counterfactual is not None else None
        reps = replicate(
            doc, cf, self.seeds, n_jobs=self.n_jobs, reuse=self.reuse, targets=self.targets
        )
        cf_values = None
        if cf is not None:
            cf_values = [r.cf_values for r in reps if r.cf_values is not None]
            assert len(cf_values) == len(reps)  # each replicate ran the counterfactual
        results = evaluate(self.targets, [r.values for r in reps], cf_values)
        return loss(self.targets, results), results, reps

    def __call__(self, x: np.ndarray) -> float:
        values = self.values_of(np.atleast_1d(x))
        key = tuple(sorted(values.items()))
        if key in self._seen:  # the same candidate again (e.g. the start point): no new runs
            return self._seen[key]
        found = self._finished(values)
        if found is not None:
            value, results = found
            self.reused += 1
        else:
            value, results, _ = self.evaluate(values)
            if self.journal is not None:
                record = {"loss": value, "results": [r.as_row() for r in results]}
                self.journal.put(self._key(values), record)
        self._seen[key] = value
        row = {"eval": len(self.rows) + 1, "loss": value, **values, "reused": found is not None}
        row.update({f"target:{r.target}": r.simulated_mean for r in results})
        self.rows.append(row)
        if value < self.best[0]:
            self.best = (value, dict(values), results)
        if self.progress is not None:
            self.progress(len(self.rows), value, values)
        return value


class _Stop(Exception):
    pass


class _Explored(Exception):
    pass


def _simplex(obj: Objective) -> np.ndarray:
    """A start simplex around the best point: a step of a tenth of each bound's width."""
    x0 = obj.point(obj.best[1])
    lows, highs = np.array(obj.bounds()).T
    simplex = [x0]
    for i in range(x0.size):
        x = x0.copy()
        step = 0.1 * (highs[i] - lows[i])
        x[i] = x[i] + step if x[i] + step <= highs[i] else x[i] - step
        simplex.append(x)
    return np.array(simplex)


def calibrate(
    documented: Mapping[str, Any],
    counterfactual: Mapping[str, Any] | None,
    free: Sequence[FreeParameter],
    targets: Sequence[Target],
    seeds: Sequence[int],
    *,
    maxiter: int = 10,
    popsize: int = 6,
    stop_loss: float = 0.02,
    rng_seed: int = 1,
    explore_share: float = 0.6,
    n_jobs: int = 1,
    max_evals: int | None = None,
    integer_keys: Sequence[str] = (),
    progress: Callable[[int, float, dict], None] | None = None,
    journal: str | Path | None = None,
) -> Fit:
    """Fit the free parameters with differential evolution on the replicate-averaged loss.

    Args:
        documented: run config (mapping) of the documented strategy.
        counterfactual: run config of the counterfactual (for lift targets), or None.
        free: the parameters to fit, with bounds.
        targets: the documented figures.
        seeds: replicate seeds evaluated for every candidate (common random numbers).
        maxiter: generations of differential evolution.
        popsize: population size multiplier (candidates per generation = popsize * len(free)).
        stop_loss: stop as soon as a candidate's loss is at most this.
        rng_seed: seed of the optimiser itself.
        n_jobs: parallel replicates per candidate.
        max_evals: stop after this many evaluations (None: no limit besides maxiter).
        explore_share: share of `max_evals` for differential evolution; Nelder-Mead gets the rest.
        integer_keys: free keys that take whole numbers.
        progress: called after every evaluation with (count, loss, values).
        journal: a directory keeping every finished evaluation (see the module doc); None: none.

    Returns:
        The Fit, with the best candidate found and the history of every evaluation.
    """
    if not free:
        raise ValueError("the scenario declares no free parameters (scenario.free is empty)")
    t0 = time.perf_counter()
    integer_keys = list(integer_keys) + whole_number_keys(documented, free)
    obj = Objective(
        documented, counterfactual, free, targets, seeds, n_jobs, integer_keys, progress, journal
    )
    start = current_values(documented, free)
    start = obj.values_of(
        obj.point({k: min(max(v, fp.low), fp.high) for (k, v), fp in zip(start.items(), free)})
    )

    def guarded(x: np.ndarray) -> float:
        value = obj(x)
        if value <= stop_loss or (max_evals is not None and len(obj.rows) >= max_evals):
            raise _Stop
        return value

    message = ""
    global_budget = None if max_evals is None else max(1, int(round(max_evals * explore_share)))

    def explore(x: np.ndarray) -> float:
        value = guarded(x)
        if global_budget is not None and len(obj.rows) >= global_budget:
            raise _Explored
        return value

    try:
        try:
            guarded(obj.point(start))
            res = differential_evolution(
                explore,
                obj.bounds(),
                maxiter=maxiter,
                popsize=popsize,
                seed=rng_seed,
                polish=False,
                init="sobol" if len(free) > 1 else "latinhypercube",
                tol=0.0,
                atol=stop_loss / 10,
                x0=obj.point(start),
                updating="immediate",
            )
            message = f"differential evolution: {res.message}"
        except _Explored:
            message = "differential evolution: its share of the budget used"
        left = None if max_evals is None else max_evals - len(obj.rows)
        if left is None or left > 0:
            res = minimize(
                guarded,
                obj.point(obj.best[1]),
                method="Nelder-Mead",
                bounds=obj.bounds(),
                options={
                    "maxfev": left or 200 * len(free),
                    "xatol": 1e-3,
                    "fatol": stop_loss / 10,
                    "initial_simplex": _simplex(obj),
                },
            )
            message += f"; Nelder-Mead: {res.message}"
    except _Stop:
        message = (
            "stopped: loss at or below stop_loss"
            if obj.best[0] <= stop_loss
            else "stopped: evaluation budget used"
        )
    best_loss, best_values, best_results = obj.best
    return Fit(
        keys=[fp.key for fp in free],
        values=best_values,
        loss=best_loss,
        results=best_results,
        history=pd.DataFrame(obj.rows),
        evaluations=len(obj.rows),
        seconds=time.perf_counter() - t0,
        message=message,
        start=start,
        reused=obj.reused,
    )
