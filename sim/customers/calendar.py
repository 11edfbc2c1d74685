"""Calendar queue of future views: for every tick, a first-in first-out list of (viewer, post).

The lists live in flat arrays (a linked list per tick through `nxt`), so scheduling a post's
views is a compiled pass over them (one kernel files views for every kind of scheduling) and
delivering a tick is one pass over that tick's list.
Delivered slots go back to a free list: memory follows the number of views still pending, never
posts x ticks.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _push(head, tail, count, nxt, viewer, post, free, ticks, viewers, pid):  # pragma: no cover
    """File view (viewers[i], pid) at the end of tick ticks[i]'s list, skipping ticks below 0."""
    f = free[0]
    k = 0
    for i in range(viewers.size):
        t = ticks[i]
        if t < 0:
            continue
        e = f
        f = nxt[e]
        viewer[e] = viewers[i]
        post[e] = pid
        nxt[e] = -1
        if tail[t] < 0:
            head[t] = e
        else:
            nxt[tail[t]] = e
        tail[t] = e
        count[t] += 1
        k += 1
    free[0] = f
    free[1] -= k


@njit(cache=True)
def _delay_ticks(delay, tick, tick_min, max_delay, last_tick):  # pragma: no cover - compiled
    """Tick of each view `delay[i]` minutes after `tick` (at least one later); -1 if dropped."""
    out = np.empty(delay.size, dtype=np.int64)
    for i in range(delay.size):
        out[i] = -1
        d = delay[i]
        if not d <= max_delay:  # too old to be seen (a NaN delay is never seen either)
            continue
        c = np.ceil(d / tick_min)
        t = tick + np.int64(c if c > 1.0 else 1.0)
        if t <= last_tick:
            out[i] = t
    return out


@njit(cache=True)
def _take(head, tail, count, nxt, viewer, post, free, t):  # pragma: no cover - compiled
    k = count[t]
    viewers = np.empty(k, dtype=np.int32)
    pids = np.empty(k, dtype=np.int64)
    e = head[t]
    last = -1
    i = 0
    while e >= 0:
        viewers[i] = viewer[e]
        pids[i] = post[e]
        last = e
        e = nxt[e]
        i += 1
    if k > 0:
        nxt[last] = free[0]
        free[0] = head[t]
        free[1] += k
    head[t] = -1
    tail[t] = -1
    count[t] = 0
    return viewers, pids


class Calendar:
    """Views waiting to be delivered, per tick, in the order they were scheduled."""

    def __init__(self, n_ticks: int, capacity: int = 4096):
        size = n_ticks + 2
        self.head = np.full(size, -1, dtype=np.int64)
        self.tail = np.full(size, -1, dtype=np.int64)
        self.count = np.zeros(size, dtype=np.int64)
        self.nxt = np.zeros(0, dtype=np.int64)
        self.viewer = np.zeros(0, dtype=np.int32)
        self.post = np.zeros(0, dtype=np.int64)
        self.free = np.array([-1, 0], dtype=np.int64)  # head of the free list, free slots
        self._grow(capacity)

    def _grow(self, need: int) -> None:
        old = self.nxt.size
        new = max(2 * old, old + need, 1024)
        self.nxt = np.concatenate([self.nxt, np.zeros(new - old, dtype=np.int64)])
        self.viewer = np.concatenate([self.viewer, np.zeros(new - old, dtype=np.int32)])
        self.post = np.concatenate([self.post, np.zeros(new - old, dtype=np.int64)])
        self.nxt[old : new - 1] = np.arange(old + 1, new)
        self.nxt[new - 1] = self.free[0]
        self.free[0] = old
        self.free[1] += new - old

    def _make_room(self, n: int) -> bool:
        """Make sure `n` slots are free; False when there is nothing to schedule."""
        if n == 0:
            return False
        if self.free[1] < n:
            self._grow(n - int(self.free[1]))
        return True

    def add(self, pid: int, viewers: np.ndarray, ticks: np.ndarray) -> None:
        """Schedule post `pid` to be seen by `viewers[i]` at `ticks[i]` (in that order)."""
        if not self._make_room(viewers.size):
            return
        _push(
            self.head,
            self.tail,
            self.count,
            self.nxt,
            self.viewer,
            self.post,
            self.free,
            np.asarray(ticks, dtype=np.int64),
            np.asarray(viewers, dtype=np.int32),
            int(pid),
        )

    def add_delayed(
        self,
        pid: int,
        viewers: np.ndarray,
        delay: np.ndarray,
        tick: int,
        tick_min: float,
        max_delay: float,
        last_tick: int,
    ) -> None:
        """Schedule views `delay[i]` minutes after `tick` (at least one tick later), dropping views
        later than `max_delay` minutes or after `last_tick`."""
        if not self._make_room(viewers.size):
            return
        ticks = _delay_ticks(
            np.asarray(delay, dtype=np.float64),
            int(tick),
            float(tick_min),
            float(max_delay),
            int(last_tick),
        )
        _push(
            self.head,
            self.tail,
            self.count,
            self.nxt,
            self.viewer,
            self.post,
            self.free,
            ticks,
            np.asarray(viewers, dtype=np.int32),
            int(pid),
        )

    def take(self, tick: int) -> tuple[np.ndarray, np.ndarray]:
        """Remove and return the (viewers int32, posts int64) due at `tick`, in schedule order."""
        if self.count[tick] == 0:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        return _take(
            self.head, self.tail, self.count, self.nxt, self.viewer, self.post, self.free, int(tick)
        )

    def pending(self) -> int:
        """Views still waiting."""
        return int(self.count.sum())

    def as_dict(self) -> dict[int, list[tuple[int, np.ndarray]]]:
        """A readable copy: tick -> [(post, viewers), ...] in delivery order (for inspection)."""
        out: dict[int, list[tuple[int, np.ndarray]]] = {}
        for t in np.flatnonzero(self.count).tolist():
            idx, e = [], int(self.head[t])
            while e >= 0:
                idx.append(e)
                e = int(self.nxt[e])
            posts, viewers = self.post[idx], self.viewer[idx]
            cut = np.flatnonzero(np.diff(posts)) + 1
            starts = np.concatenate([[0], cut])
            out[t] = [(int(posts[s]), chunk) for s, chunk in zip(starts, np.split(viewers, cut))]
        return out
