"""The follow-up switch: whether a personal reply alone stops an unresolved complainer's follow-ups."""

from __future__ import annotations

import copy

from sim import run
from tests.conftest import make_config


def _followups_of_named(quiet_on_reply: bool) -> tuple[int, int]:
    # a desk that answers every complaint in minutes but resolves none
    cfg = copy.deepcopy(make_config(strategy="fast_social_care", size=5000, horizon_h=24))
    cfg["strategy"].update(resolution_skill=0.0, phone_uptake=0.0)
    for incident in cfg["scenario"]["incidents"]:
        incident["quiet_on_reply"] = quiet_on_reply
    events = run(cfg).events
    named = {1 + i for i in range(len(cfg["scenario"]["accounts"]))}
    most = sum(i["max_followups"] * len(i["complainers"]) for i in cfg["scenario"]["incidents"])
    return int(((events["kind"] == "followup") & events["author"].isin(named)).sum()), most


def test_a_reply_quiets_by_default_and_not_when_switched_off():
    assert _followups_of_named(True)[0] == 0
    # answered but unresolved: each named complainer follows up every 3 h, up to max_followups
    posted, most = _followups_of_named(False)
    assert most > 0 and posted == most
