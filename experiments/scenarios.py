"""Scenario files as run configurations, for the replay and the calibration.

A replay runs a scenario's documented strategy (`scenario.strategy`, a preset of conf/strategy/)
and, if the scenario names one, its counterfactual (`scenario.counterfactual`), on the same
replicates. The population size is `size` when given, else the scenario's own
`settings: population.size`, else DEFAULT_SIZE.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.config import presets
from sim.config.schema import RunConfig
from sim.errors import ConfigError

CONF_DIR = presets.conf_dir()
DEFAULT_SIZE = 20_000
DEFAULT_REPLICATES = 10


def scenario_names() -> list[str]:
    """Every scenario file of conf/scenario/."""
    return presets.names("scenario")


load_preset = presets.load  # a preset of conf/<group>/ as plain data (ConfigError if missing)


@dataclass
class ScenarioRuns:
    """The run configurations of one scenario's replay."""

    name: str
    documented: dict[str, Any]  # run config of the documented strategy (seed set per replicate)
    counterfactual: dict[str, Any] | None
    checked: RunConfig  # the documented config, checked

    @property
    def replicates(self) -> int:
        """Replicates the scenario asks for (its `replicates`, else DEFAULT_REPLICATES)."""
        return self.checked.scenario.replicates or DEFAULT_REPLICATES

    @property
    def strategy(self) -> str:
        """Name of the documented strategy."""
        return self.checked.scenario.strategy

    @property
    def counterfactual_name(self) -> str:
        """Name of the counterfactual strategy ("" if none)."""
        return self.checked.scenario.counterfactual


def scenario_runs(
    scenario: Mapping[str, Any] | str,
    *,
    seed: int = 1,
    size: int | None = None,
    network: Mapping[str, Any] | None = None,
) -> ScenarioRuns:
    """Build (and check) the run configs of a scenario's replay.

    Args:
        scenario: a scenario name (file in conf/scenario/) or its content as a mapping.
        seed: seed of replicate 0.
        size: population size (None: the scenario's settings, else DEFAULT_SIZE).
        network: network section (None: the library default, heavy-tailed).

    Raises:
        ConfigError: a bad value or an unknown strategy preset, naming the key.
    """
    data = (
        load_preset("scenario", scenario)
        if isinstance(scenario, str)
        else copy.deepcopy(dict(scenario))
    )
    strategy_name = str(data.get("strategy", "ignore"))
    base: dict[str, Any] = {"seed": int(seed), "scenario": data}
    if network:
        base["network"] = dict(network)
    settings = data.get("settings") or {}
    if size is not None or "population.size" not in settings:
        base["population"] = {"size": int(size if size is not None else DEFAULT_SIZE)}
    try:
        documented = {**base, "strategy": load_preset("strategy", strategy_name)}
    except ConfigError:
        raise ConfigError(
            "scenario.strategy", strategy_name, "the name of a strategy preset in conf/strategy/"
        ) from None
    checked = RunConfig.from_dict(documented)
    counterfactual = None
    if checked.scenario.counterfactual:
        try:
            counterfactual = {
                **copy.deepcopy(base),
                "strategy": load_preset("strategy", checked.scenario.counterfactual),
            }
        except ConfigError:
            raise ConfigError(
                "scenario.counterfactual",
                checked.scenario.counterfactual,
                "the name of a strategy preset in conf/strategy/",
            ) from None
        RunConfig.from_dict(counterfactual)
    return ScenarioRuns(checked.scenario.name, documented, counterfactual, checked)
