"""The follower graph in CSR form and the compiled kernels that build and check it.

Convention: an edge ``u -> v`` means that ``v`` follows ``u``, so ``v`` sees ``u``'s posts.
The followers of each node are stored sorted ascending (``indptr`` int64, ``indices`` int32),
without duplicates or self loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from sim.errors import NetworkError

__all__ = ["FollowerGraph", "MAX_NODES"]

MAX_NODES = 2**31 - 1  # indices are int32


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
        graph, _, _ = graph_from_edges(src, dst, n_nodes)
        return graph


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
def place_draws(indptr, indices, rows, pending, draws):  # pragma: no cover - compiled
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
def sort_unique_rows(indptr, indices, rows, missing):  # pragma: no cover - compiled
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


def graph_from_edges(src, dst, n: int) -> tuple[FollowerGraph, int, int]:
    """Build a graph from edge arrays; also return the self loops and duplicates dropped."""
    src = np.ascontiguousarray(src, dtype=np.int32)
    dst = np.ascontiguousarray(dst, dtype=np.int32)
    if src.shape != dst.shape or src.ndim != 1:
        raise NetworkError("Edge source and target arrays must be 1-D and of equal length.")
    if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise NetworkError(f"Edge endpoints must lie in 0..{n - 1}.")
    indptr, indices, loops, dups = _edges_to_csr(src, dst, n)
    return FollowerGraph(indptr, indices), int(loops), int(dups)
