"""The independent-cascade kernel: exact probabilities on small graphs and agreement of its two paths.

With one probability for all edges the kernel jumps between live edges by geometric gaps; with
per-node factors it flips one coin per edge. Both must be the same process.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim.customers.kernels import Cascade, independent_cascade
from sim.network import FollowerGraph, build_network

KEYS = 4_000


def _csr(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.array([v for r in rows for v in r], dtype=np.int32)
    return indptr, indices


def _activation_frequency(indptr, indices, seeds, p: float, prob=None, keys: int = KEYS) -> np.ndarray:
    kernel = Cascade(indptr, indices, prob)
    counts = np.zeros(indptr.size - 1)
    for key in range(keys):
        counts[kernel.activated(kernel.run(seeds, p, key))] += 1
    return counts / keys


def _within(freq: np.ndarray, expected: np.ndarray, keys: int = KEYS, z: float = 4.5) -> bool:
    sd = np.sqrt(expected * (1 - expected) / keys)
    return bool(np.all(np.abs(freq - expected) <= z * sd + 1e-12))


def test_every_follower_of_a_fan_is_activated_with_probability_p():
    # node 0 has 60 followers with no followers of their own: each one, first and last included,
    # must be hit with probability p (an off-by-one in the gaps shows up at the ends of the row)
    indptr, indices = _csr([list(range(1, 61))] + [[] for _ in range(60)])
    for p in (0.03, 0.3, 0.9):
        freq = _activation_frequency(indptr, indices, np.array([0]), p)
        assert freq[0] == 1.0
        assert _within(freq[1:], np.full(60, p)), (p, freq[1], freq[60], freq[1:].mean())


def test_fan_size_is_binomial():
    indptr, indices = _csr([list(range(1, 41))] + [[] for _ in range(40)])
    kernel = Cascade(indptr, indices)
    sizes = np.array([kernel.run(np.array([0]), 0.25, key) - 1 for key in range(KEYS)])
    counts = np.bincount(sizes, minlength=41)
    expected = stats.binom.pmf(np.arange(41), 40, 0.25) * KEYS
    keep = expected >= 5  # pool the thin tails into the end bins
    obs = np.concatenate([[counts[:np.argmax(keep)].sum()], counts[keep], [counts[np.argmax(keep) + keep.sum():].sum()]])
    exp = np.concatenate([[expected[:np.argmax(keep)].sum()], expected[keep], [expected[np.argmax(keep) + keep.sum():].sum()]])
    obs, exp = obs[exp > 0], exp[exp > 0]
    assert stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > 1e-4


def test_a_path_is_activated_with_probability_p_to_the_distance():
    indptr, indices = _csr([[1], [2], [3], [4], []])
    p = 0.7
    freq = _activation_frequency(indptr, indices, np.array([0]), p)
    assert _within(freq, p ** np.arange(5))


def test_p_zero_keeps_the_seeds_and_p_one_reaches_everything_reachable():
    indptr, indices = _csr([[1, 2], [3], [], [0], [5], []])  # 4 and 5 are not reachable from 0
    assert sorted(independent_cascade(indptr, indices, np.array([0]), 0.0, key=1)) == [0]
    assert sorted(independent_cascade(indptr, indices, np.array([0]), 1.0, key=1)) == [0, 1, 2, 3]
    assert sorted(independent_cascade(indptr, indices, np.array([0, 4]), 1.0, key=2)) == list(range(6))


def test_a_key_fixes_the_cascade_whatever_the_order_of_the_seeds():
    g = build_network("heavy_tailed", 2_000, np.random.default_rng(3), mean_followers=20.0,
                      max_followers=500, exponent=2.3)
    seeds = np.arange(5, 25)
    a = independent_cascade(g.indptr, g.indices, seeds, 0.06, key=11)
    b = independent_cascade(g.indptr, g.indices, seeds[::-1], 0.06, key=11)
    c = independent_cascade(g.indptr, g.indices, seeds, 0.06, key=12)
    assert set(a.tolist()) == set(b.tolist())
    assert set(a.tolist()) != set(c.tolist())


def test_uniform_and_per_edge_paths_are_the_same_process():
    g: FollowerGraph = build_network("heavy_tailed", 3_000, np.random.default_rng(5),
                                     mean_followers=30.0, max_followers=2_000, exponent=2.3)
    seeds = np.arange(10, 30)
    uniform = Cascade(g.indptr, g.indices)
    per_edge = Cascade(g.indptr, g.indices, prob=np.ones(g.n_nodes))
    a = np.array([uniform.run(seeds, 0.04, k) for k in range(400)])
    b = np.array([per_edge.run(seeds, 0.04, k) for k in range(400)])
    assert stats.ks_2samp(a, b).pvalue > 0.001
    assert abs(a.mean() - b.mean()) <= 0.05 * b.mean()
    # and node by node on a small graph, where every node's chance can be estimated well
    small = build_network("heavy_tailed", 300, np.random.default_rng(8), mean_followers=6.0,
                          max_followers=80, exponent=2.3)
    fa = _activation_frequency(small.indptr, small.indices, np.array([0, 1, 2]), 0.12, keys=3_000)
    fb = _activation_frequency(small.indptr, small.indices, np.array([0, 1, 2]), 0.12,
                               prob=np.ones(small.n_nodes), keys=3_000)
    sd = np.sqrt((fa * (1 - fa) + fb * (1 - fb)) / 3_000)
    assert np.all(np.abs(fa - fb) <= 5 * sd + 2e-3)
