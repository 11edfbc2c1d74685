"""Sentiment rules, churn, population roles and influence scores."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.schema import DiffusionConfig, OpinionConfig, PopulationConfig
from sim.network import heavy_tailed
from sim.customers.opinion import Opinion, churn
from sim.customers.population import ROLE_INDEX, build_population, influence_score


@pytest.fixture(scope="module")
def pop():
    rng = np.random.default_rng(5)
    g = heavy_tailed(20_000, 30.0, 5000, 2.3, rng)
    return build_population(PopulationConfig(size=20_000), DiffusionConfig(), g.follower_counts(), rng,
                            named_roles=["networker"], named_sentiments=[0.1])


def test_sentiment_stays_in_bounds_under_many_exposures(pop):
    op = Opinion(OpinionConfig(rate=0.9, negativity_bias=5.0), pop)
    rng = np.random.default_rng(1)
    for _ in range(50):
        viewers = rng.integers(0, pop.size, 5000)
        authors = rng.integers(0, pop.size, 5000)
        op.expose(viewers, authors, rng.choice([-1.0, 1.0], 5000))
        assert op.s.min() >= -1.0 and op.s.max() <= 1.0


def test_negativity_bias_makes_bad_news_pull_harder(pop):
    viewers = np.arange(1000, 3000)
    authors = np.full(viewers.size, 5)
    neg, pos = Opinion(OpinionConfig(), pop), Opinion(OpinionConfig(), pop)
    neg.expose(viewers, authors, np.full(viewers.size, -1.0))
    pos.expose(viewers, authors, np.full(viewers.size, 1.0))
    down = (pop.sentiment0[viewers] - neg.s[viewers]).mean()
    up = (pos.s[viewers] - pop.sentiment0[viewers]).mean()
    assert down > 1.5 * up > 0


def test_opinion_leaders_persuade_more_than_users(pop):
    leaders = np.flatnonzero(pop.role == ROLE_INDEX["opinion_leader"])[:1]
    users = np.flatnonzero(pop.role == ROLE_INDEX["user"])[:1]
    viewers = np.arange(2000, 4000)
    shifts = []
    for author in (leaders[0], users[0]):
        op = Opinion(OpinionConfig(), pop)
        op.expose(viewers, np.full(viewers.size, author), np.full(viewers.size, -1.0))
        shifts.append((pop.sentiment0[viewers] - op.s[viewers]).mean())
    assert shifts[0] > 1.5 * shifts[1]


def test_fast_resolution_can_beat_the_starting_sentiment_but_a_late_one_not(pop):
    op = Opinion(OpinionConfig(), pop)
    start = 0.1
    for minutes, above in ((10.0, True), (2000.0, False)):
        op.s[1] = start
        op.incident_hit(1, 0.7)
        op.replied(1, minutes, canned=False)
        op.resolved(1, minutes)
        assert bool(op.s[1] > start) == above


def test_churn_only_of_very_negative_customers():
    cfg = PopulationConfig(churn_threshold=-0.5, churn_prob_max=1.0)
    s = np.array([-1.0, -0.9, -0.6, -0.4, 0.5, -1.0])
    cust = np.array([True, True, True, True, True, False])
    # probability rises linearly from 0 at the threshold to churn_prob_max at -1
    left = churn(s, cust, np.full(6, 0.5), cfg)
    assert left.tolist() == [True, True, False, False, False, False]


def test_roles_change_who_they_are(pop):
    role = pop.role
    net = role == ROLE_INDEX["networker"]
    amp = role == ROLE_INDEX["amplifier"]
    trend = role == ROLE_INDEX["trendsetter"]
    user = role == ROLE_INDEX["user"]
    assert pop.followers[net].mean() > 5 * pop.followers[user].mean()
    assert pop.activity[amp].mean() > pop.activity[user].mean()
    assert pop.post_propensity[trend].mean() > 2 * pop.post_propensity[user].mean()
    counts = pop.role_counts()
    assert counts["networker"] == pytest.approx(0.02 * pop.size, abs=2)
    assert counts["amplifier"] == pytest.approx(0.10 * pop.size, abs=2)


def test_influence_score_rises_with_reach_and_engagement():
    followers = np.array([10, 10, 10_000, 10_000, 100])
    engagement = np.array([0.1, 5.0, 0.1, 5.0, 1.0])
    score = influence_score(followers, engagement)
    assert score.min() >= 1 and score.max() <= 100
    assert score[1] > score[0] and score[3] > score[2] and score[3] == 100
