"""Rankings of strategies by one metric, and how two rankings differ (Kendall tau, swapped pairs).

A ranking gives each strategy its place by the mean of a metric (1 = best); equal means share
the better place (1, 2, 2, 4) and a strategy without a finite mean comes last. Two rankings of
the same strategies are compared by Kendall's tau-b (1: the same order, -1: reversed; ties count
neither way) and by the pairs whose order is reversed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats as st


def _key(value: float, lower_better: bool) -> float:
    if value is None or not math.isfinite(float(value)):
        return math.inf
    return float(value) if lower_better else -float(value)


def rank_by(means: Mapping[str, float], lower_better: bool = True) -> dict[str, int]:
    """Each strategy's place (1 = best) by its mean; ties share the better place.

    Args:
        means: strategy -> mean of the metric (NaN or None: no value, ranked last).
        lower_better: whether a lower mean is better.

    Returns:
        strategy -> rank, in the order of `means`.
    """
    keys = {name: _key(v, lower_better) for name, v in means.items()}
    return {n: 1 + sum(keys[m] < keys[n] for m in keys) for n in keys}


def in_order(rank: Mapping[str, int]) -> list[str]:
    """Strategies from best to worst (ties in the order of `rank`)."""
    names = list(rank)
    return sorted(names, key=lambda n: (rank[n], names.index(n)))


def kendall_tau(base: Mapping[str, int], other: Mapping[str, int]) -> float:
    """Kendall's tau-b between two rankings of the same strategies.

    Two identical rankings give 1.0, also where every strategy ties (which tau-b leaves
    undefined); a reversed one -1.0.

    Raises:
        ValueError: the rankings do not hold the same strategies.
    """
    if set(base) != set(other):
        raise ValueError(f"rankings of different strategies: {sorted(base)} vs {sorted(other)}")
    names = list(base)
    a = np.array([base[n] for n in names], dtype=float)
    b = np.array([other[n] for n in names], dtype=float)
    if np.array_equal(a, b):
        return 1.0
    if len(names) < 2 or len(set(a)) == 1 or len(set(b)) == 1:
        return float("nan")  # one side has no order at all
    return float(st.kendalltau(a, b, variant="b").statistic)


def swapped_pairs(base: Mapping[str, int], other: Mapping[str, int]) -> list[tuple[str, str]]:
    """Pairs (a, b) that `base` puts a before b and `other` puts b before a.

    Pairs tied on either side are not swaps. Listed in the base order of a, then of b.
    """
    order = in_order(base)
    return [
        (a, b)
        for a, b in itertools.combinations(order, 2)
        if base[a] < base[b] and other[b] < other[a]
    ]


def moved(base: Mapping[str, int], other: Mapping[str, int]) -> list[tuple[str, int, int]]:
    """(strategy, base rank, other rank) where the rank differs, in the order of `other`."""
    return [(n, base[n], other[n]) for n in in_order(other) if base[n] != other[n]]


def describe_pairs(pairs: Sequence[tuple[str, str]]) -> str:
    """`a <-> b; c <-> d`, or "" without pairs."""
    return "; ".join(f"{a} <-> {b}" for a, b in pairs)


def order_text(rank: Mapping[str, int]) -> str:
    """The ranking best first: `a > b = c > d` (`=`: a shared place)."""
    order = in_order(rank)
    parts = order[:1]
    for prev, name in zip(order, order[1:]):
        parts += ["=" if rank[name] == rank[prev] else ">", name]
    return " ".join(parts)
