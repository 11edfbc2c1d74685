"""Range and consistency checks of a RunConfig, run before anything is built.

The bounds of each number come from its field's metadata (`sim.config.fields.param`); the checks
here are the ones across fields and sections.
"""

from __future__ import annotations

import math
from dataclasses import Field, fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.config.choices import (
    EDGELIST_FORMATS,
    NETWORK_KINDS,
    ORGANISATIONS,
    POST_KINDS,
    REPLY_MODES,
    ROLES,
    TRIAGE_ORDERS,
)
from sim.config.fields import info
from sim.errors import ConfigError, NetworkError
from sim.service.shifts import parse_shift

if TYPE_CHECKING:  # pragma: no cover
    from sim.config.schema import RunConfig

MAX_PEOPLE = 2**31 - 2  # node ids are 32-bit
MAX_HORIZON_H = 24 * 366
TICK_DIVISORS = "a tick that divides an hour evenly, such as 0.5, 1, 2, 5, 10, 15, 30 or 60 minutes"


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
    _check_sizes(cfg)
    _check_names(cfg)
    _check_free(cfg)
    _check_orders(cfg)
    return cfg


def _check_orders(cfg: RunConfig) -> None:
    """Pairs of values that must come in order (a window, a falling curve)."""
    b, s = cfg.scenario.brand, cfg.strategy
    if not b.reply_fast_min < b.reply_slow_min:
        raise ConfigError(
            "scenario.brand.reply_fast_min",
            b.reply_fast_min,
            f"less than scenario.brand.reply_slow_min ({b.reply_slow_min:g})",
        )
    if b.reply_value_slow > b.reply_value_fast:
        raise ConfigError(
            "scenario.brand.reply_value_slow",
            b.reply_value_slow,
            f"at most scenario.brand.reply_value_fast ({b.reply_value_fast:g}): a later reply "
            "is worth no more",
        )
    if not s.delight_day_start_h < s.delight_day_end_h:
        raise ConfigError(
            "strategy.delight_day_start_h",
            s.delight_day_start_h,
            f"earlier than strategy.delight_day_end_h ({s.delight_day_end_h:g})",
        )


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
        elif isinstance(value, dict) and f.name != "settings":  # settings: checked once applied
            for name, v in value.items():
                if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                    raise ConfigError(f"{key}.{name}", v, "a finite number of 0 or more")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_number(key, f, value)


def _check_number(key: str, f: Field, value: float) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(key, value, "a finite number")
    allowed = info(f).problem(value)
    if allowed:
        raise ConfigError(key, value, allowed)


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
    parse_shift(s.shift, key="strategy.shift")
    parse_shift(s.community_hours, key="strategy.community_hours")
    for table in ("role_reshare", "role_post", "role_delay"):
        _check_roles(f"diffusion.{table}", getattr(cfg.diffusion, table))
    _check_roles("opinion.role_trust", cfg.opinion.role_trust)
    _check_keys("diffusion.kind_reshare", cfg.diffusion.kind_reshare, POST_KINDS, "kinds of post")
    if cfg.network.kind == "edgelist" and not cfg.network.path:
        raise ConfigError(
            "network.path", None, "a path to an edge list file when network.kind=edgelist"
        )
    if cfg.population.size < 2:
        raise ConfigError("population.size", cfg.population.size, "at least 2 customers")
    roles = cfg.population.roles
    total = roles.networker + roles.opinion_leader + roles.trendsetter + roles.amplifier
    if total > 1.0:
        raise ConfigError(
            "population.roles", total, "shares of the four influencer roles summing to at most 1"
        )


def _check_roles(key: str, table: dict[str, float]) -> None:
    _check_keys(key, table, ROLES, "roles")


def _check_keys(key: str, table: dict[str, float], names: tuple[str, ...], what: str) -> None:
    missing = [r for r in names if r not in table]
    extra = [r for r in table if r not in names]
    if missing or extra:
        raise ConfigError(key, sorted(table), f"exactly the {what} " + ", ".join(names))


def _check_scenario(cfg: RunConfig) -> None:
    sc = cfg.scenario
    try:
        datetime.fromisoformat(sc.start)
    except ValueError:
        raise ConfigError(
            "scenario.start", sc.start, "an ISO date-time such as 2009-02-09T08:00"
        ) from None
    if sc.tick_min > 60 * sc.horizon_h:
        raise ConfigError("scenario.tick_min", sc.tick_min, "a tick no longer than the horizon")
    names = [a.name for a in sc.accounts]
    if len(set(names)) != len(names):
        raise ConfigError("scenario.accounts", names, "accounts with distinct names")
    for i, acc in enumerate(sc.accounts):
        if acc.role not in ROLES:
            raise ConfigError(
                f"scenario.accounts[{i}].role", acc.role, "one of " + ", ".join(ROLES)
            )
        if acc.followers > sc.reference_population:
            raise ConfigError(
                f"scenario.accounts[{i}].followers",
                acc.followers,
                f"at most the reference population ({sc.reference_population})",
            )
    for i, inc in enumerate(sc.incidents):
        for name in inc.complainers:
            if name not in names:
                raise ConfigError(
                    f"scenario.incidents[{i}].complainers",
                    name,
                    "names of the scenario's accounts: " + (", ".join(names) or "(none defined)"),
                )
        if inc.at_h > sc.horizon_h:
            raise ConfigError(
                f"scenario.incidents[{i}].at_h",
                inc.at_h,
                f"a time within the horizon (<= {sc.horizon_h} h)",
            )
    _check_targets_and_actions(sc)
    if sc.brand.followers > sc.reference_population:
        raise ConfigError(
            "scenario.brand.followers",
            sc.brand.followers,
            f"at most the reference population ({sc.reference_population})",
        )
    n_named = 1 + len(sc.accounts)
    if cfg.population.size <= n_named + 1:
        raise ConfigError(
            "population.size",
            cfg.population.size,
            f"more than {n_named + 1} (the brand and the named accounts need places)",
        )


TARGET_BOUNDS = ("near", "at_least", "at_most")
TARGET_LABELS = ("identity", "calibrated", "held_out")
ACTION_KINDS = ("reply", "resolve", "statement")


def _check_targets_and_actions(sc) -> None:
    for i, t in enumerate(sc.targets):
        if t.bound not in TARGET_BOUNDS:
            raise ConfigError(
                f"scenario.targets[{i}].bound", t.bound, "one of " + ", ".join(TARGET_BOUNDS)
            )
        if t.statistic not in ("mean", "median"):
            raise ConfigError(f"scenario.targets[{i}].statistic", t.statistic, "mean or median")
        if t.label not in TARGET_LABELS:
            raise ConfigError(
                f"scenario.targets[{i}].label", t.label, "one of " + ", ".join(TARGET_LABELS)
            )
        if t.lift and not sc.counterfactual:
            raise ConfigError(
                f"scenario.targets[{i}].lift",
                t.lift,
                "false, unless scenario.counterfactual names the strategy to compare with",
            )
    for i, a in enumerate(sc.actions):
        if a.kind not in ACTION_KINDS:
            raise ConfigError(
                f"scenario.actions[{i}].kind", a.kind, "one of " + ", ".join(ACTION_KINDS)
            )
        if a.kind != "statement" and not (
            0 <= a.incident < len(sc.incidents) and sc.incidents[a.incident].complainers
        ):
            raise ConfigError(
                f"scenario.actions[{i}].incident",
                a.incident,
                "the index of an incident with named complainers",
            )
        if a.at_h > sc.horizon_h:
            raise ConfigError(
                f"scenario.actions[{i}].at_h",
                a.at_h,
                f"a time within the horizon (<= {sc.horizon_h} h)",
            )


def _check_sizes(cfg: RunConfig) -> None:
    """Sizes the generators and the clock can honour, checked before anything is built."""
    sc, net, n = cfg.scenario, cfg.network, cfg.population.size
    if n > MAX_PEOPLE:
        raise ConfigError(
            "population.size", n, f"at most {MAX_PEOPLE:,} people (node ids are 32-bit)"
        )
    if sc.horizon_h > MAX_HORIZON_H:
        raise ConfigError(
            "scenario.horizon_h", sc.horizon_h, f"at most {MAX_HORIZON_H} hours (one year)"
        )
    per_hour = 60.0 / sc.tick_min
    if sc.tick_min > 60 or abs(per_hour - round(per_hour)) > 1e-9:
        raise ConfigError("scenario.tick_min", sc.tick_min, TICK_DIVISORS)
    if net.kind == "heavy_tailed":
        if net.exponent <= 1:
            raise ConfigError(
                "network.exponent",
                net.exponent,
                "a power-law exponent greater than 1 (about 2.3 on Twitter)",
            )
        cap = min(net.max_followers, n - 1)
        if net.mean_followers >= cap:
            raise ConfigError(
                "network.mean_followers",
                net.mean_followers,
                f"a mean below the follower cap min(network.max_followers, "
                f"population.size - 1) = {cap}",
            )
    elif net.kind == "barabasi_albert" and not net.m < n:
        raise ConfigError(
            "network.m", net.m, f"1 to {n - 1} attachments (fewer than population.size)"
        )
    elif net.kind == "watts_strogatz" and (net.k % 2 or not 2 <= net.k < n):
        raise ConfigError(
            "network.k",
            net.k,
            f"an even number of ring neighbours from 2 to {n - 1} (below population.size)",
        )
    if net.format not in EDGELIST_FORMATS:
        raise ConfigError("network.format", net.format, "one of " + ", ".join(EDGELIST_FORMATS))
    if net.kind == "edgelist":
        path = Path(str(net.path))
        if not path.is_file():
            raise ConfigError(
                "network.path",
                net.path,
                "an existing edge-list file (whitespace text, .csv or .parquet); "
                + ("it is a directory" if path.is_dir() else "no file is at that path"),
            )
        _check_edgelist_head(path, str(net.format))


HEAD_BYTES = 1 << 16  # how much of an edge list the checks read before a run loads it


def _check_edgelist_head(path: Path, fmt: str) -> None:
    """An edge list must hold something, and a text one text (the run parses the rest).

    The messages are those of the parser (`sim.network.edgelist_parse`), given before the run.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise ConfigError("network.path", str(path), f"a readable file ({exc.strerror})") from None
    if not head:
        raise NetworkError(
            f"Cannot load edge list {path}: the file is empty and holds no edges. "
            "Give at least one edge."
        )
    if fmt == "parquet" or (fmt == "auto" and path.suffix.lower() == ".parquet"):
        return
    bad = len(head)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4 or len(head) < HEAD_BYTES:  # not a character cut off
            bad = exc.start
    nul = head.find(b"\0")
    if 0 <= nul < bad:
        what = "byte 0x00 is not text"
    elif bad < len(head):
        what, nul = f"byte 0x{head[bad]:02x} is not valid UTF-8", bad
    else:
        return
    line = head[:nul].count(b"\n") + 1
    raise NetworkError(
        f"Cannot load edge list {path}, line {line}: {what} (is this a "
        "binary or compressed file?). Edge lists must be UTF-8 or ASCII text."
    )


def _check_names(cfg: RunConfig) -> None:
    """Names end up in directory names and tables: no path separators or control characters."""
    for key, value in (
        ("scenario.name", cfg.scenario.name),
        ("strategy.name", cfg.strategy.name),
        ("scenario.brand.name", cfg.scenario.brand.name),
    ):
        if not value.strip() or any(c in value for c in "/\\") or not value.isprintable():
            raise ConfigError(key, value, "a non-empty printable name without / or \\")


def _check_free(cfg: RunConfig) -> None:
    """Calibration's free parameters must name existing numeric keys with low <= high."""
    data = cfg.to_dict()
    for i, fp in enumerate(cfg.scenario.free):
        node: Any = data
        for part in fp.key.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise ConfigError(
                    f"scenario.free[{i}].key",
                    fp.key,
                    "a dotted key of a numeric config value, e.g. scenario.incidents.0.appeal",
                )
        if isinstance(node, bool) or not isinstance(node, (int, float)):
            raise ConfigError(f"scenario.free[{i}].key", fp.key, "a key whose value is a number")
        if fp.low > fp.high:
            raise ConfigError(f"scenario.free[{i}].low", fp.low, f"at most high ({fp.high})")
