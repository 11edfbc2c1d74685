"""Models for watching a run live: many simulated minutes per step, and two strategies at once.

`SocialCareModel.step()` is one simulated minute, far too fine for a screen. `LiveRun` advances
one model by a chunk of minutes and keeps what the views need (a frozen copy of the ego network,
the time series so far, a summary). `DashboardModel` is the Mesa model behind the dashboard: its
parameters are the dashboard's controls; with `compare_with` set it runs a second strategy on the
same seed and the same environment (network, people, chatter: `build_environment`), so a class sees
only the difference the strategy makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from sim.config.schema import RunConfig
from sim.engine.model import Environment, SocialCareModel, build_environment
from sim.viz.ego_layout import EgoFrame, EgoNetwork
from sim.viz.presets import compose_run_config

# The default desk keeps up with the United incident at the default 10,000 simulated people: 6 staff
# (the `fast_social_care` preset's own desk) are busy about 43% of their time (seeds 1-3); 2 staff
# would be busy all the time with a queue that only grows (docs/teaching.md, exercise 1).
DEFAULT_STAFF = 6

HISTORY_KEYS = (
    "t_h",
    "reach_negative",
    "reach_positive",
    "reach_incident",
    "sentiment_mean",
    "queue",
    "cost_total",
    "replies",
)


def desk_knobs(staff: int, response_target_min: float, triage: str, organisation: str) -> dict:
    """The strategy knobs the dashboard's desk controls set.

    The response target is the desk's promise; a desk keeps it by looking at what listening found
    often enough: on average a third of the target passes before a found complaint is picked up
    (`listening_latency_min`), so about 95% are picked up within the target.
    """
    return {
        "staff": int(staff),
        "response_target_min": float(response_target_min),
        "listening_latency_min": float(response_target_min) / 3.0,
        "triage": triage,
        "organisation": organisation,
    }


@dataclass
class LiveView:
    """What the views draw: copies taken at the end of a step (safe to read from another thread)."""

    label: str
    frame: EgoFrame
    history: dict[str, np.ndarray]
    mentions_negative: np.ndarray  # per completed or current hour
    mentions_positive: np.ndarray
    summary: dict[str, float] = field(default_factory=dict)
    horizon_h: float = 72.0
    incident_h: list[float] = field(default_factory=list)
    first_reply_h: float | None = None


class LiveRun:
    """One model advanced in chunks of simulated minutes, with its views kept up to date."""

    def __init__(
        self, cfg: RunConfig, env: Environment | None = None, label: str = "", max_nodes: int = 400
    ):
        self.cfg = cfg
        self.label = label or cfg.strategy.name
        self.model = SocialCareModel(cfg, env=env)
        self.ego = EgoNetwork(self.model, max_nodes=max_nodes)
        self.rows: dict[str, list[float]] = {k: [] for k in HISTORY_KEYS}
        self.first_reply_tick: int | None = None
        self._record()

    @property
    def running(self) -> bool:
        """Whether the run has not reached its horizon."""
        m = self.model
        return bool(m.running and m.tick < m.n_ticks)

    def advance(self, minutes: float) -> None:
        """Run `minutes` simulated minutes (fewer at the horizon) and refresh the views."""
        m = self.model
        for _ in range(max(1, int(round(minutes / m.tick_min)))):
            if not self.running:
                break
            m.step()
        self._record()

    def _record(self) -> None:
        m, d, desk = self.model, self.model.diffusion, self.model.desk
        self.ego.update()
        replies = sum(c.first_response >= 0 for c in desk.cases)
        if self.first_reply_tick is None and replies:
            self.first_reply_tick = min(
                c.first_response for c in desk.cases if c.first_response >= 0
            )
        row = {
            "t_h": m.tick * m.tick_min / 60.0,
            "reach_negative": float(d.seen[-1].sum()),
            "reach_positive": float(d.seen[1].sum()),
            "reach_incident": float(d.reach_incident),
            "sentiment_mean": m.opinion.mean(),
            "queue": float(len(desk.queue) + len(desk.community_queue) + len(desk.phone.waiting)),
            "cost_total": desk.costs(m.tick)["cost_total"],
            "replies": float(replies),
        }
        for k, v in row.items():
            self.rows[k].append(v)
        self.view = self._view()

    def _view(self) -> LiveView:
        m = self.model
        tph = m.ticks_per_hour
        hours = int(np.ceil(max(m.tick, 1) / tph))

        def hourly(arr: np.ndarray) -> np.ndarray:
            a = np.zeros(hours * tph, dtype=np.int64)
            a[: m.tick] = arr[: m.tick]
            return a.reshape(hours, tph).sum(axis=1)

        history = {k: np.asarray(v, dtype=float) for k, v in self.rows.items()}
        original = [c for c in m.desk.cases if c.channel != "duplicate"]
        times = [
            (c.first_response - c.tick) * m.tick_min for c in original if c.first_response >= 0
        ]
        last = {k: v[-1] for k, v in history.items()}
        summary = {
            **last,
            "scale": m.scale,
            "complaints": float(len(original)),
            "answered": float(len(times)),
            "response_median_min": float(np.median(times)) if times else float("nan"),
            "staff": float(m.cfg.strategy.staff),
        }
        return LiveView(
            label=self.label,
            frame=self.ego.frame(),
            history=history,
            mentions_negative=hourly(m.mentions_tick[-1]),
            mentions_positive=hourly(m.mentions_tick[1]),
            summary=summary,
            horizon_h=m.n_ticks * m.tick_min / 60.0,
            incident_h=[i.at_h for i in m.cfg.scenario.incidents],
            first_reply_h=None
            if self.first_reply_tick is None
            else self.first_reply_tick * m.tick_min / 60.0,
        )


class DashboardModel(mesa.Model):
    """The dashboard's Mesa model: the controls are its parameters; one step = several minutes.

    Args:
        scenario: preset of `conf/scenario/`.
        strategy: preset of `conf/strategy/` for the main run.
        staff: care staff on the desk (overrides the preset).
        response_target_min: the desk's first-response target in minutes (see `desk_knobs`).
        triage: order in which the desk works its queue.
        organisation: "integrated" or "siloed".
        population: simulated people (small, so it runs live).
        seed: root seed; both runs share it and their environment.
        compare_with: a second strategy preset, run unchanged beside the first, or "none".
        minutes_per_step: simulated minutes per dashboard step.
    """

    def __init__(
        self,
        scenario: str = "united_sarver",
        strategy: str = "fast_social_care",
        staff: int = DEFAULT_STAFF,
        response_target_min: int = 20,
        triage: str = "fifo",
        organisation: str = "integrated",
        population: int = 10_000,
        seed: int = 1,
        compare_with: str = "ignore",
        minutes_per_step: int = 30,
    ):
        super().__init__(rng=int(seed))
        self.minutes_per_step = int(minutes_per_step)
        knobs = desk_knobs(staff, response_target_min, triage, organisation)
        cfg = compose_run_config(scenario, strategy, population, seed, strategy_overrides=knobs)
        env = build_environment(cfg)
        label = (
            f"{strategy}: {int(staff)} staff, target {int(response_target_min)} min, "
            f"{organisation}, {triage}"
        )
        self.runs = [LiveRun(cfg, env, label)]
        if compare_with and compare_with != "none":
            other = compose_run_config(scenario, compare_with, population, seed)
            self.runs.append(LiveRun(other, env, f"{compare_with} (preset as defined)"))
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "reach_negative": lambda m: m.runs[0].rows["reach_negative"][-1],
                "sentiment_mean": lambda m: m.runs[0].rows["sentiment_mean"][-1],
            }
        )
        self.datacollector.collect(self)

    @property
    def views(self) -> list[LiveView]:
        """The current view of each run (main run first)."""
        return [r.view for r in self.runs]

    def step(self) -> None:
        """Advance every run by `minutes_per_step` simulated minutes."""
        for r in self.runs:
            r.advance(self.minutes_per_step)
        self.running = any(r.running for r in self.runs)
        self.datacollector.collect(self)
