"""Colours and markers shared by the strategy-comparison figures."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt

NEG, POS = "#c0392b", "#27ae60"
BETTER, WORSE, UNCLEAR = "#1e8449", "#c0392b", "#7f8c8d"
STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">")
START_MARKERS = ("o", "s", "^", "v", "P", "X", "h", "<", ">")


def strategy_colours(names: Sequence[str]) -> dict[str, tuple]:
    """One colour per strategy, the same in every figure."""
    cmap = plt.get_cmap("tab10")
    return {name: cmap(i % 10) for i, name in enumerate(names)}
