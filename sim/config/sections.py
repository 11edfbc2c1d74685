"""The registry of a run's config sections: every list of sections is derived from it."""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields, is_dataclass

from sim.config.schema import RUN_SECTIONS, SECTION_FIELDS, SETTINGS_SECTIONS


@dataclass(frozen=True)
class Section:
    """One top-level section of a run config."""

    name: str
    cls: type
    settings: bool  # a scenario's `settings` may set its keys
    preset_group: bool  # conf/<name>/ holds presets of it (a Hydra config group)
    doc: str


# read from RunConfig's fields (sim.config.schema): adding a section there adds it everywhere
SECTIONS: tuple[Section, ...] = tuple(
    Section(
        f.name,
        f.metadata["cls"],
        f.metadata["settings"],
        f.metadata["preset_group"],
        f.metadata["doc"],
    )
    for f in SECTION_FIELDS
)
BY_NAME = {s.name: s for s in SECTIONS}
PRESET_GROUPS = tuple(s.name for s in SECTIONS if s.preset_group)
SECTION_TYPES = {s.name: s.cls for s in SECTIONS}
__all__ = [
    "BY_NAME",
    "PRESET_GROUPS",
    "RUN_SECTIONS",
    "SECTIONS",
    "SECTION_TYPES",
    "SETTINGS_SECTIONS",
    "Section",
    "all_subsections",
    "subsections",
]


def subsections(cls: type, prefix: str) -> list[tuple[str, type, str]]:
    """(title, dataclass, key prefix) of `cls` and of every section nested in it, in order.

    A list of dataclasses (scenario.accounts) appears once, as `accounts[i]`.
    """
    out = [(prefix.rstrip(".") or cls.__name__, cls, prefix)]
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        tp = hints[f.name]
        if isinstance(tp, type) and is_dataclass(tp):
            out += subsections(tp, f"{prefix}{f.name}.")
        elif typing.get_origin(tp) is list and is_dataclass(typing.get_args(tp)[0]):
            out += subsections(typing.get_args(tp)[0], f"{prefix}{f.name}[i].")
    return out


def all_subsections() -> list[tuple[str, type, str]]:
    """(title, dataclass, key prefix) of every section and nested section of a run config."""
    return [part for s in SECTIONS for part in subsections(s.cls, s.name + ".")]
