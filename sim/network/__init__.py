"""Follower networks: the public face of graph generation and edge-list loading.

Convention used throughout: an edge ``u -> v`` means that ``v`` follows ``u``, so ``v``
sees ``u``'s posts. The out-degree of ``u`` is its audience (follower count) and the
in-degree of ``v`` is the number of accounts it follows. Graphs are stored in CSR form
(``indptr`` int64, ``indices`` int32), with the followers of each node sorted ascending,
no duplicates and no self loops.

All randomness comes from the ``numpy.random.Generator`` passed in; the numba kernels
are deterministic, so a seed fully determines every graph.

The pieces live in ``sim.network.graph`` (the CSR container and kernels),
``sim.network.generators`` (random graphs and named accounts), ``sim.network.edgelist`` and
``sim.network.edgelist_parse`` (loading files) and ``sim.errors`` (``NetworkError``); this
module re-exports their public names and adds ``build_network``, which picks one by the
configured kind.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from sim.errors import NetworkError
from sim.network.edgelist import (
    EDGE_MEANINGS,
    EDGELIST_FORMATS,
    MAX_NODE_ID,
    LoadReport,
    load_edgelist,
    load_edgelist_with_report,
)
from sim.network.generators import assign_followers, barabasi_albert, heavy_tailed, watts_strogatz
from sim.network.graph import FollowerGraph

__all__ = [
    "NetworkError",
    "FollowerGraph",
    "LoadReport",
    "NETWORK_KINDS",
    "EDGELIST_FORMATS",
    "EDGE_MEANINGS",
    "MAX_NODE_ID",
    "heavy_tailed",
    "barabasi_albert",
    "watts_strogatz",
    "load_edgelist",
    "load_edgelist_with_report",
    "assign_followers",
    "build_network",
]

NETWORK_KINDS = ("heavy_tailed", "barabasi_albert", "watts_strogatz", "edgelist")


def build_network(
    kind: str,
    n: int,
    rng: np.random.Generator,
    *,
    mean_followers: float = 30.0,
    max_followers: int = 50_000,
    exponent: float = 2.3,
    m: int = 5,
    k: int = 10,
    p: float = 0.1,
    path: str | os.PathLike | None = None,
    fmt: str = "auto",
    edge_meaning: str = "follows",
    named_followers: Sequence[int] = (),
) -> FollowerGraph:
    """Build or load the follower network of a run, then set named accounts' audiences.

    Args:
        kind: "heavy_tailed", "barabasi_albert", "watts_strogatz" or "edgelist".
        n: number of accounts (ignored for "edgelist", where the file decides).
        rng: source of all randomness.
        mean_followers: heavy_tailed mean follower count.
        max_followers: heavy_tailed follower cap.
        exponent: heavy_tailed power-law exponent.
        m: Barabasi-Albert attachments per new node.
        k: Watts-Strogatz ring neighbours.
        p: Watts-Strogatz rewiring probability.
        path: edge-list file (required for "edgelist").
        fmt: edge-list format.
        edge_meaning: edge-list direction convention.
        named_followers: exact follower counts of named accounts 0..len-1.

    Returns:
        The follower graph.

    Raises:
        NetworkError: on unknown kinds, missing path or out-of-range arguments.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator (numpy.random.default_rng(seed)).")
    if kind == "heavy_tailed":
        graph = heavy_tailed(n, mean_followers, max_followers, exponent, rng)
    elif kind == "barabasi_albert":
        graph = barabasi_albert(n, m, rng)
    elif kind == "watts_strogatz":
        graph = watts_strogatz(n, k, p, rng)
    elif kind == "edgelist":
        if path is None or os.fspath(path) == "":
            raise NetworkError(
                "Network kind 'edgelist' needs a path to an edge-list file (network.path)."
            )
        graph = load_edgelist(path, fmt=fmt, edge_meaning=edge_meaning)
        if graph.n_nodes < 2:
            raise NetworkError(
                f"Edge list {os.fspath(path)} yields only {graph.n_nodes} account(s); "
                "a network needs at least 2."
            )
    else:
        raise NetworkError(
            f"Unknown network kind {kind!r}; choose one of {', '.join(NETWORK_KINDS)}."
        )
    if len(named_followers):
        graph = assign_followers(graph, named_followers, rng)
    return graph
