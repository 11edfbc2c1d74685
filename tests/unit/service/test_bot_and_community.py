"""The bot and the community of super-users decide outcomes and count their costs."""

from __future__ import annotations

import pytest

from sim.service.bot import Bot
from sim.service.cases import TriageQueue
from sim.service.community import ESCALATED, RESOLVED, UNRESOLVED, Community
from tests.unit.service.fakes import DRAWS, case, strategy


def test_bot_backfires_only_above_its_severity_threshold():
    s = strategy(bot=True, bot_backfire=1.0, bot_resolution=0.0, bot_severity_threshold=0.5)
    bot = Bot(s, DRAWS)
    severe = [bot.answer(case(i, severity=0.8)) for i in range(20)]
    mild = [bot.answer(case(i, severity=0.5)) for i in range(20, 40)]
    assert all(a.backfire and not a.resolved for a in severe)
    assert not any(a.backfire or a.resolved for a in mild)  # neither: to be escalated


def test_bot_resolves_mild_cases_at_its_rate():
    s = strategy(bot=True, bot_backfire=1.0, bot_resolution=0.3, bot_severity_threshold=0.5)
    bot = Bot(s, DRAWS)
    answers = [bot.answer(case(i, severity=0.2)) for i in range(4000)]
    share = sum(a.resolved for a in answers) / len(answers)
    assert share == pytest.approx(0.3, abs=0.03)


def test_bot_counts_contacts_and_their_cost():
    bot = Bot(strategy(bot=True, bot_cost=0.05), DRAWS)
    for i in range(7):
        bot.answer(case(i))
    assert bot.contacts == 7 and bot.cost() == pytest.approx(0.35)
    assert bot.metrics() == {"bot_contacts": 7}
    bot.reset()
    assert bot.contacts == 0 and bot.cost() == 0.0


def _community(**knobs):
    return Community(strategy(community_super_users=2, **knobs), DRAWS, TriageQueue("fifo"), [])


def test_community_resolves_mild_cases_and_escalates_severe_ones_to_staff():
    c = _community(staff=3, community_resolution=1.0, community_max_severity=0.5,
                   community_severe_resolution=0.0)
    assert c.outcome(case(0, severity=0.5)) == RESOLVED
    assert c.outcome(case(1, severity=0.9)) == ESCALATED


def test_without_staff_an_unresolved_community_case_stays_unresolved():
    c = _community(staff=0, community_resolution=0.0)
    assert c.outcome(case(0, severity=0.1)) == UNRESOLVED


def test_community_answers_cost_per_answer():
    c = _community(community_cost_per_answer=0.5)
    for _ in range(4):
        c.answered()
    assert c.cost() == pytest.approx(2.0) and c.metrics() == {"community_answers": 4}
