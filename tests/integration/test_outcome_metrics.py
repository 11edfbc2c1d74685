"""Excess churn, named accounts at real scale, brand reach apart, the value of a reply, ROI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.stats import value_of_response
from sim.config.schema import BrandConfig, RunConfig
from sim.customers.opinion import churn_probability
from sim.engine.model import build_environment
from sim.engine.runner import run
from sim.errors import ConfigError
from sim.outputs.value_metrics import wtp
from tests.conftest import deep_update, make_config

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def paired():
    """ignore and fast_social_care on the United scenario, three seeds, shared environments."""
    out: dict[str, list[dict]] = {"ignore": [], "fast_social_care": []}
    envs = []
    for seed in SEEDS:
        cfgs = {s: RunConfig.from_dict(make_config(strategy=s, size=10_000, seed=seed)) for s in out}
        env = build_environment(cfgs["ignore"])
        envs.append((cfgs["ignore"], env))
        for s, cfg in cfgs.items():
            out[s].append(run(cfg, env=env).metrics)
    return out, envs


def test_excess_churn_is_churn_over_the_baseline_at_the_starting_sentiment(paired):
    runs, envs = paired
    for i, (cfg, env) in enumerate(envs):
        a, b = runs["ignore"][i], runs["fast_social_care"][i]
        assert a["churn_baseline"] == b["churn_baseline"]  # common to every strategy of a seed
        for m in (a, b):
            assert m["churn_excess"] == m["churned"] - m["churn_baseline"]
            assert m["revenue_at_risk"] == m["churn_excess"] * cfg.scenario.brand.clv
            assert m["revenue_at_risk_scaled"] == m["churn_excess_scaled"] * cfg.scenario.brand.clv
    # the baseline is what the churn probabilities at the starting sentiment give, over seeds
    observed = sum(r["churn_baseline"] for r in runs["ignore"])
    p = np.concatenate([
        churn_probability(env.pop.sentiment0[1:], cfg.population)[env.pop.is_customer[1:]]
        for cfg, env in envs
    ])
    assert abs(observed - p.sum()) < 4 * math.sqrt((p * (1 - p)).sum()) + 1


def test_named_accounts_count_once_at_real_scale():
    cfg = make_config(size=5000, horizon_h=6, population={"size": 5000, "churn_prob_max": 1.0})
    cfg["scenario"]["brand"]["customer_share"] = 1.0
    for acc in cfg["scenario"]["accounts"]:
        acc["sentiment"] = -1.0  # every named account leaves at baseline
    m = run(cfg).metrics
    k = len(cfg["scenario"]["accounts"])
    f = m["scale_factor"]
    assert k >= 1 and f > 10
    assert m["churn_baseline_scaled"] == (m["churn_baseline"] - k) * f + k
    assert m["churn_baseline_scaled"] < m["churn_baseline"] * f
    named_left = m["churned_scaled"] - (m["churned"] - k) * f
    assert named_left == pytest.approx(k)  # they also leave at the end: counted once each


def test_brand_posts_are_reported_apart_from_customers_positive_reach(paired):
    runs, _ = paired
    for m in runs["ignore"]:
        assert m["reach_brand"] == 0 and m["reach_positive_customers"] == m["reach_positive"]
    for m in runs["fast_social_care"]:
        assert m["reach_brand"] > 0
        assert m["reach_positive_customers"] < m["reach_positive"]
        assert m["reach_positive"] <= m["reach_positive_customers"] + m["reach_brand"]
        assert m["reach_brand_scaled"] == m["reach_brand"] * m["scale_factor"]


def test_the_value_of_a_reply_falls_from_20_to_2_33_dollars():
    b = BrandConfig()
    t = np.array([0.0, 3.0, 6.0, 10.0, 22.0, 45.0, 60.0, 120.0, 1e4])
    v = wtp(t, b)
    assert v[:3] == pytest.approx([20.0] * 3) and v[-3:] == pytest.approx([2.33] * 3)
    assert np.all(np.diff(v) <= 0) and np.all(np.diff(v[2:7]) < 0)  # decreasing, strictly inside
    assert wtp(22.0, b) == pytest.approx(20.0 - 17.67 * math.log(22 / 6) / math.log(10))
    # near the study's "about $9 for any reply" for replies spread around its 22-minute median
    minutes = np.random.default_rng(0).lognormal(math.log(22.0), 1.2, 200_000)
    assert 7.0 < wtp(minutes, b).mean() < 12.0


def test_reply_value_sums_the_curve_over_answered_complainers(paired):
    runs, _ = paired
    assert all(m["reply_value_usd"] == 0.0 for m in runs["ignore"])
    for m in runs["fast_social_care"]:
        answered = round(m["workload_responded_share"] * m["workload_complaints"])
        assert answered > 0
        assert 2.33 * answered - 1e-6 <= m["reply_value_usd"] <= 20.0 * answered + 1e-6


def test_slower_replies_are_worth_less_per_complainer():
    per_answer = {}
    for name, knobs in (("fast", {}), ("slow", {"listening_latency_min": 180.0})):
        values = []
        for seed in SEEDS:
            cfg = make_config(strategy="fast_social_care", size=5000, horizon_h=12, seed=seed)
            cfg["strategy"].update(knobs)
            m = run(cfg).metrics
            answered = m["workload_responded_share"] * m["workload_complaints"]
            values.append(m["reply_value_usd"] / answered)
        per_answer[name] = np.array(values)
    assert np.all(per_answer["slow"] < per_answer["fast"])
    assert per_answer["slow"].mean() < 0.6 * per_answer["fast"].mean()  # a mean 3-hour lag


def test_roi_counts_the_value_of_replies():
    rows = []
    for rep in range(4):
        rows.append(dict(strategy="ignore", replicate=rep, cost_total=0.0,
                         impressions_negative_scaled=1000.0, revenue_at_risk_scaled=500.0,
                         reply_value_usd=0.0))
        rows.append(dict(strategy="fast", replicate=rep, cost_total=100.0,
                         impressions_negative_scaled=800.0, revenue_at_risk_scaled=450.0,
                         reply_value_usd=150.0 + rep))
    runs = pd.DataFrame(rows)
    roi = value_of_response(runs, "ignore").set_index(["strategy", "metric"]).loc[("fast", "roi")]
    assert roi["mean"] == pytest.approx((50.0 + 151.5 - 100.0) / 100.0)
    without = value_of_response(runs.drop(columns="reply_value_usd"), "ignore")
    roi_without = without.set_index(["strategy", "metric"]).loc[("fast", "roi"), "mean"]
    assert roi_without == pytest.approx((50.0 - 100.0) / 100.0)


@pytest.mark.parametrize("section, knobs, key", [
    ("scenario", {"brand": {"reply_fast_min": 60.0, "reply_slow_min": 6.0}}, "reply_fast_min"),
    ("scenario", {"brand": {"reply_value_slow": 30.0}}, "reply_value_slow"),
    ("strategy", {"delight_day_start_h": 22.0, "delight_day_end_h": 8.0}, "delight_day_start_h"),
    ("opinion", {"paradox_max": 1.5}, "paradox_max"),
])
def test_the_new_parameters_are_checked(section, knobs, key):
    cfg = deep_update(make_config(size=2000), {section: knobs})
    with pytest.raises(ConfigError, match=key):
        RunConfig.from_dict(cfg)
