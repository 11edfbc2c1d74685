"""Channels (redirects, contacts, costs), public statements and what answers do to customers."""

from __future__ import annotations

import pytest

from sim.customers.population import BRAND_NODE
from sim.service.channels import Channels
from sim.service.knowledge import KnowledgeBase
from sim.service.outcomes import Outcomes
from sim.service.routing import Routing
from sim.service.statements import Statements
from tests.unit.service.fakes import DRAWS, CustomerSide, case, strategy


def test_a_redirect_sends_takers_to_the_web_or_phone_after_a_delay():
    none = Channels(strategy(phone_uptake=0.0), DRAWS, tick_min=1.0)
    assert none.redirect(case(0)) is None
    web = Channels(strategy(phone_uptake=1.0, web_share=1.0, phone_delay_min=120.0), DRAWS, 1.0)
    c = case(1)
    delay = web.redirect(c)
    assert delay is not None and delay >= 1 and c.channel == "web" and web.of(c) is web.web
    phone = Channels(strategy(phone_uptake=1.0, web_share=0.0), DRAWS, 1.0)
    d = case(2)
    phone.redirect(d)
    assert d.channel == "phone" and phone.of(d) is phone.phone


def test_channel_costs_are_summed_and_reset_keeps_the_waiting():
    ch = Channels(strategy(phone_cost=1.60, web_cost=0.54, phone_capacity_per_hour=60.0,
                           web_capacity_per_hour=60.0), DRAWS, tick_min=1.0)
    for i in range(5):
        ch.phone.arrive(case(i), 0)
        ch.web.arrive(case(10 + i), 0)
    for t in range(3):
        for channel in ch:
            channel.serve(t)
    assert ch.cost() == pytest.approx(3 * 1.60 + 3 * 0.54)
    ch.reset()
    assert ch.cost() == 0.0 and len(ch.phone.waiting) == 2 and ch.phone.peak == 2


def test_the_statement_goes_out_once_past_the_threshold_and_damps_incident_cascades():
    ctx, damped = CustomerSide(scale=10.0), []
    st = Statements(ctx, strategy(statement_threshold_per_hour=50.0), key=1,
                    damp=lambda roots, level: damped.append((roots, level)))
    st.hourly(4, n_ticks=100)  # 4 simulated = 40 real mentions: below 50
    assert not st.posted and ctx.posts == []
    st.hourly(5, n_ticks=100)
    st.hourly(500, n_ticks=100)
    assert st.posted and [p["kind"] for p in ctx.posts] == ["brand_statement"]
    assert ctx.posts[0]["author"] == BRAND_NODE and ctx.kinds() == ["brand_statement"]
    assert damped == [([0], ctx.cfg.diffusion.answered_appeal)]


def test_no_statement_at_the_horizon_or_without_a_threshold():
    ctx = CustomerSide()
    late = Statements(ctx, strategy(statement_threshold_per_hour=1.0), 1, lambda r, lv: None)
    ctx.tick = 100
    late.hourly(999, n_ticks=100)
    never = Statements(ctx, strategy(statement_threshold_per_hour=0.0), 1, lambda r, lv: None)
    never.hourly(999, n_ticks=1000)
    assert ctx.posts == []


def _outcomes(ctx, **knobs):
    s = strategy(**knobs)
    routing, kb = Routing("fifo"), KnowledgeBase(s)
    return Outcomes(ctx, s, DRAWS, routing, kb), routing, kb


def test_a_personal_reply_answers_the_case_posts_to_the_complainer_and_damps():
    ctx = CustomerSide()
    out, routing, _ = _outcomes(ctx)
    c = case(0)
    c.cascades = [7]
    routing.found(c)
    ctx.tick = 12
    out.respond(c, "brand_reply", BRAND_NODE, valence=1, canned=False)
    assert c.first_response == c.personal_reply == 12 and routing.backlog == 0
    assert ctx.posts[0]["direct"] == (c.author,) and ctx.posts[0]["parent"] == c.post
    assert ctx.feelings == [("replied", c.author, 12.0)]
    assert ctx.appeal[7] == pytest.approx(ctx.cfg.diffusion.answered_appeal)
    out.damp([7], 0.9)  # damping never goes back up
    assert ctx.appeal[7] == pytest.approx(ctx.cfg.diffusion.answered_appeal)


def test_a_canned_reply_is_not_personal():
    ctx = CustomerSide()
    out, _, _ = _outcomes(ctx)
    c = case(0)
    out.respond(c, "bot_reply", BRAND_NODE, valence=0, canned=True)
    assert c.first_response == 0 and c.personal_reply == -1


def test_resolutions_pay_compensation_for_severe_cases_and_feed_the_knowledge_base():
    ctx = CustomerSide()
    out, _, kb = _outcomes(ctx, compensation=50.0, compensation_min_severity=0.5)
    severe, mild = case(0, severity=0.8), case(1, severity=0.2)
    out.resolved(severe)
    out.resolved(mild)
    out.resolved(case(2, severity=0.9), compensation=1200.0)  # a scripted offer
    assert out.compensation_paid == pytest.approx(50.0 + 1200.0)
    assert kb.resolved == 3 and severe.resolved and severe.closed == 0
    assert [f[0] for f in ctx.feelings] == ["resolved"] * 3
    out.reset()
    assert out.compensation_paid == 0.0


def test_an_unseen_case_costs_but_moves_nobody():
    ctx = CustomerSide()
    out, _, kb = _outcomes(ctx, compensation=10.0, compensation_min_severity=0.0)
    c = case(0, unseen=True)
    out.respond(c, "brand_reply", BRAND_NODE, valence=1, canned=False)
    out.resolved(c)
    assert out.compensation_paid == 10.0 and kb.resolved == 1
    assert ctx.posts == [] and ctx.feelings == [] and ctx.events == []
