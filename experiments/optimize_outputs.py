"""The steps of `experiments.optimize` after planning: presets, the study, its files, fresh check.

Each step keeps what it finished: the runs in `runs/` (the run cache), the trials in `study.db`,
so a killed command repeats nothing when it is run again; the tables and figures are rewritten
at the end, atomically, with the run directory marked INCOMPLETE until they all are.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from experiments.common import resolved
from sim.analysis.optimize_report import (
    cost_goal,
    front,
    markdown,
    recommend,
    recommended_preset,
    verdict,
)
from sim.analysis.optimize_runs import best_per_sample, run_candidate, run_presets
from sim.analysis.optimize_study import open_study, run_study, score, trials_table
from sim.outputs.io import (
    incomplete_marker,
    write_csv,
    write_json,
    write_parquet,
    write_text,
    write_yaml,
)
from sim.outputs.provenance import provenance

REACH = "reach_negative_scaled"


def preset_table(runs: pd.DataFrame, p: Any) -> pd.DataFrame:
    """One row per preset: its goals and headline statistics, and whether it is feasible."""
    rows = []
    for name, part in runs.groupby("strategy", sort=False):
        s = score(part, p.design, None if not _regret(p) else _best(runs, p))
        rows.append({"strategy": name, **s["stats"], "feasible": s["feasible"]})
    return pd.DataFrame(rows)


def _regret(p: Any) -> bool:
    return any(g.regret for g in p.design.objectives)


def _best(runs: pd.DataFrame, p: Any) -> dict:
    return best_per_sample(runs, p.design.objectives, p.design.days)


def _axes(p: Any) -> tuple[str, str, float | None]:
    """The figure's x (daily cost), y (negative reach: a constraint's statistic) and bound."""
    for g in p.design.constraints + p.design.objectives:
        if g.metric == REACH and not g.regret:
            return "mean cost_total/day", g.label, g.max
    return "mean cost_total/day", f"mean {REACH}", None


def finish(cfg: DictConfig, p: Any, outdir: Path, started: float) -> dict[str, Any]:
    """Presets, the study, the tables, the recommendation, the figure and the fresh check."""
    n_jobs, progress = int(cfg.n_jobs), bool(cfg.progress)
    cache = outdir / "runs"
    timings: dict[str, float] = {}
    t = time.perf_counter()
    with incomplete_marker(outdir):
        write_yaml(
            outdir / "config.yaml", {**resolved(cfg), "study": p.study, "study_name": p.name}
        )
        write_csv(outdir / "samples.csv", p.sample_table)
        preset_runs = run_presets(
            p.presets, p.configs, p.seeds, cache=cache, n_jobs=n_jobs, progress=progress
        )
        presets = preset_table(preset_runs, p)
        write_csv(outdir / "presets.csv", presets)
        timings["presets_s"] = time.perf_counter() - t
        t = time.perf_counter()
        study = open_study(
            outdir / "study.db", p.name, p.design, int(cfg.sampler_seed), int(cfg.startup_trials)
        )
        ran = run_study(
            study,
            p.design,
            lambda knobs, _: run_candidate(knobs, p.configs, p.seeds, cache=cache, n_jobs=n_jobs),
            int(cfg.trials),
            best=_best(preset_runs, p) if _regret(p) else None,
            progress=progress,
        )
        timings["study_s"] = time.perf_counter() - t
        trials = trials_table(study, p.design)
        write_parquet(outdir / "trials.parquet", trials)
        pareto = front(trials, p.design)
        write_csv(outdir / "pareto.csv", pareto)
        pick = recommend(trials, p.design)
        checked = None
        if pick is not None and int(cfg.confirm.top) > 0:
            t = time.perf_counter()
            pick, checked = confirm(p, trials, cache, n_jobs, int(cfg.confirm.top))
            write_csv(outdir / "confirm.csv", checked)
            timings["confirm_s"] = time.perf_counter() - t
        x, y, bound = _axes(p)
        if cfg.get("figures", True) and len(trials):
            from sim.viz.optimize import pareto_figure
            from sim.viz.timeline import save_figure

            fig = pareto_figure(
                trials,
                presets,
                pareto,
                x,
                y,
                "mean sentiment_mean_final",
                recommended=pick,
                unconfirmed=None
                if checked is None
                else trials[trials["trial"].isin(checked.loc[~checked["confirmed"], "trial"])],
                bound=bound,
                title=f"{cfg.scenario.name}: {p.study['name']}, {len(trials)} trials x "
                f"{len(p.configs)} samples x {len(p.seeds)} replicates",
            )
            save_figure(fig, outdir / "figures" / "pareto.png")
        outcome: dict[str, Any] = {
            "trials": len(trials),
            "ran": ran,
            "feasible": int(trials["feasible"].sum()) if len(trials) else 0,
        }
        lines = [
            f"# {p.study['name']}: {p.study.get('description', '')}",
            "",
            f"Study `{p.name}` in study.db: {len(trials)} completed trials ({ran} run now), "
            f"{outcome['feasible']} feasible; {len(p.configs)} samples x {len(p.seeds)} "
            f"replicates (seeds {p.seeds[0]}..{p.seeds[-1]}) per candidate.",
            "",
            "Goals: " + "; ".join(g.text for g in p.design.objectives + p.design.constraints),
            "",
            "## Library presets on the same seeds",
            "",
            markdown(presets),
            "",
        ]
        if pick is None:
            lines += ["No candidate met every constraint: no recommendation (raise trials=).", ""]
        else:
            t = time.perf_counter()
            name = f"recommended_{p.study['name']}"
            knobs = p.design.space.knobs({v.knob: pick[v.key] for v in p.design.space.variables})
            preset = recommended_preset(knobs, name, int(pick["trial"]), p.design)
            write_yaml(outdir / "recommended.yaml", preset)
            table, text = fresh_check(cfg, p, outdir, name)
            timings["fresh_s"] = time.perf_counter() - t
            outcome.update(recommended=preset, verdict=text, fresh=table)
            lines += [
                f"## Recommendation: trial {int(pick['trial'])} (recommended.yaml)",
                "",
                markdown(pd.DataFrame([pick.drop(labels=["seconds"])])),
                "",
            ]
            if checked is not None:
                ok = bool(checked.loc[checked["trial"] == pick["trial"], "confirmed"].iloc[0])
                lines += [
                    f"### The {len(checked)} best feasible trials on confirmation seeds "
                    f"({p.confirm_seeds[0]}..{p.confirm_seeds[-1]})",
                    "",
                    "The recommendation is the best of them that still meets every constraint"
                    + ("." if ok else "; none does, so it is the study's best, unconfirmed."),
                    "",
                    markdown(checked),
                    "",
                ]
            lines += [
                f"## On fresh seeds ({p.fresh_seeds[0]}..{p.fresh_seeds[-1]})",
                "",
                text,
                "",
                markdown(table),
                "",
            ]
        timings["total_s"] = time.perf_counter() - started
        lines += ["Timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()), ""]
        write_text(outdir / "summary.md", "\n".join(lines))
        write_json(
            outdir / "provenance.json",
            {**provenance(resolved(cfg), int(cfg.seed)), "timings": timings},
        )
    print("\n".join(lines))
    print(f"results: {outdir}")
    outcome["timings"] = timings
    return outcome


def confirm(
    p: Any, trials: pd.DataFrame, cache: Path, n_jobs: int, top: int
) -> tuple[pd.Series, pd.DataFrame]:
    """The `top` best feasible trials on the confirmation seeds; the best that stays feasible.

    A trial chosen as the best of many on the same seeds is flattered by them (the winner's
    curse): one that met a constraint by luck often misses it on other seeds. Each of the best
    distinct feasible trials runs again on `p.confirm_seeds`; the recommendation is the best on
    the first objective among those that meet every constraint there (if none does: the study's
    best, reported as unconfirmed).
    """
    from sim.analysis.optimize_report import goal_values, plain

    first = p.design.objectives[0]
    lower = first.direction == "minimize"
    keys = [v.key for v in p.design.space.variables]
    best = trials[trials["feasible"]].sort_values(first.label, ascending=lower, kind="stable")
    best = best.drop_duplicates(subset=keys).head(top)
    rows = []
    for _, row in best.iterrows():
        knobs = p.design.space.knobs({v.knob: row[v.key] for v in p.design.space.variables})
        runs = run_candidate(knobs, p.configs, p.confirm_seeds, cache=cache, n_jobs=n_jobs)
        values = goal_values(runs, p.design.objectives + p.design.constraints, p.design.days)
        ok = all(g.violation(values[g.label]) <= 0 for g in p.design.constraints)
        rows.append(
            {
                "trial": int(row["trial"]),
                "study": row[first.label],
                **{f"confirm {k}": v for k, v in values.items()},
                "confirmed": ok,
            }
        )
    table = pd.DataFrame(rows)
    passed = table[table["confirmed"]]
    if passed.empty:
        chosen = int(table["trial"].iloc[0])
    else:
        col = f"confirm {plain(first).label}"
        chosen = int(passed.loc[passed[col].idxmin() if lower else passed[col].idxmax(), "trial"])
    return trials[trials["trial"] == chosen].iloc[0], table


def fresh_check(cfg: DictConfig, p: Any, outdir: Path, name: str) -> tuple[pd.DataFrame, str]:
    """The recommendation (read back from recommended.yaml, as compare reads it) on fresh seeds."""
    from experiments.compare import load_strategies
    from sim.analysis.compare import compare
    from sim.analysis.compare_report import summary_markdown

    wanted = list(cfg.fresh.compare_with or []) + list(p.presets)
    strategies = {  # the presets charged the study's listening prices, as in the study
        k: v if k == name else p.design.space.priced_preset(v)
        for k, v in load_strategies(
            list(dict.fromkeys(wanted)) + [str(outdir / "recommended.yaml")]
        ).items()
    }
    baseline = str(cfg.fresh.compare_with[0]) if cfg.fresh.compare_with else next(iter(strategies))
    base = {**p.base, "seed": p.fresh_seeds[0]}
    comparison = compare(
        base,
        strategies,
        len(p.fresh_seeds),
        baseline=baseline,
        starts=resolved(cfg).get("fresh", {}).get("starts"),
        n_jobs=int(cfg.n_jobs),
        progress=bool(cfg.progress),
    )
    summary = comparison.summary()
    fresh = outdir / "fresh"
    write_csv(fresh / "runs.csv", comparison.runs)
    write_csv(fresh / "summary.csv", summary)
    title = f"{cfg.scenario.name}: {name} on fresh seeds, compared with {baseline}"
    write_text(fresh / "summary.md", summary_markdown(summary, comparison, title))
    table, text = verdict(comparison.runs, p.design, name, list(p.presets), cost_goal(p.design))
    write_csv(fresh / "verdict.csv", table)
    write_text(fresh / "verdict.md", f"# {title}\n\n{text}\n\n{markdown(table)}\n")
    return table, text
