"""Shared setup of the benchmarks: smoke or full size, and the graph of the cascade kernels.

`make bench` runs these with `--benchmark-enable` at full size (a 100,000-node graph for the
cascade kernels; whole runs of 10^4 .. 10^7 customers). In the ordinary test suite benchmarks are
disabled, and the same code runs once at smoke size so that it cannot rot unnoticed.
Set BENCH_MAX_SIZE (e.g. 1000000) to leave out the larger whole-model runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from sim.network import FollowerGraph, build_network
from tests.benchmarks.helpers import full_size


@pytest.fixture(scope="session")
def full(request) -> bool:
    """True under `make bench`, False in the ordinary test suite."""
    return full_size(request.config)


@dataclass
class CascadeSetup:
    """The graph, seeds and edge probability every cascade engine gets."""

    graph: FollowerGraph
    seeds: np.ndarray
    p: float
    rounds_fast: int
    rounds_slow: int


@pytest.fixture(scope="session")
def cascade_setup(full: bool) -> CascadeSetup:
    """A heavy-tailed follower graph (the model's default generator), 100 random seeds, p = 0.05.

    With a mean of 30 followers, p = 0.05 is supercritical: from 100 seeds a cascade reaches over
    half of the graph, so the engines are timed on real spreading work.
    """
    n = 100_000 if full else 5_000
    graph = build_network("heavy_tailed", n, np.random.default_rng(42), mean_followers=30.0,
                          max_followers=20_000, exponent=2.3)
    seeds = np.sort(np.random.default_rng(7).choice(n, size=100, replace=False))
    return CascadeSetup(graph, seeds, 0.05, rounds_fast=30 if full else 2, rounds_slow=3 if full else 1)
