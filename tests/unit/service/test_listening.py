"""Listening finds complaints with its recall and latency, and hands them off when siloed."""

from __future__ import annotations

import pytest

from sim.engine.rng import derive
from sim.service.listening import Listening
from tests.unit.service.fakes import DRAWS, Calendar, case, strategy


def _listening(clock, found, **knobs):
    return Listening(strategy(**knobs), clock, clock, DRAWS, found.append)


def test_recall_is_the_share_of_complaints_found():
    clock, found = Calendar(), []
    listening = _listening(clock, found, listening_recall=0.4, listening_latency_min=30.0)
    cases = [case(i) for i in range(3000)]
    for c in cases:
        listening.listen(c, derive(7, c.post))
    clock.run_until(10_000)
    assert len(found) / len(cases) == pytest.approx(0.4, abs=0.03)
    assert clock.kinds().count("detected") == len(found)
    delays = [c.detected - c.tick for c in found]
    assert min(delays) >= 1
    assert sum(delays) / len(delays) == pytest.approx(30.5, rel=0.1)  # whole ticks, mean 30 min


def test_inactive_listening_finds_nothing():
    clock, found = Calendar(), []
    s = strategy(listening_recall=1.0)
    listening = Listening(s, clock, clock, DRAWS, found.append, active=False)
    listening.listen(case(0), 1)
    assert not clock.calendar and not found


def test_a_closed_or_already_found_case_is_not_found_again():
    clock, found = Calendar(), []
    listening = _listening(clock, found, listening_recall=1.0)
    closed, twice = case(0), case(1)
    listening.listen(closed, 1)
    listening.listen(twice, 2)
    listening.listen(twice, 3)
    closed.closed = 0
    clock.run_until(10_000)
    assert found == [twice]


def test_integrated_hand_off_delivers_at_once():
    clock, delivered = Calendar(), []
    listening = _listening(clock, [], organisation="integrated")
    assert listening.hand_off(case(0), delivered.append)
    assert len(delivered) == 1 and not clock.calendar


def test_siloed_hand_off_is_delayed_or_lost():
    clock, delivered = Calendar(), []
    safe = _listening(clock, [], organisation="siloed", handoff_loss=0.0, handoff_delay_min=240.0)
    c = case(0)
    assert safe.hand_off(c, delivered.append)
    assert not delivered and c.handoffs == 1 and clock.kinds() == ["handoff"]
    clock.run_until(100_000)
    assert delivered == [c]
    lossy = _listening(clock, [], organisation="siloed", handoff_loss=1.0)
    lost = case(1)
    assert not lossy.hand_off(lost, delivered.append)
    assert lost.lost and lossy.handoffs_lost == 1 and lossy.metrics() == {"handoffs_lost": 1}
    assert clock.kinds()[-1] == "handoff_lost"


def test_the_unseen_workload_leaves_no_events():
    clock, found = Calendar(), []
    listening = _listening(clock, found, listening_recall=1.0)
    listening.listen(case(0, unseen=True), 1)
    clock.run_until(10_000)
    assert len(found) == 1 and clock.events == []
