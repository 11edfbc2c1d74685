"""Shift calendars, triage order and contact channels."""

from __future__ import annotations

import pytest

from sim.errors import ConfigError
from sim.service.cases import Case, TriageQueue
from sim.service.channels import Channel
from sim.service.shifts import parse_shift


def test_office_hours_on_weekdays_only():
    s = parse_shift("mon-fri 09:00-17:00")
    assert s.on_duty(0, 9 * 60) and s.on_duty(4, 16 * 60 + 59)
    assert not s.on_duty(0, 17 * 60) and not s.on_duty(0, 8 * 60 + 59)
    assert not s.on_duty(5, 12 * 60) and not s.on_duty(6, 12 * 60)
    assert s.hours_per_week == 40


def test_round_the_clock_and_night_shifts():
    assert parse_shift("24/7").hours_per_week == 168
    night = parse_shift("daily 22:00-06:00")
    assert night.on_duty(0, 23 * 60) and night.on_duty(1, 5 * 60) and not night.on_duty(1, 12 * 60)
    assert night.on_duty(0, 3 * 60)  # Sunday's night shift runs into Monday
    combo = parse_shift("mon-fri 09:00-17:00; sat 10:00-14:00")
    assert combo.hours_per_week == 44


@pytest.mark.parametrize("bad", ["9-5", "mon-fri 9-17", "funday 09:00-17:00", "mon 25:00-26:00", "mon 09:00-09:00"])
def test_malformed_shifts_name_the_key(bad):
    with pytest.raises(ConfigError) as err:
        parse_shift(bad, key="strategy.shift")
    assert "strategy.shift" in str(err.value)


def _case(i, influence, followers, severity=0.3, queued=0):
    c = Case(id=i, author=i, post=i, tick=0, severity=severity, followers=followers, influence=influence)
    c.queued, c.awaiting = queued, True
    return c


def test_triage_orders():
    cases = [_case(0, 10, 100, 0.9, 0), _case(1, 90, 5000, 0.1, 1), _case(2, 50, 200000, 0.5, 2)]
    expect = {"fifo": [0, 1, 2], "influence": [1, 2, 0], "followers": [2, 1, 0], "severity": [0, 2, 1]}
    for order, ids in expect.items():
        q = TriageQueue(order)
        for c in cases:
            q.push(c)
        assert [q.pop().id for _ in cases] == ids
        assert q.pop() is None


def test_answered_or_closed_cases_are_skipped():
    q = TriageQueue("fifo")
    a, b = _case(0, 1, 1), _case(1, 1, 1)
    q.push(a)
    q.push(b)
    a.awaiting = False
    assert q.pop() is b


def test_channel_serves_its_capacity_per_hour():
    phone = Channel("phone", 500.0, 1.60, 0.6, tick_min=1.0)
    for i in range(2000):
        phone.arrive(_case(i, 1, 1), 0)
    served = sum(len(phone.serve(t)) for t in range(60))
    assert served == 500
    assert phone.spent == pytest.approx(500 * 1.60)
    assert len(phone.waiting) == 1500 and phone.peak == 2000
