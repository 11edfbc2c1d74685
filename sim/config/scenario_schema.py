"""The scenario section and its parts: accounts, incidents, chatter, brand, targets, actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.config.fields import param, section

TWITTER_AMS = "Twitter/Applied Marketing Science airline survey 2015-16, stated willingness to pay"


@dataclass
class NamedAccount:
    """A real account of the scenario (a complainer, an influencer) placed in the network."""

    name: str = param("account", doc="name the incidents refer to", kind="text")
    followers: int = param(
        1000,
        doc="real follower count, at the scenario's reference population",
        unit="people",
        integer=True,
    )
    role: str = param(
        "networker",
        doc="influencer role (user, networker, opinion_leader, trendsetter, amplifier)",
        kind="choice",
    )
    sentiment: float = param(0.0, doc="sentiment toward the brand before the run", kind="sentiment")
    source: str = param("", doc="where the account's figures come from", kind="text")


@dataclass
class Incident:
    """A service failure that makes named accounts (and optionally others) complain."""

    name: str = param("incident", doc="name of the incident", kind="text")
    at_h: float = param(1.0, doc="hours after the start of the run", unit="h")
    complainers: list[str] = param([], doc="names of named accounts", kind="list")
    severity: float = param(
        0.7, doc="0..1: direct sentiment hit and case severity", kind="probability"
    )
    appeal: float = param(1.0, doc="multiplier on the reshare probability of this incident's posts")
    victims: int = param(
        0,
        doc="further affected customers at reference scale (hit directly)",
        unit="people",
        integer=True,
    )
    victim_complain_share: float = param(
        0.0, doc="share of those victims who complain publicly", kind="probability"
    )
    complainer_gap_min: float = param(
        5.0, doc="minutes between successive named complainers", unit="min"
    )
    followup_after_h: float = param(
        3.0,
        doc="median wait to a first follow-up of a complainer at severity 1 who received "
        "nothing (scale of the follow-up hazard, see the complainer section)",
        unit="h",
        kind="positive",
    )
    max_followups: int = param(2, doc="follow-ups a waiting complainer posts at most", integer=True)
    quiet_on_reply: bool = param(
        False,
        doc="the old timer rule: a personal reply or a closed case ends an unresolved "
        "complainer's follow-ups (false: they only lower the follow-up hazard)",
        kind="flag",
    )
    valence: int = param(-1, doc="-1 complaint; +1 a delight moment", kind="valence")
    contact_share: float = param(
        0.0, doc="share of victims who contact service directly (phone or web)", kind="probability"
    )
    contact_delay_min: float = param(
        60.0, doc="mean delay from the incident to such a direct contact", unit="min"
    )


@dataclass
class ChatterConfig:
    """Background brand mentions, as posts per hour at the reference population."""

    positive_per_hour: float = param(20.0, doc="positive brand mentions", unit="posts/h")
    negative_per_hour: float = param(
        10.0, doc="negative brand mentions (everyday complaints)", unit="posts/h"
    )
    neutral_per_hour: float = param(
        0.0, doc='category talk ("craving pizza"): targets for delight', unit="posts/h"
    )
    complaint_severity: float = param(
        0.3, doc="severity of an everyday complaint", kind="probability"
    )
    followup_after_h: float = param(
        6.0,
        doc="scale of an everyday complainer's follow-up hazard (median wait at severity 1)",
        unit="h",
        kind="positive",
        source="assumed (2-24)",
    )
    max_followups: int = param(
        1, doc="follow-ups an everyday complainer posts at most", integer=True
    )
    diurnal: bool = param(True, doc="fewer posts at night", kind="flag")
    diurnal_amplitude: float = param(
        0.7,
        doc="relative swing of the posting rate over the day: "
        "1 + amplitude * cos(2 pi (hour - peak) / 24)",
        kind="probability",
    )
    diurnal_peak_h: float = param(
        16.0, doc="hour of the day when posting peaks", unit="h", low=0.0, high=24.0
    )
    non_customer_weight: float = param(
        0.3, doc="weight of a non-customer as a chatter author, relative to a customer"
    )
    mood_floor: float = param(
        0.05,
        doc="least weight of an author's mood for a post of that valence (1 - valence * sentiment)",
        kind="positive",
    )


@dataclass
class BrandConfig:
    """The company: its account's audience and what a customer is worth."""

    name: str = param("brand", doc="name of the brand's account", kind="text")
    followers: int = param(
        100_000,
        doc="followers of the brand's account, at reference scale",
        unit="people",
        integer=True,
    )
    customer_share: float = param(
        0.5, doc="share of the population who are customers", kind="probability"
    )
    clv: float = param(300.0, doc="revenue at risk when a customer churns", unit="$")
    reply_value_fast: float = param(
        20.0,
        doc="extra a customer is willing to pay after a reply within reply_fast_min",
        unit="$",
        source=f"{TWITTER_AMS} (about $20 within 6 min)",
    )
    reply_value_slow: float = param(
        2.33,
        doc="extra a customer is willing to pay after a reply later than reply_slow_min",
        unit="$",
        source=f"{TWITTER_AMS} ($2.33 after more than an hour)",
    )
    reply_fast_min: float = param(
        6.0,
        doc="replies within this are worth reply_value_fast",
        unit="min",
        kind="positive",
        source=f"{TWITTER_AMS} (6 min)",
    )
    reply_slow_min: float = param(
        60.0,
        doc="replies after this are worth reply_value_slow (log-linear in between)",
        unit="min",
        kind="positive",
        source=f"{TWITTER_AMS} (60 min)",
    )


@dataclass
class Target:
    """A documented figure a scenario must reproduce."""

    name: str = param("target", doc="name of the target", kind="text")
    metric: str = param("reach_negative", doc="the metric compared", kind="text")
    documented: float = param(0.0, doc="the documented value", kind="signed")
    tolerance: float = param(0.25, doc="relative to documented unless `absolute`")
    absolute: bool = param(False, doc="the tolerance is absolute", kind="flag")
    source: str = param("", doc="where the documented value comes from", kind="text")
    bound: str = param(
        "near", doc="near: within tolerance; at_least / at_most: one-sided", kind="choice"
    )
    by_h: float = param(
        0.0, doc="> 0: the metric's hourly flow summed over the first by_h hours", unit="h"
    )
    lift: bool = param(
        False, doc="paired relative change vs the scenario's counterfactual strategy", kind="flag"
    )
    statistic: str = param(
        "mean", doc="over replicates: mean, or median (for one documented case)", kind="choice"
    )
    label: str = param(
        "calibrated",
        doc="identity (holds by construction, never evidence), calibrated (a fit uses it) "
        "or held_out (no fit uses it)",
        kind="choice",
    )


@dataclass
class BrandAction:
    """A scripted brand action: what the company really did in a documented case, and when."""

    at_h: float = param(24.0, doc="hours after the start of the run", unit="h")
    kind: str = param(
        "reply", doc="reply (public), resolve (with compensation) or statement", kind="choice"
    )
    incident: int = param(0, doc="acts on the first named complainer of this incident")
    compensation: float = param(0.0, doc="dollars offered with a resolve", unit="$")
    source: str = param("", doc="where the action is documented", kind="text")


@dataclass
class FreeParameter:
    """A parameter calibration may fit: dotted config key and its bounds."""

    key: str = param("", doc="dotted config key", kind="text")
    low: float = param(0.0, doc="lower bound of the fit", kind="signed")
    high: float = param(1.0, doc="upper bound of the fit", kind="signed")


@dataclass
class ScenarioConfig:
    """What happens: population reference, clock, brand, accounts, incidents, chatter, targets."""

    name: str = param("united_sarver", doc="name of the scenario", kind="text")
    description: str = param("", doc="what happened, in a few sentences", kind="text")
    sources: list[str] = param([], doc="the documents the scenario draws on", kind="list")
    reference_population: int = param(
        1_000_000,
        doc="the real audience the scenario describes",
        unit="people",
        kind="positive",
        integer=True,
    )
    start: str = param(
        "2009-02-09T08:00", doc="ISO date-time of tick 0 (the weekday matters)", kind="text"
    )
    horizon_h: float = param(72.0, doc="simulated time", unit="h", kind="positive")
    tick_min: float = param(1.0, doc="length of a tick", unit="min", kind="positive")
    strategy: str = param("ignore", doc="the documented strategy, used by replays", kind="text")
    brand: BrandConfig = section(BrandConfig, doc="the company")
    accounts: list[NamedAccount] = param([], doc="named accounts", kind="list")
    incidents: list[Incident] = param([], doc="service failures", kind="list")
    chatter: ChatterConfig = section(ChatterConfig, doc="background brand mentions")
    targets: list[Target] = param([], doc="documented figures to reproduce", kind="list")
    free: list[FreeParameter] = param([], doc="parameters calibration may fit", kind="list")
    counterfactual: str = param(
        "", doc="a strategy preset the replay also runs, paired (e.g. ignore)", kind="text"
    )
    replicates: int = param(0, doc="replicates its replay needs (0: the replay's default)")
    min_size: int = param(
        0,
        doc="smallest population.size at which its targets hold, measured "
        "(0: at every size from 50,000 up); a smaller replay says so",
        unit="people",
        kind="nonnegative",
        integer=True,
    )
    actions: list[BrandAction] = param(
        [], doc="scripted answers of the documented strategy", kind="list"
    )
    # settings: dotted keys of the settings sections (sim.config.sections) that replace the
    # library defaults in this scenario; any value set explicitly still wins
    settings: dict[str, Any] = param({}, doc="model parameters the scenario sets", kind="table")
    warmup_h: float = param(
        168.0,
        doc="real workload the desk works before the start (0: none)",
        unit="h",
        kind="nonnegative",
    )
