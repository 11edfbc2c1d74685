"""Contact channels with a capacity per hour and a cost per contact (phone line, web self-service).

Seed 001 (Alaska Air): the call centre handled 500 calls an hour at $1.60 a call; the web site
about 20,000 transactions an hour at $0.54 each.
"""

from __future__ import annotations

from collections import deque

from sim.service.cases import Case


class Channel:
    """A first-in first-out contact channel that serves `capacity_per_hour` contacts an hour."""

    def __init__(self, name: str, capacity_per_hour: float, cost: float, resolution: float, tick_min: float):
        self.name = name
        self.rate = capacity_per_hour * tick_min / 60.0  # contacts per tick
        self.cost = cost
        self.resolution = resolution
        self.waiting: deque[tuple[Case, int]] = deque()
        self._credit = 0.0
        self.served = 0
        self.wait_ticks_total = 0
        self.peak = 0

    def arrive(self, case: Case, tick: int) -> None:
        """A customer joins the queue of this channel."""
        self.waiting.append((case, tick))
        self.peak = max(self.peak, len(self.waiting))

    def serve(self, tick: int) -> list[tuple[Case, int]]:
        """Contacts served this tick, with their waiting time in ticks."""
        if not self.waiting:
            self._credit = 0.0
            return []
        self._credit += self.rate
        out = []
        while self.waiting and self._credit >= 1.0:
            case, arrived = self.waiting.popleft()
            self._credit -= 1.0
            out.append((case, tick - arrived))
            self.served += 1
            self.wait_ticks_total += tick - arrived
        return out

    @property
    def spent(self) -> float:
        """Money spent on served contacts."""
        return self.served * self.cost
