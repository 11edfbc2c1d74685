"""Randomness: named child streams of one root seed, and keyed (counter-based) draws.

Two tools keep strategy comparisons paired (common random numbers):

* `Streams(seed).generator(name)` gives an independent numpy Generator per purpose ("network",
  "population", "chatter", ...), so a change in one purpose never shifts the draws of another.
* `keyed_uniform(key, ids, salt)` gives a uniform number that depends only on (key, id, salt),
  not on the order in which draws are made. Exposure, reshare and detection draws are keyed by the
  post and the person, so the same person makes the same decision about the same post under
  every strategy, whatever else the strategy changed.

Stream names and the salts of keyed draws are registered in `sim.engine.streams`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.engine.streams import name_key  # noqa: F401 - part of this module's interface

_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


class Streams:
    """Named, independent random streams derived from one root seed with SeedSequence."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self.root = np.random.SeedSequence(self.seed)

    def sequence(self, name: str) -> np.random.SeedSequence:
        """The SeedSequence of the stream `name`."""
        return np.random.SeedSequence(self.seed, spawn_key=(name_key(name),))

    def generator(self, name: str) -> np.random.Generator:
        """A fresh Generator for the stream `name` (same name, same draws)."""
        return np.random.default_rng(self.sequence(name))

    def key(self, name: str) -> int:
        """A 64-bit key for keyed draws of the purpose `name`."""
        return int(self.sequence(name).generate_state(1, dtype=np.uint64)[0])


def mix64(x: int) -> int:
    """SplitMix64 finaliser on a Python int (a bijection of 64-bit words)."""
    x &= _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def derive(*parts: int) -> int:
    """Combine integers into one 64-bit key (order matters)."""
    h = 0x243F6A8885A308D3
    for p in parts:
        h = mix64(h ^ mix64((int(p) + _GOLDEN) & _M64))
    return h


def derive_array(*parts: int | np.ndarray) -> np.ndarray:
    """`derive(*parts)` where any part may be an integer array (broadcast): the same keys.

    Returns:
        uint64 array of the broadcast shape of the array parts.
    """
    h: Any = 0x243F6A8885A308D3
    for p in parts:
        if isinstance(p, np.ndarray):
            u = p if p.dtype == np.uint64 else p.astype(np.int64).view(np.uint64)  # wrap as derive
            m: Any = _mix64_array(u + np.uint64(_GOLDEN))
        else:
            m = mix64((int(p) + _GOLDEN) & _M64)
        if isinstance(h, int) and isinstance(m, int):
            h = mix64(h ^ m)
        else:
            h = _mix64_array(np.asarray(h, dtype=np.uint64) ^ np.asarray(m, dtype=np.uint64))
    return np.asarray(h, dtype=np.uint64)


def unit_array(keys: np.ndarray) -> np.ndarray:
    """`unit` of every key of a uint64 array (the same numbers)."""
    return (keys >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _mix64_array(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def keyed_uniform(key: int, ids: np.ndarray, salt: int = 0) -> np.ndarray:
    """Uniform numbers in [0, 1), one per id, depending only on (key, id, salt).

    Args:
        key: a 64-bit key (see `derive`, `Streams.key`).
        ids: integer array (for example person indices).
        salt: distinguishes several draws for the same (key, id).

    Returns:
        float64 array of the shape of `ids`.
    """
    base = np.uint64(derive(key, salt))
    x = np.asarray(ids).astype(np.uint64) + base
    h = _mix64_array(_mix64_array(x) ^ base)
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def keyed_uniform_pairs(keys: np.ndarray, ids: np.ndarray, salt: int = 0) -> np.ndarray:
    """Like `keyed_uniform`, with one key per element (arrays of equal shape)."""
    k = np.asarray(keys).astype(np.uint64) ^ np.uint64(derive(salt))
    x = np.asarray(ids).astype(np.uint64) + np.uint64(_GOLDEN)
    h = _mix64_array(_mix64_array(k) ^ _mix64_array(x))
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def unit(key: int) -> float:
    """The uniform number in [0, 1) of a 64-bit key (its top 53 bits)."""
    return (int(key) >> 11) * (1.0 / (1 << 53))


def keyed_uniform_one(key: int, salt: int = 0) -> float:
    """One keyed uniform number in [0, 1) for (key, salt)."""
    return unit(derive(key, salt))
