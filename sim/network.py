"""Follower networks: generators, edge-list loading and named-account follower counts.

Convention used throughout: an edge ``u -> v`` means that ``v`` follows ``u``, so ``v``
sees ``u``'s posts. The out-degree of ``u`` is its audience (follower count) and the
in-degree of ``v`` is the number of accounts it follows. Graphs are stored in CSR form
(``indptr`` int64, ``indices`` int32), with the followers of each node sorted ascending,
no duplicates and no self loops.

All randomness comes from the ``numpy.random.Generator`` passed in; the numba kernels
below are deterministic, so a seed fully determines every graph.
"""

from __future__ import annotations

import math
import operator
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit
from scipy.optimize import brentq

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
EDGELIST_FORMATS = ("auto", "text", "csv", "parquet")
EDGE_MEANINGS = ("follows", "audience")
MAX_NODE_ID = 2**40  # largest original node id accepted in an edge list
_MAX_NODES = 2**31 - 1  # indices are int32

_TEXT_SUFFIXES = {"", ".txt", ".edges", ".tsv", ".el", ".dat"}
_CSV_SUFFIXES = {".csv"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}


class NetworkError(ValueError):
    """A network could not be built or loaded; the message says what and how to fix it."""


# --------------------------------------------------------------------------------------
# Graph container
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FollowerGraph:
    """Directed follower graph in CSR form.

    Edge u->v means v follows u, i.e. v sees u's posts; u's out-degree is its audience
    (follower count). The followers of u are ``indices[indptr[u]:indptr[u+1]]``, sorted
    ascending, without duplicates or self loops.
    """

    indptr: np.ndarray
    indices: np.ndarray

    def __post_init__(self) -> None:
        indptr = np.ascontiguousarray(self.indptr, dtype=np.int64)
        indices = np.ascontiguousarray(self.indices, dtype=np.int32)
        if indptr.ndim != 1 or indptr.size < 1 or indices.ndim != 1:
            raise NetworkError("FollowerGraph needs a 1-D indptr of length n+1 and 1-D indices.")
        if indptr[0] != 0 or indptr[-1] != indices.size:
            raise NetworkError(
                "FollowerGraph indptr must start at 0 and end at len(indices) "
                f"(got {indptr[0]} and {indptr[-1]} for {indices.size} indices)."
            )
        if indptr.size > 1 and np.any(indptr[1:] < indptr[:-1]):
            raise NetworkError("FollowerGraph indptr must be non-decreasing.")
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "indices", indices)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.indptr.size - 1)

    @property
    def n_edges(self) -> int:
        """Number of directed edges (follow relations)."""
        return int(self.indices.size)

    def followers(self, u: int) -> np.ndarray:
        """Followers of node ``u`` (a read-only view, sorted ascending)."""
        view = self.indices[self.indptr[u] : self.indptr[u + 1]]
        view.flags.writeable = False
        return view

    def follower_counts(self) -> np.ndarray:
        """Out-degree (audience size) of every node, int64."""
        return np.diff(self.indptr)

    def following_counts(self) -> np.ndarray:
        """In-degree (number of accounts followed) of every node, int64."""
        return np.bincount(self.indices, minlength=self.n_nodes).astype(np.int64, copy=False)

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """All edges as ``(source, target)`` int32 arrays, ordered by source then target."""
        src = np.repeat(np.arange(self.n_nodes, dtype=np.int32), self.follower_counts())
        return src, self.indices.copy()

    def validate(self) -> None:
        """Check sortedness, uniqueness, id range and absence of self loops (O(edges)).

        Raises:
            NetworkError: if any CSR invariant is violated.
        """
        code, row = _check_csr(self.indptr, self.indices, self.n_nodes)
        problems = {
            1: "a follower id outside 0..n-1",
            2: "a self loop",
            3: "followers not strictly ascending (unsorted or duplicated)",
        }
        if code:
            raise NetworkError(f"FollowerGraph row {row} has {problems[code]}.")

    @classmethod
    def from_edges(cls, src: np.ndarray, dst: np.ndarray, n_nodes: int) -> FollowerGraph:
        """Build a graph from edge arrays (src -> dst), dropping self loops and duplicates.

        Args:
            src: source node of each edge (the account being followed).
            dst: target node of each edge (the follower).
            n_nodes: number of nodes; ids must lie in 0..n_nodes-1.

        Returns:
            The graph in CSR form.
        """
        graph, _, _ = _graph_from_edges(src, dst, n_nodes)
        return graph


@dataclass(frozen=True, eq=False)
class LoadReport:
    """What happened while loading an edge list.

    Attributes:
        path: the file as given.
        fmt: the format actually used ("text", "csv" or "parquet").
        edge_meaning: "follows" or "audience".
        records: edge records read from the file (before dropping anything).
        self_loops_dropped: records whose two ids were equal.
        duplicates_dropped: repeated directed edges (after applying edge_meaning).
        original_ids: original id of each node; node i was ``original_ids[i]`` in the file.
    """

    path: str
    fmt: str
    edge_meaning: str
    records: int
    self_loops_dropped: int
    duplicates_dropped: int
    original_ids: np.ndarray


# --------------------------------------------------------------------------------------
# numba kernels (deterministic; never use numba's RNG)
# --------------------------------------------------------------------------------------


@njit(cache=True)
def _check_csr(indptr, indices, n):  # pragma: no cover - compiled
    for r in range(n):
        prev = -1
        for i in range(indptr[r], indptr[r + 1]):
            v = indices[i]
            if v < 0 or v >= n:
                return 1, r
            if v == r:
                return 2, r
            if v <= prev:
                return 3, r
            prev = v
    return 0, -1


@njit(cache=True)
def _place_draws(indptr, indices, rows, pending, draws):  # pragma: no cover - compiled
    """Write ``pending[t]`` fresh draws at the end of row ``rows[t]``, skipping self."""
    off = 0
    for t in range(rows.size):
        r = rows[t]
        k = pending[t]
        end = indptr[r + 1]
        for i in range(k):
            v = draws[off + i]
            if v >= r:
                v += 1
            indices[end - k + i] = v
        off += k


@njit(cache=True)
def _merge_sort(a, tmp):  # pragma: no cover - compiled
    """Sort ``a`` in place (bottom-up merge sort, O(len log len) worst case).

    numba's built-in quicksort degrades badly on "sorted prefix + a few new values",
    which is exactly what the redraw rounds produce, so it is not used here.
    """
    n = a.size
    block = 16
    for s in range(0, n, block):
        e = min(s + block, n)
        for i in range(s + 1, e):
            v = a[i]
            j = i - 1
            while j >= s and a[j] > v:
                a[j + 1] = a[j]
                j -= 1
            a[j + 1] = v
    if n <= block:
        return
    src = a
    dst = tmp[:n]
    in_a = True
    width = block
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            if mid >= hi or src[mid - 1] <= src[mid]:
                for i in range(lo, hi):
                    dst[i] = src[i]
                continue
            i = lo
            j = mid
            k = lo
            while i < mid and j < hi:
                if src[j] < src[i]:
                    dst[k] = src[j]
                    j += 1
                else:
                    dst[k] = src[i]
                    i += 1
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < hi:
                dst[k] = src[j]
                j += 1
                k += 1
        src, dst = dst, src
        in_a = not in_a
        width *= 2
    if not in_a:
        for i in range(n):
            a[i] = src[i]


@njit(cache=True)
def _sort_unique_rows(indptr, indices, rows, missing):  # pragma: no cover - compiled
    """Sort each listed row, move its distinct values to the front, count the shortfall."""
    longest = 0
    for t in range(rows.size):
        longest = max(longest, indptr[rows[t] + 1] - indptr[rows[t]])
    tmp = np.empty(longest, indices.dtype)
    for t in range(rows.size):
        r = rows[t]
        s = indptr[r]
        e = indptr[r + 1]
        seg = indices[s:e]
        _merge_sort(seg, tmp)
        w = 0
        for i in range(seg.size):
            v = seg[i]
            if w == 0 or v != seg[w - 1]:
                seg[w] = v
                w += 1
        missing[t] = (e - s) - w


@njit(cache=True)
def _edges_to_csr(src, dst, n):  # pragma: no cover - compiled
    """Counting sort by source, then sort + deduplicate each row; drops self loops."""
    m = src.size
    counts = np.zeros(n + 1, np.int64)
    loops = 0
    for i in range(m):
        if src[i] == dst[i]:
            loops += 1
        else:
            counts[src[i] + 1] += 1
    for r in range(n):
        counts[r + 1] += counts[r]
    fill = counts[:n].copy()
    indices = np.empty(counts[n], np.int32)
    for i in range(m):
        s = src[i]
        if s != dst[i]:
            indices[fill[s]] = dst[i]
            fill[s] += 1
    longest = 0
    for r in range(n):
        longest = max(longest, counts[r + 1] - counts[r])
    tmp = np.empty(longest, np.int32)
    indptr = np.zeros(n + 1, np.int64)
    w = 0
    for r in range(n):
        s = counts[r]
        e = counts[r + 1]
        seg = indices[s:e]
        _merge_sort(seg, tmp)
        prev = -1
        for i in range(s, e):
            v = indices[i]
            if v != prev:
                indices[w] = v
                w += 1
                prev = v
        indptr[r + 1] = w
    dups = counts[n] - w
    return indptr, indices[:w].copy(), loops, dups


@njit(cache=True)
def _count_byte(buf, start, end, byte):  # pragma: no cover - compiled
    c = 0
    for i in range(start, end):
        if buf[i] == byte:
            c += 1
    return c


@njit(cache=True)
def _first_high_byte(buf, start, end):  # pragma: no cover - compiled
    for i in range(start, end):
        if buf[i] >= 128:
            return i
    return -1


@njit(cache=True)
def _is_space(c):  # pragma: no cover - compiled
    return c == 32 or c == 9 or c == 13 or c == 11 or c == 12


@njit(cache=True)
def _parse_id(buf, ts, te):  # pragma: no cover - compiled
    """Parse a decimal id in buf[ts:te]; returns (code, value). Codes as in _parse_lines."""
    if ts >= te:
        return 2, 0
    neg = buf[ts] == 45
    j = ts + 1 if neg else ts
    if j >= te:
        return 2, 0
    val = 0
    big = False
    for k in range(j, te):
        c = buf[k]
        if c >= 128:
            return 5, 0
        if c < 48 or c > 57:
            return 2, 0
        if not big:
            val = val * 10 + (c - 48)
            if val > 1099511627776:  # MAX_NODE_ID
                big = True
    if neg and (val > 0 or big):
        return 3, 0
    if big:
        return 4, 0
    return 0, val


@njit(cache=True)
def _parse_lines(buf, pos, line_no, comma, col_a, col_b, out_a, out_b):  # pragma: no cover
    """Parse edge lines from byte ``pos`` on.

    Returns (records, code, line, tok_start, tok_end, n_fields). code 0 = ok,
    1 = too few fields, 2 = not an integer, 3 = negative, 4 = too large, 5 = non-ASCII.
    """
    n = buf.size
    need = max(col_a, col_b) + 1
    cnt = 0
    while pos < n:
        end = pos
        while end < n and buf[end] != 10:
            end += 1
        i = pos
        while i < end and _is_space(buf[i]):
            i += 1
        if i < end and buf[i] != 35 and buf[i] != 37:  # not blank, '#' or '%'
            field = 0
            va = 0
            vb = 0
            while i < end and field < need:
                if comma:
                    ts = i
                    while i < end and buf[i] != 44:
                        i += 1
                    te = i
                    if i < end:
                        i += 1
                    while ts < te and _is_space(buf[ts]):
                        ts += 1
                    while te > ts and _is_space(buf[te - 1]):
                        te -= 1
                    if te - ts >= 2 and buf[ts] == 34 and buf[te - 1] == 34:
                        ts += 1
                        te -= 1
                else:
                    ts = i
                    while i < end and not _is_space(buf[i]):
                        i += 1
                    te = i
                    while i < end and _is_space(buf[i]):
                        i += 1
                if field == col_a or field == col_b:
                    code, val = _parse_id(buf, ts, te)
                    if code != 0:
                        return cnt, code, line_no, ts, te, field
                    if field == col_a:
                        va = val
                    else:
                        vb = val
                field += 1
            if field < need:
                return cnt, 1, line_no, pos, end, field
            out_a[cnt] = va
            out_b[cnt] = vb
            cnt += 1
        pos = end + 1
        line_no += 1
    return cnt, 0, line_no, 0, 0, 0


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
        _place_draws(indptr, indices, rows, pending, draws)
        del draws
        missing = np.empty(rows.size, dtype=np.int64)
        _sort_unique_rows(indptr, indices, rows, missing)
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
    if n > _MAX_NODES:
        raise NetworkError(f"n (number of accounts) must be at most {_MAX_NODES}, got {n}.")
    return n


# --------------------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------------------


def _solve_kmin(mean: float, cap: int, a: float) -> float:
    """Lower cut-off of a power law on [kmin, cap+1) with E[floor(X)] == mean."""
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
    graph, _, _ = _graph_from_edges(src, dst, n)
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
        raise NetworkError(
            f"m (Barabasi-Albert attachments) must satisfy 1 <= m < n={n}, got {m}."
        )
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
        raise NetworkError(
            f"p (Watts-Strogatz rewiring probability) must lie in [0, 1], got {p}."
        )
    g = nx.watts_strogatz_graph(n, k, p, seed=int(rng.integers(2**31)))
    return _reciprocal_from_networkx(g, n)


def _graph_from_edges(src, dst, n: int) -> tuple[FollowerGraph, int, int]:
    src = np.ascontiguousarray(src, dtype=np.int32)
    dst = np.ascontiguousarray(dst, dtype=np.int32)
    if src.shape != dst.shape or src.ndim != 1:
        raise NetworkError("Edge source and target arrays must be 1-D and of equal length.")
    if src.size and (
        min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n
    ):
        raise NetworkError(f"Edge endpoints must lie in 0..{n - 1}.")
    indptr, indices, loops, dups = _edges_to_csr(src, dst, n)
    return FollowerGraph(indptr, indices), int(loops), int(dups)


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


# --------------------------------------------------------------------------------------
# Edge-list loading
# --------------------------------------------------------------------------------------


def _fail(path: str, line: int | None, what: str, allowed: str) -> NetworkError:
    where = f"{path}, line {line}" if line is not None else path
    return NetworkError(f"Cannot load edge list {where}: {what}. {allowed}")


_TEXT_RULES = (
    "Each data line must hold two node ids as plain decimal integers between 0 and 2**40 "
    "(e.g. '12 345', extra columns are ignored); blank lines and lines starting with # or % "
    "are skipped."
)
_CSV_RULES = (
    "Each CSV row must hold two node ids as plain decimal integers between 0 and 2**40, in "
    "columns 'source' and 'target' (named in an optional header) or else the first two "
    "columns; blank lines and lines starting with # or % are skipped."
)
_PARQUET_RULES = (
    "A Parquet edge list needs integer columns 'source' and 'target' (or at least two "
    "integer columns, of which the first two are used) holding ids between 0 and 2**40, "
    "without missing values."
)


def _detect_format(path: str, fmt: str) -> str:
    if fmt not in EDGELIST_FORMATS:
        raise NetworkError(
            f"Unknown edge-list format {fmt!r} for {path}; choose one of "
            f"{', '.join(EDGELIST_FORMATS)} ('auto' picks by file extension)."
        )
    if fmt != "auto":
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        return "text"
    if suffix in _CSV_SUFFIXES:
        return "csv"
    if suffix in _PARQUET_SUFFIXES:
        return "parquet"
    raise NetworkError(
        f"Cannot tell the format of edge list {path} from its extension {suffix!r}: "
        "use .txt, .edges, .tsv or no extension for whitespace-separated text, .csv for CSV "
        "and .parquet for Parquet, or pass fmt='text', 'csv' or 'parquet' explicitly "
        "(compressed files must be decompressed first)."
    )


def _line_of(buf: np.ndarray, offset: int) -> int:
    return int(_count_byte(buf, 0, offset, 10)) + 1


def _check_utf8(buf: np.ndarray, end: int, path: str) -> None:
    """Raise if buf[:end] is not valid UTF-8, naming the first bad line."""
    first = int(_first_high_byte(buf, 0, end))
    if first < 0:
        return
    pos = first
    while pos > 0 and buf[pos - 1] != 10:
        pos -= 1
    chunk = 1 << 24
    while pos < end:
        stop = min(end, pos + chunk)
        if stop < end:
            nl = np.flatnonzero(buf[stop : min(end, stop + chunk)] == 10)
            stop = stop + int(nl[0]) + 1 if nl.size else min(end, stop + chunk)
        try:
            buf[pos:stop].tobytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            off = pos + exc.start
            raise _fail(
                path,
                _line_of(buf, off),
                f"byte 0x{int(buf[off]):02x} is not valid UTF-8 (is this a binary or "
                "compressed file?)",
                "Edge lists must be UTF-8 or ASCII text.",
            ) from None
        pos = stop


def _existing_file(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise NetworkError(f"Edge list file {path} does not exist; check the path.")
    if not p.is_file():
        raise NetworkError(f"Edge list path {path} is not a regular file.")
    return p


def _read_bytes(path: str) -> np.ndarray:
    p = _existing_file(path)
    if p.stat().st_size == 0:
        raise _fail(path, None, "the file is empty and holds no edges", "Give at least one edge.")
    return np.asarray(np.memmap(p, dtype=np.uint8, mode="r"))


def _is_int_token(tok: str) -> bool:
    return re.fullmatch(r"-?[0-9]+", tok) is not None


def _csv_header(buf: np.ndarray, pos: int, path: str) -> tuple[int, int, int, int]:
    """Find the first data line of a CSV; returns (start offset, line number, col_a, col_b)."""
    line_no = 1
    size = buf.size
    while pos < size:
        nl = np.flatnonzero(buf[pos : min(size, pos + (1 << 20))] == 10)
        end = pos + int(nl[0]) if nl.size else size
        if not nl.size and end - pos >= (1 << 20):
            end = size  # very long first line: treat the rest as one line
        raw = buf[pos:end].tobytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            _check_utf8(buf, end, path)
            raise  # pragma: no cover - _check_utf8 raises first
        stripped = text.strip()
        if stripped and stripped[0] not in "#%":
            fields = [f.strip().strip('"').strip() for f in stripped.split(",")]
            if any(_is_int_token(f) for f in fields[:2]):
                return pos, line_no, 0, 1
            names = [f.lower() for f in fields]
            if "source" in names and "target" in names:
                return end + 1, line_no + 1, names.index("source"), names.index("target")
            if len(fields) < 2:
                raise _fail(
                    path,
                    line_no,
                    f"the header {stripped!r} has fewer than two columns",
                    _CSV_RULES,
                )
            return end + 1, line_no + 1, 0, 1
        pos = end + 1
        line_no += 1
    return size, line_no, 0, 1


def _parse_text_like(path: str, comma: bool) -> tuple[np.ndarray, np.ndarray]:
    buf = _read_bytes(path)
    pos = 3 if buf[:3].tobytes() == b"\xef\xbb\xbf" else 0
    line_no = 1
    col_a, col_b = 0, 1
    rules = _CSV_RULES if comma else _TEXT_RULES
    if comma:
        pos, line_no, col_a, col_b = _csv_header(buf, pos, path)
    n_lines = int(_count_byte(buf, pos, buf.size, 10)) + 1
    out_a = np.empty(n_lines, dtype=np.int64)
    out_b = np.empty(n_lines, dtype=np.int64)
    cnt, code, line, ts, te, nfields = _parse_lines(
        buf, pos, line_no, comma, col_a, col_b, out_a, out_b
    )
    if code:
        line_start = ts
        while line_start > 0 and buf[line_start - 1] != 10:
            line_start -= 1
        line_end = te
        while line_end < buf.size and buf[line_end] != 10:
            line_end += 1
        _check_utf8(buf, line_end, path)  # an earlier or this line may be undecodable
        token = buf[ts:te].tobytes().decode("utf-8", errors="replace")
        shown = token if len(token) <= 40 else token[:37] + "..."
        need = max(col_a, col_b) + 1
        if code == 1:
            what = f"found {nfields} field(s) but at least {need} are needed"
        elif code == 3:
            what = f"node id {shown!r} is negative"
        elif code == 4:
            what = f"node id {shown!r} is larger than 2**40"
        else:
            what = f"{shown!r} is not an integer node id"
            if not comma and line == 1:
                what += " (text edge lists have no header; comment it out with #)"
        raise _fail(path, line, what, rules)
    _check_utf8(buf, buf.size, path)
    if cnt == 0:
        raise _fail(
            path, None, "the file holds no edges (only blank, comment or header lines)", rules
        )
    a = out_a[:cnt].copy()
    b = out_b[:cnt].copy()
    del out_a, out_b, buf
    return a, b


def _parse_parquet(path: str) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = _existing_file(path)
    try:
        schema = pq.read_schema(p)
    except (pa.ArrowException, OSError) as exc:
        detail = " ".join(str(exc).split())
        raise _fail(
            path, None, f"it could not be read as Parquet ({detail})", _PARQUET_RULES
        ) from None
    names = list(schema.names)
    lower = [s.lower() for s in names]
    if "source" in lower and "target" in lower:
        cols = [names[lower.index("source")], names[lower.index("target")]]
    else:
        ints = [f.name for f in schema if pa.types.is_integer(f.type)]
        if len(ints) < 2:
            desc = ", ".join(f"{f.name}: {f.type}" for f in schema) or "none"
            raise _fail(
                path, None, f"it has fewer than two integer columns (columns: {desc})",
                _PARQUET_RULES,
            )
        cols = ints[:2]
    table = pq.read_table(p, columns=cols)
    out = []
    for name in cols:
        col = table.column(name)
        if not pa.types.is_integer(col.type):
            raise _fail(
                path, None, f"column {name!r} has type {col.type}, not an integer type",
                _PARQUET_RULES,
            )
        if col.null_count:
            row = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0]) + 1
            raise _fail(path, None, f"row {row} has a missing value in column {name!r}",
                        _PARQUET_RULES)
        arr = col.to_numpy()
        if arr.dtype == np.uint64:
            big = np.flatnonzero(arr > MAX_NODE_ID)
            if big.size:
                raise _fail(path, None, f"row {int(big[0]) + 1}: node id {int(arr[big[0]])} "
                            f"in column {name!r} is larger than 2**40", _PARQUET_RULES)
        arr = arr.astype(np.int64, copy=False)
        bad = np.flatnonzero((arr < 0) | (arr > MAX_NODE_ID))
        if bad.size:
            v = int(arr[bad[0]])
            problem = "negative" if v < 0 else "larger than 2**40"
            raise _fail(path, None, f"row {int(bad[0]) + 1}: node id {v} in column {name!r} "
                        f"is {problem}", _PARQUET_RULES)
        out.append(arr)
    if out[0].size == 0:
        raise _fail(path, None, "the table holds no edges", _PARQUET_RULES)
    return out[0], out[1]


def _relabel(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map arbitrary non-negative ids to 0..n-1 in ascending order of original id."""
    top = int(max(a.max(), b.max()))
    if top < max(8 * a.size, 1 << 24):
        present = np.zeros(top + 1, dtype=np.bool_)
        present[a] = True
        present[b] = True
        original = np.flatnonzero(present)
        lut = np.cumsum(present, dtype=np.int32 if top < _MAX_NODES else np.int64) - 1
        del present
        return original, lut[a].astype(np.int32), lut[b].astype(np.int32)
    original = np.unique(np.concatenate([a, b]))
    return (
        original,
        np.searchsorted(original, a).astype(np.int32),
        np.searchsorted(original, b).astype(np.int32),
    )


def load_edgelist_with_report(
    path: str | os.PathLike, fmt: str = "auto", edge_meaning: str = "follows"
) -> tuple[FollowerGraph, LoadReport]:
    """Load an edge list and report what was dropped.

    Formats: whitespace text (SNAP style, ``.txt``/``.edges``/``.tsv``/no extension; extra
    columns ignored, ``#``/``%`` comment lines and blank lines skipped), CSV (``.csv``;
    optional header naming ``source`` and ``target``, else the first two columns) and
    Parquet (``.parquet``; columns ``source``/``target`` or the first two integer
    columns). Ids are non-negative integers up to 2**40 and are relabelled to 0..n-1 in
    ascending order of original id; every id mentioned in the file becomes a node.

    With ``edge_meaning="follows"`` a record ``a b`` means a follows b (edge b->a); with
    ``"audience"`` it means b sees a's posts (edge a->b). Self loops and duplicate edges
    are dropped and counted in the report.

    Args:
        path: file to read.
        fmt: "auto", "text", "csv" or "parquet".
        edge_meaning: "follows" or "audience".

    Returns:
        The graph and a LoadReport.

    Raises:
        NetworkError: naming the file (and 1-based line, or row for Parquet) on bad input.
    """
    name = os.fspath(path)
    if edge_meaning not in EDGE_MEANINGS:
        raise NetworkError(
            f"Unknown edge_meaning {edge_meaning!r} for edge list {name}; choose 'follows' "
            "(a line 'a b' means a follows b, as in SNAP's Twitter data) or 'audience' "
            "(a line 'a b' means b sees a's posts)."
        )
    kind = _detect_format(name, fmt)
    if kind == "parquet":
        a, b = _parse_parquet(name)
    else:
        a, b = _parse_text_like(name, comma=(kind == "csv"))
    original, a32, b32 = _relabel(a, b)
    if original.size > _MAX_NODES:
        raise _fail(name, None, f"it has {original.size} distinct ids",
                    f"At most {_MAX_NODES} accounts are supported.")
    records = int(a.size)
    del a, b
    src, dst = (b32, a32) if edge_meaning == "follows" else (a32, b32)
    graph, loops, dups = _graph_from_edges(src, dst, int(original.size))
    report = LoadReport(
        path=name,
        fmt=kind,
        edge_meaning=edge_meaning,
        records=records,
        self_loops_dropped=loops,
        duplicates_dropped=dups,
        original_ids=original,
    )
    return graph, report


def load_edgelist(
    path: str | os.PathLike, fmt: str = "auto", edge_meaning: str = "follows"
) -> FollowerGraph:
    """Load an edge list as a FollowerGraph; see ``load_edgelist_with_report``.

    Args:
        path: file to read.
        fmt: "auto", "text", "csv" or "parquet".
        edge_meaning: "follows" (line 'a b': a follows b) or "audience" (b sees a).

    Returns:
        The graph (self loops and duplicates dropped).
    """
    return load_edgelist_with_report(path, fmt, edge_meaning)[0]


# --------------------------------------------------------------------------------------
# Dispatcher
# --------------------------------------------------------------------------------------


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
