"""The presets of `conf/` without Hydra: where they are, which there are, and a run built from them.

`conf/` is found once: the repository's `conf/` in a checkout, else the copy installed as the
package data `socialcare_conf` (pyproject.toml maps that package to `conf/`). Every app, the
dashboard and the tests read presets through this module; `compose` builds a run config the way
Hydra composes `conf/config.yaml` (its defaults list, then its own keys, then the overrides).
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from sim.config.sections import PRESET_GROUPS, RUN_SECTIONS
from sim.errors import ConfigError

CONF_PACKAGE = "socialcare_conf"  # the installed copy of conf/ (package data)
PRIMARY = "config.yaml"  # the primary config of one run


@functools.cache
def conf_dir() -> Path:
    """The directory holding the presets: a checkout's `conf/`, else the installed package data.

    Raises:
        FileNotFoundError: neither is there (a broken installation).
    """
    checkout = Path(__file__).resolve().parents[2] / "conf"
    if (checkout / PRIMARY).is_file():
        return checkout
    try:  # a namespace package (no __init__.py): join to a file to get a concrete path
        installed = Path(str(importlib.resources.files(CONF_PACKAGE).joinpath(PRIMARY))).parent
    except ModuleNotFoundError:
        installed = None
    if installed is None or not (installed / PRIMARY).is_file():
        raise FileNotFoundError(
            f"The presets are missing: neither {checkout} nor the package "
            f"data '{CONF_PACKAGE}' holds {PRIMARY}; reinstall socialcare-sim."
        )
    return installed


def names(group: str) -> list[str]:
    """Preset names of a config group (`scenario`, `strategy`, `network`, ...), sorted."""
    return sorted(p.stem for p in (conf_dir() / group).glob("*.yaml"))


def path(group: str, name: str) -> Path:
    """The file of a preset (ConfigError naming the choices when there is none)."""
    file = conf_dir() / group / f"{name}.yaml"
    if not file.is_file():
        raise ConfigError(
            group, name, f"the name of a preset in conf/{group}/: " + ", ".join(names(group))
        )
    return file


def read(file: str | Path, kind: str = "preset") -> dict[str, Any]:
    """A YAML file holding a mapping, as plain data (an empty file is an empty mapping).

    Raises:
        UserFileError: (a ConfigError) the file is missing, unreadable, not YAML or not a mapping;
            the message names the file and the line (`sim.config.user_files`).
    """
    from sim.config.user_files import load_user_yaml

    return load_user_yaml(file, kind, allow_empty=True)


def load(group: str, name: str) -> dict[str, Any]:
    """A preset of conf/<group>/ as plain data (ConfigError naming the choices if missing)."""
    return read(path(group, name), f"{group} preset")


def defaults(config: str = PRIMARY) -> dict[str, str]:
    """The preset each group gets in a primary config's defaults list (group -> name)."""
    out: dict[str, str] = {}
    for item in read(conf_dir() / config).get("defaults", []):
        if isinstance(item, dict):
            for key, value in item.items():
                if key in PRESET_GROUPS and isinstance(value, str):
                    out[key] = value
    return out


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    node = data
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(dotted, value, f"a key inside a section ('{part}' is a value)")
    node[leaf] = copy.deepcopy(value)


def parse_overrides(overrides: Sequence[str] | Mapping[str, Any]) -> dict[str, Any]:
    """Dotted key -> value, from a mapping or from `key=value` strings (values read as YAML)."""
    if isinstance(overrides, Mapping):
        return dict(overrides)
    out: dict[str, Any] = {}
    for line in overrides:
        key, sep, text = str(line).lstrip("+").partition("=")
        if not sep or not key:
            raise ConfigError("overrides", line, "key=value, e.g. strategy.staff=4")
        out[key] = _value(text)
    return out


def _value(text: str) -> Any:
    """A command-line value as Hydra reads it: YAML, with 1e3-style numbers as floats."""
    value = yaml.safe_load(text) if text else ""
    if isinstance(value, str) and value == text.strip():
        try:
            return float(value)
        except ValueError:
            return value
    return value


def compose(
    scenario: str | None = None,
    strategy: str | None = None,
    network: str | None = None,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    config: str = PRIMARY,
) -> dict[str, Any]:
    """The run config (plain data) of presets and overrides, as Hydra composes `config`.

    Args:
        scenario: a preset of conf/scenario/ (None: the primary config's default).
        strategy: a preset of conf/strategy/ (None: the default).
        network: a preset of conf/network/ (None: the default).
        overrides: dotted key -> value, or `key=value` strings, applied last.
        config: the primary config whose defaults list and own keys are used.

    Returns:
        The run sections (seed, scenario, strategy, network, population, ...) as nested dicts;
        `RunConfig.from_dict` checks them (and applies the scenario's settings).
    """
    chosen = {
        **defaults(config),
        **{
            k: v
            for k, v in (("scenario", scenario), ("strategy", strategy), ("network", network))
            if v
        },
    }
    data: dict[str, Any] = {}
    for group in PRESET_GROUPS:
        if group in chosen:
            data[group] = load(group, chosen[group])
    own = {k: v for k, v in read(conf_dir() / config).items() if k in RUN_SECTIONS}
    _merge(data, own)  # _self_ comes last in the defaults lists of conf/
    for dotted, value in parse_overrides(overrides).items():
        _set(data, dotted, value)
    return data


def run_config(
    scenario: str | None = None,
    strategy: str | None = None,
    network: str | None = None,
    overrides: Sequence[str] | Mapping[str, Any] = (),
):
    """The checked RunConfig of presets and overrides (see `compose`)."""
    from sim.config.schema import RunConfig

    return RunConfig.from_dict(compose(scenario, strategy, network, overrides))
