"""Parameter metadata on the config dataclasses: one place for each fact about a parameter.

Every field of every config section is declared with `param` (a value) or `section` (a nested
section). The dataclass field then carries, besides its default, the parameter's description,
unit, kind of bounds and source. Validation (`sim.config.validation`) checks values against the
kind; the ODD tables (`sim.config.paramdoc`) print all of it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any

# kind -> (test a number passes, what the error message says is allowed)
CHECKS: dict[str, tuple[Callable[[float], bool], str]] = {
    "probability": (lambda v: 0.0 <= v <= 1.0, "a probability or share between 0 and 1"),
    "positive": (lambda v: v > 0, "a number greater than 0"),
    "nonnegative": (lambda v: v >= 0, "a number of 0 or more"),
    "sentiment": (lambda v: -1.0 <= v <= 1.0, "a sentiment between -1 and 1"),
    "open_sentiment": (lambda v: -1.0 < v < 1.0, "a sentiment strictly between -1 and 1"),
    "valence": (lambda v: v in (-1, 1), "-1 (complaint) or +1 (delight)"),
    "seed": (lambda v: 0 <= v < 2**63, "a whole number from 0 to 2**63-1"),
    "signed": (lambda v: True, "a number"),
}
# kind -> the range as the ODD tables write it
RANGES = {
    "probability": "[0, 1]",
    "positive": "> 0",
    "nonnegative": ">= 0",
    "sentiment": "[-1, 1]",
    "open_sentiment": "(-1, 1)",
    "valence": "-1 or +1",
    "seed": "[0, 2^63)",
    "signed": "any",
    "table": "each >= 0",
}
# kinds of fields that are not single numbers
OTHER_KINDS = ("choice", "text", "flag", "table", "section", "list")


@dataclass(frozen=True)
class ParamInfo:
    """What the metadata of one config field says."""

    name: str
    doc: str
    unit: str
    kind: str
    low: float | None
    high: float | None
    source: str
    integer: bool

    @property
    def range(self) -> str:
        """The allowed values in words, as the ODD tables show them."""
        if self.low is not None or self.high is not None:
            low = "-inf" if self.low is None else f"{self.low:g}"
            high = "inf" if self.high is None else f"{self.high:g}"
            return f"[{low}, {high}]"
        return RANGES.get(self.kind, "")

    def problem(self, value: float) -> str | None:
        """What is allowed, if the number `value` breaks this field's bounds; else None."""
        if self.low is not None or self.high is not None:
            low = -math.inf if self.low is None else self.low
            high = math.inf if self.high is None else self.high
            if not low <= value <= high:
                return (
                    f"a number from {self.low:g} to {self.high:g}"
                    if (self.low is not None and self.high is not None)
                    else (
                        f"a number of {self.low:g} or more"
                        if self.low is not None
                        else f"a number of at most {self.high:g}"
                    )
                )
        elif self.kind in CHECKS:
            test, allowed = CHECKS[self.kind]
            if not test(value):
                return allowed
        if self.integer and isinstance(value, float) and not value.is_integer():
            return "a whole number"
        return None


def param(
    default: Any = MISSING,
    *,
    doc: str,
    unit: str = "",
    kind: str = "nonnegative",
    low: float | None = None,
    high: float | None = None,
    source: str = "",
    integer: bool = False,
) -> Any:
    """A config field with its metadata.

    Args:
        default: the default value; a list or dict is copied for each instance.
        doc: what the parameter means (one line; the ODD's "meaning").
        unit: its unit (minutes, dollars, per hour, ...); "" for a pure number or share.
        kind: its bounds (a key of CHECKS) or what else it is (one of OTHER_KINDS).
        low: explicit lower bound (inclusive), overriding the kind's.
        high: explicit upper bound (inclusive), overriding the kind's.
        source: where the default comes from; "" for an assumption.
        integer: a count that must be a whole number even where a float is given.

    Returns:
        A `dataclasses.field` carrying the metadata.
    """
    if kind not in CHECKS and kind not in OTHER_KINDS:
        raise ValueError(f"unknown parameter kind {kind!r}")
    meta = {
        "doc": doc,
        "unit": unit,
        "kind": kind,
        "low": low,
        "high": high,
        "source": source,
        "integer": integer,
    }
    if isinstance(default, (list, dict)):
        value = default
        return field(default_factory=lambda: copy.deepcopy(value), metadata=meta)
    return field(default=default, metadata=meta)


def section(cls: type, *, doc: str, settings: bool = False, preset_group: bool = False) -> Any:
    """A nested config section (a dataclass), built fresh for each instance.

    Args:
        cls: the section's dataclass.
        doc: what the section is about.
        settings: a scenario's `settings` may set its keys.
        preset_group: conf/<name>/ holds presets of it (a Hydra config group).
    """
    meta = {"doc": doc, "kind": "section", "cls": cls, "settings": settings}
    return field(default_factory=cls, metadata={**meta, "preset_group": preset_group})


def info(f: Field) -> ParamInfo:
    """The metadata of one dataclass field (ValueError if it was not declared with `param`)."""
    m = f.metadata
    if "doc" not in m:
        raise ValueError(f"config field {f.name!r} is declared without metadata (use param())")
    return ParamInfo(
        f.name,
        m["doc"],
        m.get("unit", ""),
        m["kind"],
        m.get("low"),
        m.get("high"),
        m.get("source", ""),
        bool(m.get("integer", False)),
    )


def infos(cls: type) -> list[ParamInfo]:
    """The metadata of every field of a config dataclass, in declaration order."""
    return [info(f) for f in fields(cls)]
