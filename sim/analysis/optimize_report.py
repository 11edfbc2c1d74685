"""What a policy-design study reports: its Pareto front, the recommendation and the fresh check.

* `front`: the feasible candidates no other feasible one beats on every objective (with one
  objective: on the objective and every constraint's statistic, so the trade-off is visible);
* `recommend`: the best feasible candidate on the first objective (of the front);
* `verdict`: on fresh seeds, which strategies meet every constraint, and whether the
  recommendation meets the target and beats, on the first objective (a cost: is cheaper than),
  every library preset that meets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.analysis.optimize_goals import Goal, pareto_mask
from sim.analysis.optimize_study import Design


def front_goals(design: Design) -> list[tuple[str, str]]:
    """(column, direction) pairs the front is taken over."""
    goals = [(g.label, g.direction) for g in design.objectives]
    if len(goals) == 1:
        goals += [
            (g.label, "minimize" if g.max is not None else "maximize") for g in design.constraints
        ]
    return goals


def front(trials: pd.DataFrame, design: Design) -> pd.DataFrame:
    """The feasible, non-dominated trials (sorted by the first objective)."""
    feasible = trials[trials["feasible"]] if len(trials) else trials
    if feasible.empty:
        return feasible
    goals = front_goals(design)
    mask = pareto_mask(feasible[[c for c, _ in goals]].to_numpy(), [d for _, d in goals])
    first = design.objectives[0]
    return feasible[mask].sort_values(
        first.label, ascending=first.direction == "minimize", kind="stable"
    )


def recommend(trials: pd.DataFrame, design: Design) -> pd.Series | None:
    """The recommended trial: the front's best on the first objective (None if none feasible)."""
    best = front(trials, design)
    return None if best.empty else best.iloc[0]


def goal_values(runs: pd.DataFrame, goals: tuple[Goal, ...], days: float) -> dict[str, float]:
    """Each goal's statistic over a set of runs (regret goals as their plain statistic)."""
    return {plain(g).label: plain(g).value(runs, days) for g in goals}


def plain(goal: Goal) -> Goal:
    """A goal without regret (its statistic over the runs themselves)."""
    return Goal(
        goal.metric, goal.statistic, goal.per_day, goal.direction, False, goal.max, goal.min
    )


def verdict(
    runs: pd.DataFrame,
    design: Design,
    recommended: str,
    presets: list[str],
    cost: Goal,
) -> tuple[pd.DataFrame, str]:
    """Per strategy on fresh runs: goals, whether it meets every constraint, cost; and a sentence.

    Args:
        runs: fresh runs (column `strategy`, the metrics), every start time pooled.
        design: the study's goals.
        recommended: the name of the recommendation among `runs.strategy`.
        presets: the library presets among them.
        cost: a cost goal reported beside the others (`cost_goal`).

    The recommendation is compared with the presets that meet every constraint on the first
    objective (its plain statistic for a regret objective).
    """
    rows = []
    goals = design.objectives + design.constraints + (cost,)
    for name, part in runs.groupby("strategy", sort=False):
        values = goal_values(part, goals, design.days)
        meets = all(g.violation(values[g.label]) <= 0 for g in design.constraints)
        rows.append(
            {
                "strategy": name,
                "kind": "recommended" if name == recommended else "preset",
                **values,
                "meets_target": meets,
                "runs": len(part),
            }
        )
    table = pd.DataFrame(rows)
    rec = table[table["strategy"] == recommended].iloc[0]
    rivals = table[table["strategy"].isin(presets) & table["meets_target"]]
    target = "; ".join(g.text for g in design.constraints) or "no constraint"
    first = design.objectives[0]
    c, lower = plain(first).label, first.direction == "minimize"
    if not bool(rec["meets_target"]):
        return table, f"On fresh seeds the recommendation does NOT meet the target ({target})."
    if rivals.empty:
        return table, (
            f"On fresh seeds the recommendation meets the target ({target}) with {c} "
            f"{rec[c]:,.4g}; no library preset meets it."
        )
    best = rivals.loc[rivals[c].idxmin() if lower else rivals[c].idxmax()]
    wins = rec[c] < best[c] if lower else rec[c] > best[c]
    return table, (
        f"On fresh seeds the recommendation meets the target ({target}) with {c} {rec[c]:,.4g}, "
        f"{'better than' if wins else 'NOT better than'} every library preset that meets it; "
        f"the best such preset is {best['strategy']} with {best[c]:,.4g} (difference "
        f"{rec[c] - best[c]:+,.4g})."
    )


def cost_goal(design: Design) -> Goal:
    """The cost the verdict compares: the first cost objective, else mean cost_total per day."""
    for g in design.objectives:
        if g.metric.startswith("cost_"):
            return Goal(g.metric, g.statistic, g.per_day)
    return Goal("cost_total", "mean", True)


def markdown(table: pd.DataFrame, floatfmt: str = "{:,.4g}") -> str:
    """A small markdown table."""
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for _, row in table.iterrows():
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def recommended_preset(
    knobs: Mapping[str, Any], name: str, trial: int, design: Design
) -> dict[str, Any]:
    """The recommendation as a strategy preset (name and description first)."""
    goals = "; ".join(g.text for g in design.objectives + design.constraints)
    return {
        "name": name,
        "description": f"experiments.optimize trial {trial}: {goals}.",
        **{k: v for k, v in knobs.items() if k not in ("name", "description")},
    }
