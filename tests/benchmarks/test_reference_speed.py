"""The whole model against its per-agent reference (`sim.reference.model`), same environment.

Both simulate the same 72 hours of the United scenario under `fast_social_care` on one prebuilt
environment (network, population, chatter), so only the simulation is timed. Their agreement in
distribution is tested in tests/integration/test_reference.py; here they must produce results of the same shape.
"""

from __future__ import annotations

import pytest

from sim.config.schema import RunConfig
from sim.engine.model import build_environment
from sim.reference.model import run_reference
from sim.engine.runner import run
from tests.conftest import make_config

GROUP = "model-vs-reference"


@pytest.fixture(scope="module")
def setup(full):
    size, horizon = (10_000, 72.0) if full else (1_000, 6.0)
    cfg = RunConfig.from_dict(make_config(strategy="fast_social_care", size=size, horizon_h=horizon))
    return cfg, build_environment(cfg)


@pytest.mark.benchmark(group=GROUP)
def test_fast_model(benchmark, setup, full):
    cfg, env = setup
    result = benchmark.pedantic(run, args=(cfg,), kwargs={"env": env}, rounds=15 if full else 1,
                                iterations=1, warmup_rounds=1)
    assert result.metrics["network_nodes"] == cfg.population.size
    assert result.metrics["posts"] > 0
    benchmark.extra_info.update(engine="sim.run (arrays + numba)", size=cfg.population.size,
                                posts=result.metrics["posts"], reach_negative=result.metrics["reach_negative"])


@pytest.mark.benchmark(group=GROUP)
def test_reference_model(benchmark, setup, full):
    cfg, env = setup
    result = benchmark.pedantic(run_reference, args=(cfg,), kwargs={"env": env}, rounds=3 if full else 1,
                                iterations=1)
    fast = run(cfg, env=env)
    assert set(result.metrics) == set(fast.metrics)
    assert list(result.events.columns) == list(fast.events.columns)
    assert result.metrics["posts"] > 0
    benchmark.extra_info.update(engine="sim.reference.model (one Mesa agent per person)", size=cfg.population.size,
                                posts=result.metrics["posts"], reach_negative=result.metrics["reach_negative"])
