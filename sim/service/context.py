"""The narrow contexts the service desk and its parts work in (typing Protocols).

Each part of the desk asks only for what it uses: the clock (`Clock`), the calendar
(`Scheduler`), the event log (`EventLog`), or the customer side (`DeskModel`, what the desk as a
whole needs of `sim.engine.model.SocialCareModel`). A test can build a part with a tiny fake that
has just these attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from sim.config.schema import RunConfig
    from sim.customers.diffusion import Diffusion
    from sim.customers.opinion import Opinion
    from sim.customers.population import Population
    from sim.engine.rng import Streams
    from sim.service.cases import Case


class Clock(Protocol):
    """The current tick and its length."""

    tick: int
    tick_min: float


class Scheduler(Clock, Protocol):
    """A clock with a calendar of future calls."""

    def schedule(self, tick: int, fn: Callable[..., Any], *args: Any) -> None:
        """Call `fn(*args)` at `tick`."""
        ...


class EventLog(Protocol):
    """Where service events (not posts) are recorded."""

    def log_event(self, kind: str, author: int, parent: int) -> None:
        """Record `kind` about `author` and post `parent`."""
        ...


class WeekClock(Clock, Protocol):
    """A clock that knows the weekday and the minute of the day."""

    def clock_now(self) -> tuple[int, int]:
        """(weekday, minute of day) now."""
        ...

    def clock_at(self, tick: int) -> tuple[int, int]:
        """(weekday, minute of day) at `tick`."""
        ...


class Publisher(Scheduler, EventLog, Protocol):
    """The customer side a desk part acts on: posts, sentiment, the people."""

    cfg: RunConfig
    pop: Population
    opinion: Opinion
    diffusion: Diffusion
    scale: float

    def publish(self, tick: int, author: int, kind: str, valence: int, **kw: Any) -> int:
        """Post through the diffusion engine and let listening see it."""
        ...

    def complainer_received(self, case: Case, what: str) -> None:
        """Tell the complaint life cycle what the complainer of `case` received."""
        ...


class DeskModel(Publisher, WeekClock, Protocol):
    """Everything the service desk as a whole uses of the model."""

    streams: Streams
    n_ticks: int

    def severity_of(self, pid: int) -> float:
        """Severity of the complaint behind post `pid`."""
        ...

    def post_followup(self, case: Case) -> None:
        """The complainer of `case` complains again."""
        ...

    def super_user_nodes(self, k: int) -> np.ndarray:
        """The k customers who can become community super-users."""
        ...
