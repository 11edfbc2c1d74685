"""One evaluator: run configs x replicates, in this or in worker processes, common random numbers.

The unit of work is a `Case`: an id, a run config (mapping) and labels (columns of the tables,
such as `strategy` or `future`). Replicate r of every case runs with the same seed (`seeds[r]`,
or the case's own seed + r), so cases are compared on the same draws. Runs whose configs give
the same environment (`sim.analysis.environments.environment_key`: same seed and the same
sections that `build_environment` reads) form one group: the environment is built once and
every run of the group uses it. Groups are the jobs handed to joblib's worker processes (loky);
results are put back in (case, replicate) order, so they depend neither on `n_jobs` nor on the
order in which jobs finish.

`cross(scenarios, levers)` builds the cases of a design in the manner of EMA Workbench: every
lever (a strategy) in every scenario (a point of the uncertain parameters).

A cache (a directory, or any object with `get(key)` and `put(key, record)`) keeps each finished
run, keyed by its full config and what is collected from it (`sim.analysis.run_cache`), so an
interrupted study can resume.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from sim.analysis.environments import environment, environment_key
from sim.analysis.run_cache import Cache, DirectoryCache, Extract, RunRecord, run_key
from sim.config.schema import RunConfig
from sim.errors import ConfigError, NetworkError

ID_COLUMNS = ("config", "replicate", "seed")


class EvaluationError(RuntimeError):
    """A run of the evaluation failed; names the case, the replicate and the seed."""

    def __init__(self, config_id: str, replicate: int, seed: int, cause: str):
        self.config_id, self.replicate, self.seed, self.cause = config_id, replicate, seed, cause
        super().__init__(
            f"config {config_id!r}, replicate {replicate} (seed {seed}) failed: {cause}"
        )

    def __reduce__(self):  # picklable, so that worker processes can report it
        return (type(self), (self.config_id, self.replicate, self.seed, self.cause))


@dataclass(frozen=True)
class Case:
    """One run config of an evaluation, with its id and the labels its table rows carry."""

    id: str
    config: Mapping[str, Any]
    labels: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Evaluation:
    """The outcome: one record per case and replicate, and tidy tables of them."""

    cases: list[Case]
    seeds: list[list[int]]  # seeds[case index][replicate]
    records: dict[tuple[str, int], RunRecord]
    environments: int  # environments this evaluation built (none for runs from the cache)

    def _ids(self) -> Iterable[tuple[Case, int, int, RunRecord]]:
        for case, seeds in zip(self.cases, self.seeds):
            for r, seed in enumerate(seeds):
                yield case, r, seed, self.records[(case.id, r)]

    def record(self, config_id: str, replicate: int) -> RunRecord:
        """The record of one run."""
        return self.records[(config_id, replicate)]

    @property
    def runs(self) -> pd.DataFrame:
        """One row per case and replicate: config, labels, replicate, seed, every metric."""
        return pd.DataFrame(
            [
                {"config": c.id, **c.labels, "replicate": r, "seed": s, **rec.metrics}
                for c, r, s, rec in self._ids()
            ]
        )

    @property
    def hourly(self) -> pd.DataFrame:
        """The kept hourly series of every run, with config, labels and replicate in front."""
        return self._concat(lambda rec: rec.hourly)

    def frame(self, name: str) -> pd.DataFrame:
        """An extract of every run as one table, with config, labels and replicate in front."""
        return self._concat(lambda rec: rec.extras.get(name))

    def _concat(self, part: Callable[[RunRecord], Any]) -> pd.DataFrame:
        frames = []
        for case, r, _, rec in self._ids():
            df = part(rec)
            if df is None:
                continue
            df = pd.DataFrame([df]) if isinstance(df, Mapping) else df.copy()
            front = {"config": case.id, **case.labels, "replicate": r}
            for i, (k, v) in enumerate(front.items()):
                df.insert(i, k, v)
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def cross(
    scenarios: Mapping[Any, Mapping[str, Any]],
    levers: Mapping[str, Mapping[str, Any]],
    *,
    scenario_label: str = "scenario",
    lever_label: str = "strategy",
) -> list[Case]:
    """Every lever (strategy knobs) in every scenario (a run config): scenario-major cases."""
    cases = []
    for s, cfg in scenarios.items():
        for name, knobs in levers.items():
            config = {**copy.deepcopy(dict(cfg)), "strategy": copy.deepcopy(dict(knobs))}
            cases.append(Case(f"{s}/{name}", config, {scenario_label: s, lever_label: name}))
    return cases


@dataclass
class _Job:
    """Runs sharing one environment: (case index, case id, replicate, checked config) each."""

    items: list[tuple[int, str, int, RunConfig]]


def _parse(cases: Sequence[Case]) -> list[RunConfig]:
    out = []
    for case in cases:
        try:
            out.append(RunConfig.from_dict(case.config))
        except (ConfigError, NetworkError) as exc:
            exc.add_note(f"in config {case.id!r} of the evaluation")
            raise
    return out


def _seeds(parsed: Sequence[RunConfig], replicates: int | Sequence[int]) -> list[list[int]]:
    if isinstance(replicates, int):
        if replicates < 1:
            raise ValueError("replicates must be at least 1")
        return [[rc.seed + r for r in range(replicates)] for rc in parsed]
    seeds = [int(s) for s in replicates]
    if not seeds:
        raise ValueError("at least one replicate seed is needed")
    return [list(seeds) for _ in parsed]


def _groups(
    ids: Sequence[str],
    parsed: Sequence[RunConfig],
    seeds: Sequence[Sequence[int]],
    skip: set[tuple[int, int]],
) -> list[_Job]:
    keys = [environment_key(rc, with_seed=False) for rc in parsed]
    groups: dict[tuple[str, int], _Job] = {}
    n_rep = max(len(s) for s in seeds)
    for r in range(n_rep):  # replicate-major: early jobs cover every case
        for i, rc in enumerate(parsed):
            if r >= len(seeds[i]) or (i, r) in skip:
                continue
            job = groups.setdefault((keys[i], seeds[i][r]), _Job([]))
            job.items.append((i, ids[i], r, replace(rc, seed=seeds[i][r])))
    return list(groups.values())


def _split(jobs: list[_Job], workers: int) -> list[_Job]:
    """Halve the largest jobs while there are fewer jobs than workers (to keep every core busy)."""
    jobs = list(jobs)
    while len(jobs) < workers:
        big = max(range(len(jobs)), key=lambda j: len(jobs[j].items))
        items = jobs[big].items
        if len(items) < 2:
            break
        half = math.ceil(len(items) / 2)
        jobs[big : big + 1] = [_Job(items[:half]), _Job(items[half:])]
    return jobs


def _run_items(
    job: _Job, hourly: Sequence[str] | None, extract: Extract | None, reuse_structure: bool
) -> Iterator[tuple[list[tuple[int, int, RunRecord]], int, Any]]:
    """Run a job's configs on one environment, yielding (records, environments built, error).

    One outcome per run, as it finishes. A user error (ConfigError, NetworkError) is yielded
    with a note naming the run, not raised: ConfigError pickles without its notes, and the
    parent raises it with them.
    """
    from sim.engine.runner import run

    logging.getLogger("MESA").setLevel(logging.WARNING)
    logging.getLogger("mesa").setLevel(logging.WARNING)
    env = None
    for i, case_id, r, rc in job.items:
        built = int(env is None)
        try:
            env = env or environment(rc, reuse_structure)
            result = run(rc, env=env)
            kept = None
            if hourly is not None:
                kept = result.timeseries[[c for c in hourly if c in result.timeseries]].copy()
            extras = dict(extract(rc, result)) if extract is not None else {}
        except (ConfigError, NetworkError) as exc:
            note = f"in config {case_id!r}, replicate {r} (seed {rc.seed})"
            yield [], built * int(env is not None), (exc, note)
            return
        except Exception as exc:
            raise EvaluationError(case_id, r, rc.seed, f"{type(exc).__name__}: {exc}") from exc
        yield [(i, r, RunRecord(result.metrics, kept, extras))], built, None


def _run_job(
    job: _Job, hourly: Sequence[str] | None, extract: Extract | None, reuse_structure: bool
) -> tuple[list[tuple[int, int, RunRecord]], int, Any]:
    """Run a job's configs on one environment; (records, environments built, user error)."""
    out: list[tuple[int, int, RunRecord]] = []
    built = 0
    for done, n_env, error in _run_items(job, hourly, extract, reuse_structure):
        out += done
        built += n_env
        if error is not None:
            return out, built, error
    return out, built, None


def _outcomes(jobs: list[_Job], n_jobs: int, args: tuple, fine: bool = False) -> Iterator[tuple]:
    """The outcome of every job (see `_run_job`) as it finishes: here, or in worker processes.

    Here, one outcome per run; in workers, one per job. `fine` (a cache keeps each run) splits
    the work into more, smaller jobs, so that a killed study loses little.
    """
    if n_jobs != 1:
        from joblib import effective_n_jobs

        workers = effective_n_jobs(n_jobs)
        jobs = _split(jobs, workers * (4 if fine else 1))
    if n_jobs == 1 or len(jobs) <= 1:
        for job in jobs:
            yield from _run_items(job, *args)
        return
    from joblib import Parallel, delayed

    with warnings.catch_warnings():
        # loky replaces a worker whose memory grew (numpy's freed arenas look like a leak); its
        # job is redone elsewhere and the results are unaffected
        warnings.filterwarnings(
            "ignore", message="A worker stopped while some jobs", category=UserWarning
        )
        parallel = Parallel(
            n_jobs=n_jobs, backend="loky", return_as="generator_unordered", batch_size=1
        )
        yield from parallel(delayed(_run_job)(job, *args) for job in jobs)


def evaluate(
    cases: Sequence[Case],
    replicates: int | Sequence[int],
    *,
    n_jobs: int = 1,
    hourly: Sequence[str] | None = None,
    extract: Extract | None = None,
    reuse_structure: bool = False,
    cache: Cache | str | os.PathLike | None = None,
    progress: bool = False,
    desc: str = "runs",
) -> Evaluation:
    """Run every case `replicates` times with common random numbers.

    Args:
        cases: the run configs (ids unique); checked here first (ConfigError names the case).
        replicates: a number (replicate r of a case runs with the case's seed + r) or the list
            of seeds (replicate r of every case runs with `replicates[r]`).
        n_jobs: worker processes (1: this process; -1: all cores).
        hourly: columns of the hourly time series to keep per run (those present); None: none.
        extract: called in the worker as `extract(run_config, result)` for whatever else a run
            must return (tables or one-row mappings, by name; see `Evaluation.frame`).
        reuse_structure: keep each seed's network and population in a per-process cache for
            configs that differ only in what is drawn later (see `sim.analysis.environments`).
        cache: a directory or a `Cache`: runs found there are not rerun, new ones are stored.
        progress: show a progress bar (one step per run).
        desc: its label.

    Returns:
        The Evaluation (records, tidy `runs` table, `hourly` and `frame(name)`).

    Raises:
        ConfigError, NetworkError: bad input, with a note naming the case (and run).
        EvaluationError: any other failure of a run, naming its case, replicate and seed.
    """
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError(f"case ids must be unique: {ids}")
    for case in cases:
        if set(case.labels) & set(ID_COLUMNS):
            raise ValueError(f"labels of {case.id!r} may not be named {', '.join(ID_COLUMNS)}")
    parsed = _parse(cases)
    seeds = _seeds(parsed, replicates)
    store = DirectoryCache(cache) if isinstance(cache, (str, os.PathLike)) else cache

    def key(i: int, r: int) -> str:
        return run_key(replace(parsed[i], seed=seeds[i][r]), hourly, extract)

    records: dict[tuple[str, int], RunRecord] = {}
    skip = set()
    if store is not None:
        for i in range(len(parsed)):
            for r in range(len(seeds[i])):
                hit = store.get(key(i, r))
                if hit is not None:
                    records[(ids[i], r)] = hit
                    skip.add((i, r))
    jobs = _groups(ids, parsed, seeds, skip)
    built = 0
    with tqdm(
        total=sum(len(j.items) for j in jobs), disable=not progress, unit="run", desc=desc
    ) as bar:
        for done, n_env, error in _outcomes(
            jobs, n_jobs, (hourly, extract, reuse_structure), store is not None
        ):
            built += n_env
            for i, r, rec in done:
                records[(ids[i], r)] = rec
                if store is not None:
                    store.put(key(i, r), rec)
            bar.update(len(done))
            if error is not None:
                exc, note = error
                exc.add_note(note)
                raise exc
    return Evaluation(list(cases), seeds, records, built)
