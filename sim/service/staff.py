"""Care staff and community super-users: the few company-side actors, as Mesa agents."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import mesa

import sim.engine.mesa_patches  # noqa: F401 - finished models can be freed (mesa#3179)
from sim.config.schema import StrategyConfig
from sim.service.cases import Case, TriageQueue
from sim.service.draws import CaseDraws
from sim.service.knowledge import KnowledgeBase
from sim.service.shifts import Shift, parse_shift


class Work(Protocol):
    """What a responder does with a case: the public reply, then the closing."""

    def reply(self, case: Case, responder: Responder) -> None:
        """Answer `case` in public."""
        ...

    def close(self, case: Case, responder: Responder) -> None:
        """Resolve `case` privately, redirect it, or leave it unresolved."""
        ...


class Responder(mesa.Agent):
    """Someone who takes cases from a queue, replies publicly, then closes the case.

    Work is timed in minutes, not ticks. A responder is busy for the handling time only; the
    public reply is due `reply` minutes after taking the case, and when that is later than the
    end of the work it is posted (and the case closed) then, while the responder takes the next
    case. Timed in minutes: with ticks longer than a case (30-minute ticks, a
    15-minute case) a responder closes several cases in one tick, so the desk's capacity does
    not depend on the tick length. A reply or a closing is due at the first tick at or after its
    minute; a responder who closes a case takes the next one from the minute it closed.

    The model must have `tick`, `tick_min` and `clock_now()` (`sim.service.context.WeekClock`).
    """

    def __init__(self, model: mesa.Model, work: Work, queue: TriageQueue, shift: Shift | None):
        super().__init__(model)
        self.work = work
        self.queue = queue
        self.shift = shift
        self.case: Case | None = None
        self.reply_at = 0  # tick of the public reply of the current case
        self.done_at = 0  # tick when the current case closes
        self.reply_min = 0.0  # the same two, in minutes since the start
        self.done_min = 0.0
        self.free_min = -math.inf  # minute from which this responder can take a new case
        self.busy_ticks = 0
        self.cases_closed = 0

    def on_duty(self) -> bool:
        """Whether the calendar has this person working now."""
        if self.shift is None:
            return True
        wd, minute = self.model.clock_now()
        return self.shift.on_duty(wd, minute)

    def handling_minutes(self, case: Case) -> tuple[float, float]:
        """Minutes from taking `case` to its public reply and to its closing."""
        raise NotImplementedError

    def _take(self, now: float) -> bool:
        queue = self.queue
        if len(queue) == 0 or not self.on_duty():  # nothing to take: skip the clock
            return False
        case = queue.pop(self.model.tick)
        if case is None:
            return False
        tick_min = self.model.tick_min
        start = max(self.free_min, now - tick_min, case.queued * tick_min)
        reply, done = self.handling_minutes(case)
        self.case = case
        self.reply_min, self.done_min = start + reply, start + max(done, 1e-9)
        self.reply_at = math.ceil(self.reply_min / tick_min - 1e-9)
        self.done_at = math.ceil(self.done_min / tick_min - 1e-9)
        return True

    def step(self) -> None:
        """Take a case when idle and on duty; reply and close it when due (several per tick
        when cases are shorter than a tick)."""
        t = self.model.tick
        now = t * self.model.tick_min
        if self.case is None:
            self.free_min = max(self.free_min, now)  # idle until now
        busy = False
        while self.case is not None or self._take(now):
            busy = True
            case = self.case
            assert case is not None  # taken just now, or held from an earlier tick
            if case.awaiting and self.reply_min <= now + 1e-9:
                self.work.reply(case, self)
            if self.done_min > now + 1e-9:
                break
            if case.awaiting and self.reply_min > now + 1e-9:
                # the work is done but the reply is not out yet (reply latency is not busy time)
                self.model.schedule(self.reply_at, self._reply_and_close, case)
            else:
                self.work.close(case, self)
            self.case = None
            self.cases_closed += 1
            self.free_min = self.done_min
        if busy:
            self.busy_ticks += 1

    def _reply_and_close(self, case: Case) -> None:
        """The reply of a case whose work ended before its reply was due, then its closing."""
        if case.awaiting:
            self.work.reply(case, self)
        self.work.close(case, self)


def _exponential(mean: float, u: float) -> float:
    return -mean * math.log(max(1.0 - u, 1e-12))


class CareAgent(Responder):
    """A member of the social care desk (or, when siloed, of the service team)."""

    def __init__(
        self,
        model: mesa.Model,
        work: Work,
        queue: TriageQueue,
        shift: Shift | None,
        strategy: StrategyConfig,
        draws: CaseDraws,
        kb: KnowledgeBase,
    ):
        super().__init__(model, work, queue, shift)
        self.strategy, self.draws, self.kb = strategy, draws, kb

    def handling_minutes(self, case: Case) -> tuple[float, float]:
        s = self.strategy
        u = self.draws.uniform(case, "staff.handling")
        handling = _exponential(s.handling_time_min, u) * self.kb.speed()
        return s.reply_time_min, handling


class SuperUserAgent(Responder):
    """A community super-user who answers peers quickly, for free, but resolves less."""

    def __init__(
        self,
        model: mesa.Model,
        work: Work,
        queue: TriageQueue,
        node: int,
        strategy: StrategyConfig,
        draws: CaseDraws,
    ):
        super().__init__(
            model, work, queue, parse_shift(strategy.community_hours, "community_hours")
        )
        self.node = node
        self.strategy, self.draws = strategy, draws

    def handling_minutes(self, case: Case) -> tuple[float, float]:
        u = self.draws.uniform(case, "community.wait")
        wait = _exponential(self.strategy.community_response_min, u)
        return wait, wait


class StaffTeam:
    """The care staff of a strategy: `strategy.staff` agents on one shift, and their wages."""

    def __init__(
        self,
        model: mesa.Model,
        work: Work,
        queue: TriageQueue,
        strategy: StrategyConfig,
        draws: CaseDraws,
        kb: KnowledgeBase,
    ):
        self.strategy = strategy
        self.queue = queue
        self.shift = parse_shift(strategy.shift, key="strategy.shift")
        self._staffed: dict[int, int] = {}  # n_ticks -> staffed ticks (the clock is fixed)
        self.agents = [
            CareAgent(model, work, queue, self.shift, strategy, draws, kb)
            for _ in range(strategy.staff)
        ]

    def step(self) -> None:
        """Staff with a case, or with cases waiting, work."""
        for agent in self.agents:
            if agent.case is not None or self.queue:
                agent.step()

    def staffed_ticks(self, n_ticks: int, clock_at: Callable[[int], tuple[int, int]]) -> int:
        """Ticks of the first `n_ticks` in which the shift is on duty (counted once per run)."""
        if n_ticks not in self._staffed:
            self._staffed[n_ticks] = sum(
                1 for t in range(n_ticks) if self.shift.on_duty(*clock_at(t))
            )
        return self._staffed[n_ticks]

    def cost(
        self, n_ticks: int, clock_at: Callable[[int], tuple[int, int]], tick_min: float
    ) -> float:
        """Wages of the staffed time of the first `n_ticks` ticks, in real dollars."""
        s = self.strategy
        staffed_min = self.staffed_ticks(n_ticks, clock_at) * tick_min
        return s.staff * staffed_min / 60.0 * s.hourly_wage

    def reset(self) -> None:
        """Zero the counters (after the warm-up)."""
        for agent in self.agents:
            agent.busy_ticks = agent.cases_closed = 0
