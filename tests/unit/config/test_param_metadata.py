"""Parameter metadata on the config fields, the section registry and the former hidden constants."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

from sim.config.choices import POST_KINDS
from sim.config.fields import CHECKS, OTHER_KINDS, info, infos, param
from sim.config.schema import ChatterConfig, RunConfig
from sim.config.sections import (
    RUN_SECTIONS, SECTION_TYPES, SECTIONS, SETTINGS_SECTIONS, all_subsections,
)
from sim.scenario.schedule import Clock, author_weights, chatter_schedule, diurnal
from tests.conftest import make_config


def test_every_field_of_every_section_carries_metadata():
    for title, cls, _ in all_subsections():
        for meta in infos(cls):  # raises for a field declared without param()
            assert meta.doc.strip(), f"{title}.{meta.name} has no description"
            assert meta.kind in CHECKS or meta.kind in OTHER_KINDS


def test_param_copies_mutable_defaults_and_refuses_unknown_kinds():
    table = {"a": 1.0}
    f = param(table, doc="a table", kind="table")
    first, second = f.default_factory(), f.default_factory()
    assert first == table and first is not table and first is not second
    with pytest.raises(ValueError):
        param(1.0, doc="x", kind="percentage")


def test_bounds_come_from_the_metadata():
    amplitude = next(f for f in fields(ChatterConfig) if f.name == "diurnal_amplitude")
    assert info(amplitude).problem(0.5) is None
    assert "between 0 and 1" in info(amplitude).problem(1.5)
    peak = next(f for f in fields(ChatterConfig) if f.name == "diurnal_peak_h")
    assert info(peak).range == "[0, 24]" and info(peak).problem(-1.0)


def test_run_config_sections_are_the_registry():
    assert tuple(f.name for f in fields(RunConfig)) == RUN_SECTIONS
    for s in SECTIONS:
        assert next(f for f in fields(RunConfig) if f.name == s.name).default_factory is s.cls
    assert SECTION_TYPES["diffusion"].__name__ == "DiffusionConfig"
    assert SETTINGS_SECTIONS == ("network", "population", "diffusion", "opinion", "complainer")


def test_kind_reshare_covers_every_post_kind_with_the_former_constants():
    table = RunConfig.from_dict({}).diffusion.kind_reshare
    assert tuple(table) == POST_KINDS
    former = [1.0, 1.0, 1.0, 1.0, 0.2, 0.5, 1.0, 0.0, 0.3, 0.5]  # the old KIND_RESHARE array
    assert [table[k] for k in POST_KINDS] == former


def test_kind_reshare_changes_what_is_reshared():
    from sim import run

    cfg = make_config(size=3000, horizon_h=12)
    base = run(RunConfig.from_dict(cfg)).metrics["reshares"]
    none = {k: 0.0 for k in POST_KINDS}
    quiet = run(RunConfig.from_dict({**cfg, "diffusion": {"kind_reshare": none}})).metrics
    assert base > 0 and quiet["reshares"] == 0


def test_diurnal_defaults_are_the_former_constants():
    hours = np.arange(24.0)
    assert np.array_equal(diurnal(hours), 1.0 + 0.7 * np.cos(2.0 * np.pi * (hours - 16.0) / 24.0))
    assert np.allclose(diurnal(hours, 0.0), 1.0)


def test_chatter_parameters_shape_the_background_posts():
    from sim.engine.model import build_environment

    cfg = RunConfig.from_dict(make_config(size=5000, horizon_h=48))
    env = build_environment(cfg)
    clock = Clock(cfg.scenario)
    flat = replace(cfg, scenario=replace(cfg.scenario, chatter=replace(cfg.scenario.chatter,
                                                                       diurnal_amplitude=0.0)))
    rng = np.random.default_rng
    peaked = chatter_schedule(cfg, env.pop, clock, rng(7))
    even = chatter_schedule(flat, env.pop, clock, rng(7))
    hour = lambda ch: np.array([clock.hour_of_day(t) for t in ch.tick])  # noqa: E731
    afternoon = lambda ch: np.mean((hour(ch) >= 12) & (hour(ch) < 20))  # noqa: E731
    assert afternoon(peaked) > afternoon(even) + 0.1
    ch = cfg.scenario.chatter
    w = author_weights(env.pop, ch, -1)
    w_more = author_weights(env.pop, replace(ch, non_customer_weight=1.0), -1)
    outsiders = ~env.pop.is_customer
    assert np.allclose(w_more[outsiders], w[outsiders] / 0.3)
    assert np.array_equal(w_more[~outsiders], w[~outsiders])
