"""The model sections a scenario's `settings` may set: network, population, diffusion, opinion."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import param, section

KWAK = "Kwak et al. 2010"
TYPOLOGY = "seed 001 typology; share assumed"


@dataclass
class NetworkConfig:
    """Which follower graph to build or load."""

    kind: str = param(
        "heavy_tailed",
        doc="heavy_tailed, barabasi_albert, watts_strogatz or edgelist",
        kind="choice",
    )
    mean_followers: float = param(30.0, doc="mean follower count", unit="people", kind="positive")
    max_followers: int = param(
        20_000,
        doc="cap of ordinary accounts (named accounts are set exactly)",
        unit="people",
        kind="positive",
    )
    exponent: float = param(
        2.3,
        doc="power-law exponent of follower counts (Kwak et al. 2010)",
        source=f"{KWAK} (exponent ~2.28)",
    )
    m: int = param(5, doc="Barabasi-Albert attachments", kind="positive")
    k: int = param(10, doc="Watts-Strogatz ring neighbours", kind="positive")
    p: float = param(0.1, doc="Watts-Strogatz rewiring probability", kind="probability")
    path: str | None = param(None, doc="edge list for kind=edgelist", kind="text")
    format: str = param(
        "auto", doc="file format of the edge list (auto, text, csv, parquet)", kind="choice"
    )
    edge_meaning: str = param(
        "follows",
        doc="follows: a line 'a b' means a follows b; audience: b sees a's posts",
        kind="choice",
    )


@dataclass
class RoleShares:
    """Shares of the population in each influencer role (the rest are users)."""

    networker: float = param(0.02, doc="share of networkers", kind="probability", source=TYPOLOGY)
    opinion_leader: float = param(
        0.03, doc="share of opinion leaders", kind="probability", source=TYPOLOGY
    )
    trendsetter: float = param(
        0.05, doc="share of trendsetters", kind="probability", source=TYPOLOGY
    )
    amplifier: float = param(0.10, doc="share of amplifiers", kind="probability", source=TYPOLOGY)


@dataclass
class PopulationConfig:
    """Customers: how many and how their traits are drawn."""

    size: int = param(100_000, doc="simulated people", unit="people", kind="positive", integer=True)
    sentiment_mean: float = param(
        0.2, doc="mean sentiment toward the brand at the start", kind="sentiment"
    )
    sentiment_sd: float = param(0.35, doc="its standard deviation")
    activity_a: float = param(2.0, doc="Beta(a, b) share of time online", kind="positive")
    activity_b: float = param(5.0, doc="the b of that Beta", kind="positive")
    susceptibility_a: float = param(
        2.0, doc="Beta(a, b) susceptibility to others' posts", kind="positive"
    )
    susceptibility_b: float = param(2.0, doc="the b of that Beta", kind="positive")
    roles: RoleShares = section(RoleShares, doc="shares of the influencer roles")
    churn_threshold: float = param(
        -0.5, doc="customers below this sentiment may churn", kind="open_sentiment"
    )
    churn_prob_max: float = param(
        0.3,
        doc="churn probability of a customer at sentiment -1 "
        "(falling linearly to 0 at the threshold)",
        kind="probability",
    )


ROLE_RESHARE = {
    "user": 1.0,
    "networker": 1.0,
    "opinion_leader": 1.5,
    "trendsetter": 2.0,
    "amplifier": 4.0,
}
ROLE_POST = {
    "user": 1.0,
    "networker": 1.5,
    "opinion_leader": 1.5,
    "trendsetter": 3.0,
    "amplifier": 1.0,
}
ROLE_DELAY = {
    "user": 1.0,
    "networker": 1.0,
    "opinion_leader": 1.0,
    "trendsetter": 0.4,
    "amplifier": 0.7,
}
# How reshareable each kind of post is (times reshare_base); replies are rarely passed on.
KIND_RESHARE = {
    "complaint": 1.0,
    "reshare": 1.0,
    "praise": 1.0,
    "thanks": 1.0,
    "brand_reply": 0.2,
    "brand_statement": 0.5,
    "followup": 1.0,
    "peer_answer": 0.0,
    "bot_reply": 0.3,
    "mention": 0.5,
}
ROLE_TRUST = {
    "user": 1.0,
    "networker": 1.2,
    "opinion_leader": 2.0,
    "trendsetter": 1.3,
    "amplifier": 0.8,
}


@dataclass
class DiffusionConfig:
    """Exposure and reshare dynamics."""

    attention: float = param(
        0.6, doc="P(see) = attention * activity of the follower", kind="probability"
    )
    view_delay_median_min: float = param(
        60.0,
        doc="lognormal delay from post to view: half within 1 h",
        unit="min",
        kind="positive",
        source=f"{KWAK} (half of retweets within an hour)",
    )
    view_delay_sigma: float = param(1.4, doc="log-sd of that delay")
    max_age_h: float = param(
        48.0, doc="posts older than this are no longer seen", unit="h", kind="positive"
    )
    reshare_base: float = param(0.006, doc="probability a viewer reshares an ordinary post")
    negative_appeal: float = param(2.0, doc="negative posts are reshared this much more")
    answered_appeal: float = param(
        0.5, doc="a publicly answered complaint spreads this much less", kind="probability"
    )
    canned_appeal: float = param(
        0.8, doc="... and this much less after a canned or automated reply", kind="probability"
    )
    resolved_appeal: float = param(
        0.25, doc="a resolved complaint spreads this much less", kind="probability"
    )
    reply_visibility: float = param(
        0.3, doc="share of a complainer's followers who can see a reply", kind="probability"
    )
    thanks_prob: float = param(
        0.4, doc="a resolved complainer posts thanks (times speed factor)", kind="probability"
    )
    role_reshare: dict[str, float] = param(
        ROLE_RESHARE, doc="reshare multiplier by role", kind="table"
    )
    role_post: dict[str, float] = param(ROLE_POST, doc="posting propensity by role", kind="table")
    role_delay: dict[str, float] = param(
        ROLE_DELAY, doc="view delay multiplier by role", kind="table"
    )
    kind_reshare: dict[str, float] = param(
        KIND_RESHARE,
        doc="reshare multiplier by kind of post (times reshare_base); replies are rarely passed on",
        kind="table",
    )


@dataclass
class OpinionConfig:
    """Sentiment dynamics."""

    rate: float = param(0.05, doc="pull toward a seen post's valence per exposure")
    negativity_bias: float = param(
        2.0,
        doc="negative posts pull this much harder",
        source="negativity bias of word of mouth; magnitude assumed",
    )
    brand_trust: float = param(0.6, doc="trust in the brand's own posts")
    role_trust: dict[str, float] = param(ROLE_TRUST, doc="trust in an author by role", kind="table")
    incident_hit: float = param(1.0, doc="direct hit = incident_hit * severity")
    reply_gain: float = param(0.15, doc="a personal public reply, decaying with delay")
    canned_gain: float = param(0.02, doc="a canned or automated reply")
    response_decay_min: float = param(
        60.0,
        doc="e-folding time of the value of a fast answer",
        unit="min",
        kind="positive",
        source="Twitter/Applied Marketing Science 2016 (value of a reply falls within the hour)",
    )
    recovery_gain: float = param(
        0.6,
        doc="resolution pulls toward +1 by this * speed factor",
        source="de Matos et al. 2007 (service-recovery paradox), magnitude assumed",
    )
    recovery_floor: float = param(
        0.25, doc="share of recovery left for a very late resolution", kind="probability"
    )
    paradox_max: float = param(
        0.1,
        doc="most an instant resolution lifts satisfaction above the pre-problem level",
        kind="sentiment",
        low=0.0,
        high=1.0,
        source="de Matos et al. 2007 (paradox for satisfaction only); magnitude assumed",
    )
    paradox_window_min: float = param(
        60.0,
        doc="resolutions later than this cannot lift satisfaction above the pre-problem level "
        "(the allowance falls linearly to 0 over it)",
        unit="min",
        kind="positive",
        source="assumed; Twitter/Applied Marketing Science 2016 (a reply's value falls within "
        "the hour)",
    )
    unresolved_penalty: float = param(0.1, doc="sentiment lost when a case closes unresolved")
    neglect_penalty: float = param(0.15, doc="each unanswered follow-up")
    phone_effort_penalty: float = param(0.05, doc="sentiment lost by being sent to the phone")
    bot_backfire_penalty: float = param(0.3, doc="sentiment lost when a bot answer backfires")
    delight_gain: float = param(0.6, doc="sentiment gained by a delighted customer")
    compensation_gain: float = param(0.2, doc="per 100 dollars, capped at 1")


LIFECYCLE = "assumed; range in conf/sensitivity/lifecycle.yaml"


@dataclass
class ComplainerConfig:
    """How a waiting complainer behaves: follow-ups as a hazard, and patience.

    A complainer's hazard of posting again at waiting time w (hours since the complaint) is
    h(w) = ln 2 * severity^severity_exponent * factor * k / T * (w / T)^(k - 1), a Weibull
    hazard of shape k = `followup_shape` and scale T (the incident's or the chatter's
    `followup_after_h`): with factor 1 and severity 1, half of complainers post a first
    follow-up by T. The factor is set by what the complainer last received (`after_*`); a
    resolution sets it to 0. Follow-ups stop at the incident's `max_followups` or when the
    complainer gives up (patience).
    """

    followup_shape: float = param(
        1.5,
        doc="Weibull shape of the follow-up hazard (>1: the urge to post again grows with waiting)",
        kind="positive",
        source=LIFECYCLE + " (0.5-3)",
    )
    severity_exponent: float = param(
        1.0,
        doc="exponent of severity in the follow-up hazard (0: severity does not matter)",
        source=LIFECYCLE + " (0-2)",
    )
    after_canned: float = param(
        0.8,
        doc="hazard factor after a canned reply (1 = as if nothing was received)",
        source=LIFECYCLE + " (0.5-1.2)",
    )
    after_bot: float = param(
        0.9, doc="hazard factor after an unresolving bot answer", source=LIFECYCLE + " (0.5-1.3)"
    )
    after_peer: float = param(
        0.5,
        doc="hazard factor after a super-user's public answer",
        source=LIFECYCLE + " (0.2-1)",
    )
    after_redirect: float = param(
        1.3,
        doc="hazard factor after being asked to call or use the web (and, refused, still waiting)",
        source=LIFECYCLE + " (0.8-2)",
    )
    after_personal: float = param(
        0.35,
        doc="hazard factor after a personal public reply (the case still open)",
        source=LIFECYCLE + " (0.1-0.7)",
    )
    after_unresolved: float = param(
        1.2,
        doc="hazard factor after the case was closed without a solution",
        source=LIFECYCLE + " (0.8-2)",
    )
    patience_h: float = param(
        24.0,
        doc="mean patience of an unanswered complainer (exponential); then they give up: no more "
        "follow-ups, the desk drops the case, sentiment takes the unresolved penalty",
        unit="h",
        kind="positive",
        source="assumed; 42% of customers expect a reply within 60 min (Edison Research 2012); "
        "range 6-72 h",
    )
