"""Registered metrics of the held-out checks (`sim.outputs.evidence_metrics`)."""

from __future__ import annotations

from sim.outputs.metric import PCT, SHARE, Metric

EVIDENCE_METRICS: tuple[Metric, ...] = (
    Metric(
        "reshare_within_24h_share",
        "reshares within 24 h",
        SHARE,
        "",
        "share of reshares within a day of the original",
        origin="derived",
        fmt=PCT,
    ),
    Metric(
        "reach_per_reshared_post",
        "reach per reshared post",
        "people",
        "",
        "mean viewers of a cascade reshared at least once (sum of its posts' unique viewers)",
        origin="derived",
    ),
    Metric(
        "cascade_unshared_share",
        "cascades never reshared",
        SHARE,
        "",
        "share of people's original posts that nobody reshared",
        origin="derived",
        fmt=PCT,
    ),
    Metric(
        "cascade_one_degree_share",
        "cascades within one degree",
        SHARE,
        "",
        "share of people's original posts whose cascade has no reshare of a reshare",
        origin="derived",
        fmt=PCT,
    ),
    Metric(
        "answer_rate_top_followers_ratio",
        "answer rate, top tenth by followers",
        "ratio",
        "",
        "answer rate of the tenth of complainers with most followers over that of the rest",
        origin="derived",
        fmt="{:.2f}",
    ),
    Metric(
        "answered_thanks_share",
        "answered who post thanks",
        SHARE,
        "higher",
        "share of answered complainers who post a positive follow-up (thanks)",
        origin="derived",
        fmt=PCT,
    ),
)
