"""The desk's former hidden constants are config knobs: checked ranges, and they act."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.config.schema import RunConfig
from sim.engine.model import SocialCareModel
from sim.errors import ConfigError
from tests.conftest import make_config


@pytest.mark.parametrize("section, key, bad", [
    ("strategy", "kb_speedup", 1.5), ("strategy", "kb_speedup", -0.1),
    ("strategy", "community_min_sentiment", -1.5), ("strategy", "community_min_sentiment", 2.0),
    ("scenario", "warmup_h", -1.0),
])
def test_out_of_range_values_are_refused_by_name(section, key, bad):
    data = make_config()
    data[section][key] = bad
    with pytest.raises(ConfigError) as err:
        RunConfig.from_dict(data)
    assert f"{section}.{key}" in str(err.value)


def test_super_users_must_be_happier_than_the_threshold():
    pop = SimpleNamespace(is_customer=np.ones(6, dtype=bool),
                          influence=np.array([9, 9, 5, 8, 7, 6]),
                          sentiment0=np.array([0.9, 0.9, 0.2, 0.4, 0.6, -0.2]))
    cfg = RunConfig.from_dict(make_config())
    fake = SimpleNamespace(pop=pop, cfg=cfg)  # node 0 is the brand, 1 the named account
    cfg.scenario.accounts = cfg.scenario.accounts[:1]
    assert SocialCareModel.super_user_nodes(fake, 5).tolist() == [3, 4]
    cfg.strategy.community_min_sentiment = -0.5
    assert SocialCareModel.super_user_nodes(fake, 5).tolist() == [3, 4, 5, 2]


@pytest.mark.parametrize("hours", [0.0, 24.0])
def test_the_model_warms_the_desk_up_for_warmup_h(hours):
    data = make_config(strategy="fast_social_care", size=2_000, horizon_h=2.0)
    data["scenario"]["warmup_h"] = hours
    cfg = RunConfig.from_dict(data)
    model = SocialCareModel(cfg)
    before = [c.tick for c in model.desk.unseen_cases]  # what arrived before tick 0
    assert model.tick == 0
    if hours == 0:
        assert before == []
    else:
        assert min(before) >= -hours * 60.0 / cfg.scenario.tick_min - 1 and min(before) < -60
        assert max(before) < 0


def test_listening_cost_is_charged_per_day_and_changes_nothing_else():
    from sim.engine.runner import run

    free = make_config(strategy="fast_social_care", size=2000, horizon_h=12.0)
    priced = make_config(strategy="fast_social_care", size=2000, horizon_h=12.0)
    priced["strategy"]["listening_cost_per_day"] = 240.0
    a, b = run(free).metrics, run(priced).metrics
    assert a["cost_listening"] == 0.0
    assert b["cost_listening"] == pytest.approx(120.0)  # half a day at $240 a day
    assert b["cost_total"] == pytest.approx(a["cost_total"] + 120.0)
    assert b["reach_negative"] == a["reach_negative"] and b["cost_staff"] == a["cost_staff"]
