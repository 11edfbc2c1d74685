"""Registered metrics of the customer side: reach, impressions, mentions, sentiment, churn; and of
the network and its scale (`sim.outputs.registry` joins every table)."""

from __future__ import annotations

from sim.outputs.metric import PEOPLE, Metric

CUSTOMER_METRICS: tuple[Metric, ...] = (
    # reach, impressions and mentions
    Metric(
        "reach_negative",
        "negative reach",
        PEOPLE,
        "lower",
        "people who saw a negative post about the brand",
        scaled=True,
    ),
    Metric(
        "reach_positive",
        "positive reach",
        PEOPLE,
        "higher",
        "people who saw a positive post about the brand",
        scaled=True,
    ),
    Metric(
        "reach_neutral", "neutral reach", PEOPLE, "", "people who saw a neutral post", scaled=True
    ),
    Metric(
        "reach_positive_customers",
        "customers' positive reach",
        PEOPLE,
        "higher",
        "people who saw a positive post by someone other than the brand (the brand's own posts "
        "left out)",
        scaled=True,
    ),
    Metric(
        "reach_brand",
        "brand's own reach",
        PEOPLE,
        "",
        "people who saw a post of the brand's account (replies, statements, its reshares)",
        scaled=True,
    ),
    Metric(
        "reach_incident",
        "incident reach",
        PEOPLE,
        "lower",
        "people who saw a post of an incident's cascades",
        scaled=True,
    ),
    Metric(
        "impressions_negative",
        "negative impressions",
        "views",
        "lower",
        "views of negative posts",
        scaled=True,
    ),
    Metric(
        "impressions_positive",
        "positive impressions",
        "views",
        "higher",
        "views of positive posts",
        scaled=True,
    ),
    Metric(
        "mentions_negative",
        "negative mentions",
        "posts",
        "lower",
        "negative posts about the brand",
        scaled=True,
    ),
    Metric(
        "mentions_positive",
        "positive mentions",
        "posts",
        "higher",
        "positive posts about the brand",
        scaled=True,
    ),
    Metric(
        "net_sentiment",
        "net sentiment of mentions",
        "",
        "higher",
        "(positive - negative) / (positive + negative) mentions",
        fmt="{:+.2f}",
    ),
    Metric(
        "incident_to_positive_reach",
        "incident / positive reach",
        "ratio",
        "lower",
        "incident reach over positive reach",
        fmt="{:,.2f}",
    ),
    Metric(
        "negative_to_positive_reach",
        "negative / positive reach",
        "ratio",
        "lower",
        "negative reach over positive reach",
        fmt="{:,.2f}",
    ),
    Metric("posts", "posts", "posts", "", "every post of the run, replies included"),
    Metric("reshares", "reshares", "posts", "", "reshares of the run"),
    # sentiment and churn
    Metric(
        "sentiment_mean_final",
        "final mean sentiment",
        "sentiment",
        "higher",
        "mean sentiment toward the brand at the end",
        fmt="{:+.3f}",
    ),
    Metric(
        "sentiment_mean_initial",
        "initial mean sentiment",
        "sentiment",
        "",
        "mean sentiment toward the brand at the start",
        fmt="{:+.3f}",
    ),
    Metric(
        "sentiment_delta",
        "change of mean sentiment",
        "sentiment",
        "higher",
        "final minus initial mean sentiment",
        fmt="{:+.3f}",
    ),
    Metric(
        "complaints",
        "complaints",
        "cases",
        "",
        "complaints the desk could see (original cases)",
        scaled=True,
    ),
    Metric(
        "churned",
        "customers churned",
        "customers",
        "lower",
        "customers who leave over the horizon (baseline churn included; named accounts count "
        "once at real scale)",
        scaled=True,
    ),
    Metric(
        "churn_baseline",
        "baseline churn",
        "customers",
        "",
        "customers who would leave over the horizon at their starting sentiment (same draws)",
        scaled=True,
    ),
    Metric(
        "churn_excess",
        "excess churn",
        "customers",
        "lower",
        "churned minus baseline churn: churn the run caused (negative: it made customers loyal)",
        scaled=True,
    ),
    Metric(
        "revenue_at_risk",
        "revenue at risk",
        "$",
        "lower",
        "excess churn times the CLV",
        scaled=True,
    ),
    Metric(
        "reply_value_usd",
        "value of replies",
        "$",
        "higher",
        "extra willingness to pay of the complainers the staff replied to, by minutes to the "
        "brand's first reply (bot and peer answers earn nothing) "
        "(real complainers, real dollars; docs/metrics.md, value of a reply)",
        fmt="{:,.0f}",
    ),
)

NETWORK_METRICS: tuple[Metric, ...] = (
    # the network and the scale
    Metric("network_nodes", "network nodes", PEOPLE, "", "people in the follower graph"),
    Metric("network_edges", "network edges", "links", "", "follower links"),
    Metric(
        "scale_factor", "scale factor", "real per simulated", "", "real people per simulated person"
    ),
    # loading an edge list (only when network.kind=edgelist)
    Metric(
        "edgelist_records",
        "edge-list records",
        "lines",
        "",
        "records read from the edge list",
        origin="edgelist",
    ),
    Metric(
        "edgelist_self_loops_dropped",
        "self loops dropped",
        "lines",
        "",
        "edge-list records that linked an account to itself",
        origin="edgelist",
    ),
    Metric(
        "edgelist_duplicates_dropped",
        "duplicates dropped",
        "lines",
        "",
        "repeated edge-list records",
        origin="edgelist",
    ),
)
