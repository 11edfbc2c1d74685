"""Typed schemas of the apps' primary configs, and the line between Hydra and the library."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import yaml

from experiments import schemas
from sim.analysis.sweep import PlainOverrides
from tests.conftest import CONF, ROOT, compose_config


def test_every_primary_config_lists_its_schema_first():
    # optional: a plain compose that never imported experiments (sim/viz/presets.py) still works,
    # untyped; every entry point imports experiments.common, which registers the schemas
    primaries = sorted(p.stem for p in CONF.glob("*.yaml"))
    assert primaries == sorted(schemas.SCHEMAS)
    for name in primaries:
        defaults = yaml.safe_load((CONF / f"{name}.yaml").read_text())["defaults"]
        assert defaults[0] == {"optional schema": schemas.SCHEMA_NAMES.get(name, name)}, name


@pytest.mark.parametrize("config_name", sorted(schemas.SCHEMAS))
def test_the_schema_declares_every_key_of_the_composed_config(config_name):
    cfg = compose_config(config_name)
    schemas.check_keys(cfg, config_name)  # raises on a key the schema lacks
    assert set(cfg) <= {f for f in schemas.SCHEMAS[config_name].__dataclass_fields__}


@pytest.mark.parametrize("config_name", sorted(schemas.SCHEMAS))
def test_an_entry_point_registers_its_schema_before_composing(config_name):
    code = ("import sys; from hydra.core.config_store import ConfigStore; "
            "from experiments.common import run_app; "
            f"run_app(lambda: None, config_name={config_name!r}, check=None, argv=['--cfg', 'job']);"
            "print(sorted(ConfigStore.instance().list('schema')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str([f"{schemas.SCHEMA_NAMES.get(config_name, config_name)}.yaml"])


def test_a_key_added_with_plus_is_found():
    from omegaconf.errors import ConfigKeyError

    cfg = compose_config("compare", ["+nonsense_key=3"])  # Hydra itself lets it in
    with pytest.raises(ConfigKeyError, match="nonsense_key"):
        schemas.check_keys(cfg, "compare")


@pytest.mark.parametrize(("schema", "key", "expected"), [
    (schemas.RunSchema, "seed", (int, False)),
    (schemas.RunSchema, "strategy.staff", (int, False)),
    (schemas.RunSchema, "scenario.incidents.0.severity", (float, False)),
    (schemas.ReplaySchema, "replicates", (int, True)),
    (schemas.CalibrateSchema, "sla.share", (float, False)),
    (schemas.FiguresSchema, "compare_with", (str, True)),
    (schemas.RunSchema, "nonsense", None),
    (schemas.RunSchema, "strategy.nonsense", None),
])
def test_declared_type_of_a_dotted_key(schema: type, key: str, expected: Any):
    assert schemas.declared_type(schema, key) == expected


def test_the_sweep_table_module_imports_no_hydra():
    code = ("import sys, sim.analysis.sweep; "
            "print(sorted(m for m in sys.modules if m == 'hydra' or m.startswith('hydra.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_plain_override_values_are_typed_as_yaml():
    values = PlainOverrides().values(["strategy.staff=4", "strategy=ignore", "+x.y=0.5",
                                      "figures=false", "seed=[1,2]"])
    assert values == {"strategy.staff": 4, "strategy": "ignore", "x.y": 0.5, "figures": False,
                      "seed": "[1, 2]"}
    assert PlainOverrides().expand(["seed=1,2"]) is None


@pytest.mark.parametrize("config_name", ["config", "sensitivity", "figures"])
def test_a_scenarios_settings_reach_the_run_under_the_typed_schema(config_name):
    """The schema types every key but sets none, so `scenario.settings` still fill in the rest."""
    from experiments.common import run_config

    schemas.register(config_name)
    rc = run_config(compose_config(config_name, ["scenario=united_breaks_guitars"]))
    assert rc.diffusion.max_age_h == 504  # united_breaks_guitars: settings diffusion.max_age_h
    explicit = run_config(compose_config(config_name, ["scenario=united_breaks_guitars",
                                                       "diffusion.max_age_h=50"]))
    assert explicit.diffusion.max_age_h == 50  # a value set on the command line still wins


def test_every_preset_composes_and_validates_in_every_app():
    """Every scenario and every strategy preset in every app; every pair of them in `config` (the
    apps share the run sections, so a pair that validates there validates everywhere)."""
    from experiments.common import run_config
    from sim.config import presets

    scenarios, strategies = presets.names("scenario"), presets.names("strategy")
    for config_name in schemas.SCHEMAS:
        schemas.register(config_name)
        for scenario in scenarios:
            cfg = compose_config(config_name, [f"scenario={scenario}"])
            if "strategy" in cfg:
                run_config(cfg)
                pairs = strategies if config_name == "config" else strategies[:1]
                for strategy in pairs:
                    run_config(compose_config(config_name, [f"scenario={scenario}",
                                                            f"strategy={strategy}"]))
            else:
                data = dict(cfg)
                assert data["scenario"]["name"] == scenario
        cfg = compose_config(config_name, [])
        if "strategy" in cfg:
            for strategy in strategies:
                run_config(compose_config(config_name, [f"strategy={strategy}"]))
