"""What answers do on the customer side: public replies, resolutions and their effects.

A reply is a post seen by the complainer and part of their audience; the complainer's sentiment
moves with their first answer (fast and personal, or late and canned), and the reshare appeal of
their complaint's cascades is damped. A resolution moves sentiment again (compensation included),
damps further and may lead to a public thanks. The costs of compensation are counted here.
"""

from __future__ import annotations

from sim.config.schema import StrategyConfig
from sim.customers.diffusion import TOPIC_SERVICE
from sim.service.cases import NOT_YET, Case, log_case
from sim.service.context import Publisher
from sim.service.draws import CaseDraws
from sim.service.knowledge import KnowledgeBase
from sim.service.routing import Routing

# kind of answer post -> what its complainer received (sim.engine.lifecycle.RECEIVED)
RECEIVED_FROM = {"bot_reply": "bot", "peer_answer": "peer"}


class Outcomes:
    """Replies, resolutions and the damping of complaint cascades."""

    def __init__(
        self,
        ctx: Publisher,
        strategy: StrategyConfig,
        draws: CaseDraws,
        routing: Routing,
        kb: KnowledgeBase,
    ):
        self.ctx = ctx
        self.strategy = strategy
        self.draws = draws
        self.routing = routing
        self.kb = kb
        self.compensation_paid = 0.0
        self._answered: set[int] = set()  # simulated complainers who got a first answer
        self._resolved_authors: set[int] = set()
        self._appeal: dict[int, float] = {}  # cascade -> damping applied so far

    def damp(self, cascades: list[int], level: float) -> None:
        """Bring the reshare appeal of complaint cascades down to `level` (never back up)."""
        for c in cascades:
            now = self._appeal.get(c, 1.0)
            if level < now:
                self.ctx.diffusion.set_appeal(c, level / now)
                self._appeal[c] = level

    def respond(
        self, case: Case, kind: str, author: int, valence: int, canned: bool, damp: bool = True
    ) -> None:
        """Answer `case` in public with a post of `kind` by `author`."""
        m = self.ctx
        case.awaiting = False
        root = case.original or case
        for c in (case, root):
            if c.first_response == NOT_YET:
                c.first_response = m.tick
                self.routing.stop_waiting(c)
            if not canned and c.personal_reply == NOT_YET:
                c.personal_reply = m.tick
            if kind == "brand_reply" and c.brand_reply == NOT_YET:
                c.brand_reply = m.tick
        if case.unseen:
            return
        what = RECEIVED_FROM.get(kind, "canned" if canned else "personal")
        m.complainer_received(case, what)
        if case.author not in self._answered:  # what the complainer feels: their first answer
            self._answered.add(case.author)
            m.opinion.replied(case.author, (m.tick - root.tick) * m.tick_min, canned)
        m.diffusion.post(
            m.tick,
            author,
            kind,
            valence,
            parent=case.post,
            cascade=None,
            key=self.draws.key(case, "post.reply"),
            topic=TOPIC_SERVICE,
            audience_of=case.author,
            visibility=m.cfg.diffusion.reply_visibility,
            direct=(case.author,),
        )
        if damp:
            level = m.cfg.diffusion.canned_appeal if canned else m.cfg.diffusion.answered_appeal
            self.damp(case.cascades + root.cascades, level)

    def resolved(self, case: Case, compensation: float | None = None) -> None:
        """`case` is resolved; `compensation` overrides the strategy's (a scripted offer)."""
        s, m = self.strategy, self.ctx
        case.resolved, case.closed = True, m.tick
        root = case.original or case
        root.resolved = True  # the complainer's problem is solved, whichever case did it
        minutes = (m.tick - root.tick) * m.tick_min
        comp = s.compensation if case.severity >= s.compensation_min_severity else 0.0
        comp = comp if compensation is None else compensation
        self.compensation_paid += comp
        self.kb.record()
        if case.unseen or case.author in self._resolved_authors:
            return  # unseen, or a duplicate of a complaint already resolved: work, no effect
        self._resolved_authors.add(case.author)
        m.complainer_received(case, "resolved")
        m.opinion.resolved(case.author, minutes, comp)
        log_case(m, "resolved", case)
        self.damp(case.cascades + root.cascades, m.cfg.diffusion.resolved_appeal)
        # a direct contact (sim.scenario.scripted: no public complaint, post < 0) thanks nobody
        thanks = m.cfg.diffusion.thanks_prob * m.opinion.speed(minutes)
        if case.post >= 0 and self.draws.uniform(case, "outcome.thanks") < thanks:
            m.publish(
                m.tick,
                case.author,
                "thanks",
                1,
                parent=case.post,
                topic=TOPIC_SERVICE,
                key=self.draws.key(case, "post.thanks"),
            )

    def unresolved(self, case: Case) -> None:
        """`case` is closed without a solution."""
        m = self.ctx
        case.closed = m.tick
        if case.unseen or case.author in self._resolved_authors:
            return
        m.opinion.shift(case.author, -m.cfg.opinion.unresolved_penalty)
        m.complainer_received(case, "unresolved")
        log_case(m, "unresolved", case)

    def redirected(self, case: Case, refused: bool) -> None:
        """The customer was asked to call or use the web; `refused`: they never do.

        Either way the effort costs sentiment. A refusal closes the case on the desk's side
        (nothing more will come of it) but not as an unresolved answer: the complainer is still
        waiting, unhappier, and their next follow-up opens a new case.
        """
        m = self.ctx
        if refused:
            case.closed = m.tick
        if case.unseen or case.author in self._resolved_authors:
            return
        m.opinion.shift(case.author, -m.cfg.opinion.phone_effort_penalty)
        m.complainer_received(case, "redirect")
        log_case(m, "redirect_refused" if refused else "redirected", case)

    def gave_up(self, case: Case) -> None:
        """The complainer of `case` gave up waiting for a first answer."""
        m = self.ctx
        if case.unseen or case.author in self._resolved_authors:
            return
        m.opinion.shift(case.author, -m.cfg.opinion.unresolved_penalty)
        log_case(m, "gave_up", case)

    def reset(self) -> None:
        """Zero the costs (after the warm-up)."""
        self.compensation_paid = 0.0
