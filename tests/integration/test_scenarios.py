"""The scenario library: every scenario loads and runs small; its mechanics and metrics are real."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments.scenarios import CONF_DIR, scenario_names, scenario_runs
from sim.analysis.calibration import get_path
from sim.errors import ConfigError
from sim.config.schema import RunConfig, Target
from sim.engine.runner import run
from sim.analysis.targets import band, distance, evaluate, measure, median_ci, within

SCENARIOS = scenario_names()
EXPECTED = {"united_sarver", "comcast_cares", "da_grasso_delight", "alaska_air_weather", "att_care_team",
            "united_breaks_guitars", "baseline_week"}


def small(name: str, size: int = 3000, horizon_h: float | None = 12.0, strategy: str | None = None) -> dict:
    """A small run config of a scenario under its documented (or another) strategy."""
    runs = scenario_runs(name, size=size)
    cfg = runs.documented
    if horizon_h is not None:
        cfg["scenario"]["horizon_h"] = min(horizon_h, cfg["scenario"]["horizon_h"])
        for inc in cfg["scenario"].get("incidents", []):
            inc["at_h"] = min(inc["at_h"], horizon_h / 4)
        cfg["scenario"]["actions"] = [a for a in cfg["scenario"].get("actions", []) if a["at_h"] <= horizon_h]
    if strategy is not None:
        cfg["strategy"] = yaml.safe_load(open(CONF_DIR / "strategy" / f"{strategy}.yaml", encoding="utf-8"))
    return cfg


def test_the_library_has_every_documented_case():
    assert EXPECTED <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_declares_story_sources_targets_and_free_bounds(name):
    raw = yaml.safe_load(open(CONF_DIR / "scenario" / f"{name}.yaml", encoding="utf-8"))
    runs = scenario_runs(name)
    sc = runs.checked.scenario
    assert len(sc.description) > 80 and sc.sources and sc.reference_population > 0
    assert sc.targets and all(t.source for t in sc.targets)
    assert (CONF_DIR / "strategy" / f"{sc.strategy}.yaml").is_file()
    if sc.counterfactual:
        assert runs.counterfactual is not None
    full = runs.checked.to_dict()
    for fp in sc.free:  # every free value in the file lies inside its bounds
        assert fp.low <= get_path(full, fp.key) <= fp.high, fp.key
    text = (CONF_DIR / "scenario" / f"{name}.yaml").read_text(encoding="utf-8")
    assert "calibrated" in text.lower() or not raw.get("free"), "free parameters are marked as calibrated"
    assert "assumed" in text.lower() and "sourced" in text.lower()


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_runs_small_and_produces_every_target_metric(name):
    cfg = small(name)
    rc = RunConfig.from_dict(cfg)
    result = run(rc)
    for t in rc.scenario.targets:
        value = measure(t, result.metrics, result.timeseries)
        assert isinstance(value, float)
    assert result.metrics["scale_factor"] == pytest.approx(rc.scenario.reference_population / rc.population.size)


def test_scenario_settings_replace_defaults_but_explicit_values_win():
    cfg = small("united_breaks_guitars")
    assert RunConfig.from_dict(cfg).diffusion.view_delay_median_min == 360
    cfg["diffusion"] = {"view_delay_median_min": 45.0}
    assert RunConfig.from_dict(cfg).diffusion.view_delay_median_min == 45.0
    cfg["scenario"]["settings"]["strategy.staff"] = 3
    with pytest.raises(ConfigError, match="scenario.settings.strategy.staff"):
        RunConfig.from_dict(cfg)


def test_scenario_size_comes_from_its_settings_unless_given():
    assert scenario_runs("da_grasso_delight").checked.population.size == 200_000
    assert scenario_runs("da_grasso_delight", size=4000).checked.population.size == 4000


def test_bad_scenario_values_are_refused_naming_the_key():
    cfg = small("comcast_cares")
    cfg["scenario"]["targets"][0]["bound"] = "roughly"
    with pytest.raises(ConfigError, match=r"targets\[0\].bound"):
        RunConfig.from_dict(cfg)
    cfg = small("united_breaks_guitars", horizon_h=None)
    cfg["scenario"]["actions"][0]["kind"] = "apologise"
    with pytest.raises(ConfigError, match=r"actions\[0\].kind"):
        RunConfig.from_dict(cfg)
    cfg = small("baseline_week")
    cfg["scenario"]["targets"][0]["lift"] = True  # no counterfactual to compare with
    with pytest.raises(ConfigError, match=r"targets\[0\].lift"):
        RunConfig.from_dict(cfg)


# ----------------------------------------------------------------------------- mechanics


def _events(result, kind):
    ev = result.events
    return ev[ev["kind"] == kind]


def test_scripted_answers_run_at_their_hours_under_the_documented_strategy_only():
    cfg = small("united_breaks_guitars", size=4000, horizon_h=60.0)
    cfg["scenario"]["incidents"][0]["at_h"] = 0.0
    documented = run(cfg)
    assert _events(documented, "scripted_reply")["t_min"].tolist() == [24 * 60.0]
    assert _events(documented, "scripted_resolve")["t_min"].tolist() == [48 * 60.0]
    assert documented.metrics["cost_compensation"] == 3000.0
    assert documented.metrics["incident_responded_share"] == 1.0
    assert documented.metrics["incident_response_min"] == 24 * 60.0
    other = run(small("united_breaks_guitars", size=4000, horizon_h=60.0, strategy="ignore"))
    assert len(_events(other, "scripted_reply")) == 0 and other.metrics["cost_compensation"] == 0


def test_a_desk_that_answered_first_makes_the_scripted_answer_a_no_op():
    cfg = small("united_breaks_guitars", size=4000, horizon_h=60.0, strategy="fast_social_care")
    cfg["scenario"]["strategy"] = "fast_social_care"  # scripted actions belong to this strategy now
    cfg["scenario"]["incidents"][0]["at_h"] = 0.0
    m = run(cfg)
    assert m.metrics["incident_response_min"] < 24 * 60.0
    assert len(_events(m, "scripted_reply")) == 0


def test_direct_contacts_queue_on_the_phone_and_the_web_absorbs_them():
    cfg = small("alaska_air_weather", size=20_000, horizon_h=30.0)
    cfg["scenario"]["reference_population"] = 20_000
    web = run(cfg).metrics
    phone = run(small("alaska_air_weather", size=20_000, horizon_h=30.0, strategy="alaska_phone_only")
                | {"scenario": cfg["scenario"]}).metrics
    assert web["direct_contacts"] == phone["direct_contacts"] > 1000  # same victims (common draws)
    assert phone["phone_peak_per_hour"] == 500 and phone["web_peak_per_hour"] == 0
    assert phone["phone_wait_mean_min"] > 5 * web["phone_wait_mean_min"]
    assert web["cost_per_web_contact"] == pytest.approx(0.54) and phone["cost_per_phone_contact"] == pytest.approx(1.60)
    assert web["cost_contacts"] < phone["cost_contacts"]
    assert web["complaints"] < 0.2 * web["direct_contacts"]  # direct contacts are not social complaints


def test_campaign_reach_counts_people_who_saw_delighted_customers_posts():
    cfg = small("da_grasso_delight", size=20_000, horizon_h=72.0)
    cfg["scenario"]["reference_population"] = 20_000
    cfg["scenario"]["brand"]["followers"] = 5000
    m = run(cfg).metrics
    assert m["delights"] > 0 and m["campaign_posts"] >= 1
    assert 0 < m["reach_campaign"] <= m["impressions_campaign"]
    assert m["campaign_positive_share"] == 1.0
    assert m["fan_posts"] <= m["fan_mentions"] <= m["mentions_brand"]


def test_follower_exponent_follows_the_generator_exponent():
    measured = {}
    for exponent in (2.0, 2.3, 2.7):
        cfg = small("baseline_week", size=50_000, horizon_h=1.0)
        cfg["network"] = {"exponent": exponent}
        measured[exponent] = run(cfg).metrics["follower_exponent"]
    assert measured == pytest.approx({2.0: 2.0, 2.3: 2.3, 2.7: 2.7}, abs=0.05)


def test_reuse_of_an_environment_changes_nothing():
    from sim.analysis.environments import clear_cache, environment
    from sim.analysis.replay import replicate

    cfg = small("baseline_week", size=4000, horizon_h=24.0)
    (fresh,) = replicate(cfg, None, [3], reuse=False)
    clear_cache()
    replicate(cfg, None, [3], reuse=True)  # fills the cache
    cfg2 = {**cfg, "scenario": {**cfg["scenario"], "chatter": {**cfg["scenario"]["chatter"]}}}
    (again,) = replicate(cfg2, None, [3], reuse=True)  # network and population from the cache
    assert fresh.metrics.keys() == again.metrics.keys()
    assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(fresh.metrics.values(), again.metrics.values()))
    env = environment(RunConfig.from_dict({**cfg, "seed": 3}), reuse_structure=True)
    assert env.pop.size == 4000


# ----------------------------------------------------------------------------- targets


def test_target_bands_and_distances():
    near = Target(name="a", documented=10.0, tolerance=0.2)
    assert band(near) == (8.0, 12.0) and within(near, 11.9) and not within(near, 12.1)
    assert distance(near, 12.0) == pytest.approx(1.0)
    low = Target(name="b", documented=100.0, tolerance=0.1, bound="at_least")
    assert within(low, 1e9) and within(low, 91) and not within(low, 89)
    assert distance(low, 150.0) == 0 and distance(low, 95.0) == pytest.approx(-0.5)
    high = Target(name="c", documented=60.0, tolerance=0.0, bound="at_most", absolute=True)
    assert within(high, 60.0) and not within(high, 60.5) and not within(high, math.nan)


def test_lift_targets_are_paired_relative_changes():
    t = Target(name="lift", metric="m", documented=1.0, tolerance=0.1, lift=True)
    doc, cf = [{"lift": 20.0}, {"lift": 40.0}], [{"lift": 10.0}, {"lift": 20.0}]
    r = evaluate([t], doc, cf)[0]
    assert r.simulated_mean == pytest.approx(1.0) and r.ok and r.ci_low == pytest.approx(1.0)


def test_windowed_targets_sum_the_hourly_flow_and_scale_it():
    t = Target(name="w", metric="impressions_incident_scaled", by_h=2)
    hourly = pd.DataFrame({"hour": [1, 2, 3], "impressions_incident": [5, 7, 100]})
    assert measure(t, {"scale_factor": 10.0}, hourly) == 120.0


def test_median_interval_covers_the_median():
    x = np.random.default_rng(1).exponential(20.0, size=41)
    m, lo, hi, n = median_ci(x)
    assert lo <= m <= hi and n == 41 and m == pytest.approx(np.median(x))
