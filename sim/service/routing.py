"""Routing: the triage queues of the desk and its backlog of found, unanswered complaints.

Rule for old cases: a queued case is dropped unanswered when its complainer gave up (patience
ran out before any answer: "abandoned") or when it is older than `strategy.stale_after_h`
("stale"); the queue checks this when a case is taken and the desk sweeps it once an hour.
"""

from __future__ import annotations

from sim.config.schema import StrategyConfig
from sim.service.cases import NOT_YET, Case, TriageQueue, TriageWeights


class Routing:
    """The care queue (in the strategy's triage order), the community queue and the backlog."""

    def __init__(
        self,
        triage: str,
        weights: TriageWeights | None = None,
        tick_min: float = 1.0,
        stale_after_ticks: float = float("inf"),
    ):
        self.queue = TriageQueue(triage, weights, tick_min, stale_after_ticks, self._dropped)
        self.community_queue = TriageQueue("fifo", None, tick_min, stale_after_ticks, self._dropped)
        self.waiting: set[int] = set()  # ids of simulated cases found and not yet answered
        self.backlog_peak = 0
        self.dropped = {"abandoned": 0, "stale": 0}  # cases of the whole workload

    @classmethod
    def for_strategy(cls, s: StrategyConfig, tick_min: float) -> Routing:
        """The routing of strategy `s` (its triage order, weights and stale rule)."""
        weights = TriageWeights(
            s.triage_influence_weight, s.triage_severity_weight, s.triage_recency_weight
        )
        return cls(s.triage, weights, tick_min, s.stale_after_h * 60.0 / tick_min)

    @property
    def backlog(self) -> int:
        """Simulated complaints found and not yet answered (lost hand-offs excluded)."""
        return len(self.waiting)

    def found(self, case: Case) -> None:
        """Listening found `case`: a simulated, unanswered one joins the backlog."""
        if not case.unseen and case.first_response == NOT_YET:
            self.waiting.add(case.id)
            self.backlog_peak = max(self.backlog_peak, len(self.waiting))

    def stop_waiting(self, case: Case) -> None:
        """`case` was answered (or lost in a hand-off, or dropped): it leaves the backlog."""
        if not case.unseen:
            self.waiting.discard(case.id)

    def _dropped(self, case: Case, why: str) -> None:
        self.dropped[why] += 1
        self.stop_waiting(case)

    def drop_expired(self, tick: int) -> None:
        """The hourly sweep: drop the expired cases of both queues."""
        self.queue.drop_expired(tick)
        self.community_queue.drop_expired(tick)

    def enqueue(self, case: Case, tick: int, community: bool = False) -> None:
        """Queue an open case for an answer, by staff or (`community`) by super-users."""
        if not case.open or case.dropped:
            return
        case.queued = tick
        case.awaiting = True
        (self.community_queue if community else self.queue).push(case)

    def reset(self) -> None:
        """Zero the counters (after the warm-up)."""
        self.dropped = {"abandoned": 0, "stale": 0}
