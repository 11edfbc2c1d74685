"""The package's public API: every exported name resolves, and the configuration stays light."""

from __future__ import annotations

import subprocess
import sys

import sim


def test_every_exported_name_resolves():
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name


def test_importing_sim_does_not_load_the_engine():
    code = "import sys, sim; print(sorted(m for m in ('mesa', 'numba', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_run_through_the_public_api():
    result = sim.run(sim.presets.compose("united_sarver", "ignore", overrides=["population.size=3000",
                                                                                "scenario.horizon_h=6"]))
    edgelist_only = set(sim.metrics.names("edgelist"))
    assert edgelist_only and set(sim.metrics.names()) - edgelist_only <= set(result.metrics)
