"""The complaint life cycle: follow-ups as a hazard of waiting time, severity and what was received."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from sim.config.model_schema import ComplainerConfig
from sim.engine.lifecycle import FollowupRule, Lifecycle
from sim.service.cases import Case
from sim.service.draws import CaseDraws


class Calendar:
    """The part of the model a life cycle uses: a clock, a calendar, follow-ups and giving up."""

    def __init__(self, tick_min: float = 1.0):
        self.tick, self.tick_min = 0, tick_min
        self.due: dict[int, list] = defaultdict(list)
        self.followups: list[tuple[int, int]] = []  # (tick, author)
        self.gave_up: list[int] = []

    def schedule(self, tick, fn, *args):
        self.due[tick].append((fn, args))

    def post_followup(self, case):
        case.followups += 1
        self.followups.append((self.tick, case.author))

    def complainer_gave_up(self, case):
        self.gave_up.append(case.author)

    def run_until(self, tick: int, news: dict[int, list] | None = None) -> None:
        news = news or {}
        while self.tick < tick:
            self.tick += 1
            for fn, args in self.due.pop(self.tick, ()):
                fn(*args)
            for action in news.get(self.tick, ()):
                action()


def _cases(n: int, severity: float = 1.0, patience_tick: int = -1) -> list[Case]:
    return [Case(id=i, author=i + 10, post=i, tick=0, severity=severity, followers=10,
                 influence=1, key=1000 + i, patience_tick=patience_tick) for i in range(n)]


def _first_followups(n=2000, severity=1.0, cfg=None, rule=FollowupRule(3.0, 1), received=None,
                     at=0, horizon=60 * 48) -> np.ndarray:
    """Minutes to each complainer's first follow-up (inf if none within the horizon)."""
    model = Calendar()
    life = Lifecycle(model, cfg or ComplainerConfig(), CaseDraws(7))
    cases = _cases(n, severity)
    for c in cases:
        life.start(c, rule)
    news = {at: [lambda c=c: life.received(c, received) for c in cases]} if received else None
    model.run_until(horizon, news)
    first = {a: t for t, a in reversed(model.followups)}
    return np.array([first.get(c.author, math.inf) for c in cases], dtype=float)


def test_half_of_complainers_follow_up_by_the_scale_at_severity_one():
    t = _first_followups()
    assert np.median(t) == pytest.approx(180, rel=0.08)
    # Weibull shape 1.5: P(T <= w) = 1 - 2^-((w/T)^1.5); at w = 2T about 86%
    assert (t <= 360).mean() == pytest.approx(1 - 2 ** -(2 ** 1.5), abs=0.03)


def test_severity_and_waiting_raise_the_hazard():
    mild, severe = _first_followups(severity=0.3), _first_followups(severity=1.0)
    assert np.median(mild) > 1.8 * np.median(severe)  # (1/0.3)^(1/1.5) = 2.2 times later
    flat = _first_followups(cfg=ComplainerConfig(severity_exponent=0.0), severity=0.3)
    assert np.median(flat) == pytest.approx(180, rel=0.08)


def test_what_was_received_orders_the_follow_ups():
    """From the complaint's first minute: nothing < canned < peer < personal < resolved (never)."""
    median = {}
    for what in (None, "canned", "peer", "personal"):
        median[what] = np.median(_first_followups(received=what, at=1))
    assert median[None] < median["canned"] < median["peer"] < median["personal"] < math.inf
    # factor f scales the cumulative hazard, so the median moves by f^(-1/shape)
    assert median["personal"] / median[None] == pytest.approx(0.35 ** (-1 / 1.5), rel=0.1)
    assert np.isinf(_first_followups(received="resolved", at=1)).all()
    assert (_first_followups(received="redirect", at=1) <= _first_followups()).all()


def test_a_late_answer_only_lowers_the_hazard_from_then_on():
    early = _first_followups(received="personal", at=30)
    late = _first_followups(received="personal", at=240)
    never = _first_followups()
    # those who posted before the late answer posted at the same minute as without any answer
    before = never < 240
    assert before.mean() > 0.4 and (late[before] == never[before]).all()
    after = ~before
    assert (late[after] >= never[after]).all() and (late[after] > never[after]).mean() > 0.9
    assert np.median(late) < np.median(early)


def test_the_same_thresholds_are_crossed_later_when_the_hazard_is_lower():
    """Common random numbers: a lower factor delays each complainer's follow-up, never advances it."""
    base = _first_followups(horizon=60 * 200)
    canned = _first_followups(received="canned", at=1, horizon=60 * 200)
    both = np.isfinite(base) & np.isfinite(canned)
    assert both.mean() > 0.9 and (canned[both] >= base[both]).all()


def test_follow_ups_stop_at_the_cap_and_the_old_switch_ends_them():
    model = Calendar()
    life = Lifecycle(model, ComplainerConfig(), CaseDraws(3))
    cases = _cases(300)
    for c in cases:
        life.start(c, FollowupRule(3.0, 2))
    model.run_until(60 * 200)
    per = np.bincount([a for _, a in model.followups], minlength=400)
    assert per.max() == 2 and (per[[c.author for c in cases]] == 2).mean() > 0.95
    quiet = Calendar()
    life = Lifecycle(quiet, ComplainerConfig(), CaseDraws(3))
    cases = _cases(300)
    for c in cases:
        life.start(c, FollowupRule(3.0, 2, quiet_on_reply=True))
    quiet.run_until(60 * 48, {1: [lambda c=c: life.received(c, "personal") for c in cases]})
    assert quiet.followups == []


def test_patience_ends_an_unanswered_thread_but_not_an_answered_one():
    model = Calendar()
    life = Lifecycle(model, ComplainerConfig(), CaseDraws(5))
    waiting, answered = _cases(50, patience_tick=30), _cases(50, patience_tick=30)
    for c in answered:
        c.author += 1000
        c.first_response = 5
    for c in waiting + answered:
        life.start(c, FollowupRule(3.0, 3))
    model.run_until(60 * 48)
    assert sorted(model.gave_up) == sorted(c.author for c in waiting)
    gave_up = {c.author for c in waiting}
    assert not any(a in gave_up and t > 30 for t, a in model.followups)  # none after minute 30
    assert life.metrics()["complainers_gave_up"] == 50


def test_unknown_answer_is_refused():
    life = Lifecycle(Calendar(), ComplainerConfig(), CaseDraws(1))
    case = _cases(1)[0]
    life.start(case, FollowupRule(3.0, 1))
    with pytest.raises(ValueError, match="unknown answer"):
        life.received(case, "a postcard")
