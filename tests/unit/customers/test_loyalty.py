"""Satisfaction may show a bounded recovery paradox; loyalty (the churn driver) never does."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.schema import DiffusionConfig, OpinionConfig, PopulationConfig
from sim.customers.opinion import Opinion, churn_probability
from sim.customers.population import build_population
from sim.network import heavy_tailed

N = 5000


@pytest.fixture(scope="module")
def pop():
    rng = np.random.default_rng(11)
    g = heavy_tailed(N, 20.0, 1000, 2.3, rng)
    return build_population(PopulationConfig(size=N), DiffusionConfig(), g.follower_counts(), rng)


def recover(op: Opinion, people: np.ndarray, minutes: np.ndarray, severity: float = 0.4,
            compensation: float = 0.0) -> np.ndarray:
    """Hit each person, answer and resolve them after their minutes; their pre-problem levels."""
    before = op.s[people].copy()
    for p, t in zip(people.tolist(), minutes.tolist()):
        op.incident_hit(p, severity)
        op.replied(p, t, canned=False)
        op.resolved(p, t, compensation)
    assert np.allclose(op.pre[people], before)
    return before


def test_only_fast_resolutions_lift_satisfaction_above_the_pre_problem_level(pop):
    cfg = OpinionConfig(recovery_gain=1.0, paradox_max=0.1, paradox_window_min=60.0)
    op = Opinion(cfg, pop)
    people = np.arange(10, 1010)
    minutes = np.tile([0.0, 15.0, 45.0, 60.0, 240.0], people.size // 5)
    pre = recover(op, people, minutes, severity=0.2)
    over = op.s[people] - pre
    allowance = 0.1 * np.maximum(0.0, 1.0 - minutes / 60.0)
    assert np.all(over <= allowance + 1e-12)  # bounded by the allowance at every delay
    ok = pre < 0.8  # room above (recovery_gain 1 pulls everyone to +1 without the ceiling)
    assert np.all(over[(minutes == 0.0) & ok] == pytest.approx(0.1))  # instant: the full paradox
    assert over[(minutes == 15.0) & ok] == pytest.approx(0.075)
    assert np.all(over[minutes >= 60.0] <= 1e-12)  # slow ones recover at most to where they were


def test_loyalty_of_a_recovered_complainer_never_exceeds_their_pre_problem_level(pop):
    rng = np.random.default_rng(3)
    op = Opinion(OpinionConfig(recovery_gain=0.9, paradox_max=0.3, compensation_gain=0.5), pop)
    people = rng.choice(np.arange(1, N), size=800, replace=False)
    minutes = rng.exponential(30.0, people.size)
    pre = recover(op, people, minutes, severity=0.3, compensation=200.0)
    loyalty = op.loyalty()[people]
    assert (op.s[people] > pre + 0.01).mean() > 0.3  # satisfaction shows the paradox for many
    assert np.all(loyalty <= pre + 1e-12)  # loyalty never does
    assert churn_probability(loyalty, PopulationConfig()).min() >= 0.0
    # never more loyal than the same customer without the problem: churn is at least as likely
    never = churn_probability(pre, PopulationConfig(churn_threshold=0.5))
    assert np.all(churn_probability(loyalty, PopulationConfig(churn_threshold=0.5)) >= never - 1e-12)


def test_a_reply_alone_never_lifts_satisfaction_above_the_pre_problem_level(pop):
    op = Opinion(OpinionConfig(reply_gain=0.9), pop)
    people = np.arange(20, 220)
    pre = op.s[people].copy()
    for p in people.tolist():
        op.incident_hit(p, 0.05)
        op.replied(p, 0.0, canned=False)
    assert np.all(op.s[people] <= pre + 1e-12)
    assert np.allclose(op.s[people], np.minimum(pre, pre - 0.05 + 0.9))


def test_loyalty_moves_with_later_exposure_and_keeps_the_surplus_out(pop):
    op = Opinion(OpinionConfig(recovery_gain=1.0, paradox_max=0.2), pop)
    p = int(np.flatnonzero(pop.sentiment0 < 0.3)[0])
    pre = recover(op, np.array([p]), np.array([0.0]), severity=0.1)[0]
    surplus = op.s[p] - op.loyalty()[p]
    assert surplus == pytest.approx(0.2) and op.loyalty()[p] == pytest.approx(pre)
    op.expose(np.array([p]), np.array([0]), np.array([-1.0]))  # a negative post moves both
    assert op.s[p] - op.loyalty()[p] == pytest.approx(surplus)
    assert op.loyalty()[p] < pre


def test_a_complainer_without_a_hit_is_measured_against_a_customer_without_a_problem(pop):
    op = Opinion(OpinionConfig(), pop)
    typical = pop.sentiment0[pop.is_customer].mean()
    assert np.allclose(op.pre, np.maximum(pop.sentiment0, typical))
    unhappy = int(np.flatnonzero(pop.sentiment0 < typical - 0.3)[0])
    op.resolved(unhappy, 0.0)  # an everyday complaint resolved at once
    assert op.s[unhappy] <= typical + OpinionConfig().paradox_max + 1e-12
    assert op.loyalty()[unhappy] <= typical + 1e-12
