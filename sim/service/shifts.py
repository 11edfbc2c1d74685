"""Working-hour calendars: when a desk is staffed ("24/7", "mon-fri 09:00-17:00", ...)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sim.errors import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ALIASES = {"daily": "mon-sun", "weekdays": "mon-fri", "weekends": "sat-sun"}
_PART = re.compile(r"^\s*([a-z,\-]+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
ALLOWED = (
    '"24/7", or one or more "DAYS HH:MM-HH:MM" joined by ";", where DAYS is a day, a range '
    'or a list such as mon-fri, sat,sun, daily, weekdays (e.g. "mon-fri 09:00-17:00")'
)


@dataclass(frozen=True)
class Shift:
    """A weekly calendar of staffed minutes (Monday 00:00 is minute 0 of the week)."""

    spec: str
    minutes: np.ndarray  # bool, 7 * 1440

    def on_duty(self, weekday: int, minute_of_day: int) -> bool:
        """Whether the desk is staffed on `weekday` (0 = Monday) at `minute_of_day`."""
        return bool(self.minutes[weekday * 1440 + minute_of_day])

    @property
    def hours_per_week(self) -> float:
        """Staffed hours in one week."""
        return float(self.minutes.sum()) / 60.0


def parse_shift(spec: str, key: str = "shift") -> Shift:
    """Parse a shift text into a weekly calendar; raise ConfigError naming `key` if malformed."""
    text = str(spec).strip().lower()
    mask = np.zeros(7 * 1440, dtype=bool)
    if text in ("24/7", "always"):
        mask[:] = True
        return Shift(spec, mask)
    if text in ("never", "none", ""):
        return Shift(spec, mask)
    for part in text.split(";"):
        m = _PART.match(part)
        if not m:
            raise ConfigError(key, spec, ALLOWED)
        days = _parse_days(m.group(1), spec, key)
        h0, m0, h1, m1 = (int(g) for g in m.groups()[1:])
        if h0 > 24 or h1 > 24 or m0 > 59 or m1 > 59:
            raise ConfigError(key, spec, ALLOWED)
        start, end = h0 * 60 + m0, h1 * 60 + m1
        if end == start:
            raise ConfigError(key, spec, "a shift that lasts longer than zero minutes")
        for d in days:
            base = d * 1440
            if end > start:
                mask[base + start : base + end] = True
            else:  # over midnight, into the next day
                mask[base + start : base + 1440] = True
                nxt = ((d + 1) % 7) * 1440
                mask[nxt : nxt + end] = True
    return Shift(spec, mask)


def _parse_days(text: str, spec: str, key: str) -> list[int]:
    text = _ALIASES.get(text, text)
    days: list[int] = []
    for item in text.split(","):
        if "-" in item:
            a, b = item.split("-", 1)
            if a not in DAYS or b not in DAYS:
                raise ConfigError(key, spec, ALLOWED)
            i, j = DAYS.index(a), DAYS.index(b)
            days.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif item in DAYS:
            days.append(DAYS.index(item))
        else:
            raise ConfigError(key, spec, ALLOWED)
    return days
