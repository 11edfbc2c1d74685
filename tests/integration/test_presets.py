"""The preset module: conf/ located once, presets listed and loaded, runs composed as Hydra does."""

from __future__ import annotations

import pytest

from experiments.common import run_config as hydra_run_config
from sim.config import presets
from sim.config.schema import RunConfig
from sim.errors import ConfigError
from tests.conftest import ROOT, compose_config

SCENARIOS = presets.names("scenario")
STRATEGIES = ("ignore", "fast_social_care", "business_hours", "chatbot_first")


def test_conf_dir_is_the_checkout_conf():
    assert presets.conf_dir() == ROOT / "conf"
    assert "united_sarver" in SCENARIOS and len(SCENARIOS) >= 7
    files = (ROOT / "conf" / "strategy").glob("*.yaml")
    assert presets.names("strategy") == sorted(p.stem for p in files)


def test_missing_preset_names_the_choices():
    with pytest.raises(ConfigError) as info:
        presets.load("strategy", "shout_back")
    assert "strategy" in str(info.value) and "fast_social_care" in str(info.value)


def test_overrides_are_read_like_the_command_line():
    lines = ["strategy.staff=4", "scenario.horizon_h=1e1", 'strategy.shift="mon-fri 09:00-17:00"',
             "++strategy.bot=true"]
    assert presets.parse_overrides(lines) == {
        "strategy.staff": 4, "scenario.horizon_h": 10.0, "strategy.shift": "mon-fri 09:00-17:00",
        "strategy.bot": True}


def _explicit_settings(scenario: str) -> list[str]:
    # Hydra's typed schema fills every section with the library defaults, so a scenario's
    # `settings` only take effect there when given explicitly (see test below).
    settings = presets.load("scenario", scenario).get("settings") or {}
    return [f"{k}={v}" for k, v in settings.items() if k != "population.size"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_compose_equals_hydra_composition(scenario):
    for strategy in STRATEGIES:
        over = _explicit_settings(scenario) + ["strategy.staff=3", "seed=5"]
        ours = presets.run_config(scenario, strategy, overrides=over)
        hydra = hydra_run_config(compose_config("config", [f"scenario={scenario}",
                                                           f"strategy={strategy}", *over]))
        assert ours == hydra, (scenario, strategy)


def test_compose_defaults_are_those_of_config_yaml():
    ours = presets.run_config()
    assert ours == hydra_run_config(compose_config("config"))
    assert (ours.scenario.name, ours.strategy.name, ours.network.kind) == (
        "united_sarver", "ignore", "heavy_tailed")
    assert ours.population.size == 100_000  # config.yaml's own key wins over the scenario settings


def test_compose_keeps_the_scenario_settings():
    cfg = presets.run_config("united_breaks_guitars", "united_2009")
    assert cfg.diffusion.max_age_h == 504 and cfg.diffusion.view_delay_median_min == 360


def test_compose_refuses_an_override_below_a_value():
    with pytest.raises(ConfigError):
        presets.compose(overrides={"seed.x": 1})
    assert isinstance(presets.run_config(overrides={"population.size": 5000}), RunConfig)


def test_every_package_is_listed_in_pyproject():
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    found = {str(p.parent.relative_to(ROOT)).replace("/", ".")
             for top in ("sim", "experiments", "hydra_plugins") for p in (ROOT / top).rglob("*.py")}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages"
    assert "socialcare_conf" in listed


def test_dashboard_presets_use_the_preset_module():
    from sim.viz.presets import compose_run_config, preset_names

    assert preset_names("strategy") == presets.names("strategy")
    cfg = compose_run_config("united_sarver", "fast_social_care", 5000, 3,
                             strategy_overrides={"staff": 2, "shift": "mon-fri 09:00-17:00"},
                             overrides=["scenario.horizon_h=12"])
    want = presets.run_config("united_sarver", "fast_social_care", overrides={
        "population.size": 5000, "seed": 3, "strategy.staff": 2,
        "strategy.shift": "mon-fri 09:00-17:00", "scenario.horizon_h": 12})
    assert cfg == want and cfg.strategy.staff == 2
