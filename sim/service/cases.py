"""Cases (one complaint and its follow-ups) and the triage queue that orders them.

A case is either about a simulated person (their posts spread, their sentiment moves) or, when
the run is smaller than the real audience it describes, part of the unseen workload: a real
complaint the desk must still work (it costs staff time, contacts and money) but whose author is
not simulated (`unseen`, author -1).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.config.schema import TRIAGE_ORDERS

if TYPE_CHECKING:
    from sim.service.context import EventLog

NOT_YET = -1  # tick fields (detected, first_response, ...) that have not happened


@dataclass
class Case:
    """A complaint the company may work: who, how severe, and what happened to it."""

    id: int
    author: int
    post: int  # the complaint post (root of its cascade)
    tick: int  # when the complaint was posted
    severity: float
    followers: int
    influence: int
    cascades: list[int] = field(default_factory=list)  # complaint posts of this case
    detected: int = -1
    queued: int = -1
    first_response: int = -1
    personal_reply: int = -1  # first reply by a person (not canned, not a bot)
    closed: int = -1
    resolved: bool = False
    lost: bool = False
    followups: int = 0
    handoffs: int = 0  # hand-offs from the social team to service (siloed organisation)
    awaiting: bool = False  # queued for an answer that has not come yet
    channel: str = ""  # "original" or "duplicate"; "phone" or "web" once redirected
    duplicate: bool = False  # a siloed desk saw a follow-up again as a new case
    original: Case | None = None  # for a duplicate: the first case of the same complainer
    unseen: bool = False  # part of the unseen workload (no simulated author)
    key: int = 0  # key of the case's draws: the complaint's post key, the same under every strategy

    @property
    def quieted(self) -> bool:
        """Whether the complainer stops following up: a person answered, or the case is resolved.

        A canned reply or a bot does not quiet an unresolved complainer.
        """
        return self.personal_reply >= 0 or self.resolved

    @property
    def open(self) -> bool:
        """Not yet closed. A case lost in a hand-off stays open: its complainer still waits."""
        return self.closed < 0


class TriageQueue:
    """A priority queue of cases in one of the triage orders."""

    def __init__(self, order: str = "fifo"):
        if order not in TRIAGE_ORDERS:
            raise ValueError(
                f"unknown triage order {order!r}; choose one of {', '.join(TRIAGE_ORDERS)}"
            )
        self.order = order
        self._heap: list[tuple[tuple, int, Case]] = []
        self._seq = 0

    def _priority(self, case: Case) -> tuple:
        if self.order == "influence":
            return (-case.influence, -case.followers, case.queued)
        if self.order == "followers":
            return (-case.followers, case.queued)
        if self.order == "severity":
            return (-case.severity, case.queued)
        return (case.queued,)

    def push(self, case: Case) -> None:
        """Add a case."""
        self._seq += 1
        heapq.heappush(self._heap, (self._priority(case), self._seq, case))

    def pop(self) -> Case | None:
        """The next open case in triage order, or None."""
        while self._heap:
            case = heapq.heappop(self._heap)[2]
            if case.open and case.awaiting:
                return case
        return None

    def __len__(self) -> int:
        return len(self._heap)


def log_case(log: EventLog, kind: str, case: Case) -> None:
    """Record a service event about a simulated case (the unseen workload leaves no trace)."""
    if not case.unseen:
        log.log_event(kind, case.author, case.post)
