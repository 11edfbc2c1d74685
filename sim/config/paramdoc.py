"""Parameter tables for docs/ODD.md, generated from the config dataclasses.

The description of a parameter is the comment on its line in `sim/config/schema.py`; its default is the
dataclass default; its source comes from SOURCES below ("assumed" where none is given). Run
`python -m sim.config.paramdoc` to rewrite the tables inside docs/ODD.md; a test checks they are current.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path

from sim.config import schema as config_module
from sim.config.schema import (
    BrandConfig, ChatterConfig, DiffusionConfig, Incident, NamedAccount, NetworkConfig,
    OpinionConfig, PopulationConfig, RoleShares, RunConfig, ScenarioConfig, StrategyConfig,
)

SECTIONS = (
    ("seed and sections", RunConfig, ""),
    ("scenario", ScenarioConfig, "scenario."),
    ("scenario.brand", BrandConfig, "scenario.brand."),
    ("scenario.accounts[i]", NamedAccount, "scenario.accounts[i]."),
    ("scenario.incidents[i]", Incident, "scenario.incidents[i]."),
    ("scenario.chatter", ChatterConfig, "scenario.chatter."),
    ("strategy", StrategyConfig, "strategy."),
    ("network", NetworkConfig, "network."),
    ("population", PopulationConfig, "population."),
    ("population.roles", RoleShares, "population.roles."),
    ("diffusion", DiffusionConfig, "diffusion."),
    ("opinion", OpinionConfig, "opinion."),
)

SOURCES = {
    "network.exponent": "Kwak et al. 2010 (exponent ~2.28)",
    "diffusion.view_delay_median_min": "Kwak et al. 2010 (half of retweets within an hour)",
    "strategy.phone_capacity_per_hour": "seed 001 (Alaska Air: 500 calls/h)",
    "strategy.phone_cost": "seed 001 (Alaska Air: $1.60 per call)",
    "strategy.web_capacity_per_hour": "seed 001 (Alaska Air: 20,000 transactions/h)",
    "strategy.web_cost": "seed 001 (Alaska Air: $0.54 per transaction)",
    "opinion.response_decay_min": "Twitter/Applied Marketing Science 2016 (value of a reply falls within the hour)",
    "opinion.recovery_gain": "de Matos et al. 2007 (service-recovery paradox), magnitude assumed",
    "opinion.negativity_bias": "negativity bias of word of mouth; magnitude assumed",
    "population.roles.networker": "seed 001 typology; share assumed",
    "population.roles.opinion_leader": "seed 001 typology; share assumed",
    "population.roles.trendsetter": "seed 001 typology; share assumed",
    "population.roles.amplifier": "seed 001 typology; share assumed",
    "strategy.response_target_min": "seed 003 (Comcast: solved within 20 minutes) for fast_social_care",
}

_LINE = re.compile(r"^\s+(\w+):\s*[^=]+?(?:=\s*(.+?))?\s*(?:#\s*(.*))?$")


def _comments() -> dict[tuple[str, str], str]:
    """(class name, field name) -> the comment on the field's line in sim/config/schema.py."""
    out: dict[tuple[str, str], str] = {}
    for name, obj in vars(config_module).items():
        if not (inspect.isclass(obj) and is_dataclass(obj)):
            continue
        for line in inspect.getsource(obj).splitlines():
            m = _LINE.match(line)
            if m and m.group(3):
                out[(name, m.group(1))] = m.group(3).strip()
    return out


def _default(f) -> object:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:  # type: ignore[misc]
        value = f.default_factory()  # type: ignore[misc]
        return "(section)" if is_dataclass(value) else value
    return ""


def _fmt(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "[]" if not value else str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def markdown() -> str:
    """All parameter tables as markdown."""
    comments = _comments()
    parts = []
    for title, cls, prefix in SECTIONS:
        rows = ["| key | default | meaning | source |", "| --- | --- | --- | --- |"]
        for f in fields(cls):
            default = _default(f)
            if default == "(section)":
                continue
            key = prefix + f.name
            meaning = comments.get((cls.__name__, f.name), "")
            if key in SOURCES:
                source = SOURCES[key]
            elif prefix.startswith("scenario") or not isinstance(default, (int, float)) or isinstance(default, bool):
                source = "set per scenario / preset" if prefix.startswith("scenario") else "choice"
            else:
                source = "assumed"
            rows.append(f"| `{key}` | {_fmt(default)} | {meaning} | {source} |")
        parts.append(f"#### {title}\n\n" + "\n".join(rows))
    return "\n\n".join(parts) + "\n"


START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def update(path: Path) -> bool:
    """Rewrite the tables between the markers of `path`; return whether anything changed."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{markdown()}{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
    print("updated" if update(target) else "up to date", target)
