"""Random follower networks and exact follower counts for named accounts.

Every generator draws all its randomness from the ``numpy.random.Generator`` passed in, so a
seed fully determines the graph. Edge u -> v means v follows u (see ``sim.network.graph``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

import numpy as np

from sim.errors import NetworkError
from sim.network.graph import (
    MAX_NODES,
    FollowerGraph,
    graph_from_edges,
    place_draws,
    sort_unique_rows,
)

__all__ = ["heavy_tailed", "barabasi_albert", "watts_strogatz", "assign_followers"]


# --------------------------------------------------------------------------------------
# Sampling distinct followers
# --------------------------------------------------------------------------------------


def _sample_followers(
    n: int, counts: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Give rows 0..len(counts)-1 exactly counts[r] distinct followers among the other n-1 nodes.

    Sparse rows (count <= (n-1)/2) are drawn with replacement and collisions are redrawn
    until every row is exact; dense rows are drawn without replacement directly.
    """
    counts = np.asarray(counts, dtype=np.int64)
    indptr = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    if indices.size == 0:
        return indptr, indices
    half = (n - 1) // 2
    rows = np.flatnonzero((counts > 0) & (counts <= half)).astype(np.int64)
    pending = counts[rows]
    while rows.size:
        draws = rng.integers(0, n - 1, size=int(pending.sum()), dtype=np.int32)
        place_draws(indptr, indices, rows, pending, draws)
        del draws
        missing = np.empty(rows.size, dtype=np.int64)
        sort_unique_rows(indptr, indices, rows, missing)
        keep = missing > 0
        rows = rows[keep]
        pending = missing[keep]
    for r in np.flatnonzero(counts > half):
        c = int(counts[r])
        vals = np.sort(rng.choice(n - 1, size=c, replace=False, shuffle=False))
        vals[vals >= r] += 1
        indices[indptr[r] : indptr[r + 1]] = vals
    return indptr, indices


# --------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------


def _as_int(name: str, value: object) -> int:
    if isinstance(value, bool):
        raise NetworkError(f"{name} must be an integer, got {value!r}.")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise NetworkError(f"{name} must be an integer, got {value!r}.") from None


def _as_float(name: str, value: object) -> float:
    if isinstance(value, bool):
        raise NetworkError(f"{name} must be a number, got {value!r}.")
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NetworkError(f"{name} must be a number, got {value!r}.") from None
    if not math.isfinite(out):
        raise NetworkError(f"{name} must be a finite number, got {value!r}.")
    return out


def _check_n(n: object) -> int:
    n = _as_int("n (number of accounts)", n)
    if n < 2:
        raise NetworkError(f"n (number of accounts) must be at least 2, got {n}.")
    if n > MAX_NODES:
        raise NetworkError(f"n (number of accounts) must be at most {MAX_NODES}, got {n}.")
    return n


# --------------------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------------------


def _solve_kmin(mean: float, cap: int, a: float) -> float:
    """Lower cut-off of a power law on [kmin, cap+1) with E[floor(X)] == mean."""
    from scipy.optimize import brentq

    upper = float(cap) + 1.0
    j = np.arange(1, cap + 1, dtype=np.float64)
    prefix = np.zeros(cap + 1)
    np.cumsum(j ** (1.0 - a), out=prefix[1:])
    upper_pow = upper ** (1.0 - a)

    def expected(log_kmin: float) -> float:
        kmin = math.exp(log_kmin)
        f = min(int(math.floor(kmin)), cap)
        with np.errstate(over="ignore"):
            d = np.exp((1.0 - a) * log_kmin) - upper_pow
        tail = (prefix[cap] - prefix[f]) - (cap - f) * upper_pow
        return f + float(tail / d) if np.isfinite(d) else float(f)

    lo = math.log(1e-300)
    hi = math.log(upper) + math.log1p(-1e-12)
    if not expected(lo) < mean < expected(hi):
        raise NetworkError(
            f"mean_followers={mean} cannot be reached by a power law with exponent {a} "
            f"capped at {cap} followers; choose a mean between {expected(lo):.3g} and "
            f"{expected(hi):.6g} (lower the mean, raise max_followers or use more accounts)."
        )
    return math.exp(brentq(lambda x: expected(x) - mean, lo, hi, xtol=1e-12, rtol=1e-12))


def heavy_tailed(
    n: int,
    mean_followers: float,
    max_followers: int,
    exponent: float,
    rng: np.random.Generator,
) -> FollowerGraph:
    """Random follower graph with power-law follower counts (Kwak et al. 2010).

    Each node's follower count is ``floor(X)`` with X drawn from a continuous power law
    ``p(x) ~ x**-exponent`` on ``[k_min, cap+1)``, where ``cap = min(max_followers, n-1)``
    and ``k_min`` is solved numerically so that the expected count equals
    ``mean_followers``. Counts are therefore integers in ``0..cap`` (nodes may have no
    followers when k_min < 1). Each node then gets that many distinct followers drawn
    uniformly among the other nodes.

    Args:
        n: number of accounts (>= 2).
        mean_followers: expected follower count, 0 < mean < cap.
        max_followers: largest follower count (>= 1); also capped at n-1.
        exponent: power-law exponent (> 1); about 2.3 for Twitter.
        rng: source of all randomness.

    Returns:
        The follower graph.

    Raises:
        NetworkError: on out-of-range arguments.
    """
    n = _check_n(n)
    mean = _as_float("mean_followers", mean_followers)
    cap = _as_int("max_followers", max_followers)
    a = _as_float("exponent", exponent)
    if mean <= 0:
        raise NetworkError(f"mean_followers must be greater than 0, got {mean_followers}.")
    if cap < 1:
        raise NetworkError(f"max_followers must be at least 1, got {max_followers}.")
    if a <= 1:
        raise NetworkError(
            f"exponent must be greater than 1 for a normalisable power law, got {exponent} "
            "(Twitter follower counts have about 2.3)."
        )
    cap = min(cap, n - 1)
    kmin = _solve_kmin(mean, cap, a)
    # inverse CDF, written relative to kmin so that tiny kmin cannot overflow
    ratio = ((float(cap) + 1.0) / kmin) ** (1.0 - a)
    u = rng.random(n)
    x = kmin * (1.0 - u * (1.0 - ratio)) ** (1.0 / (1.0 - a))
    counts = np.clip(np.floor(x), 0, cap).astype(np.int64)
    del u, x
    indptr, indices = _sample_followers(n, counts, rng)
    return FollowerGraph(indptr, indices)


def _reciprocal_from_networkx(g, n: int) -> FollowerGraph:
    pairs = np.array(list(g.edges()), dtype=np.int64).reshape(-1, 2)
    src = np.concatenate([pairs[:, 0], pairs[:, 1]])
    dst = np.concatenate([pairs[:, 1], pairs[:, 0]])
    graph, _, _ = graph_from_edges(src, dst, n)
    return graph


def barabasi_albert(n: int, m: int, rng: np.random.Generator) -> FollowerGraph:
    """Barabasi-Albert preferential-attachment graph, made reciprocal (teaching network).

    Uses ``networkx.barabasi_albert_graph`` seeded from ``rng``; every undirected edge
    {u, v} becomes u->v and v->u, so there are ``2*m*(n-m)`` directed edges.

    Args:
        n: number of accounts (>= 2).
        m: edges attached from each new node, 1 <= m < n.
        rng: source of the networkx seed.

    Returns:
        The follower graph.
    """
    import networkx as nx

    n = _check_n(n)
    m = _as_int("m (Barabasi-Albert attachments)", m)
    if not 1 <= m < n:
        raise NetworkError(f"m (Barabasi-Albert attachments) must satisfy 1 <= m < n={n}, got {m}.")
    g = nx.barabasi_albert_graph(n, m, seed=int(rng.integers(2**31)))
    return _reciprocal_from_networkx(g, n)


def watts_strogatz(n: int, k: int, p: float, rng: np.random.Generator) -> FollowerGraph:
    """Watts-Strogatz small-world graph, made reciprocal (teaching network).

    Uses ``networkx.watts_strogatz_graph`` seeded from ``rng``; rewiring keeps the number
    of undirected edges at ``n*k/2``, so there are ``n*k`` directed edges.

    Args:
        n: number of accounts (>= 3).
        k: ring neighbours per node, even, 2 <= k < n.
        p: rewiring probability in [0, 1].
        rng: source of the networkx seed.

    Returns:
        The follower graph.
    """
    import networkx as nx

    n = _check_n(n)
    k = _as_int("k (Watts-Strogatz ring neighbours)", k)
    p = _as_float("p (Watts-Strogatz rewiring probability)", p)
    if k < 2 or k >= n or k % 2:
        raise NetworkError(
            f"k (Watts-Strogatz ring neighbours) must be an even number with 2 <= k < n={n}, "
            f"got {k}."
        )
    if not 0.0 <= p <= 1.0:
        raise NetworkError(f"p (Watts-Strogatz rewiring probability) must lie in [0, 1], got {p}.")
    g = nx.watts_strogatz_graph(n, k, p, seed=int(rng.integers(2**31)))
    return _reciprocal_from_networkx(g, n)


# --------------------------------------------------------------------------------------
# Named accounts
# --------------------------------------------------------------------------------------


def assign_followers(
    graph: FollowerGraph, counts: Sequence[int], rng: np.random.Generator
) -> FollowerGraph:
    """Give named accounts 0..len(counts)-1 exactly ``counts[i]`` distinct followers.

    Followers are drawn uniformly among the other nodes; the named accounts' previous
    followers are replaced and all other rows are unchanged.

    Args:
        graph: the graph to modify (not changed in place).
        counts: follower count of each named account, 0 <= counts[i] <= n-1.
        rng: source of randomness.

    Returns:
        A new graph.

    Raises:
        NetworkError: if there are more named accounts than nodes or a count is out of range.
    """
    n = graph.n_nodes
    raw = list(counts)
    if not raw:
        return graph
    if len(raw) > n:
        raise NetworkError(
            f"There are {len(raw)} named accounts but the network has only {n} accounts; "
            "named accounts occupy nodes 0..len(counts)-1, so use a larger population."
        )
    arr = np.empty(len(raw), dtype=np.int64)
    for i, c in enumerate(raw):
        c = _as_int(f"follower count of named account {i}", c)
        if c < 0 or c > n - 1:
            raise NetworkError(
                f"Named account {i} asks for {c} followers, but in a population of {n} "
                f"accounts it can have between 0 and {n - 1} (every other account); lower "
                "its follower count or enlarge the population."
            )
        arr[i] = c
    k = arr.size
    block_ptr, block_idx = _sample_followers(n, arr, rng)
    rest_start = graph.indptr[k]
    indptr = np.concatenate([block_ptr, graph.indptr[k + 1 :] - rest_start + block_ptr[-1]])
    indices = np.concatenate([block_idx, graph.indices[rest_start:]])
    return FollowerGraph(indptr, indices)
