"""The coordinator: it wires the parts, sums their costs and zeroes them when the run starts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.config.schema import RunConfig
from sim.engine.rng import Streams
from sim.service.desk import ServiceDesk
from tests.unit.service.fakes import TinyModel, case, strategy


class DeskFake(TinyModel):
    """A `DeskModel` without customers: enough to build a desk."""

    def __init__(self):
        super().__init__()
        self.cfg, self.streams, self.scale, self.n_ticks = RunConfig(), Streams(1), 1.0, 120
        self.pop = SimpleNamespace()
        self.opinion = self.diffusion = SimpleNamespace()
        self.events: list = []

    def schedule(self, tick, fn, *args):
        pass

    def log_event(self, kind, author, parent):
        self.events.append(kind)

    def super_user_nodes(self, k):
        return np.arange(10, 10 + k)


def _desk(**knobs):
    return ServiceDesk(DeskFake(), strategy(**knobs))


def test_costs_are_the_sum_of_the_parts():
    desk = _desk(staff=2, hourly_wage=30.0, bot=True, bot_cost=0.05, community_super_users=3,
                 community_cost_per_answer=0.5, phone_cost=1.6)
    assert len(desk.staff) == 2 and len(desk.super_users) == 3
    desk.bot.contacts, desk.community.answers = 10, 4
    desk.outcomes.compensation_paid, desk.delight.spent = 100.0, 15.0
    desk.phone.served = 5
    costs = desk.costs(120)
    assert costs["cost_staff"] == pytest.approx(2 * 2 * 30.0)
    assert costs["cost_contacts"] == pytest.approx(10 * 0.05 + 4 * 0.5 + 5 * 1.6)
    assert costs["cost_compensation"] == 100.0 and costs["cost_delight"] == 15.0
    parts = ("cost_staff", "cost_contacts", "cost_compensation", "cost_delight")
    assert costs["cost_total"] == pytest.approx(sum(costs[k] for k in parts))


def test_start_zeroes_the_counters_but_keeps_the_knowledge_base():
    desk = _desk(staff=1, bot=True, knowledge_base=True)
    desk.bot.contacts, desk.listening.handoffs_lost = 3, 2
    desk.outcomes.compensation_paid = 9.0
    desk.staff[0].busy_ticks = 40
    desk.kb.resolved = 5
    desk.phone.arrive(case(0), -3)
    desk.start()
    assert desk.bot.contacts == desk.listening.handoffs_lost == desk.staff[0].busy_ticks == 0
    assert desk.outcomes.compensation_paid == 0.0 and desk.kb.resolved == 5
    assert len(desk.phone.waiting) == 1 and desk.phone.peak == 1


def test_a_desk_nobody_answers_takes_no_work():
    assert not _desk(staff=0, listening_recall=1.0).takes_work
    assert not _desk(staff=2, listening_recall=0.0).takes_work
    assert _desk(staff=0, bot=True, listening_recall=0.5).takes_work
