"""Independent cascade on one follower graph: this engine's kernel against the peers.

All four engines get the same graph (100,000 nodes, about 3 million edges), the same 100 seeds and
the same edge probability, and each call runs one fresh cascade to the end. Only the cascade is
timed; building each engine's own graph structure is reported as `setup_s`. Each peer must also
reach, on average, the same number of nodes as this engine's kernel (within 10%): they simulate the
same process, so the time ratios compare like with like.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from sim.customers.kernels import Cascade
from sim.reference.model import CascadeModel
from tests.benchmarks.helpers import PEERS_HINT

GROUP = "cascade-kernel"
AGREEMENT = 0.10  # a peer's mean cascade size within 10% of this engine's


@pytest.fixture(scope="module")
def expected_size(cascade_setup) -> float:
    """Mean cascade size of this engine's kernel over 200 keys (the yardstick of agreement)."""
    s = cascade_setup
    kernel = Cascade(s.graph.indptr, s.graph.indices)
    return float(np.mean([kernel.run(s.seeds, s.p, 10_000 + k) for k in range(200)]))


def _record(benchmark, engine: str, sizes: list[int], setup_s: float, expected: float) -> None:
    mean = float(np.mean(sizes))
    benchmark.extra_info.update(engine=engine, mean_activated=mean, cascades=len(sizes),
                                setup_s=setup_s, expected_activated=expected)
    assert abs(mean - expected) <= AGREEMENT * expected, (
        f"{engine} activates {mean:.0f} nodes on average, this engine {expected:.0f}: not the same process"
    )


@pytest.mark.benchmark(group=GROUP)
def test_socialcare_kernel(benchmark, cascade_setup, expected_size):
    s = cascade_setup
    t0 = time.perf_counter()
    kernel = Cascade(s.graph.indptr, s.graph.indices)
    setup = time.perf_counter() - t0
    keys, sizes = itertools.count(1), []

    def one() -> int:
        k = kernel.run(s.seeds, s.p, next(keys))
        sizes.append(k)
        return k

    one()  # loads the compiled kernel from numba's cache
    benchmark.pedantic(one, rounds=s.rounds_fast, iterations=1, warmup_rounds=1)
    _record(benchmark, "socialcare-sim (numba kernel)", sizes, setup, expected_size)


@pytest.mark.benchmark(group=GROUP)
def test_cynetdiff(benchmark, cascade_setup, expected_size):
    models = pytest.importorskip("cynetdiff.models", reason=f"cynetdiff is not installed; {PEERS_HINT}")
    s = cascade_setup
    t0 = time.perf_counter()
    model = models.IndependentCascadeModel(
        s.graph.indptr[:-1].astype(np.uint32), s.graph.indices.astype(np.uint32),
        activation_prob=s.p, rng=1,
    )
    model.set_seeds(s.seeds.tolist())
    setup = time.perf_counter() - t0
    sizes = []

    def one() -> int:
        model.reset_model()
        model.advance_until_completion()
        k = model.get_num_activated_nodes()
        sizes.append(k)
        return k

    benchmark.pedantic(one, rounds=s.rounds_fast, iterations=1, warmup_rounds=1)
    _record(benchmark, "cynetdiff (Cython)", sizes, setup, expected_size)


@pytest.mark.benchmark(group=GROUP)
def test_ndlib(benchmark, cascade_setup, expected_size):
    pytest.importorskip("ndlib", reason=f"NDlib is not installed; {PEERS_HINT}")
    import networkx as nx
    from ndlib.models import ModelConfig
    from ndlib.models.epidemics import IndependentCascadesModel

    s = cascade_setup
    t0 = time.perf_counter()
    g = nx.DiGraph()
    g.add_nodes_from(range(s.graph.n_nodes))
    src, dst = s.graph.edges()
    g.add_edges_from(zip(src.tolist(), dst.tolist()))
    model = IndependentCascadesModel(g, seed=1)
    config = ModelConfig.Configuration()
    config.add_model_initial_configuration("Infected", s.seeds.tolist())
    for edge in g.edges:  # the same probability on every edge (NDlib's default is 1/out-degree)
        config.add_edge_configuration("threshold", edge, s.p)
    model.set_initial_status(config)
    setup = time.perf_counter() - t0
    sizes = []

    def one() -> int:
        model.reset()
        while True:
            it = model.iteration(node_status=False)
            if it["iteration"] > 0 and it["node_count"][1] == 0:
                break
        k = it["node_count"][2]  # everyone activated has tried and is "removed"
        sizes.append(k)
        return k

    benchmark.pedantic(one, rounds=s.rounds_slow, iterations=1)
    _record(benchmark, "NDlib (networkx, pure Python)", sizes, setup, expected_size)


@pytest.mark.benchmark(group=GROUP)
def test_per_agent_mesa(benchmark, cascade_setup, expected_size):
    s = cascade_setup
    t0 = time.perf_counter()
    model = CascadeModel(s.graph, s.p, seed=1)
    setup = time.perf_counter() - t0
    sizes = []

    def one() -> int:
        k = model.cascade(s.seeds)
        sizes.append(k)
        return k

    benchmark.pedantic(one, rounds=s.rounds_slow, iterations=1)
    _record(benchmark, "per-agent Mesa (sim.reference.model.CascadeModel)", sizes, setup, expected_size)
