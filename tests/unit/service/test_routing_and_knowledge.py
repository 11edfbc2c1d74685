"""Routing (triage queues, backlog) and the knowledge base, each on its own."""

from __future__ import annotations

import pytest

from sim.service.knowledge import KnowledgeBase
from sim.service.routing import Routing
from tests.unit.service.fakes import case, strategy


def test_the_care_queue_is_ordered_by_influence():
    routing = Routing("influence")
    cases = [case(0, influence=10), case(1, influence=90), case(2, influence=50)]
    for t, c in enumerate(cases):
        routing.enqueue(c, tick=t)
    assert [routing.queue.pop().id for _ in cases] == [1, 2, 0]
    assert all(c.queued == t and c.awaiting for t, c in enumerate(cases))


def test_community_cases_go_to_the_fifo_community_queue():
    routing = Routing("influence")
    routing.enqueue(case(0, influence=1), tick=0, community=True)
    routing.enqueue(case(1, influence=99), tick=1, community=True)
    assert len(routing.queue) == 0
    assert [routing.community_queue.pop().id for _ in range(2)] == [0, 1]


def test_a_closed_case_is_not_queued():
    routing = Routing("fifo")
    c = case(0)
    c.closed = 5
    routing.enqueue(c, tick=6)
    assert len(routing.queue) == 0 and not c.awaiting


def test_backlog_counts_found_unanswered_simulated_cases_and_keeps_its_peak():
    routing = Routing("fifo")
    a, b, unseen, answered = case(0), case(1), case(2, unseen=True), case(3)
    answered.first_response = 4
    for c in (a, b, unseen, answered):
        routing.found(c)
    assert routing.backlog == 2 and routing.backlog_peak == 2
    routing.stop_waiting(a)
    assert routing.backlog == 1 and routing.backlog_peak == 2


def test_knowledge_base_skill_grows_per_resolved_case_up_to_its_cap():
    kb = KnowledgeBase(strategy(knowledge_base=True, resolution_skill=0.7, kb_gain_per_case=0.01,
                                kb_max_skill=0.95))
    assert kb.skill() == pytest.approx(0.7) and kb.speed() == 1.0
    for _ in range(10):
        kb.record()
    assert kb.skill() == pytest.approx(0.8)
    assert kb.speed() == pytest.approx(1.0 - 0.3 * 0.1 / 0.25)  # kb_speedup 0.3 by default
    for _ in range(1000):
        kb.record()
    assert kb.skill() == pytest.approx(0.95)
    assert kb.speed() == pytest.approx(0.7)
    assert kb.metrics() == {"kb_resolution_final": pytest.approx(0.95)}


def test_without_a_knowledge_base_nothing_improves():
    kb = KnowledgeBase(strategy(knowledge_base=False, resolution_skill=0.6))
    for _ in range(50):
        kb.record()
    assert kb.skill() == 0.6 and kb.speed() == 1.0


def test_the_knowledge_base_speed_up_is_a_knob():
    kb = KnowledgeBase(strategy(knowledge_base=True, resolution_skill=0.5, kb_max_skill=0.9,
                                kb_gain_per_case=0.1, kb_speedup=0.5))
    for _ in range(4):
        kb.record()
    assert kb.speed() == pytest.approx(0.5)
