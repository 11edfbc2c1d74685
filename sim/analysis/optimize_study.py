"""The study runner of policy design: Optuna underneath, stored in SQLite, resumable.

One objective: Optuna's TPE sampler; several: NSGA-II (a Pareto front). Constraints go to the
sampler (Optuna 5: `Trial.set_constraint`; Optuna 4: `constraints_func`); a candidate is feasible
when every constraint value is <= 0. The study lives in an SQLite file; `run_study` counts the
trials already finished there and runs only the rest up to `trials`, so rerunning the same
command resumes and a larger `trials` extends a finished study. A new study's first trial is the
base strategy itself when it lies in the space (a warm start). A trial left running by a killed
process is marked failed and its parameters are queued again (its finished runs come back from
the run cache, so no run is repeated either).

Optuna is imported lazily; `require_optuna` says how to install it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.optimize_goals import Goal, statistic
from sim.analysis.optimize_space import Space

# recorded for every candidate (and preset): mean and p90 over its runs
HEADLINE = ("reach_negative_scaled", "sentiment_mean_final", "cost_total", "responded_share")
MISSING = (
    "experiments.optimize needs Optuna, which is not installed: pip install 'optuna>=4,<6' "
    "(or pip install -e '.[optimize]')."
)


def require_optuna() -> Any:
    """The optuna module (ImportError with the install command when it is missing)."""
    try:
        import optuna
    except ImportError:
        raise ImportError(MISSING) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


@dataclass(frozen=True)
class Design:
    """What a study optimises: its space, objectives, constraints and the horizon in days."""

    space: Space
    objectives: tuple[Goal, ...]
    constraints: tuple[Goal, ...]
    days: float

    @property
    def directions(self) -> list[str]:
        """Optuna's directions, one per objective."""
        return [g.direction for g in self.objectives]


def score(
    runs: pd.DataFrame, design: Design, best: Mapping[Any, Mapping[str, float]] | None = None
) -> dict[str, Any]:
    """Objective values, constraint values and headline statistics of one candidate's runs.

    Args:
        runs: one row per run (columns `sample`, `replicate` and the metrics).
        design: the study's goals.
        best: for regret objectives, goal label -> sample -> the best reference mean.

    Returns:
        `values` (objectives, in order), `constraints` (<= 0 when met), `feasible` and `stats`
        (goal label or `mean|p90 <metric>` -> value).
    """
    stats: dict[str, float] = {}
    for metric in HEADLINE:
        x = pd.to_numeric(runs[metric], errors="coerce").to_numpy(dtype=float)
        x = x / design.days if metric == "cost_total" else x
        suffix = "/day" if metric == "cost_total" else ""
        stats[f"mean {metric}{suffix}"] = statistic(x, "mean")
        stats[f"p90 {metric}{suffix}"] = statistic(x, "p90")
    values = []
    for g in design.objectives:
        if g.regret:
            v = g.regret_value(runs, (best or {})[g.label], design.days)
        else:
            v = g.value(runs, design.days)
        stats[g.label] = v
        values.append(v)
    violations = []
    for g in design.constraints:
        v = g.value(runs, design.days)
        stats[g.label] = v
        violations.append(g.violation(v))
    feasible = all(c <= 0 for c in violations)
    return {"values": values, "constraints": violations, "feasible": feasible, "stats": stats}


def _constraints(trial: Any) -> Sequence[float]:
    return trial.user_attrs.get("constraints", [])


def open_study(path: Path, name: str, design: Design, seed: int, startup: int = 10) -> Any:
    """Create the study in the SQLite file `path`, or load it (same name: same study)."""
    optuna = require_optuna()
    path.parent.mkdir(parents=True, exist_ok=True)
    storage = optuna.storages.RDBStorage(f"sqlite:///{path}")
    # Optuna 5 reads constraints set on each trial (Trial.set_constraint); Optuna 4 asks a function
    new_api = hasattr(optuna.trial.Trial, "set_constraint")
    cons = _constraints if design.constraints and not new_api else None
    if len(design.objectives) == 1:
        sampler = optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=startup, constraints_func=cons, multivariate=True
        )
    else:
        sampler = optuna.samplers.NSGAIISampler(
            seed=seed, constraints_func=cons, population_size=max(4, startup)
        )
    return optuna.create_study(
        storage=storage,
        study_name=name,
        directions=design.directions,
        sampler=sampler,
        load_if_exists=True,
    )


def requeue_stale(study: Any) -> int:
    """Mark trials a killed run left RUNNING as failed and queue their parameters again."""
    from optuna.trial import TrialState

    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    for t in stale:
        study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
        study.enqueue_trial(t.params, user_attrs={"requeued_from": t.number})
    return len(stale)


def finished(study: Any) -> list[Any]:
    """The study's completed trials."""
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def _best_text(study: Any, design: Design) -> str:
    done = [t for t in finished(study) if t.user_attrs.get("feasible", True)]
    if not done:
        return "none feasible"
    if len(design.objectives) > 1:
        return f"{len(done)} feasible"
    g = design.objectives[0]
    pick = min if g.direction == "minimize" else max
    return f"{pick(t.values[0] for t in done):,.4g}"


def run_study(
    study: Any,
    design: Design,
    evaluate: Callable[[dict[str, Any], str], pd.DataFrame],
    trials: int,
    *,
    best: Mapping[Any, Mapping[str, float]] | None = None,
    progress: bool = True,
) -> int:
    """Run trials until the study holds `trials` completed ones; return how many were run now.

    Args:
        study: from `open_study`.
        design: the study's space and goals.
        evaluate: `evaluate(knobs, trial_name)` -> the candidate's runs (see `score`).
        trials: the total of completed trials wanted (an extension if larger than before).
        best: reference means for regret objectives (see `score`).
        progress: show a progress bar with the best value so far.
    """
    from tqdm.auto import tqdm

    requeue_stale(study)
    warm = design.space.base_params()
    if not study.get_trials(deepcopy=False) and warm is not None:
        study.enqueue_trial(warm, user_attrs={"warm_start": True})  # the base strategy first
    done = len(finished(study))
    ran = 0
    with tqdm(
        total=max(trials, done), initial=done, disable=not progress, unit="trial", desc="trials"
    ) as bar:
        bar.set_postfix_str(f"best {_best_text(study, design)}")
        while done < trials:
            trial = study.ask()
            params = design.space.suggest(trial)
            start = time.perf_counter()
            runs = evaluate(design.space.knobs(params, f"trial_{trial.number}"), str(trial.number))
            result = score(runs, design, best)
            if hasattr(trial, "set_constraint"):
                for i, c in enumerate(result["constraints"]):
                    trial.set_constraint(f"constraint_{i}", min(float(c), 1e300))
            for k, v in (
                ("constraints", [min(float(c), 1e300) for c in result["constraints"]]),
                ("feasible", bool(result["feasible"])),
                ("stats", {k: _plain(v) for k, v in result["stats"].items()}),
                ("seconds", round(time.perf_counter() - start, 3)),
            ):
                trial.set_user_attr(k, v)
            values = [
                v if not math.isnan(v) else _worst(d)
                for v, d in zip(result["values"], design.directions)
            ]
            study.tell(trial, values)
            done, ran = done + 1, ran + 1
            bar.update(1)
            bar.set_postfix_str(f"best {_best_text(study, design)}")
    return ran


def _plain(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _worst(direction: str) -> float:
    return 1e300 if direction == "minimize" else -1e300


def trials_table(study: Any, design: Design) -> pd.DataFrame:
    """One row per completed trial: number, variables, goals, headline statistics, feasible."""
    rows = []
    for t in finished(study):
        stats = {k: (np.nan if v is None else v) for k, v in t.user_attrs.get("stats", {}).items()}
        rows.append(
            {
                "trial": t.number,
                **{v.key: t.params.get(v.knob) for v in design.space.variables},
                **stats,
                "feasible": bool(t.user_attrs.get("feasible", True)),
                "seconds": t.user_attrs.get("seconds"),
            }
        )
    return pd.DataFrame(rows)
