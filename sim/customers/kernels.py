"""Compiled kernels of the diffusion engine (numba, cached on disk after the first call).

The keyed draws here are bit-for-bit those of `sim.engine.rng` (SplitMix64 finaliser on 64-bit
words), so a compiled loop and the numpy version make the same decisions:

* `select_viewers`: which followers of an account see a post, and their delay draws.
* `account_views`: impressions, unique reach by valence and incident reach of a tick's views.
* `reshare_hits`: which views turn into a reshare (one keyed draw per candidate view).
* `Cascade` / `independent_cascade`: the classic independent-cascade process on the follower
  graph, on the same CSR rows; with one probability for every edge it jumps from one live edge to
  the next (geometric gaps keyed on the row), so it touches only about p of the edges; it is what
  the diffusion benchmark compares with cynetdiff, NDlib and a per-agent Mesa model.

Every kernel is deterministic: no numba RNG, only keyed hashes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.engine.rng import derive
from sim.engine.streams import salt

EDGE_SALT = salt("cascade.edge")  # the edge draws of an independent-cascade run

_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S11 = np.uint64(11)
_S27 = np.uint64(27)
_S30 = np.uint64(30)
_S31 = np.uint64(31)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def _mix(x):  # pragma: no cover - compiled
    x = x ^ (x >> _S30)
    x = x * _C1
    x = x ^ (x >> _S27)
    x = x * _C2
    return x ^ (x >> _S31)


@njit(cache=True, inline="always")
def _keyed(base, i):  # pragma: no cover - compiled
    """`sim.engine.rng.keyed_uniform` for one id: uniform in [0, 1) from (base, id)."""
    h = _mix(_mix(np.uint64(i) + base) ^ base)
    return np.float64(h >> _S11) * _UNIT


@njit(cache=True, inline="always")
def _keyed_pair(key_salted, i):  # pragma: no cover - compiled
    """`sim.engine.rng.keyed_uniform_pairs` for one (key, id)."""
    h = _mix(_mix(key_salted) ^ _mix(np.uint64(i) + _GOLDEN))
    return np.float64(h >> _S11) * _UNIT


@njit(cache=True)
def _select(followers, prob, base_see, scale, base_delay):  # pragma: no cover - compiled
    viewers = np.empty(followers.size, dtype=np.int32)
    u_delay = np.empty(followers.size, dtype=np.float64)
    k = 0
    for j in range(followers.size):
        f = followers[j]
        if _keyed(base_see, f) < scale * prob[f]:
            viewers[k] = f
            u_delay[k] = _keyed(base_delay, f)
            k += 1
    return viewers[:k], u_delay[:k]


def select_viewers(
    followers: np.ndarray, prob: np.ndarray, key: int, scale: float, salt_see: int, salt_delay: int
) -> tuple[np.ndarray, np.ndarray]:
    """Followers who see a post, and the uniform draw of each one's viewing delay.

    Follower `f` sees the post when `keyed_uniform(key, f, salt_see) < scale * prob[f]`; its delay
    draw is `keyed_uniform(key, f, salt_delay)`: the same numbers as `sim.engine.rng`, in one pass.

    Returns:
        (viewers int32, delay draws float64), viewers in the order of `followers`.
    """
    if followers.size == 0:
        return followers.astype(np.int32), np.zeros(0)
    return _select(
        followers,
        prob,
        np.uint64(derive(key, salt_see)),
        float(scale),
        np.uint64(derive(key, salt_delay)),
    )


@njit(cache=True)
def _account(
    viewers,
    pids,
    valence,
    topic,
    incident_topic,
    seen_neg,
    seen_zero,
    seen_pos,
    seen_incident,
    impressions,
    reached,
    counts,
):  # pragma: no cover - compiled
    # counts: impressions by valence (-1, 0, +1), new reach by valence, new incident reach
    for i in range(viewers.size):
        v, p = viewers[i], pids[i]
        val = valence[p]
        impressions[p] += 1
        counts[val + 1] += 1
        seen = seen_neg if val < 0 else (seen_pos if val > 0 else seen_zero)
        if not seen[v]:
            seen[v] = True
            reached[p] += 1
            counts[val + 4] += 1
        if val < 0 and topic[p] == incident_topic and not seen_incident[v]:
            seen_incident[v] = True
            counts[6] += 1


def account_views(
    viewers, pids, posts, seen: dict, seen_incident: np.ndarray, incident_topic: int
) -> np.ndarray:
    """Count impressions and first views of one tick's (viewer, post) pairs, in order.

    Updates `posts.impressions`, `posts.reached`, `seen[valence]` and `seen_incident` in place;
    the first post (in delivery order) that shows a person a valence gets the credit for reaching
    them.

    Returns:
        int64[7]: impressions by valence -1, 0, +1; new reach by valence -1, 0, +1; new incident
        reach.
    """
    counts = np.zeros(7, dtype=np.int64)
    _account(
        viewers,
        pids,
        posts.valence,
        posts.topic,
        incident_topic,
        seen[-1],
        seen[0],
        seen[1],
        seen_incident,
        posts.impressions,
        posts.reached,
        counts,
    )
    return counts


@njit(cache=True)
def _reshare_hits(
    viewers,
    pids,
    valence,
    cascade,
    reshare_p,
    appeal,
    keys,
    role_reshare,
    role,
    sentiment,
    salt_key,
):  # pragma: no cover - compiled
    out = np.empty(viewers.size, dtype=np.int64)
    k = 0
    for i in range(viewers.size):
        v, pid = viewers[i], pids[i]
        root = cascade[pid]
        p = reshare_p[pid] * appeal[root] * role_reshare[role[v]]
        # people pass on what agrees with how they feel about the brand
        p = p * max(0.0, 1.0 + np.float64(valence[pid]) * sentiment[v])
        if p > 0.0 and _keyed_pair(np.uint64(keys[root]) ^ salt_key, v) < p:
            out[k] = i
            k += 1
    return out[:k]


def reshare_hits(viewers, pids, posts, role_reshare, role, sentiment, salt: int) -> np.ndarray:
    """Indices of the views that lead to a reshare decision (before the once-per-cascade rule).

    P(reshare) = reshare_p(post) * appeal(cascade) * role multiplier
    * max(0, 1 + valence * sentiment), decided by the keyed draw
    `keyed_uniform_pairs(key of the cascade, viewer, salt)`.
    """
    return _reshare_hits(
        viewers,
        pids,
        posts.valence,
        posts.cascade,
        posts.reshare_p,
        posts.appeal,
        posts.key,
        role_reshare,
        role,
        sentiment,
        np.uint64(derive(salt)),
    )


@njit(cache=True, inline="always")
def _activate_seeds(seeds, active, order):  # pragma: no cover - compiled
    """Mark the seeds active and list them first in `order`; return how many there are."""
    n_active = 0
    for s in seeds:
        if not active[s]:
            active[s] = True
            order[n_active] = s
            n_active += 1
    return n_active


@njit(cache=True, inline="always")
def _clear(active, order, n_active):  # pragma: no cover - compiled
    """Leave the work array clean for the next cascade; return the number activated."""
    for i in range(n_active):
        active[order[i]] = False
    return n_active


@njit(cache=True)
def _cascade_uniform(indptr, indices, seeds, p, key, active, order):  # pragma: no cover - compiled
    # Every edge is live with probability p, independently. Rather than one coin per edge, the
    # gap to the next live edge of a row is drawn as Geometric(p) = floor(log(U) / log(1 - p)),
    # from a stream keyed on (key, row): the live edges of a row depend on nothing but the key, so
    # the activated set is the reachable set of the live-edge graph, whatever the visiting order.
    n_active = _activate_seeds(seeds, active, order)
    every = p >= 1.0
    inv_log_q = 0.0 if (every or p <= 0.0) else 1.0 / np.log1p(-p)
    head = 0
    while head < n_active and p > 0.0:
        u = order[head]
        head += 1
        end = indptr[u + 1]
        e = indptr[u]
        row = _mix(key ^ (np.uint64(u) * _GOLDEN))
        j = np.uint64(0)
        while True:
            if not every:
                j += np.uint64(1)
                x = np.float64((_mix(row + j * _GOLDEN) >> _S11) + np.uint64(1)) * _UNIT  # (0, 1]
                gap = np.log(x) * inv_log_q
                if gap >= np.float64(end - e):
                    break
                e += np.int64(gap)
            if e >= end:
                break
            v = indices[e]
            if not active[v]:
                active[v] = True
                order[n_active] = v
                n_active += 1
            e += 1
    return _clear(active, order, n_active)


@njit(cache=True)
def _cascade_weighted(indptr, indices, seeds, p, prob, key, active, order):  # pragma: no cover
    # Edge e (u -> v) is live with probability p * prob[v], decided by the keyed draw
    # SplitMix64(key + e * golden): one independent coin per edge, whatever the visiting order.
    n_active = _activate_seeds(seeds, active, order)
    head = 0
    while head < n_active:  # breadth first: order[head:n_active] are active and have not tried yet
        u = order[head]
        head += 1
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            if active[v]:
                continue
            h = _mix(key + np.uint64(e) * _GOLDEN)
            if np.float64(h >> _S11) * _UNIT < p * prob[v]:
                active[v] = True
                order[n_active] = v
                n_active += 1
    return _clear(active, order, n_active)


class Cascade:
    """Independent cascades on one follower graph, with reusable work arrays.

    Each newly active node `u` gets one chance to activate each follower `v` that is still
    inactive, with probability `p` (times `prob[v]` when per-node probabilities are given, as the
    engine's `attention * activity`). With one `p` for all edges, the live edges of row `u` come
    from geometric gaps drawn on a stream keyed on (key, u); with per-node factors, edge e gets a
    keyed SplitMix64 coin on (key, e). Either way a key fixes the cascade and another key gives
    an independent one.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, prob: np.ndarray | None = None):
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int32)
        n = self.indptr.size - 1
        self.prob = np.zeros(0) if prob is None else np.ascontiguousarray(prob, dtype=np.float64)
        self._active = np.zeros(n, dtype=np.bool_)
        self._order = np.empty(n, dtype=np.int32)

    def run(self, seeds: np.ndarray, p: float, key: int) -> int:
        """Run one cascade from `seeds` to the end; return how many nodes were activated."""
        seeds = np.asarray(seeds, dtype=np.int64)
        if self.prob.size == 0:
            return int(
                _cascade_uniform(
                    self.indptr,
                    self.indices,
                    seeds,
                    float(p),
                    np.uint64(derive(key, EDGE_SALT)),
                    self._active,
                    self._order,
                )
            )
        return int(
            _cascade_weighted(
                self.indptr,
                self.indices,
                seeds,
                float(p),
                self.prob,
                np.uint64(derive(key, EDGE_SALT)),
                self._active,
                self._order,
            )
        )

    def activated(self, k: int) -> np.ndarray:
        """The nodes activated by the last run (its return value k), seeds first."""
        return self._order[:k].copy()


def independent_cascade(
    indptr: np.ndarray,
    indices: np.ndarray,
    seeds: np.ndarray,
    p: float,
    key: int,
    prob: np.ndarray | None = None,
) -> np.ndarray:
    """Run one independent cascade and return the activated nodes in activation order.

    Args:
        indptr: CSR row pointers (int64); `indices[indptr[u]:indptr[u+1]]` follow `u`.
        indices: followers (int32).
        seeds: initially active nodes.
        p: activation probability of an edge (times `prob[v]` when given).
        key: 64-bit key of the draws; another key gives another independent cascade.
        prob: optional per-node factor of the activation probability.

    Returns:
        int32 array of activated nodes, seeds first.
    """
    c = Cascade(indptr, indices, prob)
    return c.activated(c.run(seeds, p, key))
