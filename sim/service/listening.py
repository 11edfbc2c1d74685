"""Listening: finding complaints (recall, latency) and, when siloed, handing them to service.

Listening finds a complaint with probability `listening_recall`, after an exponential delay of
mean `listening_latency_min`. In a siloed organisation the social (marketing) team that found it
hands it to the service team: after a delay of mean `handoff_delay_min`, and with probability
`handoff_loss` the hand-off is lost (the complainer still waits, nobody works the case).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.config.schema import StrategyConfig
from sim.engine.rng import keyed_uniform_one
from sim.engine.streams import salt
from sim.service.cases import NOT_YET, Case, log_case
from sim.service.context import EventLog, Scheduler
from sim.service.draws import CaseDraws


class Listening:
    """Finds complaints and hands them on."""

    def __init__(
        self,
        strategy: StrategyConfig,
        clock: Scheduler,
        log: EventLog,
        draws: CaseDraws,
        on_detected: Callable[[Case], None],
        active: bool = True,
    ):
        """Listen under `strategy`; `on_detected(case)` is called when a case is found.

        `active` is False when nobody could answer, so that listening for complaints is moot.
        """
        self.strategy = strategy
        self.clock = clock
        self.log = log
        self.draws = draws
        self.on_detected = on_detected
        self.active = active
        self.handoffs_lost = 0

    def listen(self, case: Case, draw_key: int) -> None:
        """Maybe find `case` (its latest post has the listening key `draw_key`) after a delay."""
        s = self.strategy
        if not self.active or s.listening_recall <= 0:
            return
        if keyed_uniform_one(draw_key, salt("listening.found")) >= s.listening_recall:
            return
        delay = self.draws.delay_ticks(
            case, s.listening_latency_min, self.clock.tick_min, "listening.delay", case.followups
        )
        self.clock.schedule(self.clock.tick + delay, self._detected, case)

    def _detected(self, case: Case) -> None:
        if case.detected != NOT_YET or not case.open:
            return
        case.detected = self.clock.tick
        log_case(self.log, "detected", case)
        self.on_detected(case)

    def hand_off(self, case: Case, deliver: Callable[[Case], None]) -> bool:
        """Pass `case` to service (`deliver(case)`): at once when integrated, else after a delay.

        Returns:
            False when a siloed hand-off lost the case (`case.lost`), True otherwise.
        """
        s, clock = self.strategy, self.clock
        if s.organisation != "siloed":
            deliver(case)
            return True
        case.handoffs += 1
        if self.draws.uniform(case, "handoff.loss", case.handoffs) < s.handoff_loss:
            case.lost = True
            self.handoffs_lost += 1
            log_case(self.log, "handoff_lost", case)
            return False
        log_case(self.log, "handoff", case)
        delay = self.draws.delay_ticks(
            case, s.handoff_delay_min, clock.tick_min, "handoff.delay", case.handoffs
        )
        clock.schedule(clock.tick + delay, deliver, case)
        return True

    def reset(self) -> None:
        """Zero the counters (after the warm-up)."""
        self.handoffs_lost = 0

    def metrics(self) -> dict[str, float]:
        """Listening's own metric."""
        return {"handoffs_lost": self.handoffs_lost}
