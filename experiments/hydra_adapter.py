"""The one place that reads Hydra command lines and sweeps, through Hydra's public API only.

`sim/` holds no Hydra: what it needs from a command line (the typed value of `strategy.staff=4`,
the jobs of a grid sweep) it gets from here, as `HydraOverrides`. The entry points use the same
functions to check a command line before Hydra starts (`experiments.common.preflight`), and the
project's sweeper (`hydra_plugins/socialcare_sim`) uses `grid_jobs` to list a sweep's jobs.
Public means `hydra.core.override_parser` (Hydra's override grammar), `hydra.compose`,
`hydra.plugins.sweeper.Sweeper` and OmegaConf's documented functions, nothing private.
"""

from __future__ import annotations

import argparse
import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

if TYPE_CHECKING:  # pandas is not imported by a command line that is only being checked
    from sim.analysis.sweep import SweepTable

MAX_PREFLIGHT_CONFIGS = 256  # sweep points composed and checked before a multirun starts
INFO_FLAGS = ("help", "hydra_help", "info", "shell_completion", "experimental_rerun", "version")


@dataclass
class CommandLine:
    """A Hydra app's command line: its flags and its overrides."""

    overrides: list[str] = field(default_factory=list)
    multirun: bool = False
    cfg: str | None = None
    config_path: str | None = None
    config_name: str | None = None
    config_dir: str | None = None
    info_only: bool = False  # --help, --info, ...: Hydra prints something and runs nothing


def _parser() -> argparse.ArgumentParser:
    """The flags `hydra.main` accepts (Hydra 1.3), so a bad flag stops with argparse's exit 2."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("overrides", nargs="*")
    parser.add_argument("--help", "-h", action="store_true")
    parser.add_argument("--hydra-help", action="store_true")
    parser.add_argument("--version", action="store_true")
    parser.add_argument("--cfg", "-c", choices=["job", "hydra", "all"])
    parser.add_argument("--resolve", action="store_true")
    parser.add_argument("--package", "-p")
    parser.add_argument("--run", "-r", action="store_true")
    parser.add_argument("--multirun", "-m", action="store_true")
    parser.add_argument("--shell-completion", "-sc", action="store_true")
    parser.add_argument("--config-path", "-cp")
    parser.add_argument("--config-name", "-cn")
    parser.add_argument("--config-dir", "-cd")
    parser.add_argument("--experimental-rerun")
    parser.add_argument(
        "--info",
        "-i",
        const="all",
        nargs="?",
        choices=["all", "config", "defaults", "defaults-tree", "plugins", "searchpath"],
    )
    return parser


def parse_command_line(argv: Sequence[str]) -> CommandLine:
    """Read a Hydra command line (flags first, then overrides; argparse exits 2 on a bad flag)."""
    args = _parser().parse_args(list(argv))
    return CommandLine(
        overrides=list(args.overrides or []),
        multirun=bool(args.multirun),
        cfg=args.cfg,
        config_path=args.config_path,
        config_name=args.config_name,
        config_dir=args.config_dir,
        info_only=any(getattr(args, flag, None) for flag in INFO_FLAGS),
    )


def parse_overrides(lines: Sequence[str], config_loader: Any = None) -> list[Any]:
    """Hydra's own parse of override strings (raises hydra.errors.OverrideParseException)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create(config_loader=config_loader).parse_overrides(list(lines))


def override_values(lines: Sequence[str]) -> dict[str, Any]:
    """{key: typed value} of plain (non-sweep) overrides such as `strategy.staff=4`."""
    values = {}
    for override in parse_overrides(lines):
        value = override.value()
        values[override.key_or_group] = str(value) if isinstance(value, (list, dict)) else value
    return values


def grid_jobs(lines: Sequence[str], config_loader: Any = None) -> tuple[list[list[str]], list[str]]:
    """The jobs of a grid sweep, in Hydra's order, and the swept keys.

    Every key gets its list of `key=value` lines (one for a plain override, one per value for a
    sweep; a key given twice keeps its first place and its last values); the jobs are their
    Cartesian product, the last key varying fastest, as Hydra's basic sweeper numbers them.

    Raises:
        ValueError: a sweep that is not a list of values (an interval for an optimiser).
    """
    columns: dict[str, list[str]] = {}
    swept: list[str] = []
    for override in parse_overrides(lines, config_loader):
        key = override.get_key_element()
        if override.is_sweep_override():
            if not override.is_discrete_sweep():
                raise ValueError(
                    f"'{override.input_line}' sweeps an interval; a grid sweep needs "
                    "a list of values, e.g. key=1,2,3 or key=range(1,4)"
                )
            columns[key] = [f"{key}={v}" for v in override.sweep_string_iterator()]
            swept.append(override.key_or_group)
        else:
            columns[key] = [f"{key}={override.get_value_element_as_str()}"]
    return [list(job) for job in itertools.product(*columns.values())], swept


class HydraOverrides:
    """What `sim.analysis.sweep.collect` needs to read Hydra's override lines."""

    def values(self, lines: Sequence[str]) -> dict[str, Any]:
        """Typed values of plain overrides."""
        return override_values(lines)

    def expand(self, task: Sequence[str]) -> tuple[list[list[str]], list[str]] | None:
        """The planned jobs and swept keys of a multirun's task overrides (None: not a grid)."""
        try:
            return grid_jobs(task)
        except Exception:  # noqa: BLE001 - a sweep this module cannot expand: use what is on disk
            return None


def collect(sweep_dir: str | Path) -> SweepTable:
    """`sim.analysis.sweep.collect` of a Hydra multirun directory (see there)."""
    from sim.analysis.sweep import collect as collect_table

    return collect_table(sweep_dir, HydraOverrides())


def preflight_sets(overrides: list[str], multirun: bool) -> list[list[str]]:
    """The override lists to compose: each sweep value once, the other sweeps at their first value.

    Raises:
        hydra.errors.OverrideParseException: a malformed override.
    """
    parsed = parse_overrides(overrides)
    if not multirun:
        return [overrides]
    fixed: list[str] = []
    sweeps: list[list[str]] = []
    for o in parsed:
        if not o.is_sweep_override():
            fixed.append(o.input_line)
            continue
        try:
            values = [f"{o.get_key_element()}={v}" for v in o.sweep_string_iterator()]
        except Exception:  # noqa: BLE001 - interval sweeps of optimising sweepers
            continue
        if values:
            sweeps.append(values)
    sets = [fixed + [s[0] for s in sweeps]]
    for i, values in enumerate(sweeps):
        for v in values[1:]:
            sets.append(fixed + [s[0] if j != i else v for j, s in enumerate(sweeps)])
    return sets[:MAX_PREFLIGHT_CONFIGS]


def with_one_value_changed(
    base: tuple[list[str], DictConfig] | None, overrides: list[str]
) -> DictConfig | None:
    """The config of `overrides` without composing, when it differs from `base` in one plain value.

    A sweep point that changes only a value (seed=3, strategy.staff=4), not a preset or a section,
    is the base config with that value set, which is what Hydra's composition would do, at a
    fiftieth of the cost. Returns None when the config has to be composed.
    """
    from hydra.core.override_parser.types import OverrideType

    if base is None or len(base[0]) != len(overrides):
        return None
    changed = [o for o, b in zip(overrides, base[0]) if o != b]
    if len(changed) != 1:
        return None
    try:
        override = parse_overrides(changed)[0]
        key, value = override.key_or_group, override.value()
        if (
            override.type != OverrideType.CHANGE
            or override.package is not None
            or override.is_sweep_override()
            or key.startswith("hydra")
            or not isinstance(value, (int, float, bool, str))
        ):
            return None
        parent, _, leaf = key.rpartition(".")
        node = OmegaConf.select(base[1], parent) if parent else base[1]
        if not isinstance(node, DictConfig) or leaf not in node or OmegaConf.is_missing(node, leaf):
            return None  # a missing key: Hydra composes (and explains)
        current = OmegaConf.select(node, leaf)
        if current is None or OmegaConf.is_config(current):
            return None  # a section or a preset (perhaps null): Hydra composes
        cfg = copy.deepcopy(base[1])
        OmegaConf.update(cfg, key, value, merge=True)
        return cfg
    except Exception:  # noqa: BLE001 - anything unusual: compose it the regular way
        return None
