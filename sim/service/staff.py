"""Care staff and community super-users: the few company-side actors, as Mesa agents."""

from __future__ import annotations

import math

import mesa

from sim.service.cases import Case
from sim.service.shifts import Shift


class Responder(mesa.Agent):
    """Someone who takes cases from a queue, replies publicly, then closes the case."""

    def __init__(self, model: mesa.Model, desk, shift: Shift | None):
        super().__init__(model)
        self.desk = desk
        self.shift = shift
        self.case: Case | None = None
        self.reply_at = 0
        self.done_at = 0
        self.busy_ticks = 0
        self.cases_closed = 0

    def on_duty(self) -> bool:
        """Whether the calendar has this person working now."""
        if self.shift is None:
            return True
        wd, minute = self.model.clock_now()
        return self.shift.on_duty(wd, minute)

    def queue(self):
        """The queue this responder works."""
        return self.desk.queue

    def handling_ticks(self, case: Case) -> tuple[int, int]:
        """Ticks until the public reply and until the case is closed."""
        raise NotImplementedError

    def step(self) -> None:
        """Take a case when idle and on duty; reply and close it when due."""
        t = self.model.tick
        if self.case is None:
            if len(self.queue()) == 0 or not self.on_duty():  # nothing to take: skip the clock
                return
            case = self.queue().pop()
            if case is None:
                return
            reply, done = self.handling_ticks(case)
            self.case, self.reply_at, self.done_at = case, t + reply, t + max(done, reply)
        self.busy_ticks += 1
        case = self.case
        if case.awaiting and t >= self.reply_at:
            self.desk.reply(case, self)
        if t >= self.done_at:
            self.desk.close(case, self)
            self.case = None
            self.cases_closed += 1


class CareAgent(Responder):
    """A member of the social care desk (or, when siloed, of the service team)."""

    def handling_ticks(self, case: Case) -> tuple[int, int]:
        s, tick = self.desk.strategy, self.model.tick_min
        u = self.desk.case_uniform(case, 11)
        handling = -s.handling_time_min * math.log(max(1.0 - u, 1e-12)) * self.desk.kb_speed()
        return max(1, math.ceil(s.reply_time_min / tick)), max(1, math.ceil(handling / tick))


class SuperUserAgent(Responder):
    """A community super-user who answers peers quickly, for free, but resolves less."""

    def __init__(self, model: mesa.Model, desk, node: int):
        super().__init__(model, desk, None)
        self.node = node

    def queue(self):
        return self.desk.community_queue

    def handling_ticks(self, case: Case) -> tuple[int, int]:
        s, tick = self.desk.strategy, self.model.tick_min
        u = self.desk.case_uniform(case, 12)
        wait = -s.community_response_min * math.log(max(1.0 - u, 1e-12))
        n = max(1, math.ceil(wait / tick))
        return n, n
