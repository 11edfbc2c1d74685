"""Care staff take cases in triage order while on shift, reply, close, and are paid."""

from __future__ import annotations

import math

import pytest

from sim.service.cases import TriageQueue
from sim.service.knowledge import KnowledgeBase
from sim.service.staff import CareAgent, StaffTeam, SuperUserAgent
from tests.unit.service.fakes import DRAWS, TinyModel, Work, case, strategy


def _team(model, n=1, shift="24/7", **knobs):
    s = strategy(staff=n, shift=shift, **knobs)
    queue, work = TriageQueue("fifo"), Work(model)
    return StaffTeam(model, work, queue, s, DRAWS, KnowledgeBase(s)), queue, work


def _queue(queue, cases):
    for c in cases:
        c.queued, c.awaiting = 0, True
        queue.push(c)


def _run(model, team, ticks):
    for t in range(ticks):
        model.tick = t
        team.step()


def test_one_agent_works_cases_back_to_back_and_is_busy_until_the_last_closes():
    model = TinyModel()
    team, queue, work = _team(model, reply_time_min=3.0, handling_time_min=15.0)
    cases = [case(0), case(1)]
    _queue(queue, cases)
    _run(model, team, 200)
    h = [DRAWS.uniform(c, "staff.handling") for c in cases]
    done0 = max(-15.0 * math.log(1.0 - h[0]), 3.0)
    done1 = done0 + max(-15.0 * math.log(1.0 - h[1]), 3.0)  # the next case starts when one closes
    assert work.replies[0] == (0, 3)
    assert work.closings == [(0, math.ceil(done0)), (1, math.ceil(done1))]
    agent = team.agents[0]
    assert agent.cases_closed == 2
    assert agent.busy_ticks == math.ceil(done1) + 1  # busy from tick 0 to the last closing


def test_off_duty_staff_take_nothing():
    model = TinyModel(weekday=5)  # Saturday
    team, queue, work = _team(model, shift="mon-fri 09:00-17:00")
    _queue(queue, [case(0)])
    _run(model, team, 60)
    assert work.replies == [] and team.agents[0].busy_ticks == 0 and len(queue) == 1


def test_staff_cost_is_wages_of_staffed_time():
    model = TinyModel(weekday=4, start_minute=16 * 60)  # Friday 16:00
    team, _, _ = _team(model, n=2, shift="mon-fri 09:00-17:00", hourly_wage=30.0)
    # of 3 hours from Friday 16:00 only the first is staffed: 2 people x 1 h x $30
    assert team.cost(180, model.clock_at, model.tick_min) == pytest.approx(60.0)
    always, _, _ = _team(model, n=2, hourly_wage=30.0)
    assert always.cost(180, model.clock_at, model.tick_min) == pytest.approx(180.0)


def test_the_knowledge_base_shortens_handling_time():
    model = TinyModel()
    s = strategy(staff=1, knowledge_base=True, resolution_skill=0.7, kb_max_skill=0.9,
                 kb_gain_per_case=0.1)
    fresh, learned = KnowledgeBase(s), KnowledgeBase(s)
    for _ in range(10):
        learned.record()
    queue, work = TriageQueue("fifo"), Work(model)
    new = CareAgent(model, work, queue, None, s, DRAWS, fresh)
    old = CareAgent(model, work, queue, None, s, DRAWS, learned)
    c = case(0)
    assert old.handling_minutes(c)[1] == pytest.approx(0.7 * new.handling_minutes(c)[1])


def test_a_super_user_answers_after_its_own_delay():
    model = TinyModel()
    s = strategy(community_response_min=20.0)
    agent = SuperUserAgent(model, Work(model), TriageQueue("fifo"), node=42, strategy=s,
                           draws=DRAWS)
    reply, done = agent.handling_minutes(case(0))
    u = DRAWS.uniform(case(0), "community.wait")
    assert reply == done == pytest.approx(-20.0 * math.log(1.0 - u))
    assert agent.node == 42 and agent.on_duty()
