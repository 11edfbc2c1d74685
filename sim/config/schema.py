"""Typed configuration of one run: scenario, strategy, network, population and dynamics.

Every section is a plain dataclass so that the library needs no Hydra; the sections live in
`scenario_schema`, `strategy_schema` and `model_schema`, their fields carry their metadata
(`sim.config.fields`), and `sim.config.sections` reads the list of sections from `RunConfig`.
The Hydra apps in `experiments/` compose YAML from `conf/` and hand the resulting mapping to
`RunConfig.from_dict`, which checks types (through OmegaConf's structured configs) and ranges
(through `validate`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.choices import (  # noqa: F401 - re-exported with the schema
    EDGELIST_FORMATS,
    NETWORK_KINDS,
    ORGANISATIONS,
    REPLY_MODES,
    ROLES,
    TRIAGE_ORDERS,
)
from sim.config.fields import param, section
from sim.config.model_schema import (  # noqa: F401 - re-exported
    ComplainerConfig,
    DiffusionConfig,
    NetworkConfig,
    OpinionConfig,
    PopulationConfig,
    RoleShares,
)
from sim.config.scenario_schema import (  # noqa: F401 - re-exported
    BrandAction,
    BrandConfig,
    ChatterConfig,
    FreeParameter,
    Incident,
    NamedAccount,
    ScenarioConfig,
    Target,
)
from sim.config.strategy_schema import StrategyConfig
from sim.config.validation import validate
from sim.errors import ConfigError


@dataclass
class RunConfig:
    """Everything one run needs. `RunConfig.from_dict` builds and checks one."""

    seed: int = param(1, doc="root seed of the run's random streams", kind="seed")
    # the one list of a run's sections (sim.config.sections derives every other from it)
    scenario: ScenarioConfig = section(
        ScenarioConfig, doc="what happens: clock, brand, incidents", preset_group=True
    )
    strategy: StrategyConfig = section(
        StrategyConfig, doc="how the company answers", preset_group=True
    )
    network: NetworkConfig = section(
        NetworkConfig, doc="the follower graph", settings=True, preset_group=True
    )
    population: PopulationConfig = section(PopulationConfig, doc="the customers", settings=True)
    diffusion: DiffusionConfig = section(
        DiffusionConfig, doc="exposure and reshares", settings=True
    )
    opinion: OpinionConfig = section(OpinionConfig, doc="sentiment dynamics", settings=True)
    complainer: ComplainerConfig = section(
        ComplainerConfig, doc="how a waiting complainer behaves", settings=True
    )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None = None, *, check: bool = True) -> RunConfig:
        """Build a checked RunConfig from a (possibly partial) nested mapping.

        Keys the run does not use (such as Hydra's `output_dir`) are ignored. Unknown keys inside
        the known sections are errors, so that a misspelt knob never passes silently.
        """
        raw: Any = OmegaConf.to_container(data, resolve=True) if OmegaConf.is_config(data) else data
        plain = {k: v for k, v in dict(raw or {}).items() if k in RUN_SECTIONS}
        plain = apply_scenario_settings(plain)
        schema_cls: type = cls  # a class object is hashable, as the schema cache needs
        try:
            merged = OmegaConf.merge(_structured_schema(schema_cls), plain)  # copies the schema
            cfg = OmegaConf.to_object(merged)
        except OmegaConfBaseException as exc:
            raise _config_error_from_omegaconf(exc, plain) from None
        assert isinstance(cfg, cls)  # to_object of a structured schema builds its dataclass
        if check:
            validate(cfg)
        return cfg

    def to_dict(self) -> dict[str, Any]:
        """The config as plain nested dicts and lists."""
        return asdict(self)


SECTION_FIELDS = tuple(f for f in fields(RunConfig) if f.metadata.get("kind") == "section")
RUN_SECTIONS = ("seed",) + tuple(f.name for f in SECTION_FIELDS)  # top-level keys of a run config
SETTINGS_SECTIONS = tuple(f.name for f in SECTION_FIELDS if f.metadata["settings"])


@functools.cache
def _structured_schema(cls: type) -> Any:
    """The typed OmegaConf schema of a config dataclass, built once (it takes 15 ms)."""
    return OmegaConf.structured(cls)


def apply_scenario_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Fill in `scenario.settings` (dotted key -> value) where `data` sets no value itself."""
    scenario = data.get("scenario") or {}
    settings = (
        scenario.get("settings")
        if isinstance(scenario, Mapping)
        else getattr(scenario, "settings", None)
    ) or {}
    if not settings:
        return data
    if not isinstance(settings, Mapping):
        raise ConfigError(
            "scenario.settings",
            settings,
            "a mapping of dotted keys to values, e.g. {strategy.staff: 4}",
        )
    import copy

    data = copy.deepcopy(data)
    for dotted, value in settings.items():
        section, *path = str(dotted).split(".")
        if section not in SETTINGS_SECTIONS or not path:
            raise ConfigError(
                f"scenario.settings.{dotted}",
                value,
                "dotted keys of the " + ", ".join(SETTINGS_SECTIONS) + " sections",
            )
        node = data.setdefault(section, {})
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise ConfigError(f"scenario.settings.{dotted}", value, "a key inside a section")
        node.setdefault(path[-1], value)
    return data


def _locate(data: Any, leaf: str, value: Any, prefix: str = "") -> str | None:
    """The dotted path of the first key named `leaf` holding `value` in nested data ([i]: lists)."""
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for k, v in items:
        path = f"{prefix}[{k}]" if isinstance(k, int) else (f"{prefix}.{k}" if prefix else str(k))
        if k == leaf and (value is None or str(v) == str(value)):
            return path
        found = _locate(v, leaf, value, path)
        if found:
            return found
    return None


def _config_error_from_omegaconf(exc: OmegaConfBaseException, data: Any = None) -> ConfigError:
    key = getattr(exc, "full_key", None) or "?"
    if "." not in key and "[" not in key and key not in RUN_SECTIONS:  # OmegaConf lost the path
        key = _locate(data, key, getattr(exc, "value", None)) or key
    msg = str(exc).splitlines()[0]
    value = getattr(exc, "value", None) if hasattr(exc, "value") else None
    if "Key '" in msg and "not in" in msg:
        return ConfigError(key, value, f"a known key ({msg})")
    return ConfigError(key, value, f"a value of the declared type ({msg})")
