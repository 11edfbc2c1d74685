"""Recording a run for the teaching figures and the animation.

`record_run` runs one strategy to its horizon, minute by minute, and keeps what the figures
(`sim.viz.teaching`, `sim.viz.cascade`) and the animation (`sim.viz.animation`) need: ego-network
frames at regular times, the number of people who have seen the incident's complaints after every
minute, the company's replies to the complainers and the event log. Record two strategies on the
same environment (`sim.engine.model.build_environment`) and every figure shows them side by side,
so the only difference is what the company did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.config.schema import RunConfig
from sim.customers.diffusion import KIND, TOPIC_INCIDENT
from sim.engine.model import Environment, SocialCareModel
from sim.outputs.metrics import event_log
from sim.viz.ego_layout import EgoFrame, EgoNetwork

NEG, POS, REPLY, OTHER = "#c0392b", "#27ae60", "#1f5fbf", "#7f8c8d"
RUN_COLOURS = ("#c0392b", "#34495e")
REPLY_KINDS = ("brand_reply", "peer_answer", "bot_reply")


@dataclass
class Recording:
    """One finished run and what the teaching figures need from it."""

    label: str
    cfg: RunConfig
    model: SocialCareModel
    frames: list[EgoFrame]
    minutes: np.ndarray  # 0, 1, 2, ... simulated minutes
    incident_reach: np.ndarray  # people who have seen the incident's posts, after each minute
    replies: list[tuple[float, float, str]] = field(
        default_factory=list
    )  # (t_min, minutes after, who)
    events: pd.DataFrame | None = None

    @property
    def names(self) -> dict[int, str]:
        """Node -> name of the scenario's named accounts."""
        return {i + 1: a.name for i, a in enumerate(self.cfg.scenario.accounts)}

    @property
    def scale(self) -> float:
        """Real people per simulated person."""
        return float(self.model.scale)

    @property
    def log(self) -> pd.DataFrame:
        """The event log of the run (`record_run` always keeps one)."""
        if self.events is None:
            raise ValueError(f"the recording {self.label!r} has no event log")
        return self.events


def record_run(
    cfg: RunConfig,
    env: Environment | None = None,
    label: str = "",
    frame_min: float = 30.0,
    max_nodes: int = 400,
) -> Recording:
    """Run `cfg` to its horizon, keeping an ego-network frame every `frame_min` minutes."""
    model = SocialCareModel(cfg, env=env)
    ego = EgoNetwork(model, max_nodes=max_nodes)
    every = max(1, int(round(frame_min / model.tick_min)))
    reach = np.zeros(model.n_ticks + 1, dtype=np.int64)
    frames = [ego.frame()]
    while model.running and model.tick < model.n_ticks:
        model.step()
        reach[model.tick] = model.diffusion.reach_incident
        if model.tick % every == 0:
            ego.update()
            frames.append(ego.frame())
    reach = reach[: model.tick + 1]
    return Recording(
        label=label or cfg.strategy.name,
        cfg=cfg,
        model=model,
        frames=frames,
        minutes=np.arange(reach.size) * model.tick_min,
        incident_reach=reach,
        replies=incident_replies(model),
        events=event_log(model),
    )


def incident_replies(model: SocialCareModel) -> list[tuple[float, float, str]]:
    """The company's public answers to the incident's posts: (time, minutes after post, to whom)."""
    posts = model.diffusion.posts
    kinds = posts.column("kind")
    parents, topics = posts.column("parent"), posts.column("topic")
    authors, ticks = posts.column("author"), posts.column("tick")
    names = {i + 1: a.name for i, a in enumerate(model.cfg.scenario.accounts)}
    out = []
    for pid in np.flatnonzero(np.isin(kinds, [KIND[k] for k in REPLY_KINDS])).tolist():
        parent = int(parents[pid])
        if parent >= 0 and topics[parent] == TOPIC_INCIDENT:
            who = int(authors[parent])
            out.append(
                (
                    float(ticks[pid] * model.tick_min),
                    float((ticks[pid] - ticks[parent]) * model.tick_min),
                    names.get(who, f"person {who}"),
                )
            )
    return out
