"""Routing: the triage queues of the desk and its backlog of found, unanswered complaints."""

from __future__ import annotations

from sim.service.cases import NOT_YET, Case, TriageQueue


class Routing:
    """The care queue (in the strategy's triage order), the community queue and the backlog."""

    def __init__(self, triage: str):
        self.queue = TriageQueue(triage)
        self.community_queue = TriageQueue("fifo")
        self.waiting: set[int] = set()  # ids of simulated cases found and not yet answered
        self.backlog_peak = 0

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
        """`case` was answered (or lost in a hand-off): it leaves the backlog."""
        if not case.unseen:
            self.waiting.discard(case.id)

    def enqueue(self, case: Case, tick: int, community: bool = False) -> None:
        """Queue an open case for an answer, by staff or (`community`) by super-users."""
        if not case.open:
            return
        case.queued = tick
        case.awaiting = True
        (self.community_queue if community else self.queue).push(case)
