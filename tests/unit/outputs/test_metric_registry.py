"""The metric registry: every metric a run produces is registered, and the docs follow it."""

from __future__ import annotations

import numpy as np
import pytest

from sim import run
from sim.config.schema import RunConfig
from sim.outputs import registry
from sim.outputs.metrics import STANDARD_METRICS
from tests.conftest import ROOT, make_config


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> set[str]:
    """The metric names of a generated-network run and of an edge-list run, together."""
    names = set(run(RunConfig.from_dict(make_config(size=3000, horizon_h=6))).metrics)
    rng = np.random.default_rng(3)
    edges = rng.integers(0, 3000, size=(30_000, 2))
    path = tmp_path_factory.mktemp("edges") / "edges.txt"
    lines = [f"{a} {b}" for a, b in edges] + ["5 5", "7 8", "7 8"]  # a self loop, a duplicate
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = make_config(size=3000, horizon_h=6, network={"kind": "edgelist", "path": str(path)})
    loaded = run(RunConfig.from_dict(cfg)).metrics
    assert loaded["edgelist_self_loops_dropped"] >= 1 and loaded["edgelist_duplicates_dropped"] >= 1
    return names | set(loaded)


def test_every_metric_a_run_produces_is_registered_and_vice_versa(produced):
    registered = set(registry.names())
    assert produced - registered == set(), "register these in a table of sim/outputs/registry.py"
    assert registered - produced == set(), "the registry lists metrics no run produces"


def test_standard_metrics_and_their_twins_are_registered():
    for name in STANDARD_METRICS:
        metric = registry.get(name)
        if metric.scaled:
            assert registry.get(name + "_scaled").unit == metric.unit


def test_registry_entries_are_well_formed():
    for m in registry.all_metrics():
        assert m.better in registry.BETTER and m.label and m.doc
        assert m.fmt.format(1234.5)
    assert len(set(registry.names())) == len(registry.names())


def test_unknown_names_are_refused_with_close_ones():
    with pytest.raises(KeyError, match="reach_negative"):
        registry.get("reach_negativ")
    with pytest.raises(KeyError):
        registry.get("net_sentiment_scaled")  # not a count: no twin


def test_headings_and_directions():
    assert registry.heading("reach_negative_scaled") == "negative reach (people)"
    assert registry.heading("cost_total") == "cost ($)"
    assert registry.signed("{:,.0f}") == "{:+,.0f}" and registry.signed("{:+.2f}") == "{:+.2f}"
    assert registry.better("reach_negative") == "lower"
    assert registry.better("sentiment_mean_final") == "higher"


def test_metrics_doc_matches_the_registry():
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    block = text.split(registry.START, 1)[1].split(registry.END, 1)[0]
    assert block.strip() == registry.markdown().strip(), "run `python -m sim.outputs.registry`"
