"""The company's service organisation under one strategy.

Flow of a complaint: listening finds it (recall, latency) -> in a siloed organisation the social
(marketing) team hands it to service with a delay and some loss, in an integrated one it goes
straight to the desk -> a bot, the community or the care staff answer in triage order -> a public
reply (a post the complainer and some of their followers see) -> private resolution, on social or
through the phone line / web self-service (after the customer's own delay) -> the complainer's
sentiment moves, a resolved one may post thanks. Unanswered complainers post follow-ups; a siloed
desk, which keeps no customer record, sees a follow-up as a new (duplicate) case.

The desk also works the unseen workload (`sim.service.workload`): the real complaints a
down-scaled run does not simulate as people, so that queues and costs are those of the real desk.
All draws about a case are keyed by the complaint, so they are common to every strategy.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config.schema import StrategyConfig
from sim.customers.diffusion import KIND, TOPIC_INCIDENT, TOPIC_SERVICE
from sim.customers.population import BRAND_NODE
from sim.engine.rng import derive, keyed_uniform_one
from sim.service.cases import NOT_YET, Case, TriageQueue
from sim.service.channels import Channel
from sim.service.context import DeskModel
from sim.service.delight import Delight
from sim.service.shifts import parse_shift
from sim.service.staff import CareAgent, SuperUserAgent
from sim.service.workload import unseen_workload

COMPLAINT_KINDS = (KIND["complaint"], KIND["followup"])
WARMUP_H = 168.0  # the desk works one week of real workload before the run starts
LARGE_ACCOUNT_FOLLOWERS = 10_000  # real followers from which an account counts as large


class ServiceDesk:
    """Listening, triage, staff, channels and costs of one strategy."""

    def __init__(self, model: DeskModel, strategy: StrategyConfig):
        self.model = model
        self.strategy = s = strategy
        self.tick_min = model.tick_min
        self.queue = TriageQueue(s.triage)
        self.community_queue = TriageQueue("fifo")
        self.cases: list[Case] = []  # cases of simulated people
        self.unseen_cases: list[Case] = []  # the unseen workload that reached the desk
        self.case_of_author: dict[int, Case] = {}
        self.shift = parse_shift(s.shift, key="strategy.shift")
        self.staff = [CareAgent(model, self, self.shift) for _ in range(s.staff)]
        self.super_users = [SuperUserAgent(model, self, int(n)) for n in model.super_user_nodes(s.community_super_users)]
        self.phone = Channel("phone", s.phone_capacity_per_hour, s.phone_cost, s.phone_resolution, self.tick_min)
        self.web = Channel("web", s.web_capacity_per_hour, s.web_cost, s.web_resolution, self.tick_min)
        self.delight = Delight(model, s)
        self.kb_resolved = 0
        self.compensation_paid = 0.0
        self.bot_contacts = 0
        self.community_answers = 0
        self.handoffs_lost = 0
        self.statement_posted = False
        self.backlog_peak = 0
        self._waiting: set[int] = set()  # simulated cases detected and not yet answered
        self._answered: set[int] = set()  # simulated complainers who got a first answer
        self._resolved_authors: set[int] = set()
        self._appeal: dict[int, float] = {}  # cascade -> damping applied so far
        self.key = model.streams.key("service")
        # whether anyone can answer a complaint (else listening for complaints is moot)
        self.answers = s.staff > 0 or s.bot or bool(self.super_users)
        if s.listening_recall > 0 and self.answers:
            self._schedule_unseen()
            self._warm_up()

    # ------------------------------------------------------------ helpers
    @property
    def backlog(self) -> int:
        """Simulated complaints found and not yet answered (lost hand-offs excluded)."""
        return len(self._waiting)

    @property
    def delight_spent(self) -> float:
        """Money spent on proactive delight (real dollars)."""
        return self.delight.spent

    def case_uniform(self, case: Case, salt: int) -> float:
        """A uniform draw about `case` common to all strategies.

        Keyed by the complaint's post key (post ids differ between strategies once their posts
        differ; post keys do not), or by author and post for cases made elsewhere without a key.
        """
        return keyed_uniform_one(self._case_key(case), salt)

    def _case_key(self, case: Case) -> int:
        return derive(self.key, case.key) if case.key else derive(self.key, case.author, case.post)

    def _delay_ticks(self, case: Case, mean_min: float, salt: int) -> int:
        u = self.case_uniform(case, salt)
        return max(1, math.ceil(-mean_min * math.log(max(1.0 - u, 1e-12)) / self.tick_min))

    def _log(self, kind: str, case: Case) -> None:
        if not case.unseen:
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

    def _damp(self, cascades: list[int], level: float) -> None:
        """Bring the reshare appeal of complaint cascades down to `level` (never back up)."""
        for c in cascades:
            now = self._appeal.get(c, 1.0)
            if level < now:
                self.model.diffusion.set_appeal(c, level / now)
                self._appeal[c] = level

    # ------------------------------------------------------------ listening
    def on_post(self, pid: int) -> None:
        """Called for every new post: complaints become cases; mentions may get delight."""
        posts = self.model.diffusion.posts
        author, kind = int(posts.author[pid]), int(posts.kind[pid])
        if author == BRAND_NODE:
            return
        if kind in COMPLAINT_KINDS:
            case = self.case_of_author.get(author)
            siloed = self.strategy.organisation == "siloed"
            if case is None or not case.open or (siloed and kind == KIND["followup"] and case.detected >= 0):
                # a new case; a siloed desk has no customer record, so a follow-up it sees again
                # becomes a duplicate case
                case = self._new_case(pid, author, kind == KIND["complaint"], case)
            case.cascades.append(int(posts.cascade[pid]))
            if case.detected < 0:
                self._listen(case, derive(self.key, int(posts.key[pid])))
        elif posts.topic[pid] != TOPIC_SERVICE:
            self.delight.consider(pid, author)

    def _new_case(self, pid: int, author: int, original: bool, previous: Case | None) -> Case:
        m = self.model
        case = Case(
            id=len(self.cases), author=author, post=pid, tick=m.tick,
            severity=m.severity_of(pid), followers=int(m.pop.followers[author]),
            influence=int(m.pop.influence[author]), key=int(m.diffusion.posts.key[pid]),
        )
        if not original and previous is not None:
            case.duplicate, case.original = True, previous.original or previous
        case.channel = "duplicate" if case.duplicate else "original"
        self.cases.append(case)
        self.case_of_author[author] = case
        return case

    def _schedule_unseen(self) -> None:
        m = self.model
        warmup = int(round(WARMUP_H * 60.0 / self.tick_min))
        wl = unseen_workload(m.cfg, m.pop, m.scale, m.streams.generator("workload"), warmup)
        for i in range(len(wl)):
            case = Case(id=i, author=-1, post=i, tick=int(wl.tick[i]), severity=float(wl.severity[i]),
                        followers=int(wl.followers[i]), influence=int(wl.influence[i]), unseen=True,
                        key=derive(77, i))
            case.channel = "original"
            m.schedule(case.tick, self._unseen_arrival, case)

    def _warm_up(self) -> None:
        """Work the week before the run (all of it unseen), so the desk starts with the queue,
        the phone line and the knowledge base it would really have; then zero the counters."""
        m = self.model
        # ticks before the start are negative; the last one (-1 = NOT_YET) is merged into -2
        for t in range(-int(round(WARMUP_H * 60.0 / self.tick_min)) - 1, -1):
            m.tick = t
            m.fire_due(t)
            self.step()
        while m.fire_due(-1):
            pass
        m.tick = 0
        for channel in (self.phone, self.web):
            channel.served, channel.wait_ticks_total, channel.peak = 0, 0, len(channel.waiting)
        for agent in self.staff + self.super_users:
            agent.busy_ticks = agent.cases_closed = 0
        self.bot_contacts = self.community_answers = self.handoffs_lost = 0
        self.compensation_paid = 0.0

    def _unseen_arrival(self, case: Case) -> None:
        self.unseen_cases.append(case)
        self._listen(case, derive(self.key, 77, case.post))

    def _listen(self, case: Case, draw_key: int) -> None:
        s = self.strategy
        if not self.answers or s.listening_recall <= 0 or keyed_uniform_one(draw_key, 1) >= s.listening_recall:
            return
        delay = self._delay_ticks(case, s.listening_latency_min, 2 + case.followups)
        self.model.schedule(self.model.tick + delay, self._detected, case)

    def _detected(self, case: Case) -> None:
        if case.detected != NOT_YET or not case.open:
            return
        s, m = self.strategy, self.model
        case.detected = m.tick
        self._log("detected", case)
        if not case.unseen and case.first_response == NOT_YET:
            self._waiting.add(case.id)
            self.backlog_peak = max(self.backlog_peak, len(self._waiting))
        if s.bot:
            m.schedule(m.tick + 1, self._bot_answer, case)
        elif self.super_users:
            self._enqueue(case, community=True)
        else:
            self._to_service(case)

    def _to_service(self, case: Case) -> None:
        s, m = self.strategy, self.model
        if s.staff <= 0:
            return
        if s.organisation == "siloed":
            case.handoffs += 1
            if self.case_uniform(case, 3 + 40 * case.handoffs) < s.handoff_loss:
                case.lost = True
                self.handoffs_lost += 1
                if not case.unseen:
                    self._waiting.discard(case.id)
                self._log("handoff_lost", case)
                return
            self._log("handoff", case)
            m.schedule(m.tick + self._delay_ticks(case, s.handoff_delay_min, 4 + 40 * case.handoffs), self._enqueue, case)
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
        s = self.strategy
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

    def _respond(self, case: Case, kind: str, author: int, valence: int, canned: bool, damp: bool = True) -> None:
        m = self.model
        case.awaiting = False
        root = case.original or case
        for c in (case, root):
            if c.first_response == NOT_YET:
                c.first_response = m.tick
                if not c.unseen:
                    self._waiting.discard(c.id)
            if not canned and c.personal_reply == NOT_YET:
                c.personal_reply = m.tick
        if case.unseen:
            return
        if case.author not in self._answered:  # what the complainer feels: their first answer
            self._answered.add(case.author)
            m.opinion.replied(case.author, (m.tick - root.tick) * self.tick_min, canned)
        m.diffusion.post(
            m.tick, author, kind, valence, parent=case.post, cascade=None,
            key=derive(self._case_key(case), 5), topic=TOPIC_SERVICE,
            audience_of=case.author, visibility=m.cfg.diffusion.reply_visibility, direct=(case.author,),
        )
        if damp:
            level = m.cfg.diffusion.canned_appeal if canned else m.cfg.diffusion.answered_appeal
            self._damp(case.cascades + root.cascades, level)

    def close(self, case: Case, responder) -> None:
        """The private part: resolve on social, or redirect to the phone line or web."""
        s = self.strategy
        if not case.open:
            return
        if isinstance(responder, SuperUserAgent):
            p = s.community_resolution if case.severity <= s.community_max_severity else s.community_severe_resolution
            if self.case_uniform(case, 6) < p:
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
        """Channel shift: the customer is asked to call (or use the web); some never do."""
        s, m = self.strategy, self.model
        if self.case_uniform(case, 8) >= s.phone_uptake:
            self._unresolved(case)
            return
        case.channel = "web" if self.case_uniform(case, 9) < s.web_share else "phone"
        if not case.unseen:
            m.opinion.shift(case.author, -m.cfg.opinion.phone_effort_penalty)
        self._log("redirected", case)
        m.schedule(m.tick + self._delay_ticks(case, s.phone_delay_min, 17), self._contact, case)

    def _contact(self, case: Case) -> None:
        (self.web if case.channel == "web" else self.phone).arrive(case, self.model.tick)

    def _bot_answer(self, case: Case) -> None:
        s, m = self.strategy, self.model
        if not case.open or case.first_response != NOT_YET:
            return
        self.bot_contacts += 1
        case.awaiting = True
        backfire = case.severity > s.bot_severity_threshold and self.case_uniform(case, 10) < s.bot_backfire
        # an angered complainer's thread is not calmed by the bot's reply
        self._respond(case, "bot_reply", BRAND_NODE, valence=0, canned=True, damp=not backfire)
        if backfire:
            self._log("bot_backfire", case)
            if not case.unseen:
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

    def _resolved(self, case: Case, compensation: float | None = None) -> None:
        s, m = self.strategy, self.model
        case.resolved, case.closed = True, m.tick
        root = case.original or case
        root.resolved = True  # the complainer's problem is solved, whichever case did it
        minutes = (m.tick - root.tick) * self.tick_min
        comp = s.compensation if case.severity >= s.compensation_min_severity else 0.0
        comp = comp if compensation is None else compensation  # a scripted offer (sim.scenario.scripted)
        self.compensation_paid += comp
        self.kb_resolved += 1
        if case.unseen or case.author in self._resolved_authors:
            return  # unseen, or a duplicate of a complaint already resolved: work, no effect
        self._resolved_authors.add(case.author)
        m.opinion.resolved(case.author, minutes, comp)
        self._log("resolved", case)
        self._damp(case.cascades + root.cascades, m.cfg.diffusion.resolved_appeal)
        # a direct contact (sim.scenario.scripted: no public complaint, post < 0) thanks nobody in public
        if case.post >= 0 and self.case_uniform(case, 14) < m.cfg.diffusion.thanks_prob * m.opinion.speed(minutes):
            m.publish(m.tick, case.author, "thanks", 1, parent=case.post, topic=TOPIC_SERVICE,
                      key=derive(self._case_key(case), 15))

    def _unresolved(self, case: Case) -> None:
        m = self.model
        case.closed = m.tick
        if case.unseen or case.author in self._resolved_authors:
            return
        m.opinion.shift(case.author, -m.cfg.opinion.unresolved_penalty)
        self._log("unresolved", case)

    # ------------------------------------------------------------ per tick
    def step(self) -> None:
        """Staff and super-users work; channels serve; a statement may go out."""
        for agent in self.super_users:
            if agent.case is not None or self.community_queue:
                agent.step()
        for agent in self.staff:
            if agent.case is not None or self.queue:
                agent.step()
        for channel in (self.phone, self.web):
            for case, _wait in channel.serve(self.model.tick):
                self._log(f"{channel.name}_contact", case)
                if self.case_uniform(case, 16) < channel.resolution:
                    self._resolved(case)
                else:
                    self._unresolved(case)

    def hourly(self, negative_mentions_last_hour: int) -> None:
        """Once an hour: a public statement when negative mentions pass the threshold."""
        s, m = self.strategy, self.model
        if s.statement_threshold_per_hour <= 0 or self.statement_posted or m.tick >= m.n_ticks:
            return  # (a statement at the horizon would come too late to matter)
        if negative_mentions_last_hour >= s.statement_threshold_per_hour / m.scale:
            self.statement_posted = True
            pid = m.diffusion.post(m.tick, BRAND_NODE, "brand_statement", 1, topic=TOPIC_SERVICE,
                                   key=derive(self.key, 99))
            m.log_event("brand_statement", BRAND_NODE, pid)
            posts = m.diffusion.posts
            roots = [int(c) for c in np.flatnonzero(posts.topic[: posts.n] == TOPIC_INCIDENT) if posts.cascade[c] == c]
            self._damp(roots, m.cfg.diffusion.answered_appeal)

    # ------------------------------------------------------------ results
    def costs(self, n_ticks: int) -> dict[str, float]:
        """Staff, contact, compensation and delight costs of the run, in real dollars."""
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
            "cost_delight": self.delight.spent,
            "cost_total": staff + contacts + self.compensation_paid + self.delight.spent,
        }

    def service_metrics(self) -> dict[str, float]:
        """Metrics of the desk itself (real workload included), beyond the standard ones."""
        m = self.model
        seen = [c for c in self.cases if not c.duplicate]
        every = seen + [c for c in self.unseen_cases if c.tick >= 0]
        answers = sum(c.first_response >= 0 for c in self.cases + self.unseen_cases)
        times = np.array([(c.first_response - c.tick) * self.tick_min for c in every if c.first_response >= 0])
        large = [c for c in seen if c.followers * m.scale >= LARGE_ACCOUNT_FOLLOWERS and c.first_response >= 0]
        large_t = np.array([(c.first_response - c.tick) * self.tick_min for c in large])
        return {
            "workload_complaints": len(every),
            "answers_given": answers,  # first answers during the run, real scale (backlog included)
            "workload_responded_share": float(times.size / len(every)) if every else 0.0,
            "workload_response_time_median_min": float(np.median(times)) if times.size else float("nan"),
            "response_time_large_accounts_min": float(np.median(large_t)) if large_t.size else float("nan"),
            "handoffs_lost": self.handoffs_lost,
            "duplicate_cases": sum(c.duplicate for c in self.cases),
            "bot_contacts": self.bot_contacts,
            "community_answers": self.community_answers,
            "delights": self.delight.count * m.scale,
            "kb_resolution_final": self.kb_skill(),
        }
