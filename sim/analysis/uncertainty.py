"""Parameter uncertainty for replicated studies: one draw of the uncertain parameters per replicate.

    draws(source, n, seed, *, scenario=None, base=None) -> list[dict[str, float]]

returns `n` override mappings (dotted config key -> value), one per replicate, reproducible from
`seed`. A study applies draw r to every strategy (or lever) of replicate r, whose seed is the same
for all of them: the strategies of a replicate share both the random numbers and the parameters
(common random numbers), so a paired difference compares them in the same world and its interval
over replicates includes what the parameters are not pinned down to. `source` is

* `none`: no uncertainty (n empty mappings);
* `posterior`: the posterior summary that `experiments.calibrate method=abc apply=true` wrote
  for `scenario` (`conf/posterior/<scenario>.yaml`): each draw is one particle of the posterior,
  picked by weight, so the parameters keep their joint distribution;
* a sensitivity set (`uncertain`: `conf/sensitivity/uncertain.yaml`): each key uniform over its
  range, independently;
* a path to a YAML file of either kind (a posterior file holds `samples`, a set `parameters`).

With `base` (a full run config) every key is checked to name a number there, and keys whose value
is a whole number get whole numbers. Errors are `ConfigError`s naming the key or the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.analysis.calibration import get_path
from sim.config.presets import conf_dir
from sim.errors import ConfigError

NONE = "none"
POSTERIOR = "posterior"


def posterior_path(scenario: str) -> Path:
    """Where a scenario's applied posterior lives (`conf/posterior/<scenario>.yaml`)."""
    return conf_dir() / "posterior" / f"{scenario}.yaml"


def source_file(source: str, scenario: str | None = None) -> Path:
    """The file behind an uncertainty source (ConfigError when there is none)."""
    if source == POSTERIOR:
        if not scenario:
            raise ConfigError("uncertainty", source, "a scenario whose posterior to read")
        file = posterior_path(scenario)
        if not file.is_file():
            raise ConfigError(
                "uncertainty",
                source,
                f"a posterior of {scenario!r}, and there is none (no conf/posterior/"
                f"{scenario}.yaml): run `python -m experiments.calibrate scenario={scenario} "
                "method=abc apply=true` first, or use a sensitivity set "
                "(e.g. uncertainty=uncertain)",
            )
        return file
    if source.endswith((".yaml", ".yml")):
        file = Path(source)
        if not file.is_file():
            raise ConfigError("uncertainty", source, "an existing YAML file")
        return file
    file = conf_dir() / "sensitivity" / f"{source}.yaml"
    if not file.is_file():
        sets = sorted(p.stem for p in (conf_dir() / "sensitivity").glob("*.yaml"))
        raise ConfigError(
            "uncertainty",
            source,
            "none, posterior (the scenario's conf/posterior/<scenario>.yaml), a sensitivity set "
            f"({', '.join(sets)}) or a path to a posterior or sensitivity YAML file",
        )
    return file


def read(file: Path) -> dict[str, Any]:
    """A posterior or sensitivity file as a mapping (ConfigError naming the file)."""
    try:
        data = yaml.safe_load(file.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError("uncertainty", str(file), f"a readable YAML file ({exc})") from None
    if not isinstance(data, dict) or not ("samples" in data or "parameters" in data):
        raise ConfigError(
            "uncertainty",
            str(file),
            "a posterior file (with samples: keys, values, weights) or a sensitivity set "
            "(with parameters: [{key, low, high}, ...])",
        )
    return data


def _posterior_draws(data: Mapping[str, Any], file: Path, n: int, rng: Any) -> list[dict]:
    samples = data["samples"]
    try:
        keys = [str(k) for k in samples["keys"]]
        values = np.asarray(samples["values"], dtype=float).reshape(-1, len(keys))
        weights = np.asarray(samples.get("weights") or np.ones(len(values)), dtype=float)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{file}: samples", "malformed", f"keys, values (one row per particle), weights ({exc})"
        ) from None
    if len(values) == 0 or len(weights) != len(values) or not np.all(weights >= 0):
        raise ConfigError(f"{file}: samples", len(values), "particles with non-negative weights")
    idx = rng.choice(len(values), size=n, replace=True, p=weights / weights.sum())
    return [dict(zip(keys, map(float, values[i]))) for i in idx]


def _set_draws(data: Mapping[str, Any], file: Path, n: int, rng: Any) -> list[dict]:
    entries = data.get("parameters") or []
    ranges = []
    for i, entry in enumerate(entries):
        try:
            key, low, high = str(entry["key"]), float(entry["low"]), float(entry["high"])
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{file}: parameters[{i}]", entry, "{key, low, high}") from None
        if not low < high:
            raise ConfigError(f"{file}: parameters[{i}]", entry, "low < high")
        ranges.append((key, low, high))
    u = rng.uniform(size=(n, len(ranges)))
    return [
        {k: lo + (hi - lo) * float(u[r, j]) for j, (k, lo, hi) in enumerate(ranges)}
        for r in range(n)
    ]


def draws(
    source: str | Path,
    n: int,
    seed: int,
    *,
    scenario: str | None = None,
    base: Mapping[str, Any] | None = None,
) -> list[dict[str, float]]:
    """One override mapping (dotted key -> value) per replicate; see the module doc."""
    source = str(source)
    if source == NONE:
        return [{} for _ in range(n)]
    file = source_file(source, scenario)
    data = read(file)
    rng = np.random.default_rng([int(seed), 104729])
    if "samples" in data:
        out = _posterior_draws(data, file, n, rng)
    else:
        out = _set_draws(data, file, n, rng)
    if base is not None:
        for key in out[0] if out else ():
            try:
                current = get_path(base, key)
            except (KeyError, IndexError, ValueError):
                raise ConfigError(f"{file}: {key}", key, "a dotted key of the run config") from None
            if isinstance(current, bool) or not isinstance(current, (int, float)):
                raise ConfigError(f"{file}: {key}", current, "the key of a number")
            if isinstance(current, int):
                for d in out:
                    d[key] = int(round(d[key]))
    return out


def describe(source: str, scenario: str | None = None) -> str:
    """A line saying where the draws come from (for reports)."""
    if str(source) == NONE:
        return "no parameter uncertainty (every replicate runs the configured values)"
    file = source_file(str(source), scenario)
    data = read(file)
    if "samples" in data:
        keys = data["samples"]["keys"]
        return (
            f"each replicate draws {', '.join(keys)} from the posterior in {file.name} "
            f"({len(data['samples']['values'])} weighted particles)"
        )
    keys = [e["key"] for e in data.get("parameters") or []]
    return f"each replicate draws {len(keys)} parameters uniformly from the set {file.stem}"


def posterior_configs(base: Mapping[str, Any], n: int, seed: int) -> list[dict[str, Any]]:
    """`n` copies of a full run config with the posterior's parameters of its scenario drawn in.

    Args:
        base: a full run config (its `scenario.name` names the posterior to read).
        n: how many configs.
        seed: seed of the draws (the same seed gives the same configs).

    Raises:
        ConfigError: when the scenario has no applied posterior, or a key does not fit `base`.
    """
    from sim.analysis.calibration import with_values

    scenario = (base.get("scenario") or {}).get("name")
    return [with_values(base, d) for d in draws(POSTERIOR, n, seed, scenario=scenario, base=base)]
