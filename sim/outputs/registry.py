"""The registry of metrics: every key of metrics.json, with its label, unit and direction.

One entry per metric a run produces (`sim.outputs.metrics`, `sim.outputs.derived_metrics` and
the service desk). A count entry (`scaled=True`) also stands for its `_scaled` twin, the same
count times the scale factor (real people). The run summary, the comparison tables, the
robustness objectives, sensitivity analysis and docs/metrics.md read names, labels, units and
"better" from here; the names are DESIGN.md's contract and never change.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

from sim.doc_blocks import replace_block

SCALED_SUFFIX = "_scaled"
BETTER = ("lower", "higher", "")  # "": neither (a description of the run, not an outcome)


@dataclass(frozen=True)
class Metric:
    """One metric of a run."""

    name: str
    label: str  # short, for table headers
    unit: str  # people, posts, $, min, share, ...
    better: str  # lower, higher or "" (neither)
    doc: str  # what it measures
    scaled: bool = False  # a count with a `_scaled` twin (times the scale factor)
    origin: str = "run"  # run (metrics.py), derived (derived_metrics.py), service, edgelist
    fmt: str = "{:,.0f}"  # how tables format a value


def _m(name: str, label: str, unit: str, better: str, doc: str, **kw) -> Metric:
    return Metric(name, label, unit, better, doc, **kw)


_PEOPLE, _SHARE, _PCT = "people", "share", "{:.0%}"
METRICS: tuple[Metric, ...] = (
    # reach, impressions and mentions
    _m(
        "reach_negative",
        "negative reach",
        _PEOPLE,
        "lower",
        "people who saw a negative post about the brand",
        scaled=True,
    ),
    _m(
        "reach_positive",
        "positive reach",
        _PEOPLE,
        "higher",
        "people who saw a positive post about the brand",
        scaled=True,
    ),
    _m("reach_neutral", "neutral reach", _PEOPLE, "", "people who saw a neutral post", scaled=True),
    _m(
        "reach_positive_customers",
        "customers' positive reach",
        _PEOPLE,
        "higher",
        "people who saw a positive post by someone other than the brand (the brand's own posts "
        "left out)",
        scaled=True,
    ),
    _m(
        "reach_brand",
        "brand's own reach",
        _PEOPLE,
        "",
        "people who saw a post of the brand's account (replies, statements, its reshares)",
        scaled=True,
    ),
    _m(
        "reach_incident",
        "incident reach",
        _PEOPLE,
        "lower",
        "people who saw a post of an incident's cascades",
        scaled=True,
    ),
    _m(
        "impressions_negative",
        "negative impressions",
        "views",
        "lower",
        "views of negative posts",
        scaled=True,
    ),
    _m(
        "impressions_positive",
        "positive impressions",
        "views",
        "higher",
        "views of positive posts",
        scaled=True,
    ),
    _m(
        "mentions_negative",
        "negative mentions",
        "posts",
        "lower",
        "negative posts about the brand",
        scaled=True,
    ),
    _m(
        "mentions_positive",
        "positive mentions",
        "posts",
        "higher",
        "positive posts about the brand",
        scaled=True,
    ),
    _m(
        "net_sentiment",
        "net sentiment of mentions",
        "",
        "higher",
        "(positive - negative) / (positive + negative) mentions",
        fmt="{:+.2f}",
    ),
    _m(
        "incident_to_positive_reach",
        "incident / positive reach",
        "ratio",
        "lower",
        "incident reach over positive reach",
        fmt="{:,.2f}",
    ),
    _m(
        "negative_to_positive_reach",
        "negative / positive reach",
        "ratio",
        "lower",
        "negative reach over positive reach",
        fmt="{:,.2f}",
    ),
    _m("posts", "posts", "posts", "", "every post of the run, replies included"),
    _m("reshares", "reshares", "posts", "", "reshares of the run"),
    # sentiment and churn
    _m(
        "sentiment_mean_final",
        "final mean sentiment",
        "sentiment",
        "higher",
        "mean sentiment toward the brand at the end",
        fmt="{:+.3f}",
    ),
    _m(
        "sentiment_mean_initial",
        "initial mean sentiment",
        "sentiment",
        "",
        "mean sentiment toward the brand at the start",
        fmt="{:+.3f}",
    ),
    _m(
        "sentiment_delta",
        "change of mean sentiment",
        "sentiment",
        "higher",
        "final minus initial mean sentiment",
        fmt="{:+.3f}",
    ),
    _m(
        "complaints",
        "complaints",
        "cases",
        "",
        "complaints the desk could see (original cases)",
        scaled=True,
    ),
    _m(
        "churned",
        "customers churned",
        "customers",
        "lower",
        "customers who leave over the horizon (baseline churn included; named accounts count "
        "once at real scale)",
        scaled=True,
    ),
    _m(
        "churn_baseline",
        "baseline churn",
        "customers",
        "",
        "customers who would leave over the horizon at their starting sentiment (same draws)",
        scaled=True,
    ),
    _m(
        "churn_excess",
        "excess churn",
        "customers",
        "lower",
        "churned minus baseline churn: churn the run caused (negative: it made customers loyal)",
        scaled=True,
    ),
    _m(
        "revenue_at_risk",
        "revenue at risk",
        "$",
        "lower",
        "excess churn times the CLV",
        scaled=True,
    ),
    _m(
        "reply_value_usd",
        "value of replies",
        "$",
        "higher",
        "extra willingness to pay of the complainers the staff replied to, by minutes to the "
        "brand's first reply (bot and peer answers earn nothing) "
        "(real complainers, real dollars; docs/metrics.md, value of a reply)",
        fmt="{:,.0f}",
    ),
    # cases and answers
    _m("responded_share", "answered", _SHARE, "higher", "share of complaints answered", fmt=_PCT),
    _m("resolved_share", "resolved", _SHARE, "higher", "share of complaints resolved", fmt=_PCT),
    _m("lost_share", "lost", _SHARE, "lower", "share of complaints lost in hand-offs", fmt=_PCT),
    _m(
        "response_time_median_min",
        "median first response",
        "min",
        "lower",
        "median minutes from complaint to first answer (NaN: none answered)",
    ),
    _m(
        "response_time_p90_min",
        "p90 first response",
        "min",
        "lower",
        "90th percentile of those minutes",
    ),
    _m(
        "sla_met_share",
        "answered within target",
        _SHARE,
        "higher",
        "share of complaints answered within strategy.response_target_min",
        fmt=_PCT,
    ),
    _m("backlog_peak", "peak backlog", "cases", "lower", "most cases waiting at once", scaled=True),
    _m("cases", "cases", "cases", "", "cases, duplicates included", scaled=True),
    _m(
        "utilisation", "staff utilisation", _SHARE, "", "busy share of staffed agent time", fmt=_PCT
    ),
    _m("phone_calls", "phone calls", "contacts", "", "calls the phone line served"),
    _m("web_contacts", "web contacts", "contacts", "", "transactions web self-service served"),
    # costs (the service desk)
    _m("cost_total", "cost", "$", "lower", "everything the strategy spent", origin="service"),
    _m("cost_staff", "staff cost", "$", "lower", "wages of the care staff", origin="service"),
    _m(
        "cost_contacts",
        "contact cost",
        "$",
        "lower",
        "phone, web, bot and community answers",
        origin="service",
    ),
    _m("cost_compensation", "compensation", "$", "lower", "compensation paid", origin="service"),
    _m("cost_delight", "delight cost", "$", "", "spent on proactive delight", origin="service"),
    _m(
        "answers_given",
        "answers",
        "cases",
        "",
        "first answers during the run, real workload and backlog included",
        origin="service",
    ),
    _m("bot_contacts", "bot answers", "contacts", "", "answers of the bot", origin="service"),
    _m(
        "community_answers",
        "community answers",
        "posts",
        "",
        "answers of super-users",
        origin="service",
    ),
    _m(
        "delights",
        "delights",
        "customers",
        "",
        "customers delighted, at real scale",
        origin="service",
    ),
    _m(
        "duplicate_cases",
        "duplicate cases",
        "cases",
        "",
        "cases opened again for a complainer's further posts",
        origin="service",
    ),
    _m(
        "handoffs_lost",
        "hand-offs lost",
        "cases",
        "lower",
        "cases lost between teams",
        origin="service",
    ),
    _m(
        "kb_resolution_final",
        "final knowledge-base skill",
        _SHARE,
        "higher",
        "resolution skill the knowledge base reached",
        origin="service",
        fmt="{:.2f}",
    ),
    _m(
        "response_time_large_accounts_min",
        "first response, large accounts",
        "min",
        "lower",
        "median first response to complainers with many followers",
        origin="service",
    ),
    _m(
        "workload_complaints",
        "complaints incl. unseen workload",
        "cases",
        "",
        "complaints of the run plus the everyday workload at real scale",
        origin="service",
    ),
    _m(
        "workload_responded_share",
        "workload answered",
        _SHARE,
        "higher",
        "share of that workload answered",
        origin="service",
        fmt=_PCT,
    ),
    _m(
        "workload_response_time_median_min",
        "workload median first response",
        "min",
        "lower",
        "median first response over that workload",
        origin="service",
    ),
    _m(
        "capacity_cases_per_hour",
        "desk capacity",
        "cases/h",
        "",
        "cases the staff on shift close in an hour (staff * 60 / mean handling time)",
        origin="service",
        fmt="{:,.1f}",
    ),
    _m(
        "load_factor",
        "load factor",
        _SHARE,
        "",
        "complaints found per staffed hour over the capacity (above 1 the queue grows)",
        origin="service",
        fmt="{:,.2f}",
    ),
    _m(
        "stale_cases",
        "stale cases",
        "cases",
        "lower",
        "queued cases dropped unanswered as older than strategy.stale_after_h (workload)",
        origin="service",
    ),
    _m(
        "abandoned_cases",
        "abandoned cases",
        "cases",
        "lower",
        "queued cases dropped because the complainer gave up before a first answer (workload)",
        origin="service",
    ),
    _m(
        "followups_posted",
        "follow-ups",
        "posts",
        "lower",
        "follow-ups posted by waiting complainers (the life cycle's hazard)",
        scaled=True,
    ),
    _m(
        "complainers_gave_up",
        "gave up",
        _PEOPLE,
        "lower",
        "simulated complainers whose patience ran out before any answer",
        scaled=True,
    ),
    _m(
        "complainers_gave_up_share",
        "gave up share",
        _SHARE,
        "lower",
        "share of complainers' threads that ended with the complainer giving up",
        fmt=_PCT,
    ),
    # documented cases (derived metrics)
    _m(
        "impressions_incident",
        "incident impressions",
        "views",
        "lower",
        "views of the incidents' posts and their reshares",
        scaled=True,
        origin="derived",
    ),
    _m(
        "incident_responded_share",
        "incident complainers answered",
        _SHARE,
        "higher",
        "share of the incidents' named complainers answered",
        origin="derived",
        fmt=_PCT,
    ),
    _m(
        "incident_resolved_share",
        "incident complainers resolved",
        _SHARE,
        "higher",
        "share of them resolved",
        origin="derived",
        fmt=_PCT,
    ),
    _m(
        "incident_response_min",
        "incident first response",
        "min",
        "lower",
        "median minutes to answer them",
        origin="derived",
    ),
    _m(
        "incident_resolution_min",
        "incident resolution time",
        "min",
        "lower",
        "median minutes to resolve them",
        origin="derived",
    ),
    _m(
        "reach_campaign",
        "campaign reach",
        _PEOPLE,
        "higher",
        "people who saw a delighted customer's post or its reshares",
        scaled=True,
        origin="derived",
    ),
    _m(
        "impressions_campaign",
        "campaign impressions",
        "views",
        "higher",
        "views of those posts",
        scaled=True,
        origin="derived",
    ),
    _m(
        "campaign_posts",
        "campaign posts",
        "posts",
        "higher",
        "delighted customers' posts and their reshares",
        scaled=True,
        origin="derived",
    ),
    _m(
        "mentions_total",
        "mentions",
        "posts",
        "",
        "brand mentions of every valence",
        scaled=True,
        origin="derived",
    ),
    _m(
        "mentions_brand",
        "valenced mentions",
        "posts",
        "",
        "negative and positive mentions",
        scaled=True,
        origin="derived",
    ),
    _m(
        "fan_mentions",
        "fan mentions",
        "posts",
        "",
        "valenced mentions by the brand's followers",
        scaled=True,
        origin="derived",
    ),
    _m(
        "fan_posts",
        "fan posts",
        "posts",
        "",
        "those that are not reshares",
        scaled=True,
        origin="derived",
    ),
    _m(
        "brand_followers",
        "brand followers",
        _PEOPLE,
        "",
        "followers of the brand's account",
        scaled=True,
        origin="derived",
    ),
    _m(
        "campaign_positive_share",
        "campaign positive share",
        _SHARE,
        "higher",
        "share of campaign posts that are positive",
        origin="derived",
        fmt=_PCT,
    ),
    _m(
        "direct_contacts",
        "direct contacts",
        "contacts",
        "",
        "victims who contact service directly",
        scaled=True,
        origin="derived",
    ),
    _m(
        "phone_peak_per_hour",
        "phone peak",
        "contacts/h",
        "",
        "calls served in the busiest hour",
        origin="derived",
    ),
    _m(
        "phone_wait_mean_min",
        "phone mean wait",
        "min",
        "lower",
        "mean wait on the phone line",
        origin="derived",
    ),
    _m(
        "phone_wait_max_min",
        "phone longest wait",
        "min",
        "lower",
        "longest wait on the phone line",
        origin="derived",
    ),
    _m(
        "phone_queue_peak",
        "phone queue peak",
        "contacts",
        "lower",
        "longest phone queue",
        origin="derived",
    ),
    _m(
        "cost_per_phone_contact",
        "cost per call",
        "$",
        "lower",
        "phone cost per call served",
        origin="derived",
        fmt="{:,.2f}",
    ),
    _m(
        "web_peak_per_hour",
        "web peak",
        "contacts/h",
        "",
        "web transactions served in the busiest hour",
        origin="derived",
    ),
    _m(
        "web_wait_mean_min",
        "web mean wait",
        "min",
        "lower",
        "mean wait for web self-service",
        origin="derived",
    ),
    _m(
        "web_wait_max_min",
        "web longest wait",
        "min",
        "lower",
        "longest wait for web self-service",
        origin="derived",
    ),
    _m(
        "web_queue_peak",
        "web queue peak",
        "contacts",
        "lower",
        "longest web queue",
        origin="derived",
    ),
    _m(
        "cost_per_web_contact",
        "cost per web contact",
        "$",
        "lower",
        "web cost per transaction served",
        origin="derived",
        fmt="{:,.2f}",
    ),
    _m(
        "workload_sla_met_share",
        "workload within target",
        _SHARE,
        "higher",
        "share of the workload answered within the response target",
        origin="derived",
        fmt=_PCT,
    ),
    _m(
        "reshare_within_1h_share",
        "reshares within 1 h",
        _SHARE,
        "",
        "share of reshares within an hour of the original",
        origin="derived",
        fmt=_PCT,
    ),
    _m(
        "reshare_delay_median_min",
        "median reshare delay",
        "min",
        "",
        "median minutes from original to reshare",
        origin="derived",
    ),
    _m(
        "follower_exponent",
        "follower exponent",
        "",
        "",
        "power-law exponent of follower counts in the tail",
        origin="derived",
        fmt="{:.2f}",
    ),
    # the network and the scale
    _m("network_nodes", "network nodes", _PEOPLE, "", "people in the follower graph"),
    _m("network_edges", "network edges", "links", "", "follower links"),
    _m(
        "scale_factor", "scale factor", "real per simulated", "", "real people per simulated person"
    ),
    # loading an edge list (only when network.kind=edgelist)
    _m(
        "edgelist_records",
        "edge-list records",
        "lines",
        "",
        "records read from the edge list",
        origin="edgelist",
    ),
    _m(
        "edgelist_self_loops_dropped",
        "self loops dropped",
        "lines",
        "",
        "edge-list records that linked an account to itself",
        origin="edgelist",
    ),
    _m(
        "edgelist_duplicates_dropped",
        "duplicates dropped",
        "lines",
        "",
        "repeated edge-list records",
        origin="edgelist",
    ),
)
BY_NAME = {m.name: m for m in METRICS}


def scaled_twin(metric: Metric) -> Metric:
    """The `_scaled` twin of a count metric: the same count at real scale."""
    return replace(
        metric,
        name=metric.name + SCALED_SUFFIX,
        scaled=False,
        label=metric.label + " (real)",
        doc=metric.doc + ", at real scale (times the scale factor)",
    )


def all_metrics() -> list[Metric]:
    """Every metric, each count followed by its `_scaled` twin."""
    out = []
    for m in METRICS:
        out += [m, scaled_twin(m)] if m.scaled else [m]
    return out


def names(origin: str | None = None) -> list[str]:
    """Every metric name (twins included), or those of one origin."""
    return [m.name for m in all_metrics() if origin is None or m.origin == origin]


def scaled_counts(origin: str) -> tuple[str, ...]:
    """The count metrics of one origin that get a `_scaled` twin."""
    return tuple(m.name for m in METRICS if m.scaled and m.origin == origin)


def get(name: str) -> Metric:
    """The registry entry of a metric name, twins included (KeyError naming close names)."""
    if name in BY_NAME:
        return BY_NAME[name]
    if name.endswith(SCALED_SUFFIX) and BY_NAME.get(name[: -len(SCALED_SUFFIX)], None):
        base = BY_NAME[name[: -len(SCALED_SUFFIX)]]
        if base.scaled:
            return scaled_twin(base)
    import difflib

    close = difflib.get_close_matches(name, names(), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"{name!r} is no metric{hint}")


HEADING_UNITS = ("people", "$", "min")  # units table headings name in parentheses


def heading(name: str) -> str:
    """A table heading: the label (a twin's is its count's), with the unit where it helps."""
    m = get(name)
    base = BY_NAME.get(name[: -len(SCALED_SUFFIX)]) if name.endswith(SCALED_SUFFIX) else None
    label = base.label if base is not None and base.scaled else m.label
    return f"{label} ({m.unit})" if m.unit in HEADING_UNITS else label


def signed(fmt: str) -> str:
    """The format of a difference: the same with an explicit sign ("{:,.0f}" -> "{:+,.0f}")."""
    return fmt if "{:+" in fmt else fmt.replace("{:", "{:+", 1)


def better(name: str) -> str:
    """Whether lower or higher is better for a metric ("" if neither; KeyError if unknown)."""
    return get(name).better


def markdown() -> str:
    """The metrics table of docs/metrics.md."""
    rows = ["| metric | label | unit | better | meaning |", "| --- | --- | --- | --- | --- |"]
    for m in METRICS:
        twin = f" (and `{m.name}{SCALED_SUFFIX}` at real scale)" if m.scaled else ""
        rows.append(f"| `{m.name}`{twin} | {m.label} | {m.unit} | {m.better or '-'} | {m.doc} |")
    return "\n".join(rows) + "\n"


START, END = "<!-- metrics:start -->", "<!-- metrics:end -->"


def update(path: Path) -> bool:
    """Rewrite the table between the markers of `path`; return whether anything changed."""
    return replace_block(path, START, END, markdown())


if __name__ == "__main__":
    default_doc = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default_doc
    print("updated" if update(target) else "up to date", target)
