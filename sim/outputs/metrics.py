"""Result of a run: standard metrics, the hourly time series and the event log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.customers.diffusion import KINDS
from sim.customers.population import BRAND_NODE
from sim.engine.protocols import HubModel
from sim.outputs.derived_metrics import derived_metrics
from sim.outputs.registry import scaled_counts
from sim.outputs.value_metrics import value_metrics

# Count metrics get a `_scaled` twin (times the scale factor: real people / posts).
COUNT_METRICS = scaled_counts("run")
# DESIGN.md's standard keys (all in the registry, sim/outputs/registry.py)
STANDARD_METRICS = (
    "reach_negative",
    "reach_positive",
    "impressions_negative",
    "impressions_positive",
    "mentions_negative",
    "mentions_positive",
    "net_sentiment",
    "sentiment_mean_final",
    "sentiment_delta",
    "complaints",
    "responded_share",
    "resolved_share",
    "response_time_median_min",
    "response_time_p90_min",
    "backlog_peak",
    "cost_total",
    "cost_staff",
    "cost_contacts",
    "cost_compensation",
    "churned",
    "revenue_at_risk",
    "network_nodes",
    "network_edges",
)
EVENT_COLUMNS = (
    "t_min",
    "kind",
    "valence",
    "author",
    "author_followers",
    "post_id",
    "parent_id",
    "cascade_id",
    "reached",
    "impressions",
)


@dataclass
class Result:
    """What `sim.run` returns."""

    metrics: dict[str, float]
    timeseries: pd.DataFrame
    events: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)


def _share(a: float, b: float) -> float:
    return float(a) / b if b else 0.0


def compute_metrics(model: HubModel) -> dict[str, float]:
    """The standard metrics (DESIGN.md contract) plus a few more, as floats."""
    d, desk, cfg = model.diffusion, model.desk, model.cfg
    posts = d.posts
    original = [c for c in desk.cases if not c.duplicate]
    times = np.array(
        [(c.first_response - c.tick) * model.tick_min for c in original if c.first_response >= 0]
    )
    mentions = {v: int(model.mentions_tick[v].sum()) for v in (-1, 0, 1)}
    m: dict[str, float] = {
        "reach_negative": int(d.seen[-1].sum()),
        "reach_positive": int(d.seen[1].sum()),
        "reach_neutral": int(d.seen[0].sum()),
        "reach_positive_customers": d.reach_positive_customers,
        "reach_brand": d.reach_brand,
        "reach_incident": d.reach_incident,
        "impressions_negative": int(d.impressions_tick[-1].sum()),
        "impressions_positive": int(d.impressions_tick[1].sum()),
        "mentions_negative": mentions[-1],
        "mentions_positive": mentions[1],
        "net_sentiment": _share(mentions[1] - mentions[-1], mentions[1] + mentions[-1]),
        "sentiment_mean_final": model.opinion.mean(),
        "sentiment_mean_initial": model.sentiment_initial,
        "complaints": len(original),
        "cases": len(desk.cases),
        "responded_share": _share(sum(c.first_response >= 0 for c in original), len(original)),
        "resolved_share": _share(sum(c.resolved for c in original), len(original)),
        "lost_share": _share(sum(c.lost for c in original), len(original)),
        "response_time_median_min": float(np.median(times)) if times.size else float("nan"),
        "response_time_p90_min": float(np.percentile(times, 90)) if times.size else float("nan"),
        "sla_met_share": _share(
            int((times <= cfg.strategy.response_target_min).sum()), len(original)
        ),
        "backlog_peak": desk.backlog_peak,
        "phone_calls": desk.phone.served,
        "web_contacts": desk.web.served,
        "network_nodes": model.graph.n_nodes,
        "network_edges": model.graph.n_edges,
        "posts": posts.n,
        "reshares": int((posts.column("kind") == KINDS.index("reshare")).sum()),
        "scale_factor": model.scale,
    }
    m["sentiment_delta"] = m["sentiment_mean_final"] - m["sentiment_mean_initial"]
    m.update(value_metrics(model))  # churn, excess churn, revenue at risk, reply value
    m["incident_to_positive_reach"] = _share(m["reach_incident"], m["reach_positive"])
    m["negative_to_positive_reach"] = _share(m["reach_negative"], m["reach_positive"])
    busy = sum(a.busy_ticks for a in desk.staff)
    staffed = desk.team.staffed_ticks(model.n_ticks, model.clock_at) * len(desk.staff)
    m["utilisation"] = _share(busy, staffed)
    m.update(desk.costs(model.n_ticks))
    m.update(desk.service_metrics())
    m.update(model.lifecycle.metrics())
    m.update(derived_metrics(model))
    report = getattr(model.env, "load_report", None)
    if report is not None:  # what loading the edge list cleaned up, reported to the user
        m.update(
            edgelist_records=report.records,
            edgelist_self_loops_dropped=report.self_loops_dropped,
            edgelist_duplicates_dropped=report.duplicates_dropped,
        )
    for k in COUNT_METRICS:  # twins not set above (value_metrics counts named accounts once)
        m.setdefault(f"{k}_scaled", m[k] * model.scale)
    return {k: float(v) for k, v in m.items()}


def _negative_hourly(model: HubModel, hours: int, tph: int) -> tuple[np.ndarray, np.ndarray]:
    """Per hour: the summed follower counts of the authors of that hour's negative mentions, and
    how many of those mentions are reshares.

    The posts are those `mentions_negative` counts (complaints, follow-ups and negative reshares
    by anyone but the brand); the first is the "potential reach" a social-listening tool reports.
    """
    posts = model.diffusion.posts
    audience = np.zeros(hours, dtype=np.int64)
    reshares = np.zeros(hours, dtype=np.int64)
    if not posts.n:
        return audience, reshares
    author, kind = posts.column("author"), posts.column("kind")
    mention = (
        (posts.column("valence") == -1)
        & (author != BRAND_NODE)
        & (kind != KINDS.index("brand_reply"))
        & (kind != KINDS.index("peer_answer"))
    )
    hour = np.clip(posts.column("tick") // tph, 0, hours - 1)
    np.add.at(audience, hour[mention], model.pop.followers[author[mention]])
    np.add.at(reshares, hour[mention & (kind == KINDS.index("reshare"))], 1)
    return audience, reshares


def hourly_timeseries(model: HubModel) -> pd.DataFrame:
    """One row per simulated hour: flows in that hour and the state at its end."""
    d, tph = model.diffusion, model.ticks_per_hour
    hours = int(np.ceil(model.n_ticks / tph))

    def per_hour(arr: np.ndarray) -> np.ndarray:
        a = arr[: hours * tph]
        a = np.pad(a, (0, hours * tph - a.size))
        return a.reshape(hours, tph).sum(axis=1)

    df = pd.DataFrame({"hour": np.arange(1, hours + 1)})
    df["mentions_negative"] = per_hour(model.mentions_tick[-1])
    df["mentions_positive"] = per_hour(model.mentions_tick[1])
    df["mentions_neutral"] = per_hour(model.mentions_tick[0])
    df["audience_negative"], df["reshares_negative"] = _negative_hourly(model, hours, tph)
    df["impressions_negative"] = per_hour(d.impressions_tick[-1])
    df["impressions_positive"] = per_hour(d.impressions_tick[1])
    df["reach_negative_cum"] = np.cumsum(per_hour(d.reach_tick[-1]))
    df["reach_positive_cum"] = np.cumsum(per_hour(d.reach_tick[1]))
    df["impressions_incident"] = per_hour(d.impressions_incident_tick)
    ev = model.service_events
    replies = np.zeros(hours, dtype=np.int64)
    posts = d.posts
    kinds = posts.column("kind")
    is_reply = (
        (kinds == KINDS.index("brand_reply"))
        | (kinds == KINDS.index("peer_answer"))
        | (kinds == KINDS.index("bot_reply"))
    )
    np.add.at(replies, np.minimum(posts.column("tick")[is_reply] // tph, hours - 1), 1)
    df["replies"] = replies
    resolved = np.zeros(hours, dtype=np.int64)
    ticks = [t for t, kind, _, _ in ev if kind == "resolved"]
    if ticks:
        np.add.at(resolved, np.minimum(np.asarray(ticks) // tph, hours - 1), 1)
    df["resolved"] = resolved
    state = (
        model.datacollector.get_model_vars_dataframe().iloc[1 : hours + 1].reset_index(drop=True)
    )
    for col in ("sentiment_mean", "backlog", "phone_queue"):
        values = state[col].to_numpy() if col in state else np.array([])
        df[col] = np.pad(values, (0, hours - values.size), mode="edge") if values.size else np.nan
    df["t_min"] = df["hour"] * 60.0
    return df


def event_log(model: HubModel) -> pd.DataFrame:
    """Every post and service event, in time order (columns of EVENT_COLUMNS)."""
    posts, pop, tmin = model.diffusion.posts, model.pop, model.tick_min
    n = posts.n
    authors = posts.column("author")
    post_df = pd.DataFrame(
        {
            "t_min": posts.column("tick") * tmin,
            "kind": pd.Categorical.from_codes(posts.column("kind"), categories=list(KINDS)).astype(
                str
            ),
            "valence": posts.column("valence").astype(np.int8),
            "author": authors,
            "author_followers": pop.followers[authors] if n else np.zeros(0, dtype=np.int64),
            "post_id": np.arange(n, dtype=np.int64),
            "parent_id": posts.column("parent"),
            "cascade_id": posts.column("cascade"),
            "reached": posts.column("reached"),
            "impressions": posts.column("impressions"),
        }
    )
    ev = model.service_events
    if ev:
        t, kind, author_ids, parent_ids = zip(*ev)
        author = np.asarray(author_ids, dtype=np.int64)
        parent = np.asarray(parent_ids, dtype=np.int64)
        svc = pd.DataFrame(
            {
                "t_min": np.asarray(t, dtype=np.int64) * tmin,
                "kind": list(kind),
                "valence": np.zeros(len(ev), dtype=np.int8),
                "author": author,
                "author_followers": pop.followers[author],
                "post_id": np.full(len(ev), -1, dtype=np.int64),
                "parent_id": parent,
                "cascade_id": np.where(
                    parent >= 0, posts.column("cascade")[np.maximum(parent, 0)] if n else -1, -1
                ),
                "reached": np.zeros(len(ev), dtype=np.int64),
                "impressions": np.zeros(len(ev), dtype=np.int64),
            }
        )
        post_df = pd.concat([post_df, svc], ignore_index=True)
    post_df["t_min"] = post_df["t_min"].astype(np.float64)
    return post_df.sort_values(["t_min", "post_id"], kind="stable").reset_index(drop=True)
