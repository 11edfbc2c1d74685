"""Contact channels with a capacity per hour and a cost per contact (phone line, web self-service).

Seed 001 (Alaska Air): the call centre handled 500 calls an hour at $1.60 a call; the web site
about 20,000 transactions an hour at $0.54 each.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from sim.config.schema import StrategyConfig
from sim.service.cases import Case
from sim.service.draws import CaseDraws


class Channel:
    """A first-in first-out contact channel that serves `capacity_per_hour` contacts an hour."""

    def __init__(
        self, name: str, capacity_per_hour: float, cost: float, resolution: float, tick_min: float
    ):
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


class Channels:
    """The phone line and web self-service of a strategy: redirects, contacts and their cost."""

    def __init__(self, strategy: StrategyConfig, draws: CaseDraws, tick_min: float):
        s = strategy
        self.strategy, self.draws, self.tick_min = s, draws, tick_min
        self.phone = Channel(
            "phone", s.phone_capacity_per_hour, s.phone_cost, s.phone_resolution, tick_min
        )
        self.web = Channel("web", s.web_capacity_per_hour, s.web_cost, s.web_resolution, tick_min)

    def __iter__(self) -> Iterator[Channel]:
        return iter((self.phone, self.web))

    def choose(self, case: Case) -> Channel:
        """Send `case` to the web (with probability `web_share`) or the phone line."""
        web = self.draws.uniform(case, "channel.web") < self.strategy.web_share
        case.channel = "web" if web else "phone"
        return self.of(case)

    def of(self, case: Case) -> Channel:
        """The channel `case` was sent to."""
        return self.web if case.channel == "web" else self.phone

    def redirect(self, case: Case) -> int | None:
        """Channel shift: ticks until the customer gets through, or None if they never try."""
        s = self.strategy
        if self.draws.uniform(case, "channel.uptake") >= s.phone_uptake:
            return None
        self.choose(case)
        return self.draws.delay_ticks(case, s.phone_delay_min, self.tick_min, "channel.delay")

    def resolves(self, case: Case, channel: Channel) -> bool:
        """Whether the contact of `case` on `channel` solved the problem."""
        return self.draws.uniform(case, "channel.resolves") < channel.resolution

    def cost(self) -> float:
        """Money spent on served contacts of both channels."""
        return self.phone.spent + self.web.spent

    def reset(self) -> None:
        """Zero the counters (after the warm-up); customers still waiting stay."""
        for channel in self:
            channel.served, channel.wait_ticks_total, channel.peak = 0, 0, len(channel.waiting)
