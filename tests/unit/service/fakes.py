"""Tiny stand-ins for the model: a calendar, an event log, the customer side, a Mesa model.

They hold only what the desk's parts ask for (`sim.service.context`), so a part can be tested
without building a SocialCareModel.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any, Callable

import mesa
import numpy as np

from sim.config.schema import RunConfig, StrategyConfig
from sim.customers.diffusion import TOPIC_INCIDENT
from sim.service.cases import Case
from sim.service.draws import CaseDraws


def strategy(**knobs: Any) -> StrategyConfig:
    """A strategy with the given knobs (the rest at their defaults)."""
    return StrategyConfig(**knobs)


def case(i: int, severity: float = 0.3, influence: int = 1, followers: int = 1, **kw: Any) -> Case:
    """A simulated case with its own draw key."""
    return Case(id=i, author=100 + i, post=i, tick=kw.pop("tick", 0), severity=severity,
                followers=followers, influence=influence, key=1000 + i, **kw)


DRAWS = CaseDraws(12345)


class Calendar:
    """A clock with a calendar (`Scheduler`) and an event log (`EventLog`)."""

    def __init__(self, tick_min: float = 1.0):
        self.tick = 0
        self.tick_min = tick_min
        self.calendar: dict[int, list[tuple[Callable, tuple]]] = defaultdict(list)
        self.events: list[tuple[int, str, int, int]] = []

    def schedule(self, tick: int, fn: Callable[..., Any], *args: Any) -> None:
        self.calendar[tick].append((fn, args))

    def log_event(self, kind: str, author: int, parent: int) -> None:
        self.events.append((self.tick, kind, author, parent))

    def kinds(self) -> list[str]:
        """Kinds of the events logged so far."""
        return [k for _, k, _, _ in self.events]

    def run_until(self, tick: int) -> None:
        """Fire every call due up to `tick`, in tick order."""
        while self.calendar and min(self.calendar) <= tick:
            t = min(self.calendar)
            self.tick = t
            for fn, args in self.calendar.pop(t):
                fn(*args)
        self.tick = tick


class Posts:
    """The post columns a statement reads."""

    def __init__(self, topics: list[int], cascades: list[int]):
        self.topic, self.cascade = np.array(topics), np.array(cascades)
        self.n = len(topics)

    def column(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]


class CustomerSide(Calendar):
    """A `Publisher`: records posts, sentiment changes and appeal changes."""

    def __init__(self, tick_min: float = 1.0, scale: float = 1.0):
        super().__init__(tick_min)
        self.cfg = RunConfig()
        self.scale = scale
        self.posts: list[dict[str, Any]] = []
        self.appeal: dict[int, float] = defaultdict(lambda: 1.0)
        self.feelings: list[tuple[str, int, float]] = []
        self.received: list[tuple[int, str]] = []  # what each complainer was told, in order
        side = self

        def post(tick: int, author: int, kind: str, valence: int, **kw: Any) -> int:
            side.posts.append(dict(tick=tick, author=author, kind=kind, valence=valence, **kw))
            return len(side.posts) - 1

        def set_appeal(cascade: int, factor: float) -> None:
            side.appeal[cascade] *= factor

        self.diffusion = SimpleNamespace(post=post, set_appeal=set_appeal,
                                         posts=Posts([TOPIC_INCIDENT], [0]))
        self.opinion = SimpleNamespace(
            replied=lambda who, minutes, canned: self.feelings.append(("replied", who, minutes)),
            resolved=lambda who, minutes, comp: self.feelings.append(("resolved", who, comp)),
            shift=lambda who, amount: self.feelings.append(("shift", who, amount)),
            speed=lambda minutes: 1.0,
        )

    def publish(self, tick: int, author: int, kind: str, valence: int, **kw: Any) -> int:
        return self.diffusion.post(tick, author, kind, valence, **kw)

    def complainer_received(self, case: Any, what: str) -> None:
        self.received.append((case.author, what))


class TinyModel(mesa.Model):
    """A Mesa model with a clock (`WeekClock`), for the staff agents."""

    def __init__(self, tick_min: float = 1.0, weekday: int = 0, start_minute: int = 9 * 60):
        super().__init__(rng=1)
        self.tick = 0
        self.tick_min = tick_min
        self.weekday, self.start_minute = weekday, start_minute

    def clock_now(self) -> tuple[int, int]:
        return self.clock_at(self.tick)

    def clock_at(self, tick: int) -> tuple[int, int]:
        minute = self.start_minute + int(tick * self.tick_min)
        return (self.weekday + minute // 1440) % 7, minute % 1440


class Work:
    """A `Work` that records what responders did."""

    def __init__(self, clock: TinyModel):
        self.clock = clock
        self.replies: list[tuple[int, int]] = []  # (case id, tick)
        self.closings: list[tuple[int, int]] = []

    def reply(self, case: Case, responder: Any) -> None:
        case.awaiting = False
        self.replies.append((case.id, self.clock.tick))

    def close(self, case: Case, responder: Any) -> None:
        case.closed = self.clock.tick
        self.closings.append((case.id, self.clock.tick))
