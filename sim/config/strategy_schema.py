"""The strategy section: the knobs of a response strategy. Presets live in `conf/strategy/`."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import param

ALASKA = "seed 001 (Alaska Air: {})"


@dataclass
class StrategyConfig:
    """The knobs of a response strategy. Presets live in `conf/strategy/`."""

    name: str = param("ignore", doc="name of the strategy", kind="text")
    description: str = param("", doc="what the strategy does, in a sentence", kind="text")
    # listening
    listening_recall: float = param(
        0.0, doc="share of complaints the brand finds", kind="probability"
    )
    listening_latency_min: float = param(
        30.0, doc="mean delay before a found complaint is seen", unit="min"
    )
    listening_cost_per_day: float = param(
        0.0,
        doc="what listening at this recall and latency costs (tools, monitoring shifts)",
        unit="$/day",
        source="assumed; 0 in the presets (listening is then free); experiments.optimize prices "
        "each level of listening_recall and listening_latency_min (conf/optimize/*.yaml)",
    )
    # care staff
    staff: int = param(0, doc="care agents on the social desk", unit="people")
    shift: str = param(
        "24/7", doc='when the desk works: "24/7" or e.g. "mon-fri 09:00-17:00"', kind="choice"
    )
    hourly_wage: float = param(30.0, doc="cost of an agent's hour on shift", unit="$/h")
    handling_time_min: float = param(
        15.0, doc="mean time to work a case", unit="min", kind="positive"
    )
    reply_time_min: float = param(3.0, doc="from picking a case to its public reply", unit="min")
    resolution_skill: float = param(
        0.7, doc="probability a worked case is resolved", kind="probability"
    )
    triage: str = param(
        "fifo",
        doc="order the queue is worked in (fifo, influence, followers, severity, weighted: "
        "a score of influence, severity and recency, see triage_*_weight)",
        kind="choice",
    )
    triage_influence_weight: float = param(
        1.0,
        doc="weighted triage: score per tenfold of the complainer's followers",
        source="assumed (0-3)",
    )
    triage_severity_weight: float = param(
        2.0, doc="weighted triage: score per unit of severity (0..1)", source="assumed (0-5)"
    )
    triage_recency_weight: float = param(
        0.05,
        doc="weighted triage: score per hour a case was queued later (newer first; 0: no effect)",
        unit="1/h",
        kind="signed",
        source="assumed (-0.2-0.2)",
    )
    stale_after_h: float = param(
        48.0,
        doc="the desk drops a queued case older than this unanswered (counted as stale)",
        unit="h",
        kind="positive",
        source="assumed (12-168): a reply two days late is no longer a service answer",
    )
    response_target_min: float = param(
        60.0,
        doc="service level target for the first response",
        unit="min",
        source="seed 003 (Comcast: solved within 20 minutes) for fast_social_care",
    )
    reply_mode: str = param(
        "public_then_private",
        doc="how the desk answers (none, public_then_private, canned, phone_redirect)",
        kind="choice",
    )
    # organisation: siloed hands complaints from the social (marketing) team to service
    organisation: str = param(
        "integrated",
        doc="integrated, or siloed: the social team hands complaints to service",
        kind="choice",
    )
    handoff_delay_min: float = param(240.0, doc="mean delay of a siloed hand-off", unit="min")
    handoff_loss: float = param(
        0.25, doc="share of siloed hand-offs that are lost", kind="probability"
    )
    # channel shift to the phone line and web self-service
    phone_uptake: float = param(
        0.6, doc="share of redirected complainers who do call", kind="probability"
    )
    phone_capacity_per_hour: float = param(
        500.0,
        doc="calls the phone line serves",
        unit="calls/h",
        kind="positive",
        source=ALASKA.format("500 calls/h"),
    )
    phone_cost: float = param(
        1.60, doc="cost of a call", unit="$", source=ALASKA.format("$1.60 per call")
    )
    phone_resolution: float = param(
        0.6, doc="probability a call resolves the case", kind="probability"
    )
    phone_delay_min: float = param(
        120.0, doc="mean time until a redirected customer gets through by phone", unit="min"
    )
    web_share: float = param(
        0.0, doc="share of redirected complainers sent to web self-service", kind="probability"
    )
    web_capacity_per_hour: float = param(
        20_000.0,
        doc="transactions web self-service serves",
        unit="contacts/h",
        kind="positive",
        source=ALASKA.format("20,000 transactions/h"),
    )
    web_cost: float = param(
        0.54,
        doc="cost of a web transaction",
        unit="$",
        source=ALASKA.format("$0.54 per transaction"),
    )
    web_resolution: float = param(
        0.5, doc="probability a web contact resolves the case", kind="probability"
    )
    # compensation for severe cases that are worked
    compensation: float = param(0.0, doc="offered with a worked severe case", unit="$")
    compensation_min_severity: float = param(
        0.5, doc="least severity that gets compensation", kind="probability"
    )
    # closed-loop knowledge base
    knowledge_base: bool = param(False, doc="resolved cases improve the desk's skill", kind="flag")
    kb_gain_per_case: float = param(0.01, doc="skill gained per resolved case")
    kb_max_skill: float = param(
        0.95, doc="most skill the knowledge base reaches", kind="probability"
    )
    # community super-users
    community_super_users: int = param(
        0, doc="happy, influential customers who answer", unit="people"
    )
    community_response_min: float = param(
        20.0, doc="mean time to a super-user's answer", unit="min"
    )
    community_resolution: float = param(
        0.5, doc="for cases up to community_max_severity", kind="probability"
    )
    community_max_severity: float = param(
        0.5, doc="most severe case super-users resolve at community_resolution", kind="probability"
    )
    community_severe_resolution: float = param(
        0.1, doc="for more severe cases (the rest are escalated)", kind="probability"
    )
    community_cost_per_answer: float = param(0.5, doc="cost of a super-user's answer", unit="$")
    community_hours: str = param(
        "daily 08:00-23:00",
        doc="when super-users answer (volunteers: waking hours; a shift text like `shift`)",
        kind="choice",
        source="assumed",
    )
    community_programme_cost_per_day: float = param(
        0.0,
        doc="fixed cost of running the community programme (moderation, platform, rewards)",
        unit="$/day",
        source="assumed; community_support: $240/day, one community manager's day",
    )
    # proactive delight
    delight_budget_per_day: float = param(0.0, doc="spent on delighting customers", unit="$/day")
    delight_cost: float = param(15.0, doc="cost of one delight", unit="$", kind="positive")
    delight_day_start_h: float = param(
        8.0,
        doc="local hour the delight team starts spending the day's budget",
        unit="h",
        low=0.0,
        high=24.0,
    )
    delight_day_end_h: float = param(
        22.0,
        doc="local hour it stops (an even share of the budget per hour in between)",
        unit="h",
        low=0.0,
        high=24.0,
    )
    delight_post_prob: float = param(
        0.6, doc="probability a delighted customer posts about it", kind="probability"
    )
    delight_appeal: float = param(3.0, doc="reshare multiplier of a delighted customer's post")
    delight_brand_reshare: float = param(
        0.0, doc="probability the brand account reshares that post", kind="probability"
    )
    # bot
    bot: bool = param(False, doc="a bot answers before the desk", kind="flag")
    bot_resolution: float = param(
        0.15, doc="probability a bot answer resolves the case", kind="probability"
    )
    bot_backfire: float = param(
        0.4,
        doc="probability a bot answer angers a complainer above bot_severity_threshold",
        kind="probability",
    )
    bot_severity_threshold: float = param(
        0.5, doc="cases above this severity risk a backfire", kind="probability"
    )
    bot_cost: float = param(0.05, doc="cost of a bot answer", unit="$")
    # public statement when negative mentions per hour pass a threshold (0 = never)
    statement_threshold_per_hour: float = param(
        0.0,
        doc="negative mentions per hour that make the brand post a statement (0: never)",
        unit="posts/h",
    )
    kb_speedup: float = param(
        0.3,
        doc="handling-time cut at the knowledge base's skill cap",
        unit="share",
        kind="probability",
    )
    community_min_sentiment: float = param(
        0.3,
        doc="initial sentiment a customer must exceed to be a super-user",
        kind="sentiment",
    )
