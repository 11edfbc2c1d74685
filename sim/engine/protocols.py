"""What the rest of the library may use of a running model: `HubModel`, a typing Protocol.

`SocialCareModel` satisfies it; the metrics (`sim.outputs.metrics`, `sim.outputs.derived_metrics`)
and the scenario's scripted actions (`sim.scenario.scripted`) are typed with it, so that what
they read of the model is written down in one place. The service desk and its parts take
narrower contexts (`sim.service.context`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from sim.config.schema import RunConfig
    from sim.customers.diffusion import Diffusion
    from sim.customers.opinion import Opinion
    from sim.customers.population import Population
    from sim.engine.lifecycle import Lifecycle
    from sim.engine.rng import Streams
    from sim.network import FollowerGraph
    from sim.service.cases import Case
    from sim.service.desk import ServiceDesk


class HubModel(Protocol):
    """A running (or finished) model as seen by metrics and scripted scenario actions."""

    cfg: RunConfig
    streams: Streams
    graph: FollowerGraph
    pop: Population
    opinion: Opinion
    diffusion: Diffusion
    desk: ServiceDesk
    lifecycle: Lifecycle
    env: Any  # sim.engine.model.Environment (its `load_report` is read)
    scale: float
    tick: int
    tick_min: float
    n_ticks: int
    ticks_per_hour: int
    sentiment_initial: float
    mentions_tick: dict[int, np.ndarray]
    service_events: list[tuple[int, str, int, int]]
    direct_contacts: list[Case]
    datacollector: Any  # mesa.DataCollector

    def clock_at(self, tick: int) -> tuple[int, int]:
        """(weekday, minute of day) at `tick`."""
        ...

    def schedule(self, tick: int, fn: Callable[..., Any], *args: Any) -> None:
        """Call `fn(*args)` at `tick`."""
        ...

    def log_event(self, kind: str, author: int, parent: int) -> None:
        """Record a service event in the event log."""
        ...
