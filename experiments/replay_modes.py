"""Two modes of `experiments.replay`: the targets at several population sizes, and cross-validation.

* `sizes=[50000,100000,200000]`: every scenario replayed at each size; writes `scale.csv` (the
  replay rows with a `size` column) and prints, per scenario and size, the targets met per label
  beside the scenario's stated `min_size`.
* `crossval=true`: for scenarios with two or more calibrated targets, each in turn is left out,
  the free parameters are fitted to the rest and the left-out one is predicted
  (`sim.analysis.crossval`); writes `crossval.csv` and prints the predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.scenarios import scenario_runs
from sim.analysis.crossval import CrossvalOptions, crossval_scenario
from sim.errors import ConfigError
from sim.outputs.io import write_csv


def parse_sizes(value: Any) -> list[int]:
    """The `sizes` option: whole numbers of at least 1000 (ConfigError naming the option)."""
    items = list(value) if isinstance(value, (list, tuple)) or hasattr(value, "__iter__") else None
    if isinstance(value, str) or items is None or not items:
        raise ConfigError("sizes", value, "a list of population sizes, e.g. sizes=[50000,100000]")
    out = []
    for x in items:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or int(x) != x or x < 1000:
            raise ConfigError("sizes", value, "whole numbers of at least 1000, e.g. sizes=[50000]")
        out.append(int(x))
    return out


def below_min_size(scenario: Any, size: int) -> bool:
    """Whether `size` is below the scenario's stated min_size (its targets may not hold)."""
    return 0 < size < int(getattr(scenario, "min_size", 0))


def scale_table(replays: Sequence[tuple[int, Any]]) -> pd.DataFrame:
    """The replay rows of (size, ScenarioReplay) pairs, with `size` and `min_size` columns."""
    parts = []
    for size, r in replays:
        t = r.table()
        t.insert(1, "size", size)
        t.insert(2, "min_size", int(r.runs.checked.scenario.min_size))
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def scale_summary(table: pd.DataFrame) -> str:
    """Per scenario and size: evidence targets (calibrated and held-out) met, identity apart."""
    lines = ["\ntargets met by population size (calibrated + held-out; identity apart):"]
    for (name, size), part in table.groupby(["scenario", "size"], sort=False):
        ev = part[part["label"] != "identity"]
        ident = part[part["label"] == "identity"]
        missed = ", ".join(ev.loc[~ev["ok"], "target"].str.slice(0, 40))
        stated = int(part["min_size"].iloc[0])
        note = f" (min_size {stated:,})" if stated else ""
        lines.append(
            f"  {name} at {size:,}{note}: {int(ev['ok'].sum())}/{len(ev)} met, "
            f"identity {int(ident['ok'].sum())}/{len(ident)}"
            + (f"; missed: {missed}" if missed else "")
        )
    return "\n".join(lines)


def run_scale(
    scenarios: Sequence[tuple[str, Any]],
    sizes: Sequence[int],
    replay,
    opts,
    outdir: Path,
    network: Any = None,
) -> pd.DataFrame:
    """Replay every scenario at every size; write scale.csv and print the summary.

    `scenarios`: (name, a name of conf/scenario/ or the scenario's content) pairs, so that a
    single scenario keeps its command-line overrides.
    """
    done = []
    for name, scenario in scenarios:
        for size in sizes:
            print(f"replaying {name} at {size:,}...", flush=True)
            done.append(
                (
                    size,
                    replay(
                        scenario,
                        seed=opts.seed,
                        replicates=opts.replicates,
                        size=size,
                        network=network,
                        n_jobs=opts.n_jobs,
                    ),
                )
            )
    table = scale_table(done)
    write_csv(outdir / "scale.csv", table)
    print(scale_summary(table))
    return table


def run_crossval(
    scenarios: Sequence[tuple[str, Any]], opts, outdir: Path, max_evals: int, network: Any = None
) -> pd.DataFrame:
    """Leave-one-out cross-validation of every scenario with two or more calibrated targets.

    `scenarios`: (name, a name of conf/scenario/ or the scenario's content) pairs.
    """
    parts = []
    for _name, scenario in scenarios:
        runs = scenario_runs(scenario, seed=opts.seed, size=opts.size, network=network)
        reps = opts.replicates or runs.replicates
        cv = CrossvalOptions(
            seeds=[opts.seed + r for r in range(reps)], max_evals=max_evals, n_jobs=opts.n_jobs
        )
        part = crossval_scenario(runs, cv, progress=lambda s: print(s, flush=True))
        if len(part):
            parts.append(part)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    write_csv(outdir / "crossval.csv", table)
    print("\ncross-validation (fit on the others, predict the left-out target):")
    if not len(table):
        print("  no scenario with two or more calibrated targets and free parameters")
    for _, r in table[table["role"] == "predicted"].iterrows() if len(table) else []:
        print(
            f"  [{'ok' if r['ok'] else 'MISS'}] {r['scenario']}: {r['role']} '{r['target']}' "
            f"(left out: '{r['left_out']}'): documented {r['documented']:.4g}, "
            f"predicted {r['simulated_mean']:.4g} [{r['ci_low']:.4g}, {r['ci_high']:.4g}]; "
            f"fitted {r['fitted_values']}"
        )
    return table
