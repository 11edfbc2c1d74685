"""A posterior over a scenario's free parameters: ABC-SMC (pyabc) on the targets' misses.

Approximate Bayesian computation by sequential Monte Carlo (pyabc's `ABCSMC`): uniform priors
over the bounds of the scenario's `free:` list; a candidate runs the scenario on `seeds` replicate
seeds, each drawn at random from a pool of `seed_pool` seeds (so the model's own noise enters the
posterior; with `seed_pool == seeds` every candidate runs the same seeds: common random numbers),
and its distance is the root mean square miss of the replicate means of the targets labelled
`calibrated`, in tolerance units (`sim.analysis.targets.distance`: below 1 for targets inside
their bands). Targets labelled `identity` or `held_out` are measured in every run but never
enter the distance. Each generation accepts the candidates closer than epsilon (the median
distance of the previous generation, pyabc's `MedianEpsilon`); the run stops after
`generations` generations or once epsilon is at most `min_epsilon`.

The sampler is pyabc's `SingleCoreSampler` (no processes or dask of its own); a candidate's
replicates run through `sim.analysis.evaluator` on `n_jobs` worker processes. pyabc keeps every
generation in its SQLite history (`db`): a killed run, started again on the same database with
the same settings, continues after its last finished generation (`ABCSMC.load`).

pyabc is an optional extra (`pip install -e '.[calibrate]'`); it is imported only here, lazily.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.calibration import reusable, whole_number_keys, with_values
from sim.analysis.eval_store import EvalStore
from sim.analysis.replay import replicate
from sim.analysis.targets import distance, evaluate
from sim.config.schema import FreeParameter, Target

INSTALL_HINT = "pip install -e '.[calibrate]'"
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


class MissingExtra(ImportError):
    """pyabc (the `calibrate` extra) is not installed."""


def pyabc_module() -> Any:
    """The pyabc module, or MissingExtra with the install command."""
    try:
        import pyabc
    except ImportError as exc:
        raise MissingExtra(
            f"method=abc needs pyabc, which is not installed ({exc}). Install the calibration "
            f"extra: {INSTALL_HINT}"
        ) from None
    for name in ("ABC", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return pyabc


@dataclass(frozen=True)
class AbcSettings:
    """The options of an ABC-SMC run."""

    population: int = 20  # accepted particles per generation
    generations: int = 4  # at most this many generations
    min_epsilon: float = 0.5  # stop once epsilon (RMS miss, tolerance units) is at most this
    initial_epsilon: float = 4.0  # epsilon of generation 0 (no calibration sample from the prior)
    seeds: int = 2  # replicate seeds per candidate
    seed_pool: int = 10  # the seeds are drawn from seed, seed + 1, ..., seed + seed_pool - 1
    rng_seed: int = 1  # seed of the sampler's own draws
    n_jobs: int = 1


@dataclass
class Posterior:
    """The outcome of an ABC-SMC run."""

    keys: list[str]
    samples: pd.DataFrame  # the last generation: one row per particle, the keys, weight, distance
    generations: pd.DataFrame  # t, epsilon, particles, samples (simulations), acceptance
    simulations: int  # candidates run in this call (earlier calls' generations excluded)
    resumed_from: int  # generations found in the history before this call
    seconds: float


def fingerprint(data: Any) -> str:
    """A short hash of JSON-able data (what a resumed run must share with the first)."""
    return EvalStore.key(data)[:16]


def calibrated(targets: Sequence[Target]) -> list[int]:
    """Indices of the targets a fit may use (label `calibrated`)."""
    return [i for i, t in enumerate(targets) if t.label == "calibrated"]


def rms_miss(targets: Sequence[Target], values: Sequence[float], used: Sequence[int]) -> float:
    """Root mean square miss of the used targets in tolerance units."""
    if not used:
        return 0.0
    return float(math.sqrt(np.mean([distance(targets[i], values[i]) ** 2 for i in used])))


class Simulator:
    """Candidate values -> the replicate means (or medians) of every target of the scenario."""

    def __init__(
        self,
        documented: Mapping[str, Any],
        counterfactual: Mapping[str, Any] | None,
        free: Sequence[FreeParameter],
        targets: Sequence[Target],
        n_jobs: int = 1,
    ):
        self.documented, self.counterfactual = documented, counterfactual
        self.free, self.targets, self.n_jobs = list(free), list(targets), n_jobs
        self.integer_keys = set(whole_number_keys(documented, free))
        self.reuse = reusable(free)
        self.calls = 0

    def values(self, params: Mapping[str, float]) -> dict[str, float]:
        """Dotted key -> value, clipped to the bounds (whole numbers where the field is one)."""
        out: dict[str, float] = {}
        for fp in self.free:
            v = min(max(float(params[fp.key]), fp.low), fp.high)
            out[fp.key] = int(round(v)) if fp.key in self.integer_keys else v
        return out

    def __call__(self, params: Mapping[str, float], seeds: Sequence[int]) -> list[float]:
        """The summary of every target (in order) on the given seeds."""
        values = self.values(params)
        doc = with_values(self.documented, values)
        cf = with_values(self.counterfactual, values) if self.counterfactual is not None else None
        reps = replicate(
            doc, cf, list(seeds), n_jobs=self.n_jobs, reuse=self.reuse, targets=self.targets
        )
        self.calls += 1
        results = evaluate(
            self.targets,
            [r.values for r in reps],
            [r.cf_values or {} for r in reps] if cf is not None else None,
        )
        return [r.simulated_mean for r in results]


def _name(i: int) -> str:
    return f"p{i}"  # pyabc's parameter names (the dotted keys are kept in the order of `free`)


def run_abc(
    simulator: Simulator,
    db: str | Path,
    settings: AbcSettings,
    seed: int,
    *,
    meta: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Posterior:
    """Run (or continue) ABC-SMC for a scenario's free parameters.

    Args:
        simulator: runs a candidate (its targets and free parameters are the fit's).
        db: the SQLite file of pyabc's history; an existing one is continued.
        settings: population, generations, epsilon, seeds per candidate, pool, workers.
        seed: seed of replicate 0 (the pool is seed, seed + 1, ...).
        meta: stored with a new history (e.g. the config's fingerprint).
        progress: called with a line of text after every generation.

    Returns:
        The Posterior of the last generation.

    Raises:
        MissingExtra: pyabc is not installed.
        ValueError: no free parameter or no calibrated target.
    """
    pyabc = pyabc_module()
    free, targets = simulator.free, simulator.targets
    used = calibrated(targets)
    if not free:
        raise ValueError("the scenario declares no free parameters (scenario.free is empty)")
    if not used:
        raise ValueError("the scenario has no target labelled calibrated: nothing to fit to")
    t0 = time.perf_counter()
    pool = [seed + i for i in range(max(settings.seed_pool, settings.seeds))]
    prior = pyabc.Distribution(
        **{_name(i): pyabc.RV("uniform", fp.low, fp.high - fp.low) for i, fp in enumerate(free)}
    )
    rng = np.random.default_rng()  # set below, once the generations already done are known

    def model(par: Mapping[str, float]) -> dict[str, float]:
        seeds = sorted(rng.choice(pool, size=settings.seeds, replace=False).tolist())
        summary = simulator({fp.key: par[_name(i)] for i, fp in enumerate(free)}, seeds)
        return {f"t{i}": v for i, v in enumerate(summary)}

    def miss(x: Mapping[str, float], x0: Mapping[str, float]) -> float:
        return rms_miss(targets, [float(x[f"t{i}"]) for i in range(len(targets))], used)

    abc = pyabc.ABCSMC(
        model,
        prior,
        miss,
        population_size=settings.population,
        eps=pyabc.MedianEpsilon(settings.initial_epsilon),
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    db = Path(db)
    url = f"sqlite:///{db.resolve()}"
    resumed = 0
    if db.exists() and pyabc.History(url).n_populations > 0:
        history = abc.load(url, 1)
        resumed = history.n_populations
    else:
        db.unlink(missing_ok=True)  # a history without a finished generation: start again
        observed = {f"t{i}": float(t.documented) for i, t in enumerate(targets)}
        history = abc.new(url, observed, meta_info=dict(meta or {}))
    np.random.seed((settings.rng_seed * 1_000_003 + resumed) % 2**32)  # pyabc's own draws
    rng = np.random.default_rng([settings.rng_seed, seed, resumed])  # the candidates' seeds
    left = settings.generations - resumed
    done = history.n_populations > 0 and _epsilon(history) <= settings.min_epsilon
    before = simulator.calls
    if left > 0 and not done:
        if progress is not None:
            _watch(abc, progress)
        abc.run(minimum_epsilon=settings.min_epsilon, max_nr_populations=left)
    return Posterior(
        keys=[fp.key for fp in free],
        samples=last_generation(history, free),
        generations=generation_table(history),
        simulations=simulator.calls - before,
        resumed_from=resumed,
        seconds=time.perf_counter() - t0,
    )


def _epsilon(history: Any) -> float:
    pops = history.get_all_populations()
    return float(pops.loc[pops["t"] >= 0, "epsilon"].iloc[-1])


def _watch(abc: Any, progress: Callable[[str], None]) -> None:
    """Report each generation as pyabc stores it."""
    store = abc.history.append_population

    def append(t: int, current_epsilon: float, population: Any, nr_simulations: int, *a, **k):
        out = store(t, current_epsilon, population, nr_simulations, *a, **k)
        progress(
            f"  generation {t}: epsilon {current_epsilon:.3f}, {nr_simulations} simulations, "
            f"{len(population)} accepted"
        )
        return out

    abc.history.append_population = append


def last_generation(history: Any, free: Sequence[FreeParameter]) -> pd.DataFrame:
    """The particles of the last generation: the dotted keys, weight and distance."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    out = pd.DataFrame({fp.key: df[_name(i)].to_numpy() for i, fp in enumerate(free)})
    out["weight"] = np.asarray(w, dtype=float) / float(np.sum(w))
    pop = history.get_population(t=history.max_t)
    out["distance"] = [p.distance for p in pop.particles]
    return out


def generation_table(history: Any) -> pd.DataFrame:
    """One row per generation: epsilon, accepted particles, simulations, acceptance rate."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    sizes = history.get_nr_particles_per_population()
    table = pd.DataFrame(
        {
            "t": pops["t"].astype(int).to_numpy(),
            "epsilon": pops["epsilon"].to_numpy(dtype=float),
            "simulations": pops["samples"].astype(int).to_numpy(),
            "wall_time_s": pops["wall_time"].to_numpy(dtype=float),
        }
    )
    table["accepted"] = [int(sizes.get(t, 0)) for t in table["t"]]
    table["acceptance"] = table["accepted"] / table["simulations"].clip(lower=1)
    return table


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The q-quantile of weighted samples (inverse of the weighted empirical CDF)."""
    order = np.argsort(x)
    cdf = np.cumsum(w[order]) / np.sum(w)
    return float(x[order][min(int(np.searchsorted(cdf, q)), len(x) - 1)])


def summary_table(samples: pd.DataFrame, free: Sequence[FreeParameter]) -> pd.DataFrame:
    """Per parameter: weighted mean, sd, quantiles, bounds and effective sample size."""
    w = samples["weight"].to_numpy(dtype=float)
    ess = float(np.sum(w) ** 2 / np.sum(w**2))
    rows = []
    for fp in free:
        x = samples[fp.key].to_numpy(dtype=float)
        mean = float(np.sum(w * x) / np.sum(w))
        sd = float(math.sqrt(np.sum(w * (x - mean) ** 2) / np.sum(w)))
        row = {"parameter": fp.key, "mean": mean, "sd": sd}
        row.update({f"q{int(q * 100):02d}": weighted_quantile(x, w, q) for q in QUANTILES})
        row.update({"low": fp.low, "high": fp.high, "ess": ess})
        rows.append(row)
    return pd.DataFrame(rows)


def resample(samples: pd.DataFrame, keys: Sequence[str], n: int, seed: int) -> pd.DataFrame:
    """n draws (with replacement, by weight) from the weighted particles."""
    rng = np.random.default_rng(seed)
    w = samples["weight"].to_numpy(dtype=float)
    idx = rng.choice(len(samples), size=n, replace=True, p=w / w.sum())
    return samples.iloc[idx][list(keys)].reset_index(drop=True)


def draw_seeds(seeds: Sequence[int], draw: int) -> list[int]:
    """The seeds of predictive draw `draw`: `seeds` shifted past those of the draws before."""
    return [int(s) + draw * len(seeds) for s in seeds]


def predictive(
    simulator: Simulator,
    draws: pd.DataFrame,
    seeds: Sequence[int],
    level: float = 0.9,
    journal: EvalStore | None = None,
    context: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The posterior predictive check of every target (all labels).

    Draw d of the posterior runs the scenario on seeds of its own, `seeds` shifted by
    d x len(seeds) (new seeds, not the fit's pool: give `seeds` above it), and gives one replicate
    mean per target: the spread over draws is the predictive interval, the parameters'
    uncertainty and the model's own noise together (every draw on the same few seeds would carry
    those seeds' luck into every draw).
    With a journal, draws already run (before a kill) are read back instead of run again; a draw's
    key is `context` (what else its result depends on: run configs, targets, seeds) and its values.

    Returns:
        (one row per target: label, documented, band, predictive median and interval, the share
        of draws inside the band, met = the predictive median inside the band; one row per draw
        and target: the draw's parameters and value).
    """
    from sim.analysis.targets import band, within

    rows = []
    for d, values in enumerate(draws.to_dict("records")):
        key = EvalStore.key([context, d, sorted(values.items())])
        kept = journal.get(key) if journal is not None else None
        if kept is not None:
            summary = [math.nan if v is None else float(v) for v in kept["summary"]]
        else:
            summary = simulator(values, draw_seeds(seeds, d))
            if journal is not None:
                journal.put(key, {"summary": summary})
        for t, v in zip(simulator.targets, summary):
            rows.append({"draw": d, **values, "target": t.name, "value": v})
    per_draw = pd.DataFrame(rows)
    out = []
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    for t in simulator.targets:
        v = per_draw.loc[per_draw["target"] == t.name, "value"].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        lo, hi = band(t)
        med = float(np.median(v)) if v.size else math.nan
        out.append(
            {
                "target": t.name,
                "label": t.label,
                "metric": t.metric,
                "documented": t.documented,
                "band_low": lo,
                "band_high": hi,
                "predictive_median": med,
                "predictive_low": float(np.quantile(v, lo_q)) if v.size else math.nan,
                "predictive_high": float(np.quantile(v, hi_q)) if v.size else math.nan,
                "share_in_band": float(np.mean([within(t, x) for x in v])) if v.size else 0.0,
                "met": within(t, med),
                "draws": int(v.size),
            }
        )
    return pd.DataFrame(out), per_draw
