"""Typed configuration of one run: scenario, strategy, network, population and dynamics.

Every section is a plain dataclass so that the library needs no Hydra. The Hydra apps in
`experiments/` compose YAML from `conf/` and hand the resulting mapping to `RunConfig.from_dict`,
which checks types (through OmegaConf's structured configs) and ranges (through `validate`).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.choices import (  # noqa: F401 - re-exported with the schema
    EDGELIST_FORMATS, NETWORK_KINDS, ORGANISATIONS, REPLY_MODES, ROLES, TRIAGE_ORDERS,
)
from sim.config.validation import validate
from sim.errors import ConfigError


@dataclass
class NamedAccount:
    """A real account of the scenario (a complainer, an influencer) placed in the network."""

    name: str = "account"
    followers: int = 1000  # real follower count, at the scenario's reference population
    role: str = "networker"
    sentiment: float = 0.0  # sentiment toward the brand before the run
    source: str = ""


@dataclass
class Incident:
    """A service failure that makes named accounts (and optionally others) complain."""

    name: str = "incident"
    at_h: float = 1.0  # hours after the start of the run
    complainers: list[str] = field(default_factory=list)  # names of named accounts
    severity: float = 0.7  # 0..1: direct sentiment hit and case severity
    appeal: float = 1.0  # multiplier on the reshare probability of this incident's posts
    victims: int = 0  # further affected customers at reference scale (hit directly)
    victim_complain_share: float = 0.0  # share of those victims who complain publicly
    complainer_gap_min: float = 5.0  # minutes between successive named complainers
    followup_after_h: float = 3.0  # an unanswered complainer posts again after this
    max_followups: int = 2
    valence: int = -1  # -1 complaint; +1 a delight moment
    contact_share: float = 0.0  # share of victims who contact service directly (phone or web)
    contact_delay_min: float = 60.0  # mean delay from the incident to such a direct contact


@dataclass
class ChatterConfig:
    """Background brand mentions, as posts per hour at the reference population."""

    positive_per_hour: float = 20.0
    negative_per_hour: float = 10.0
    neutral_per_hour: float = 0.0  # category talk ("craving pizza"): targets for delight
    complaint_severity: float = 0.3
    diurnal: bool = True  # fewer posts at night


@dataclass
class BrandConfig:
    """The company: its account's audience and what a customer is worth."""

    name: str = "brand"
    followers: int = 100_000  # at reference scale
    customer_share: float = 0.5  # share of the population who are customers
    clv: float = 300.0  # revenue at risk when a customer churns, in dollars


@dataclass
class Target:
    """A documented figure a scenario must reproduce."""

    name: str = "target"
    metric: str = "reach_negative"
    documented: float = 0.0
    tolerance: float = 0.25  # relative to documented unless `absolute`
    absolute: bool = False
    source: str = ""
    bound: str = "near"  # near: within tolerance; at_least / at_most: one-sided
    by_h: float = 0.0  # > 0: the metric's hourly flow summed over the first by_h hours
    lift: bool = False  # paired relative change vs the scenario's counterfactual strategy
    statistic: str = "mean"  # over replicates: mean, or median (for one documented case)


@dataclass
class BrandAction:
    """A scripted brand action: what the company really did in a documented case, and when."""

    at_h: float = 24.0  # hours after the start of the run
    kind: str = "reply"  # reply (public), resolve (with compensation) or statement
    incident: int = 0  # acts on the first named complainer of this incident
    compensation: float = 0.0  # dollars offered with a resolve
    source: str = ""


@dataclass
class FreeParameter:
    """A parameter calibration may fit: dotted config key and its bounds."""

    key: str = ""
    low: float = 0.0
    high: float = 1.0


@dataclass
class ScenarioConfig:
    """What happens: population reference, clock, brand, accounts, incidents, chatter, targets."""

    name: str = "united_sarver"
    description: str = ""
    sources: list[str] = field(default_factory=list)
    reference_population: int = 1_000_000
    start: str = "2009-02-09T08:00"  # ISO date-time of tick 0 (the weekday matters)
    horizon_h: float = 72.0
    tick_min: float = 1.0
    strategy: str = "ignore"  # the documented strategy, used by replays
    brand: BrandConfig = field(default_factory=BrandConfig)
    accounts: list[NamedAccount] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    chatter: ChatterConfig = field(default_factory=ChatterConfig)
    targets: list[Target] = field(default_factory=list)
    free: list[FreeParameter] = field(default_factory=list)
    counterfactual: str = ""  # a strategy preset the replay also runs, paired (e.g. ignore)
    replicates: int = 0  # replicates its replay needs (0: the replay's default)
    actions: list[BrandAction] = field(default_factory=list)  # scripted answers of the documented strategy
    # settings: dotted keys of network/population/diffusion/opinion that replace the library
    # defaults in this scenario; any value set explicitly still wins
    settings: dict[str, Any] = field(default_factory=dict)  # typed once applied (population.size: int)


@dataclass
class StrategyConfig:
    """The knobs of a response strategy. Presets live in `conf/strategy/`."""

    name: str = "ignore"
    description: str = ""
    # listening
    listening_recall: float = 0.0  # share of complaints the brand finds
    listening_latency_min: float = 30.0  # mean delay before a found complaint is seen
    # care staff
    staff: int = 0
    shift: str = "24/7"  # or e.g. "mon-fri 09:00-17:00"
    hourly_wage: float = 30.0
    handling_time_min: float = 15.0  # mean time to work a case
    reply_time_min: float = 3.0  # from picking a case to its public reply
    resolution_skill: float = 0.7  # probability a worked case is resolved
    triage: str = "fifo"
    response_target_min: float = 60.0  # service level target for the first response
    reply_mode: str = "public_then_private"
    # organisation: siloed hands complaints from the social (marketing) team to service
    organisation: str = "integrated"
    handoff_delay_min: float = 240.0
    handoff_loss: float = 0.25
    # channel shift to the phone line and web self-service
    phone_uptake: float = 0.6  # share of redirected complainers who do call
    phone_capacity_per_hour: float = 500.0
    phone_cost: float = 1.60
    phone_resolution: float = 0.6
    phone_delay_min: float = 120.0  # mean time until a redirected customer gets through by phone
    web_share: float = 0.0  # share of redirected complainers sent to web self-service
    web_capacity_per_hour: float = 20_000.0
    web_cost: float = 0.54
    web_resolution: float = 0.5
    # compensation for severe cases that are worked
    compensation: float = 0.0
    compensation_min_severity: float = 0.5
    # closed-loop knowledge base
    knowledge_base: bool = False
    kb_gain_per_case: float = 0.01
    kb_max_skill: float = 0.95
    # community super-users
    community_super_users: int = 0
    community_response_min: float = 20.0
    community_resolution: float = 0.5  # for cases up to community_max_severity
    community_max_severity: float = 0.5
    community_severe_resolution: float = 0.1  # for more severe cases (the rest are escalated)
    community_cost_per_answer: float = 0.5
    # proactive delight
    delight_budget_per_day: float = 0.0
    delight_cost: float = 15.0
    delight_post_prob: float = 0.6
    delight_appeal: float = 3.0  # reshare multiplier of a delighted customer's post
    delight_brand_reshare: float = 0.0  # probability the brand account reshares that post
    # bot
    bot: bool = False
    bot_resolution: float = 0.15
    bot_backfire: float = 0.4
    bot_severity_threshold: float = 0.5
    bot_cost: float = 0.05
    # public statement when negative mentions per hour pass a threshold (0 = never)
    statement_threshold_per_hour: float = 0.0




@dataclass
class NetworkConfig:
    """Which follower graph to build or load."""

    kind: str = "heavy_tailed"
    mean_followers: float = 30.0
    max_followers: int = 20_000  # cap of ordinary accounts (named accounts are set exactly)
    exponent: float = 2.3  # power-law exponent of follower counts (Kwak et al. 2010)
    m: int = 5  # Barabasi-Albert attachments
    k: int = 10  # Watts-Strogatz ring neighbours
    p: float = 0.1  # Watts-Strogatz rewiring probability
    path: str | None = None  # edge list for kind=edgelist
    format: str = "auto"
    edge_meaning: str = "follows"


@dataclass
class RoleShares:
    """Shares of the population in each influencer role (the rest are users)."""

    networker: float = 0.02
    opinion_leader: float = 0.03
    trendsetter: float = 0.05
    amplifier: float = 0.10


@dataclass
class PopulationConfig:
    """Customers: how many and how their traits are drawn."""

    size: int = 100_000
    sentiment_mean: float = 0.2
    sentiment_sd: float = 0.35
    activity_a: float = 2.0  # Beta(a, b) share of time online
    activity_b: float = 5.0
    susceptibility_a: float = 2.0
    susceptibility_b: float = 2.0
    roles: RoleShares = field(default_factory=RoleShares)
    churn_threshold: float = -0.5
    churn_prob_max: float = 0.3


@dataclass
class DiffusionConfig:
    """Exposure and reshare dynamics."""

    attention: float = 0.6  # P(see) = attention * activity of the follower
    view_delay_median_min: float = 60.0  # lognormal delay from post to view: half within 1 h
    view_delay_sigma: float = 1.4
    max_age_h: float = 48.0  # posts older than this are no longer seen
    reshare_base: float = 0.006
    negative_appeal: float = 2.0  # negative posts are reshared this much more
    answered_appeal: float = 0.5  # a publicly answered complaint spreads this much less
    canned_appeal: float = 0.8  # ... and this much less after a canned or automated reply
    resolved_appeal: float = 0.25
    reply_visibility: float = 0.3  # share of a complainer's followers who can see a reply
    thanks_prob: float = 0.4  # a resolved complainer posts thanks (times speed factor)
    role_reshare: dict[str, float] = field(
        default_factory=lambda: {
            "user": 1.0,
            "networker": 1.0,
            "opinion_leader": 1.5,
            "trendsetter": 2.0,
            "amplifier": 4.0,
        }
    )
    role_post: dict[str, float] = field(
        default_factory=lambda: {
            "user": 1.0,
            "networker": 1.5,
            "opinion_leader": 1.5,
            "trendsetter": 3.0,
            "amplifier": 1.0,
        }
    )
    role_delay: dict[str, float] = field(
        default_factory=lambda: {
            "user": 1.0,
            "networker": 1.0,
            "opinion_leader": 1.0,
            "trendsetter": 0.4,
            "amplifier": 0.7,
        }
    )


@dataclass
class OpinionConfig:
    """Sentiment dynamics."""

    rate: float = 0.05  # pull toward a seen post's valence per exposure
    negativity_bias: float = 2.0  # negative posts pull this much harder
    brand_trust: float = 0.6  # trust in the brand's own posts
    role_trust: dict[str, float] = field(
        default_factory=lambda: {
            "user": 1.0,
            "networker": 1.2,
            "opinion_leader": 2.0,
            "trendsetter": 1.3,
            "amplifier": 0.8,
        }
    )
    incident_hit: float = 1.0  # direct hit = incident_hit * severity
    reply_gain: float = 0.15  # a personal public reply, decaying with delay
    canned_gain: float = 0.02
    response_decay_min: float = 60.0  # e-folding time of the value of a fast answer
    recovery_gain: float = 0.6  # resolution pulls toward +1 by this * speed factor
    recovery_floor: float = 0.25  # share of recovery left for a very late resolution
    unresolved_penalty: float = 0.1
    neglect_penalty: float = 0.15  # each unanswered follow-up
    phone_effort_penalty: float = 0.05
    bot_backfire_penalty: float = 0.3
    delight_gain: float = 0.6
    compensation_gain: float = 0.2  # per 100 dollars, capped at 1


@dataclass
class RunConfig:
    """Everything one run needs. `RunConfig.from_dict` builds and checks one."""

    seed: int = 1
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    diffusion: DiffusionConfig = field(default_factory=DiffusionConfig)
    opinion: OpinionConfig = field(default_factory=OpinionConfig)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None = None, *, check: bool = True) -> "RunConfig":
        """Build a checked RunConfig from a (possibly partial) nested mapping.

        Keys the run does not use (such as Hydra's `output_dir`) are ignored. Unknown keys inside
        the known sections are errors, so that a misspelt knob never passes silently.
        """
        data = OmegaConf.to_container(data, resolve=True) if OmegaConf.is_config(data) else data
        data = {k: v for k, v in dict(data or {}).items() if k in RUN_SECTIONS}
        data = apply_scenario_settings(data)
        try:
            merged = OmegaConf.merge(_structured_schema(cls), data)  # merge copies the schema
            cfg = OmegaConf.to_object(merged)
        except OmegaConfBaseException as exc:
            raise _config_error_from_omegaconf(exc, data) from None
        if check:
            validate(cfg)
        return cfg

    def to_dict(self) -> dict[str, Any]:
        """The config as plain nested dicts and lists."""
        return asdict(self)


@functools.lru_cache(maxsize=None)
def _structured_schema(cls: type) -> Any:
    """The typed OmegaConf schema of a config dataclass, built once (it takes 15 ms)."""
    return OmegaConf.structured(cls)


RUN_SECTIONS = ("seed", "scenario", "strategy", "network", "population", "diffusion", "opinion")
SETTINGS_SECTIONS = ("network", "population", "diffusion", "opinion")


def apply_scenario_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Fill in `scenario.settings` (dotted key -> value) where `data` sets no value itself."""
    scenario = data.get("scenario") or {}
    settings = (scenario.get("settings") if isinstance(scenario, Mapping) else getattr(scenario, "settings", None)) or {}
    if not settings:
        return data
    if not isinstance(settings, Mapping):
        raise ConfigError("scenario.settings", settings, "a mapping of dotted keys to values, e.g. {strategy.staff: 4}")
    import copy

    data = copy.deepcopy(data)
    for dotted, value in settings.items():
        section, *path = str(dotted).split(".")
        if section not in SETTINGS_SECTIONS or not path:
            raise ConfigError(f"scenario.settings.{dotted}", value,
                              "dotted keys of the " + ", ".join(SETTINGS_SECTIONS) + " sections")
        node = data.setdefault(section, {})
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise ConfigError(f"scenario.settings.{dotted}", value, "a key inside a section")
        node.setdefault(path[-1], value)
    return data


def _locate(data: Any, leaf: str, value: Any, prefix: str = "") -> str | None:
    """The dotted path of the first key named `leaf` holding `value` in nested data ([i] for lists)."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        path = f"{prefix}[{k}]" if isinstance(k, int) else (f"{prefix}.{k}" if prefix else str(k))
        if k == leaf and (value is None or str(v) == str(value)):
            return path
        found = _locate(v, leaf, value, path)
        if found:
            return found
    return None


def _config_error_from_omegaconf(exc: OmegaConfBaseException, data: Any = None) -> ConfigError:
    key = getattr(exc, "full_key", None) or "?"
    if "." not in key and "[" not in key and key not in RUN_SECTIONS:  # OmegaConf lost the path
        key = _locate(data, key, getattr(exc, "value", None)) or key
    msg = str(exc).splitlines()[0]
    value = getattr(exc, "value", None) if hasattr(exc, "value") else None
    if "Key '" in msg and "not in" in msg:
        return ConfigError(key, value, f"a known key ({msg})")
    return ConfigError(key, value, f"a value of the declared type ({msg})")
