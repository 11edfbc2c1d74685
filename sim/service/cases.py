"""Cases (one complaint and its follow-ups) and the triage queue that orders them.

A case is either about a simulated person (their posts spread, their sentiment moves) or, when
the run is smaller than the real audience it describes, part of the unseen workload: a real
complaint the desk must still work (it costs staff time, contacts and money) but whose author is
not simulated (`unseen`, author -1).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
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
    brand_reply: int = -1  # first reply by the brand's staff, personal or canned (not bot, peer)
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
    draw_key: int = 0  # the desk's key of this case's draws (sim.service.draws), once computed
    drawn: list[float] | None = None  # its usual uniforms drawn in advance (CaseDraws.draw_ahead)
    patience_tick: int = -1  # when the complainer gives up waiting for a first answer (-1: never)
    dropped: str = ""  # "abandoned" (patience ran out) or "stale" (too old): left unanswered

    def expired(self, tick: int, stale_after_ticks: float) -> str:
        """Why the desk should no longer answer this queued case at `tick` ("" if it should)."""
        if self.dropped:
            return self.dropped
        if self.first_response < 0 and 0 <= self.patience_tick <= tick:
            return "abandoned"
        if tick - self.tick > stale_after_ticks:
            return "stale"
        return ""

    @property
    def open(self) -> bool:
        """Not yet closed. A case lost in a hand-off stays open: its complainer still waits."""
        return self.closed < 0


@dataclass(frozen=True)
class TriageWeights:
    """Weights of the `weighted` triage score (higher is worked first).

    score = influence * log10(1 + followers) + severity * severity + recency * hours queued
    after the start; a positive recency weight works newer cases first. The score of a case is
    fixed when it is queued, so the queue stays a heap.
    """

    influence: float = 1.0
    severity: float = 2.0
    recency: float = 0.05

    def score(self, case: Case, tick_min: float) -> float:
        """The triage score of `case`."""
        hours = case.queued * tick_min / 60.0
        return (
            self.influence * math.log10(1.0 + max(case.followers, 0))
            + self.severity * case.severity
            + self.recency * hours
        )


class TriageQueue:
    """A priority queue of cases in one of the triage orders.

    `pop(tick)` skips cases the desk no longer answers (`Case.expired`: the complainer gave up,
    or the case is older than `stale_after_ticks`) and hands each to `on_drop`.
    """

    def __init__(
        self,
        order: str = "fifo",
        weights: TriageWeights | None = None,
        tick_min: float = 1.0,
        stale_after_ticks: float = math.inf,
        on_drop: Callable[[Case, str], None] | None = None,
    ):
        if order not in TRIAGE_ORDERS:
            raise ValueError(
                f"unknown triage order {order!r}; choose one of {', '.join(TRIAGE_ORDERS)}"
            )
        self.order = order
        self.weights = weights or TriageWeights()
        self.tick_min = tick_min
        self.stale_after_ticks = stale_after_ticks
        self.on_drop = on_drop
        self._heap: list[tuple[tuple, int, Case]] = []
        self._seq = 0

    def _priority(self, case: Case) -> tuple:
        if self.order == "influence":
            return (-case.influence, -case.followers, case.queued)
        if self.order == "followers":
            return (-case.followers, case.queued)
        if self.order == "severity":
            return (-case.severity, case.queued)
        if self.order == "weighted":
            return (-self.weights.score(case, self.tick_min), case.queued)
        return (case.queued,)

    def push(self, case: Case) -> None:
        """Add a case."""
        self._seq += 1
        heapq.heappush(self._heap, (self._priority(case), self._seq, case))

    def _still_waiting(self, case: Case, tick: int | None) -> bool:
        """Whether a queued case still waits for an answer; at `tick`, an expired one is dropped."""
        if not (case.open and case.awaiting):
            return False
        why = case.expired(tick, self.stale_after_ticks) if tick is not None else ""
        if why:
            self._drop(case, why)
        return not why

    def pop(self, tick: int | None = None) -> Case | None:
        """The next open case in triage order, or None; at `tick`, expired cases are dropped."""
        while self._heap:
            case = heapq.heappop(self._heap)[2]
            if self._still_waiting(case, tick):
                return case
        return None

    def drop_expired(self, tick: int) -> None:
        """Drop every expired case now (the desk's hourly sweep), and the answered ones."""
        self._heap = [item for item in self._heap if self._still_waiting(item[2], tick)]
        heapq.heapify(self._heap)

    def _drop(self, case: Case, why: str) -> None:
        case.dropped = why
        case.awaiting = False
        if self.on_drop is not None:
            self.on_drop(case, why)

    def __len__(self) -> int:
        return len(self._heap)


def log_case(log: EventLog, kind: str, case: Case) -> None:
    """Record a service event about a simulated case (the unseen workload leaves no trace)."""
    if not case.unseen:
        log.log_event(kind, case.author, case.post)
