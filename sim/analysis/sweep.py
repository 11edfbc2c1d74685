"""Sweeps on disk: which runs are complete, and one tidy table of a Hydra multirun directory.

A Hydra multirun writes one job directory per run (`<sweep dir>/<job num>/`) holding `.hydra/`
(the job's overrides and composed config) and, once the run has finished, the files of the
interface contract. A run is complete when `metrics.json` is there, the INCOMPLETE marker of
`sim.outputs.io` is not, every result file exists, and the config hash and seed recorded in the
metrics' provenance match the run's own config. Anything else is redone on a rerun and reported
as failed.
This module reads those files and imports no Hydra: the override lines (`strategy.staff=4`, the
sweep of `multirun.yaml`) are read by an `OverrideReader`, Hydra's in
`experiments/hydra_adapter.py`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import yaml

from sim.outputs.io import INCOMPLETE

RESULT_FILES = ("config.yaml", "metrics.json", "timeseries.csv", "events.parquet")
FIGURE_FILES = ("figures/timeline.png",)
OK, FAILED, MISSING = "ok", "failed", "missing"


def complete_metrics(
    outdir: str | Path,
    config_hash: str | None = None,
    seed: int | None = None,
    *,
    figures: bool = False,
) -> dict[str, Any] | None:
    """The metrics of a complete run in `outdir`, or None if the run must be (re)done.

    Args:
        outdir: a run directory.
        config_hash: the hash the results must carry (`sim.outputs.provenance.config_hash` of
            the run's RunConfig); None accepts any.
        seed: the seed the results must carry; None accepts any.
        figures: also require the run's figures.

    Returns:
        The contents of metrics.json, or None when anything is missing, marked incomplete,
        unreadable or recorded for another config or seed.
    """
    outdir = Path(outdir)
    if (outdir / INCOMPLETE).exists():
        return None
    needed = RESULT_FILES + (FIGURE_FILES if figures else ())
    if not all((outdir / name).is_file() for name in needed):
        return None
    try:
        metrics = json.loads((outdir / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    prov = metrics.get("provenance") or {}
    if config_hash is not None and prov.get("config_hash") != config_hash:
        return None
    if seed is not None and prov.get("seed") != int(seed):
        return None
    return metrics


def run_config_hash(config: dict[str, Any]) -> tuple[str, int]:
    """(config hash, seed) of a composed run config, as the run records them in its provenance."""
    from sim.config.schema import RunConfig
    from sim.outputs.provenance import config_hash

    rc = RunConfig.from_dict(config)
    return config_hash(rc.to_dict()), rc.seed


class OverrideReader(Protocol):
    """Reads a launcher's override lines (`experiments.hydra_adapter.HydraOverrides`: Hydra's)."""

    def values(self, lines: Sequence[str]) -> dict[str, Any]:
        """{key: typed value} of plain overrides such as `strategy.staff=4`."""

    def expand(self, task: Sequence[str]) -> tuple[list[list[str]], list[str]] | None:
        """(override lists in job order, swept keys) of a sweep's task, or None if unknown."""


class PlainOverrides:
    """A reader without a launcher: `key=value` with the value read as YAML; plans no jobs."""

    def values(self, lines: Sequence[str]) -> dict[str, Any]:
        """{key: value} with YAML's typing of each value."""
        out = {}
        for line in lines:
            key, _, text = line.lstrip("+~").partition("=")
            try:
                value = yaml.safe_load(text) if text else None
            except yaml.YAMLError:
                value = text
            out[key] = str(value) if isinstance(value, (list, dict)) else value
        return out

    def expand(self, task: Sequence[str]) -> tuple[list[list[str]], list[str]] | None:
        """None: the jobs on disk are the plan."""
        return None


def planned_sweep(
    sweep_dir: str | Path, reader: OverrideReader
) -> tuple[list[list[str]], list[str]] | None:
    """The jobs a multirun was asked to run, from its `multirun.yaml`, and the swept keys.

    Returns:
        (override lists in job order, swept keys), or None if the directory holds no
        multirun.yaml or `reader` cannot expand its sweep (not a plain grid).
    """
    path = Path(sweep_dir) / "multirun.yaml"
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    task = (((data.get("hydra") or {}).get("overrides") or {}).get("task")) or []
    plan = reader.expand([str(t) for t in task])
    return None if plan is None else ([list(j) for j in plan[0]], list(plan[1]))


@dataclass
class JobDir:
    """One job directory of a multirun and what is known about it."""

    path: Path
    num: int | None
    overrides: list[str]


def find_jobs(sweep_dir: str | Path) -> list[JobDir]:
    """Every job directory under `sweep_dir` (directories holding `.hydra/overrides.yaml`)."""
    sweep_dir = Path(sweep_dir)
    jobs = []
    for ov in sorted(sweep_dir.rglob(".hydra/overrides.yaml")):
        job = ov.parent.parent
        if ".submitit" in job.relative_to(sweep_dir).parts:
            continue
        overrides = yaml.safe_load(ov.read_text(encoding="utf-8")) or []
        num = None
        hydra_yaml = ov.parent / "hydra.yaml"
        if hydra_yaml.is_file():
            try:
                num = int(
                    yaml.safe_load(hydra_yaml.read_text(encoding="utf-8"))["hydra"]["job"]["num"]
                )
            except (KeyError, TypeError, ValueError):
                num = None
        jobs.append(JobDir(job, num, [str(o) for o in overrides]))
    return jobs


def _run_sections(config: dict[str, Any]) -> dict[str, Any]:
    from sim.config.schema import RUN_SECTIONS

    return {k: config.get(k) for k in RUN_SECTIONS}


def _read_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def job_status(job: JobDir) -> tuple[str, dict[str, Any], str]:
    """(status, metrics, note) of one job directory.

    The results must belong to the config Hydra composed for this job (`.hydra/config.yaml`): the
    quick test compares it with the `config.yaml` the run saved; when they differ in form (e.g.
    interpolations), the config hash recorded in the provenance decides.
    """
    try:
        config = _read_yaml(job.path / ".hydra" / "config.yaml")
    except (OSError, yaml.YAMLError) as exc:
        return FAILED, {}, f"no readable .hydra/config.yaml: {exc}"
    metrics = complete_metrics(job.path, figures=bool(config.get("figures", False)))
    if metrics is None:
        return FAILED, {"seed": config.get("seed")}, "did not finish (error or interrupted)"
    try:
        same = _run_sections(_read_yaml(job.path / "config.yaml")) == _run_sections(config)
    except (OSError, yaml.YAMLError):
        same = False
    if not same:
        try:
            expected_hash, seed = run_config_hash(config)
        except Exception as exc:  # noqa: BLE001 - a config the run itself would refuse
            return FAILED, {}, f"config not usable: {exc}"
        prov = metrics.get("provenance") or {}
        if prov.get("config_hash") != expected_hash or prov.get("seed") != seed:
            return FAILED, {"seed": config.get("seed")}, "results belong to another config"
    return OK, metrics, ""


@dataclass
class SweepTable:
    """A collected sweep: the tidy table and what was missing or failed."""

    table: pd.DataFrame
    swept: list[str]
    metrics: list[str]
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (status, where, note)

    @property
    def counts(self) -> dict[str, int]:
        """Runs per status."""
        return {s: int((self.table["status"] == s).sum()) for s in (OK, FAILED, MISSING)}


def _numeric_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    out = {}
    for key, value in metrics.items():
        if isinstance(value, bool) or key == "provenance":
            continue
        if isinstance(value, (int, float)):
            out[key] = float(value)
        elif value is None:
            out[key] = math.nan
    return out


def collect(sweep_dir: str | Path, reader: OverrideReader | None = None) -> SweepTable:
    """Gather every run of a multirun directory into one tidy table.

    One row per planned or found run: `job`, the swept values (one column per swept key, typed),
    `seed`, `status` (ok / failed / missing), every metric, `config_hash` and `dir`.

    Args:
        sweep_dir: the multirun directory.
        reader: reads the override lines (`experiments.hydra_adapter.collect` passes Hydra's
            parser); without one, values are read as YAML and only the runs on disk are listed.

    Raises:
        FileNotFoundError: `sweep_dir` does not exist or holds neither runs nor a multirun.yaml.
    """
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(
            f"'{sweep_dir}' is not a directory: give the multirun directory "
            f"(hydra.sweep.dir, e.g. results/multirun/<date>/<time>)."
        )
    reader = reader or PlainOverrides()
    found = find_jobs(sweep_dir)
    plan = planned_sweep(sweep_dir, reader)
    if not found and plan is None:
        raise FileNotFoundError(
            f"'{sweep_dir}' holds no runs (no */.hydra/overrides.yaml) and no "
            f"multirun.yaml: is it the directory of a multirun?"
        )
    by_overrides = {tuple(j.overrides): j for j in found}
    if plan is not None:
        planned, swept = plan
    else:
        planned = [j.overrides for j in found]
        swept = _varying_keys([j.overrides for j in found], reader)
    rows: list[dict[str, Any]] = []
    problems: list[tuple[str, str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for num, overrides in enumerate(planned):
        job = by_overrides.get(tuple(overrides))
        rows.append(_row(num, overrides, job, sweep_dir, problems, reader))
        seen.add(tuple(overrides))
    for job in found:  # runs on disk the plan does not list (e.g. from an earlier, other sweep)
        if tuple(job.overrides) not in seen:
            rows.append(_row(job.num, job.overrides, job, sweep_dir, problems, reader))
    table = pd.DataFrame(rows)
    metric_cols = sorted({k for r in rows for k in r if k.startswith("m:")})
    lead = ["job", *[k for k in swept if k != "seed"], "seed", "status"]
    table = table.reindex(columns=lead + metric_cols + ["config_hash", "dir", "note"])
    table = table.rename(columns={k: k[2:] for k in metric_cols})
    return SweepTable(table, swept, [k[2:] for k in metric_cols], problems)


def _row(
    num: int | None,
    overrides: list[str],
    job: JobDir | None,
    sweep_dir: Path,
    problems: list[tuple[str, str, str]],
    reader: OverrideReader,
) -> dict[str, Any]:
    row: dict[str, Any] = {"job": num, **reader.values(overrides)}
    if job is None:
        row.update(status=MISSING, dir=None, note="never started")
        problems.append((MISSING, " ".join(overrides), "never started"))
        return row
    status, metrics, note = job_status(job)
    prov = metrics.get("provenance") or {}
    row.update(
        status=status,
        dir=str(job.path.relative_to(sweep_dir)),
        note=note,
        config_hash=prov.get("config_hash"),
    )
    if "seed" not in row or status == OK:
        row["seed"] = prov.get("seed", metrics.get("seed"))
    row.update({f"m:{k}": v for k, v in _numeric_metrics(metrics).items() if k != "seed"})
    if status != OK:
        problems.append((status, str(job.path.relative_to(sweep_dir)), note))
    return row


def _varying_keys(override_lists: Iterable[list[str]], reader: OverrideReader) -> list[str]:
    values: dict[str, set] = {}
    for overrides in override_lists:
        for key, value in reader.values(overrides).items():
            values.setdefault(key, set()).add(repr(value))
    return [k for k, v in values.items() if len(v) > 1]


def summarise(
    table: pd.DataFrame, by: Sequence[str], metric: str, level: float = 0.95
) -> pd.DataFrame:
    """Mean and CI of `metric` over seeds per combination of the `by` columns (ok runs only)."""
    from sim.analysis.stats import (
        mean_ci,
    )  # scipy.stats costs ~0.5-1 s to import; single runs never need it

    ok = table[table["status"] == OK]
    rows = []
    for key, group in ok.groupby(list(by), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        est = mean_ci(group[metric].to_numpy(dtype=float), level)
        rows.append(
            {
                **dict(zip(by, key)),
                "mean": est.mean,
                "ci_low": est.low,
                "ci_high": est.high,
                "n": est.n,
            }
        )
    return pd.DataFrame(rows, columns=[*by, "mean", "ci_low", "ci_high", "n"])
