"""Follow-ups in a whole run: what the desk does moves them smoothly; the old switch still works."""

from __future__ import annotations

import copy

import numpy as np

from sim import run
from tests.conftest import make_config

NAMED_SEEDS = range(4)


def _followups(strategy: str, seed: int, quiet_on_reply: bool = False, **knobs) -> tuple[int, int]:
    """(follow-ups of the named complainers, the most they may post) in a 24 h run."""
    cfg = copy.deepcopy(make_config(strategy=strategy, size=5000, horizon_h=24, seed=seed))
    cfg["strategy"].update(knobs)
    for incident in cfg["scenario"]["incidents"]:
        incident["quiet_on_reply"] = quiet_on_reply
    events = run(cfg).events
    named = {1 + i for i in range(len(cfg["scenario"]["accounts"]))}
    most = sum(i["max_followups"] * len(i["complainers"]) for i in cfg["scenario"]["incidents"])
    return int(((events["kind"] == "followup") & events["author"].isin(named)).sum()), most


def test_the_old_switch_silences_answered_complainers():
    # a desk that answers every complaint in minutes but resolves none
    unresolving = dict(resolution_skill=0.0, phone_uptake=0.0)
    assert all(_followups("fast_social_care", s, True, **unresolving)[0] == 0 for s in NAMED_SEEDS)


def test_no_single_reply_switches_the_incident_off():
    """Answered but unresolved, named complainers still post follow-ups; resolving cuts them."""
    unresolving = dict(resolution_skill=0.0, phone_uptake=0.0)
    answered = np.array([_followups("fast_social_care", s, **unresolving)[0] for s in NAMED_SEEDS])
    resolving = np.array([_followups("fast_social_care", s, resolution_skill=1.0)[0]
                          for s in NAMED_SEEDS])
    assert answered.sum() > 0
    assert resolving.sum() < answered.sum()
