"""What one metric of a run is: its name, label, unit, direction, description and origin."""

from __future__ import annotations

from dataclasses import dataclass

SCALED_SUFFIX = "_scaled"
BETTER = ("lower", "higher", "")  # "": neither (a description of the run, not an outcome)
PEOPLE, SHARE, PCT = "people", "share", "{:.0%}"  # common units and the percent format


@dataclass(frozen=True)
class Metric:
    """One metric of a run."""

    name: str
    label: str  # short, for table headers
    unit: str  # people, posts, $, min, share, ...
    better: str  # lower, higher or "" (neither)
    doc: str  # what it measures
    scaled: bool = False  # a count with a `_scaled` twin (times the scale factor)
    origin: str = "run"  # run (metrics.py), derived (derived_metrics.py), service, edgelist
    fmt: str = "{:,.0f}"  # how tables format a value
