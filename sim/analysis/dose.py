"""Dose-response of one strategy knob: the knob set to each dose, every dose on the same replicates.

Replicate r of every dose runs with seed `seed + r` on the same environment (network, population,
chatter, incident: common random numbers), through `sim.analysis.evaluator`, so the curve's
steps are paired differences. Per dose and metric the summary gives the mean and its 95% Student-t
interval over replicates; per metric and neighbouring pair of doses, the step (paired, with its
interval) and its share of the curve's total movement (the sum of the absolute steps), so a
cliff shows as one step carrying most of it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, get_type_hints

import numpy as np
import pandas as pd

from sim.analysis.evaluator import Case, evaluate
from sim.analysis.run_cache import Cache
from sim.analysis.stats import mean_ci, paired_diff
from sim.config.fields import ParamInfo, info
from sim.config.schema import RunConfig, StrategyConfig
from sim.errors import ConfigError
from sim.outputs.registry import get as get_metric
from sim.outputs.registry import heading, signed

SECTION = "strategy"
SUMMARY_COLUMNS = ("dose", "metric", "mean", "ci_low", "ci_high", "n")
STEP_COLUMNS = ("metric", "from_dose", "to_dose", "change", "ci_low", "ci_high", "n", "share")


@dataclass(frozen=True)
class Knob:
    """A numeric strategy knob: its dotted key and its field metadata."""

    key: str
    info: ParamInfo
    integer: bool

    @property
    def name(self) -> str:
        """The field name inside the strategy section."""
        return self.key.split(".", 1)[1]

    @property
    def axis_label(self) -> str:
        """The knob, what it means and its unit, for a figure's x axis."""
        unit = f", {self.info.unit}" if self.info.unit else ""
        return f"{self.info.doc} ({self.key}{unit})"


def numeric_knobs() -> list[str]:
    """The dotted keys of every numeric strategy knob."""
    hints = get_type_hints(StrategyConfig)
    return [f"{SECTION}.{f.name}" for f in fields(StrategyConfig) if hints[f.name] in (int, float)]


def knob(key: Any) -> Knob:
    """The numeric strategy knob `key` (e.g. "strategy.staff"), checked.

    Raises:
        ConfigError: `key` names no numeric field of the strategy section.
    """
    allowed = numeric_knobs()
    if not isinstance(key, str) or key not in allowed:
        text = str(key)
        hint = ""
        if isinstance(key, str) and "." not in text and f"{SECTION}.{text}" in allowed:
            hint = f" (did you mean knob={SECTION}.{text}?)"
        raise ConfigError(
            "knob",
            key,
            f"one numeric knob of the strategy section{hint}, e.g. knob=strategy.staff; "
            f"the numeric knobs are {', '.join(allowed)}",
        )
    hints = get_type_hints(StrategyConfig)
    field = next(f for f in fields(StrategyConfig) if f.name == key.split(".", 1)[1])
    meta = info(field)
    return Knob(key, meta, hints[field.name] is int or meta.integer)


def doses(k: Knob, values: Any) -> list[float | int]:
    """The doses as numbers of the knob's type, ascending (ConfigError on a bad list)."""
    example = "doses=[0,1,2,4]" if k.integer else "doses=[1,15,60]"
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) < 2:
        raise ConfigError("doses", values, f"a list of two or more numbers, e.g. {example}")
    out: list[float | int] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ConfigError("doses", list(values), f"finite numbers only, e.g. {example}")
        if k.integer and float(v) != int(v):
            raise ConfigError("doses", list(values), f"whole numbers for {k.key}, e.g. {example}")
        out.append(int(v) if k.integer else float(v))
    if len(set(out)) != len(out):
        raise ConfigError("doses", list(values), "each dose once")
    return sorted(out)


def dose_cases(base: Mapping[str, Any], k: Knob, values: Sequence[float | int]) -> list[Case]:
    """One case per dose: `base` (with a strategy section) with the knob set to the dose.

    Raises:
        ConfigError: a dose the knob does not allow (naming the key), checked here.
    """
    cases = []
    for value in values:
        data = copy.deepcopy(dict(base))
        data[SECTION] = {**dict(data.get(SECTION) or {}), k.name: value}
        try:
            RunConfig.from_dict(copy.deepcopy(data))
        except ConfigError as exc:
            exc.add_note(f"at the dose {k.key}={value}")
            raise
        cases.append(Case(f"{k.key}={value}", data, {"dose": value}))
    return cases


@dataclass
class DoseResponse:
    """The runs of a dose-response study and its tables."""

    knob: Knob
    doses: list[float | int]
    metrics: list[str]
    runs: pd.DataFrame  # one row per dose and replicate: dose, replicate, seed, every metric

    def summary(self) -> pd.DataFrame:
        """Per dose and metric: mean, 95% CI and n (finite values) over replicates."""
        rows = []
        for dose in self.doses:
            part = self.runs[self.runs["dose"] == dose]
            for metric in self.metrics:
                est = mean_ci(pd.to_numeric(part[metric], errors="coerce").to_numpy(float))
                values = (dose, metric, est.mean, est.low, est.high, est.n)
                rows.append(dict(zip(SUMMARY_COLUMNS, values)))
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    def steps(self) -> pd.DataFrame:
        """Per metric and neighbouring doses: the paired change, its CI and share of the movement.

        `share` = |change| / sum of |change| over the metric's steps (NaN when nothing moves).
        """
        rows = []
        for metric in self.metrics:
            wide = self.runs.pivot(index="replicate", columns="dose", values=metric)
            wide = wide.apply(pd.to_numeric, errors="coerce")
            pairs = list(zip(self.doses[:-1], self.doses[1:]))
            diffs = [
                paired_diff(wide[hi].to_numpy(float), wide[lo].to_numpy(float)) for lo, hi in pairs
            ]
            moved = float(np.nansum([abs(d.mean) for d in diffs]))
            for (lo, hi), d in zip(pairs, diffs):
                share = abs(d.mean) / moved if moved > 0 and math.isfinite(d.mean) else math.nan
                values = (metric, lo, hi, d.mean, d.low, d.high, d.n, share)
                rows.append(dict(zip(STEP_COLUMNS, values)))
        return pd.DataFrame(rows, columns=list(STEP_COLUMNS))

    def largest_steps(self) -> pd.DataFrame:
        """Per metric, the step that carries the largest share of the movement."""
        steps = self.steps().dropna(subset=["share"])
        if steps.empty:
            return steps
        best = steps.loc[steps.groupby("metric", sort=False)["share"].idxmax()]
        return best.reset_index(drop=True)


def dose_response(
    base: Mapping[str, Any],
    key: str,
    values: Sequence[float | int],
    replicates: int,
    metrics: Sequence[str],
    *,
    n_jobs: int = 1,
    progress: bool = False,
    cache: Cache | None = None,
) -> DoseResponse:
    """Run the strategy of `base` at every dose of one knob on the same `replicates` seeds.

    Args:
        base: run config with its strategy section; replicate r uses `base["seed"] + r`.
        key: the knob, e.g. "strategy.staff".
        values: the doses.
        replicates: runs per dose (2 or more for intervals).
        metrics: metric names of the registry to summarise.
        n_jobs: worker processes (-1: all cores); the results do not depend on it.
        progress: show a progress bar.
        cache: keeps each finished run and serves those it holds (`sim.analysis.eval_store`).

    Returns:
        The DoseResponse; `summary()`, `steps()` and `largest_steps()` give the tables.
    """
    k = knob(key)
    ordered = doses(k, list(values))
    for m in metrics:
        get_metric(m)  # KeyError naming close names
    cases = dose_cases(base, k, ordered)
    ev = evaluate(
        cases,
        replicates,
        n_jobs=n_jobs,
        progress=progress,
        desc=f"{len(ordered)} doses x {replicates} replicates",
        cache=cache,
    )
    runs = ev.runs.drop(columns="config").sort_values(["dose", "replicate"], kind="stable")
    runs.insert(0, "knob", k.key)
    return DoseResponse(k, ordered, list(metrics), runs.reset_index(drop=True))


def _fmt(metric: str, value: float) -> str:
    return "-" if not math.isfinite(value) else get_metric(metric).fmt.format(value)


def _dose(value: float) -> str:
    return f"{value:g}"


def markdown(result: DoseResponse, title: str) -> str:
    """The dose table (mean [95% CI] per metric) and each metric's largest step."""
    summary = result.summary().set_index(["dose", "metric"])
    unit = f" ({result.knob.info.unit})" if result.knob.info.unit else ""
    header = [result.knob.key + unit, *(heading(m) for m in result.metrics)]
    lines = [f"# {title}", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for dose in result.doses:
        cells = [_dose(dose)]
        for m in result.metrics:
            row = summary.loc[(dose, m)]
            cell = _fmt(m, row["mean"])
            if math.isfinite(row["ci_low"]):
                cell += f" [{_fmt(m, row['ci_low'])}, {_fmt(m, row['ci_high'])}]"
            cells.append(cell if int(row["n"]) > 0 else "-")
        lines.append("| " + " | ".join(cells) + " |")
    n = int(result.runs["replicate"].nunique())
    lines += ["", f"Mean [95% CI] over {n} paired replicates (the same seeds at every dose)."]
    empty = summary[summary["n"] == 0].reset_index()
    for m, part in empty.groupby("metric", sort=False):
        where = ", ".join(_dose(d) for d in part["dose"])
        lines += ["", f"{heading(m)}: no run gave a value at {result.knob.key} = {where} (-)."]
    lines += [
        "",
        "## Where the curve moves most",
        "",
        "The step between neighbouring doses with the largest share of the metric's total "
        "movement (the sum of the absolute steps); the change is paired by replicate.",
        "",
        "| metric | largest step | change [95% CI] | share of movement |",
        "| --- | --- | --- | --- |",
    ]
    largest = result.largest_steps().set_index("metric")
    for m in result.metrics:
        if m not in largest.index:
            lines.append(f"| {heading(m)} | - (no change, or too few values) | - | - |")
            continue
        s = largest.loc[m]
        fmt = signed(get_metric(m).fmt)
        change = fmt.format(s["change"])
        if math.isfinite(s["ci_low"]):
            change += f" [{fmt.format(s['ci_low'])}, {fmt.format(s['ci_high'])}]"
        step = f"{_dose(s['from_dose'])} → {_dose(s['to_dose'])}"
        lines.append(f"| {heading(m)} | {step} | {change} | {s['share']:.0%} |")
    return "\n".join(lines) + "\n"
