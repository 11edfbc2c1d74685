"""The company's service organisation under one strategy: a coordinator of its parts.

Flow of a complaint: listening finds it (recall, latency) -> in a siloed organisation the social
(marketing) team hands it to service with a delay and some loss, in an integrated one it goes
straight to the desk -> a bot, the community or the care staff answer in triage order -> a public
reply (a post the complainer and some of their followers see) -> private resolution, on social or
through the phone line / web self-service (after the customer's own delay) -> the complainer's
sentiment moves, a resolved one may post thanks. Unanswered complainers post follow-ups; a siloed
desk, which keeps no customer record, sees a follow-up as a new (duplicate) case.

The parts, each with its own module, costs and metrics: `listening`, `routing`, `staff`, `bot`,
`community`, `channels`, `delight`, `knowledge`, `statements`, and `outcomes` (what answers do
to customers). The desk also receives the unseen workload (`sim.service.workload`): the real
complaints a down-scaled run does not simulate as people; the model runs the warm-up week.
All draws about a case are keyed by the complaint, so they are common to every strategy.
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import StrategyConfig
from sim.customers.diffusion import KIND, TOPIC_SERVICE
from sim.customers.population import BRAND_NODE
from sim.engine.rng import derive
from sim.engine.streams import salt
from sim.service.bot import Bot
from sim.service.cases import NOT_YET, Case, log_case
from sim.service.channels import Channel, Channels
from sim.service.community import ESCALATED, RESOLVED, Community
from sim.service.context import DeskModel
from sim.service.delight import Delight
from sim.service.draws import CaseDraws
from sim.service.knowledge import KnowledgeBase
from sim.service.listening import Listening
from sim.service.outcomes import Outcomes
from sim.service.routing import Routing
from sim.service.shifts import Shift
from sim.service.staff import CareAgent, Responder, StaffTeam, SuperUserAgent
from sim.service.statements import Statements

COMPLAINT_KINDS = (KIND["complaint"], KIND["followup"])
LARGE_ACCOUNT_FOLLOWERS = 10_000  # real followers from which an account counts as large


class ServiceDesk:
    """Wires the parts of one strategy's service organisation and passes cases between them."""

    def __init__(self, model: DeskModel, strategy: StrategyConfig):
        self.model = model
        self.strategy = s = strategy
        self.tick_min = model.tick_min
        self.key = model.streams.key("service")
        self.draws = CaseDraws(self.key)
        self.cases: list[Case] = []  # cases of simulated people
        self.unseen_cases: list[Case] = []  # the unseen workload that reached the desk
        self.case_of_author: dict[int, Case] = {}
        self.kb = KnowledgeBase(s)
        self.routing = Routing.for_strategy(s, self.tick_min)
        self.team = StaffTeam(model, self, self.routing.queue, s, self.draws, self.kb)
        nodes = model.super_user_nodes(s.community_super_users)
        members: list[Responder] = [
            SuperUserAgent(model, self, self.routing.community_queue, int(n), s, self.draws)
            for n in nodes
        ]
        self.community = Community(s, self.draws, self.routing.community_queue, members)
        # whether anyone can answer a complaint (else listening for complaints is moot)
        self.answers = s.staff > 0 or s.bot or bool(members)
        self.listening = Listening(s, model, model, self.draws, self._found, active=self.answers)
        self.channels = Channels(s, self.draws, self.tick_min)
        self.bot = Bot(s, self.draws)
        self.outcomes = Outcomes(model, s, self.draws, self.routing, self.kb)
        self.statements = Statements(model, s, self.key, self.outcomes.damp)
        self.delight = Delight(model, s, model.streams.key("delight"))

    # ------------------------------------------------------------ public surface
    @property
    def takes_work(self) -> bool:
        """Whether the desk listens for complaints and someone answers them (then the model
        gives it the unseen workload and a warm-up)."""
        return self.strategy.listening_recall > 0 and self.answers

    @property
    def queue(self):
        """The care staff's triage queue."""
        return self.routing.queue

    @property
    def community_queue(self):
        """The super-users' queue."""
        return self.routing.community_queue

    @property
    def backlog(self) -> int:
        """Simulated complaints found and not yet answered (lost hand-offs excluded)."""
        return self.routing.backlog

    @property
    def backlog_peak(self) -> int:
        """The largest backlog so far."""
        return self.routing.backlog_peak

    @property
    def staff(self) -> list[CareAgent]:
        """The care staff agents."""
        return self.team.agents

    @property
    def super_users(self) -> list[Responder]:
        """The community super-user agents."""
        return self.community.members

    @property
    def shift(self) -> Shift:
        """The staff's working calendar."""
        return self.team.shift

    @property
    def phone(self) -> Channel:
        """The phone line."""
        return self.channels.phone

    @property
    def web(self) -> Channel:
        """Web self-service."""
        return self.channels.web

    @property
    def delight_spent(self) -> float:
        """Money spent on proactive delight (real dollars)."""
        return self.delight.spent

    def kb_skill(self) -> float:
        """Resolution probability of staff (see `sim.service.knowledge`)."""
        return self.kb.skill()

    def start(self) -> None:
        """The run starts (after the warm-up): zero the counters and costs of every part.

        What the warm-up left (queues, the phone line's waiting customers, the knowledge base)
        stays, as a real desk would have it.
        """
        parts = (
            self.channels,
            self.team,
            self.community,
            self.bot,
            self.listening,
            self.outcomes,
            self.routing,
        )
        for part in parts:
            part.reset()

    # ------------------------------------------------------------ intake
    def on_post(self, pid: int) -> None:
        """Called for every new post: complaints become cases; mentions may get delight."""
        posts = self.model.diffusion.posts
        author, kind = int(posts.author[pid]), int(posts.kind[pid])
        if author == BRAND_NODE:
            return
        if kind in COMPLAINT_KINDS:
            case = self.case_of_author.get(author)
            siloed = self.strategy.organisation == "siloed"
            if (
                case is None
                or not case.open
                or case.dropped
                or (siloed and kind == KIND["followup"] and case.detected >= 0)
            ):
                # a new case; a siloed desk has no customer record, so a follow-up it sees again
                # becomes a duplicate case
                case = self._new_case(pid, author, kind == KIND["complaint"], case)
            case.cascades.append(int(posts.cascade[pid]))
            if case.detected < 0:
                key = derive(self.key, salt("listening.post"), int(posts.key[pid]))
                self.listening.listen(case, key)
        elif posts.topic[pid] != TOPIC_SERVICE:
            self.delight.consider(pid, author)

    def _new_case(self, pid: int, author: int, original: bool, previous: Case | None) -> Case:
        m = self.model
        case = Case(
            id=len(self.cases),
            author=author,
            post=pid,
            tick=m.tick,
            severity=m.severity_of(pid),
            followers=int(m.pop.followers[author]),
            influence=int(m.pop.influence[author]),
            key=int(m.diffusion.posts.key[pid]),
        )
        if not original and previous is not None:
            case.duplicate, case.original = True, previous.original or previous
        case.channel = "duplicate" if case.duplicate else "original"
        self._draw_patience(case)
        self.cases.append(case)
        self.case_of_author[author] = case
        return case

    def unseen_arrival(self, case: Case) -> None:
        """A complaint of the unseen workload is posted (the model schedules them)."""
        self._draw_patience(case)
        self.unseen_cases.append(case)
        self.listening.listen(case, derive(self.key, salt("listening.unseen"), case.post))

    def _draw_patience(self, case: Case) -> None:
        """When the complainer of `case` gives up waiting for a first answer (keyed draw)."""
        mean_min = self.model.cfg.complainer.patience_h * 60.0
        wait = self.draws.delay_ticks(case, mean_min, self.tick_min, "case.patience")
        case.patience_tick = case.tick + wait

    def direct_contact(self, case: Case) -> None:
        """A customer contacts service directly (no public complaint): web or phone line."""
        self.channels.choose(case).arrive(case, self.model.tick)

    # ------------------------------------------------------------ routing
    def _found(self, case: Case) -> None:
        s, m = self.strategy, self.model
        self.routing.found(case)
        if s.bot:
            m.schedule(m.tick + 1, self._bot_answer, case)
        elif self.community:
            self.routing.enqueue(case, m.tick, community=True)
        else:
            self._to_service(case)

    def _to_service(self, case: Case) -> None:
        if self.strategy.staff <= 0:
            return
        if not self.listening.hand_off(case, self._enqueue):
            self.routing.stop_waiting(case)

    def _enqueue(self, case: Case) -> None:
        self.routing.enqueue(case, self.model.tick)

    # ------------------------------------------------------------ answers
    def reply(self, case: Case, responder: Responder) -> None:
        """The public reply: a post seen by the complainer and part of their audience."""
        if not case.awaiting:
            return
        community = isinstance(responder, SuperUserAgent)
        mode = "public_then_private" if community else self.strategy.reply_mode
        if mode == "none":
            return
        canned = mode in ("canned", "phone_redirect")
        kind = "peer_answer" if community else "brand_reply"
        author = responder.node if community else BRAND_NODE
        self.outcomes.respond(case, kind, author, valence=0 if canned else 1, canned=canned)
        if community:
            self.community.answered()

    def close(self, case: Case, responder: Responder) -> None:
        """The private part: resolve on social, or redirect to the phone line or web."""
        s = self.strategy
        if not case.open:
            return
        if isinstance(responder, SuperUserAgent):
            outcome = self.community.outcome(case)
            if outcome == RESOLVED:
                self.outcomes.resolved(case)
            elif outcome == ESCALATED:
                log_case(self.model, "escalated", case)
                self._to_service(case)
            else:
                self.outcomes.unresolved(case)
            return
        if s.reply_mode == "phone_redirect":
            self._redirect(case)
        elif s.reply_mode == "none":
            self.outcomes.unresolved(case)
        elif self.draws.uniform(case, "staff.resolves") < self.kb.skill():
            self.outcomes.resolved(case)
        else:
            self.outcomes.unresolved(case)

    def _redirect(self, case: Case) -> None:
        """Channel shift: the customer is asked to call (or use the web); some never do."""
        m = self.model
        delay = self.channels.redirect(case)
        self.outcomes.redirected(case, refused=delay is None)
        if delay is not None:
            m.schedule(m.tick + delay, self._contact, case)

    def _contact(self, case: Case) -> None:
        self.channels.of(case).arrive(case, self.model.tick)

    def _bot_answer(self, case: Case) -> None:
        m = self.model
        if not case.open or case.first_response != NOT_YET:
            return
        answer = self.bot.answer(case)
        case.awaiting = True
        # an angered complainer's thread is not calmed by the bot's reply
        self.outcomes.respond(
            case, "bot_reply", BRAND_NODE, valence=0, canned=True, damp=not answer.backfire
        )
        if answer.backfire:
            log_case(m, "bot_backfire", case)
            if not case.unseen:
                m.opinion.shift(case.author, -m.cfg.opinion.bot_backfire_penalty)
                m.post_followup(case)
        elif answer.resolved:
            self.outcomes.resolved(case)
            return
        if self.strategy.staff > 0:
            log_case(m, "escalated", case)
            self._to_service(case)
        else:
            self.outcomes.unresolved(case)

    # ------------------------------------------------------------ per tick
    def step(self) -> None:
        """Super-users and staff work; channels serve."""
        self.community.step()
        self.team.step()
        for channel in self.channels:
            for case, _wait in channel.serve(self.model.tick):
                log_case(self.model, f"{channel.name}_contact", case)
                if self.channels.resolves(case, channel):
                    self.outcomes.resolved(case)
                else:
                    self.outcomes.unresolved(case)

    def hourly(self, negative_mentions_last_hour: int) -> None:
        """Once an hour: a public statement when negative mentions pass the threshold."""
        self.statements.hourly(negative_mentions_last_hour, self.model.n_ticks)
        self.routing.drop_expired(self.model.tick)

    # ------------------------------------------------------------ results
    def costs(self, n_ticks: int) -> dict[str, float]:
        """Staff, contact, compensation, delight and listening costs of the run, in real dollars."""
        m = self.model
        staff = self.team.cost(n_ticks, m.clock_at, self.tick_min)
        days = n_ticks * self.tick_min / 1440.0
        contacts = self.channels.cost() + self.bot.cost() + self.community.cost(days)
        paid = self.outcomes.compensation_paid
        listening = self.strategy.listening_cost_per_day * days
        return {
            "cost_staff": staff,
            "cost_contacts": contacts,
            "cost_compensation": paid,
            "cost_delight": self.delight.spent,
            "cost_listening": listening,
            "cost_total": staff + contacts + paid + self.delight.spent + listening,
        }

    def capacity_metrics(self, n_found: int) -> dict[str, float]:
        """What the desk can do in cases per hour, against what reached it, and what it dropped.

        capacity_cases_per_hour: cases the staff on shift close in an hour (staff * 60 / mean
        handling time at today's knowledge base speed); load_factor: complaints found in the run
        per staffed hour over that capacity (above 1 the queue grows).
        """
        m, s = self.model, self.strategy
        capacity = s.staff * 60.0 / (s.handling_time_min * self.kb.speed()) if s.staff else 0.0
        staffed_h = self.team.staffed_ticks(m.n_ticks, m.clock_at) * self.tick_min / 60.0
        per_hour = n_found * s.listening_recall / staffed_h if staffed_h else float("nan")
        return {
            "capacity_cases_per_hour": capacity,
            "load_factor": per_hour / capacity if capacity else float("nan"),
            "stale_cases": self.routing.dropped["stale"],
            "abandoned_cases": self.routing.dropped["abandoned"],
        }

    def service_metrics(self) -> dict[str, float]:
        """Metrics of the desk itself (real workload included), beyond the standard ones."""
        m = self.model
        seen = [c for c in self.cases if not c.duplicate]
        every = seen + [c for c in self.unseen_cases if c.tick >= 0]
        answers = sum(c.first_response >= 0 for c in self.cases + self.unseen_cases)
        times = np.array(
            [(c.first_response - c.tick) * self.tick_min for c in every if c.first_response >= 0]
        )
        large = [
            c
            for c in seen
            if c.followers * m.scale >= LARGE_ACCOUNT_FOLLOWERS and c.first_response >= 0
        ]
        large_t = np.array([(c.first_response - c.tick) * self.tick_min for c in large])
        out: dict[str, float] = {
            "workload_complaints": len(every),
            "answers_given": answers,  # first answers during the run, real scale (backlog included)
            "workload_responded_share": float(times.size / len(every)) if every else 0.0,
            "workload_response_time_median_min": float(np.median(times))
            if times.size
            else float("nan"),
            "response_time_large_accounts_min": float(np.median(large_t))
            if large_t.size
            else float("nan"),
        }
        out.update(self.capacity_metrics(n_found=len(every)))
        out.update(self.listening.metrics())
        out["duplicate_cases"] = sum(c.duplicate for c in self.cases)
        out.update(self.bot.metrics())
        out.update(self.community.metrics())
        out.update(self.delight.metrics(m.scale))
        out.update(self.kb.metrics())
        return out
