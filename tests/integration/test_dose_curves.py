"""Dose-response claims of the strategist's guide, with replicates and paired intervals."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.dose import dose_response
from tests.conftest import make_config

METRICS = ["reach_negative", "reply_value_usd", "cost_total", "utilisation"]


@pytest.fixture(scope="module")
def staff_curve():
    """United under fast_social_care, desks that all keep up (4, 6, 8, 12 agents), paired.

    16 replicates: the 8 -> 12 step is small (about $45 of reply value a day) and needs them;
    at 4 replicates its interval included 0 on two of three seed sets.
    """
    base = make_config(strategy="fast_social_care", size=20_000, horizon_h=None, seed=11)
    return dose_response(base, "strategy.staff", [4, 6, 8, 12], 16, METRICS, n_jobs=2)


def test_desks_that_keep_up_are_told_apart_by_the_value_of_replies(staff_curve):
    steps = staff_curve.steps().set_index(["metric", "from_dose"])
    value = steps.loc["reply_value_usd"]
    assert (value["ci_low"] > 0).all(), value  # every paired step above zero
    gains = value["change"].to_numpy()
    assert gains[0] > gains[1] > gains[2]  # diminishing returns (4->6, 6->8, 8->12)
    cost = steps.loc["cost_total"]["change"].to_numpy()
    assert (cost > 0).all()


def test_reach_does_not_rise_with_more_agents_and_utilisation_falls(staff_curve):
    summary = staff_curve.summary().set_index(["metric", "dose"])["mean"]
    reach = summary.loc["reach_negative"].to_numpy()
    assert np.all(np.diff(reach) <= 0.01 * reach[0]), reach  # monotone within 1%
    util = summary.loc["utilisation"].to_numpy()
    assert np.all(np.diff(util) < 0) and util[-1] < 0.5
