"""The company's service organisation under one strategy.

Flow of a complaint: listening finds it (recall, latency) -> in a siloed organisation the social
(marketing) team hands it to service with a delay and some loss, in an integrated one it goes
straight to the desk -> a bot, the community or the care staff answer in triage order -> a public
reply (a post the complainer and some of their followers see) -> private resolution, on social or
through the phone line / web self-service -> the complainer's sentiment moves, a resolved one may
post thanks. Unanswered complainers post follow-ups. All draws about a case are keyed by the
complaint, so they are common to every strategy.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config import StrategyConfig
from sim.diffusion import KIND, TOPIC_INCIDENT, TOPIC_SERVICE
from sim.population import BRAND_NODE
from sim.rng import derive, keyed_uniform_one
from sim.service.cases import Case, TriageQueue
from sim.service.channels import Channel
from sim.service.shifts import parse_shift
from sim.service.staff import CareAgent, SuperUserAgent

COMPLAINT_KINDS = (KIND["complaint"], KIND["followup"])
MENTION_KINDS = (KIND["praise"], KIND["mention"])


class ServiceDesk:
    """Listening, triage, staff, channels and costs of one strategy."""

    def __init__(self, model, strategy: StrategyConfig):
        self.model = model
        self.strategy = s = strategy
        self.tick_min = model.tick_min
        self.queue = TriageQueue(s.triage)
        self.community_queue = TriageQueue("fifo")
        self.cases: list[Case] = []
        self.case_of_author: dict[int, Case] = {}
        self.shift = parse_shift(s.shift, key="strategy.shift")
        self.staff = [CareAgent(model, self, self.shift) for _ in range(s.staff)]
        self.super_users = [SuperUserAgent(model, self, int(n)) for n in model.super_user_nodes(s.community_super_users)]
        self.phone = Channel("phone", s.phone_capacity_per_hour, s.phone_cost, s.phone_resolution, self.tick_min)
        self.web = Channel("web", s.web_capacity_per_hour, s.web_cost, s.web_resolution, self.tick_min)
        self.kb_resolved = 0
        self.compensation_paid = 0.0
        self.delight_spent = 0.0
        self.delight_day = -1
        self.bot_contacts = 0
        self.community_answers = 0
        self.statement_posted = False
        self.backlog = 0
        self.backlog_peak = 0
        self.key = model.streams.key("service")

    # ------------------------------------------------------------ helpers
    def case_uniform(self, case: Case, salt: int) -> float:
        """A uniform draw about `case` common to all strategies."""
        return keyed_uniform_one(derive(self.key, case.author, case.post), salt)

    def _delay_ticks(self, case: Case, mean_min: float, salt: int) -> int:
        u = self.case_uniform(case, salt)
        return max(1, math.ceil(-mean_min * math.log(max(1.0 - u, 1e-12)) / self.tick_min))

    def _log(self, kind: str, case: Case) -> None:
        self.model.log_event(kind, case.author, case.post)

    def kb_skill(self) -> float:
        """Resolution probability of staff, raised by the knowledge base as cases close."""
        s = self.strategy
        if not s.knowledge_base:
            return s.resolution_skill
        return min(max(s.kb_max_skill, s.resolution_skill), s.resolution_skill + s.kb_gain_per_case * self.kb_resolved)

    def kb_speed(self) -> float:
        """Handling-time factor: the knowledge base cuts handling time by up to 30%."""
        s = self.strategy
        if not s.knowledge_base or s.kb_max_skill <= s.resolution_skill:
            return 1.0
        progress = (self.kb_skill() - s.resolution_skill) / (s.kb_max_skill - s.resolution_skill)
        return 1.0 - 0.3 * progress

    # ------------------------------------------------------------ listening
    def on_post(self, pid: int) -> None:
        """Called for every new post: complaints become cases; mentions may get delight."""
        m, posts = self.model, self.model.diffusion.posts
        author, kind = int(posts.author[pid]), int(posts.kind[pid])
        if author == BRAND_NODE:
            return
        if kind in COMPLAINT_KINDS:
            case = self.case_of_author.get(author)
            siloed = self.strategy.organisation == "siloed"
            if case is None or not case.open or (siloed and kind == KIND["followup"] and case.detected >= 0):
                # a new case; a siloed desk has no customer record, so a follow-up it sees again
                # becomes a duplicate case
                case = self._new_case(pid, author, kind == KIND["complaint"])
            case.cascades.append(int(posts.cascade[pid]))
            if case.detected < 0:
                self._listen(case, pid)
        elif kind in MENTION_KINDS and self.strategy.delight_budget_per_day > 0:
            self._maybe_delight(pid, author)

    def _new_case(self, pid: int, author: int, original: bool) -> Case:
        m = self.model
        case = Case(
            id=len(self.cases), author=author, post=pid, tick=m.tick,
            severity=m.severity_of(pid), followers=int(m.pop.followers[author]),
            influence=int(m.pop.influence[author]),
        )
        case.channel = "original" if original else "duplicate"
        self.cases.append(case)
        self.case_of_author[author] = case
        return case

    def _listen(self, case: Case, pid: int) -> None:
        s = self.strategy
        if s.listening_recall <= 0:
            return
        u = keyed_uniform_one(derive(self.key, int(self.model.diffusion.posts.key[pid])), 1)
        if u >= s.listening_recall:
            return
        delay = self._delay_ticks(case, s.listening_latency_min, 2 + case.followups)
        self.model.schedule(self.model.tick + delay, self._detected, case)

    def _detected(self, case: Case) -> None:
        if case.detected >= 0 or not case.open:
            return
        s, m = self.strategy, self.model
        case.detected = m.tick
        self._log("detected", case)
        self.backlog += 1
        self.backlog_peak = max(self.backlog_peak, self.backlog)
        if s.bot:
            m.schedule(m.tick + 1, self._bot_answer, case)
        elif self.super_users and case.severity <= s.community_max_severity:
            self._enqueue(case, community=True)
        else:
            self._to_service(case)

    def _to_service(self, case: Case) -> None:
        s, m = self.strategy, self.model
        if s.staff <= 0:
            return
        if s.organisation == "siloed":
            if self.case_uniform(case, 3) < s.handoff_loss:
                case.lost = True
                self.backlog -= 1
                self._log("handoff_lost", case)
                return
            self._log("handoff", case)
            m.schedule(m.tick + self._delay_ticks(case, s.handoff_delay_min, 4), self._enqueue, case)
        else:
            self._enqueue(case)

    def _enqueue(self, case: Case, community: bool = False) -> None:
        if not case.open:
            return
        case.queued = self.model.tick
        case.awaiting = True
        (self.community_queue if community else self.queue).push(case)

    # ------------------------------------------------------------ answers
    def reply(self, case: Case, responder) -> None:
        """The public reply: a post seen by the complainer and part of their audience."""
        s, m = self.strategy, self.model
        if not case.awaiting:
            return
        community = isinstance(responder, SuperUserAgent)
        mode = "public_then_private" if community else s.reply_mode
        if mode == "none":
            return
        canned = mode in ("canned", "phone_redirect")
        kind = "peer_answer" if community else "brand_reply"
        author = responder.node if community else BRAND_NODE
        self._respond(case, kind, author, valence=0 if canned else 1, canned=canned)
        if community:
            self.community_answers += 1

    def _respond(self, case: Case, kind: str, author: int, valence: int, canned: bool) -> None:
        m = self.model
        case.awaiting = False
        if case.first_response < 0:
            case.first_response = m.tick
            self.backlog -= 1
            m.opinion.replied(case.author, (m.tick - case.tick) * self.tick_min, canned)
        m.diffusion.post(
            m.tick, author, kind, valence, parent=case.post, cascade=None,
            key=derive(self.key, case.author, case.post, 5), topic=TOPIC_SERVICE,
            audience_of=case.author, visibility=m.cfg.diffusion.reply_visibility, direct=(case.author,),
        )
        for c in case.cascades:
            m.diffusion.set_appeal(c, m.cfg.diffusion.answered_appeal)

    def close(self, case: Case, responder) -> None:
        """The private part: resolve on social, or redirect to the phone line or web."""
        s, m = self.strategy, self.model
        if not case.open:
            return
        if isinstance(responder, SuperUserAgent):
            if self.case_uniform(case, 6) < s.community_resolution:
                self._resolved(case)
            elif s.staff > 0:
                self._log("escalated", case)
                self._to_service(case)
            else:
                self._unresolved(case)
            return
        if s.reply_mode == "phone_redirect":
            self._redirect(case)
        elif s.reply_mode == "none":
            self._unresolved(case)
        elif self.case_uniform(case, 7) < self.kb_skill():
            self._resolved(case)
        else:
            self._unresolved(case)

    def _redirect(self, case: Case) -> None:
        s, m = self.strategy, self.model
        if self.case_uniform(case, 8) >= s.phone_uptake:
            self._unresolved(case)
            return
        case.channel = "web" if self.case_uniform(case, 9) < s.web_share else "phone"
        m.opinion.shift(case.author, -m.cfg.opinion.phone_effort_penalty)
        (self.web if case.channel == "web" else self.phone).arrive(case, m.tick)

    def _bot_answer(self, case: Case) -> None:
        s, m = self.strategy, self.model
        if not case.open or case.first_response >= 0:
            return
        self.bot_contacts += 1
        case.awaiting = True
        self._respond(case, "bot_reply", BRAND_NODE, valence=0, canned=True)
        if case.severity > s.bot_severity_threshold and self.case_uniform(case, 10) < s.bot_backfire:
            self._log("bot_backfire", case)
            m.opinion.shift(case.author, -m.cfg.opinion.bot_backfire_penalty)
            m.post_followup(case)
        elif self.case_uniform(case, 13) < s.bot_resolution:
            self._resolved(case)
            return
        if s.staff > 0:
            self._log("escalated", case)
            self._to_service(case)
        else:
            self._unresolved(case)

    def _resolved(self, case: Case) -> None:
        s, m = self.strategy, self.model
        case.resolved, case.closed = True, m.tick
        minutes = (m.tick - case.tick) * self.tick_min
        comp = s.compensation if case.severity >= s.compensation_min_severity else 0.0
        self.compensation_paid += comp
        m.opinion.resolved(case.author, minutes, comp)
        self.kb_resolved += 1
        self._log("resolved", case)
        for c in case.cascades:
            m.diffusion.set_appeal(c, m.cfg.diffusion.resolved_appeal / m.cfg.diffusion.answered_appeal)
        if self.case_uniform(case, 14) < m.cfg.diffusion.thanks_prob * m.opinion.speed(minutes):
            m.diffusion.post(
                m.tick, case.author, "thanks", 1, parent=case.post, topic=TOPIC_SERVICE,
                key=derive(self.key, case.author, case.post, 15),
            )

    def _unresolved(self, case: Case) -> None:
        m = self.model
        case.closed = m.tick
        m.opinion.shift(case.author, -m.cfg.opinion.unresolved_penalty)
        self._log("unresolved", case)

    # ------------------------------------------------------------ delight
    def _maybe_delight(self, pid: int, author: int) -> None:
        s, m = self.strategy, self.model
        if s.listening_recall <= 0 or not m.pop.is_customer[author]:
            return
        day = int(m.tick * self.tick_min // 1440)
        if day != self.delight_day:
            self.delight_day, self._delight_left = day, s.delight_budget_per_day
        if self._delight_left < s.delight_cost:
            return
        key = derive(self.key, int(m.diffusion.posts.key[pid]), 21)
        if keyed_uniform_one(key, 1) >= s.listening_recall:
            return
        self._delight_left -= s.delight_cost
        self.delight_spent += s.delight_cost
        m.opinion.shift(author, m.cfg.opinion.delight_gain)
        m.log_event("delight", author, pid)
        if keyed_uniform_one(key, 2) < s.delight_post_prob:
            m.schedule(m.tick + self._delay_ticks_key(key, 60.0), self._delight_post, author, pid, key)

    def _delay_ticks_key(self, key: int, mean_min: float) -> int:
        u = keyed_uniform_one(key, 3)
        return max(1, math.ceil(-mean_min * math.log(max(1.0 - u, 1e-12)) / self.tick_min))

    def _delight_post(self, author: int, pid: int, key: int) -> None:
        self.model.diffusion.post(self.model.tick, author, "praise", 1, parent=pid, topic=TOPIC_SERVICE, key=derive(key, 4))

    # ------------------------------------------------------------ per tick
    def step(self) -> None:
        """Staff and super-users work; channels serve; a statement may go out."""
        m = self.model
        for agent in self.super_users:
            agent.step()
        for agent in self.staff:
            agent.step()
        for channel in (self.phone, self.web):
            for case, wait in channel.serve(m.tick):
                m.log_event(f"{channel.name}_contact", case.author, case.post)
                if self.case_uniform(case, 16) < channel.resolution:
                    self._resolved(case)
                else:
                    self._unresolved(case)

    def hourly(self, negative_mentions_last_hour: int) -> None:
        """Once an hour: a public statement when negative mentions pass the threshold."""
        s, m = self.strategy, self.model
        if s.statement_threshold_per_hour <= 0 or self.statement_posted:
            return
        if negative_mentions_last_hour >= s.statement_threshold_per_hour / m.scale:
            self.statement_posted = True
            pid = m.diffusion.post(m.tick, BRAND_NODE, "brand_statement", 1, topic=TOPIC_SERVICE,
                                   key=derive(self.key, 99))
            m.log_event("brand_statement", BRAND_NODE, pid)
            posts = m.diffusion.posts
            for c in np.flatnonzero(posts.topic[: posts.n] == TOPIC_INCIDENT):
                if posts.cascade[c] == c:
                    m.diffusion.set_appeal(int(c), m.cfg.diffusion.answered_appeal)

    # ------------------------------------------------------------ costs
    def costs(self, n_ticks: int) -> dict[str, float]:
        """Staff, contact, compensation and delight costs of the run, in dollars."""
        s, m = self.strategy, self.model
        staffed_min = sum(1 for t in range(n_ticks) if self.shift.on_duty(*m.clock_at(t))) * self.tick_min
        staff = s.staff * staffed_min / 60.0 * s.hourly_wage
        contacts = (
            self.phone.spent + self.web.spent + self.bot_contacts * s.bot_cost
            + self.community_answers * s.community_cost_per_answer
        )
        return {
            "cost_staff": staff,
            "cost_contacts": contacts,
            "cost_compensation": self.compensation_paid,
            "cost_delight": self.delight_spent,
            "cost_total": staff + contacts + self.compensation_paid + self.delight_spent,
        }
