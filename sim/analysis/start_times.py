"""Incident start times: a weekday and a time of day at which a scenario's first incident happens.

A comparison may run one scenario at several start times (`experiments.compare starts=[...]`).
A start time is written as a three-letter weekday and an hour, optionally with minutes:
`mon10` (Monday 10:00), `wed03` (Wednesday 03:00), `sat20:30` (Saturday 20:30). Placing a
scenario at a start time moves its `start` (the date-time of tick 0) so that its first incident,
`incidents[0]`, `at_h` hours after the start, falls on that weekday and time, within the same
Monday-to-Sunday week as the scenario's own first incident. Everything else about the scenario
(the incident's `at_h`, the horizon, the warm-up) stays as it is, so tick 0 moves and the
incident keeps its place in the run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sim.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALLOWED = (
    "a list of start times, each a weekday (mon, tue, wed, thu, fri, sat, sun) and an hour "
    "00-23, optionally :MM, e.g. starts=[mon10,wed03,sat20:30]; or starts=[] (or null) for the "
    "scenario's own start"
)
_PATTERN = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)(\d{1,2})(?::(\d{2}))?$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class StartTime:
    """A weekday (0 = Monday) and a minute of the day (0..1439)."""

    weekday: int
    minute: int

    @property
    def label(self) -> str:
        """The short form, as written on the command line: `mon10`, `sat20:30`."""
        hour, minute = divmod(self.minute, 60)
        return f"{WEEKDAYS[self.weekday]}{hour:02d}" + (f":{minute:02d}" if minute else "")

    @property
    def title(self) -> str:
        """The readable form: `Monday 10:00`."""
        hour, minute = divmod(self.minute, 60)
        return f"{DAY_NAMES[self.weekday]} {hour:02d}:{minute:02d}"

    @classmethod
    def at(cls, moment: datetime) -> StartTime:
        """The weekday and minute of day of a date-time (seconds are dropped)."""
        return cls(moment.weekday(), moment.hour * 60 + moment.minute)


def parse_start(text: Any) -> StartTime:
    """One start time from its short form (`mon10`, `wed03`, `sat20:30`; any case).

    Raises:
        ConfigError: for anything else (key `starts`).
    """
    match = _PATTERN.match(str(text).strip()) if isinstance(text, str) else None
    if match is None:
        raise ConfigError("starts", text, ALLOWED)
    day, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59:
        raise ConfigError("starts", text, ALLOWED)
    return StartTime(WEEKDAYS.index(day), hour * 60 + minute)


def parse_starts(spec: Any) -> list[StartTime]:
    """The start times of a `starts` option: None or [] (none), one short form, or a list.

    Raises:
        ConfigError: a malformed item, or the same start time twice.
    """
    if spec is None:
        return []
    items = [spec] if isinstance(spec, str) else spec
    if not isinstance(items, Sequence) and not hasattr(items, "__iter__"):
        raise ConfigError("starts", spec, ALLOWED)
    out: list[StartTime] = []
    for item in items:
        start = parse_start(item)
        if start in out:
            raise ConfigError(
                "starts", list(items), f"each start time once ({start.label} is given twice)"
            )
        out.append(start)
    return out


def first_incident_time(start: str, at_h: float) -> datetime:
    """The date-time of an incident `at_h` hours after the ISO date-time `start`."""
    return datetime.fromisoformat(start) + timedelta(hours=float(at_h))


def shifted_start(start: str, at_h: float, target: StartTime) -> str:
    """The scenario start that puts an incident `at_h` hours after it at `target`.

    The incident moves within its own Monday-to-Sunday week, so a scenario already at `target`
    keeps its start unchanged.

    Args:
        start: the scenario's `start` (ISO date-time of tick 0).
        at_h: hours from the start to the incident (`incidents[0].at_h`).
        target: where the incident should fall.

    Returns:
        The new `start`, ISO date-time to the minute (to the second if `at_h` needs it).
    """
    incident = first_incident_time(start, at_h)
    monday = incident.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=incident.weekday()
    )
    moved = monday + timedelta(days=target.weekday, minutes=target.minute)
    new = moved - timedelta(hours=float(at_h))
    if new.microsecond:
        new = new.replace(microsecond=0) + timedelta(seconds=round(new.microsecond / 1e6))
    return new.isoformat(timespec="seconds" if new.second else "minutes")
