"""The settings of the ingest heuristics (burst and complainer detection), apart from the code
that measures an export, so the entry point's schema can take their defaults without loading
pandas at every app's start."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeasureOptions:
    """The heuristics' settings (docs/ingest.md)."""

    accounts: int = 3
    burst_sigma: float = 4.0
    burst_ratio: float = 2.5
    burst_min: int = 5
    lookback_h: float = 2.0
    min_thread: int = 3
    thread_ratio: float = 5.0
    top_share: float = 0.2
    follower_ratio: float = 10.0
