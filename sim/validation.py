"""Range and consistency checks of a RunConfig, run before anything is built."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

from sim.config import (
    NETWORK_KINDS,
    ORGANISATIONS,
    REPLY_MODES,
    ROLES,
    TRIAGE_ORDERS,
    ConfigError,
    RunConfig,
)

# Field names (in any section) that hold probabilities or shares in [0, 1].
PROBABILITY_FIELDS = {
    "listening_recall", "resolution_skill", "handoff_loss", "phone_uptake", "phone_resolution",
    "web_share", "web_resolution", "kb_max_skill", "community_resolution",
    "community_max_severity", "delight_post_prob", "bot_resolution", "bot_backfire",
    "bot_severity_threshold", "compensation_min_severity", "customer_share", "severity",
    "victim_complain_share", "complaint_severity", "attention", "answered_appeal",
    "resolved_appeal", "reply_visibility", "thanks_prob", "churn_prob_max", "recovery_floor",
    "networker", "opinion_leader", "trendsetter", "amplifier", "p",
}
# Fields allowed to be negative (everything else numeric must be >= 0).
SIGNED_FIELDS = {"sentiment", "sentiment_mean", "churn_threshold", "valence"}
# Fields that must be strictly positive.
POSITIVE_FIELDS = {
    "reference_population", "horizon_h", "tick_min", "size", "mean_followers", "max_followers",
    "view_delay_median_min", "max_age_h", "handling_time_min", "activity_a", "activity_b",
    "susceptibility_a", "susceptibility_b", "phone_capacity_per_hour", "web_capacity_per_hour",
    "delight_cost", "response_decay_min", "m", "k",
}


def validate(cfg: RunConfig) -> RunConfig:
    """Check every value of `cfg`; raise ConfigError naming the first bad key.

    Args:
        cfg: the configuration to check.

    Returns:
        The same configuration, for chaining.
    """
    _walk(cfg, "")
    _check_choices(cfg)
    _check_scenario(cfg)
    return cfg


def _walk(obj: Any, prefix: str) -> None:
    for f in fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if is_dataclass(value):
            _walk(value, key + ".")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if is_dataclass(item):
                    _walk(item, f"{key}[{i}].")
        elif isinstance(value, dict):
            for name, v in value.items():
                if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                    raise ConfigError(f"{key}.{name}", v, "a finite number of 0 or more")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_number(key, f.name, value)


def _check_number(key: str, name: str, value: float) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(key, value, "a finite number")
    if name in PROBABILITY_FIELDS:
        if not 0.0 <= value <= 1.0:
            raise ConfigError(key, value, "a probability or share between 0 and 1")
    elif name in POSITIVE_FIELDS:
        if value <= 0:
            raise ConfigError(key, value, "a number greater than 0")
    elif name in {"sentiment", "sentiment_mean"}:
        if not -1.0 <= value <= 1.0:
            raise ConfigError(key, value, "a sentiment between -1 and 1")
    elif name == "churn_threshold":
        if not -1.0 < value < 1.0:
            raise ConfigError(key, value, "a sentiment strictly between -1 and 1")
    elif name == "valence":
        if value not in (-1, 1):
            raise ConfigError(key, value, "-1 (complaint) or +1 (delight)")
    elif name == "seed":
        if not 0 <= value < 2**63:
            raise ConfigError(key, value, "a whole number from 0 to 2**63-1")
    elif name not in SIGNED_FIELDS and value < 0:
        raise ConfigError(key, value, "a number of 0 or more")


def _check_choices(cfg: RunConfig) -> None:
    s = cfg.strategy
    for key, value, allowed in (
        ("strategy.triage", s.triage, TRIAGE_ORDERS),
        ("strategy.reply_mode", s.reply_mode, REPLY_MODES),
        ("strategy.organisation", s.organisation, ORGANISATIONS),
        ("network.kind", cfg.network.kind, NETWORK_KINDS),
        ("network.edge_meaning", cfg.network.edge_meaning, ("follows", "audience")),
    ):
        if value not in allowed:
            raise ConfigError(key, value, "one of " + ", ".join(allowed))
    from sim.service.shifts import parse_shift

    parse_shift(s.shift, key="strategy.shift")
    for table in ("role_reshare", "role_post", "role_delay"):
        _check_roles(f"diffusion.{table}", getattr(cfg.diffusion, table))
    _check_roles("opinion.role_trust", cfg.opinion.role_trust)
    if cfg.network.kind == "edgelist" and not cfg.network.path:
        raise ConfigError("network.path", None, "a path to an edge list file when network.kind=edgelist")
    if cfg.population.size < 2:
        raise ConfigError("population.size", cfg.population.size, "at least 2 customers")
    roles = cfg.population.roles
    total = roles.networker + roles.opinion_leader + roles.trendsetter + roles.amplifier
    if total > 1.0:
        raise ConfigError("population.roles", total, "shares of the four influencer roles summing to at most 1")


def _check_roles(key: str, table: dict[str, float]) -> None:
    missing = [r for r in ROLES if r not in table]
    extra = [r for r in table if r not in ROLES]
    if missing or extra:
        raise ConfigError(key, sorted(table), "exactly the roles " + ", ".join(ROLES))


def _check_scenario(cfg: RunConfig) -> None:
    sc = cfg.scenario
    try:
        datetime.fromisoformat(sc.start)
    except ValueError:
        raise ConfigError("scenario.start", sc.start, "an ISO date-time such as 2009-02-09T08:00") from None
    if sc.tick_min > 60 * sc.horizon_h:
        raise ConfigError("scenario.tick_min", sc.tick_min, "a tick no longer than the horizon")
    names = [a.name for a in sc.accounts]
    if len(set(names)) != len(names):
        raise ConfigError("scenario.accounts", names, "accounts with distinct names")
    for i, acc in enumerate(sc.accounts):
        if acc.role not in ROLES:
            raise ConfigError(f"scenario.accounts[{i}].role", acc.role, "one of " + ", ".join(ROLES))
        if acc.followers > sc.reference_population:
            raise ConfigError(
                f"scenario.accounts[{i}].followers", acc.followers,
                f"at most the reference population ({sc.reference_population})",
            )
    for i, inc in enumerate(sc.incidents):
        for name in inc.complainers:
            if name not in names:
                raise ConfigError(
                    f"scenario.incidents[{i}].complainers", name,
                    "names of the scenario's accounts: " + (", ".join(names) or "(none defined)"),
                )
        if inc.at_h > sc.horizon_h:
            raise ConfigError(f"scenario.incidents[{i}].at_h", inc.at_h, f"a time within the horizon (<= {sc.horizon_h} h)")
    if sc.brand.followers > sc.reference_population:
        raise ConfigError("scenario.brand.followers", sc.brand.followers,
                          f"at most the reference population ({sc.reference_population})")
    n_named = 1 + len(sc.accounts)
    if cfg.population.size <= n_named + 1:
        raise ConfigError("population.size", cfg.population.size,
                          f"more than {n_named + 1} (the brand and the named accounts need places)")
