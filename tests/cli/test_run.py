"""One run end to end: the entry point's files, determinism, invariants, scaling."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.outputs.metrics import EVENT_COLUMNS, STANDARD_METRICS
from sim.engine.model import build_environment
from sim.engine.runner import as_run_config
from tests.conftest import ROOT, compose_config, make_config


def compose_run(overrides: list[str]):
    return compose_config("config", overrides)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    from experiments.run import execute

    out = tmp_path_factory.mktemp("run")
    cfg = compose_run([
        "strategy=fast_social_care", "population.size=8000", "scenario.horizon_h=24", "seed=3",
        f"output_dir={out}", "progress=false",
    ])
    execute(cfg)
    return out


def test_run_writes_the_contract_files(run_dir):
    for name in ("config.yaml", "metrics.json", "timeseries.csv", "events.parquet", "figures/timeline.png"):
        assert (run_dir / name).is_file(), name
    assert not (run_dir / "INCOMPLETE").exists()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in STANDARD_METRICS:
        assert key in metrics, key
    for key in ("reach_negative", "mentions_positive", "complaints", "churned"):
        assert metrics[f"{key}_scaled"] == pytest.approx(metrics[key] * metrics["scale_factor"])
    prov = metrics["provenance"]
    for key in ("package_version", "git_commit", "seed", "config_hash", "python", "packages"):
        assert key in prov
    assert prov["seed"] == 3
    events = pd.read_parquet(run_dir / "events.parquet")
    assert set(EVENT_COLUMNS) <= set(events.columns)
    assert {"complaint", "reshare", "brand_reply"} <= set(events["kind"])
    ts = pd.read_csv(run_dir / "timeseries.csv")
    assert len(ts) == 24 and ts["reach_negative_cum"].is_monotonic_increasing
    assert ts["reach_negative_cum"].iloc[-1] == metrics["reach_negative"]


def test_event_log_links_replies_and_reshares_to_their_parents(run_dir):
    ev = pd.read_parquet(run_dir / "events.parquet")
    posts = ev[ev["post_id"] >= 0].set_index("post_id")
    for kind in ("reshare", "brand_reply"):
        sub = posts[posts["kind"] == kind]
        assert len(sub) > 0
        parents = posts.loc[sub["parent_id"]]
        assert (parents["t_min"].to_numpy() <= sub["t_min"].to_numpy()).all()
    assert set(ev["valence"].unique()) <= {-1, 0, 1}
    originals = posts[posts["parent_id"] == -1]
    assert (originals["cascade_id"] == originals.index).all()


def test_same_seed_gives_identical_results_and_another_seed_does_not():
    cfg = make_config(strategy="fast_social_care", size=6000, horizon_h=12, seed=11)
    a, b = run(cfg), run(cfg)
    assert json.dumps(a.metrics, sort_keys=True) == json.dumps(b.metrics, sort_keys=True)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    c = run(make_config(strategy="fast_social_care", size=6000, horizon_h=12, seed=12))
    assert c.metrics["reach_negative"] != a.metrics["reach_negative"]


@pytest.mark.parametrize("strategy", ["ignore", "fast_social_care"])
def test_invariants(strategy):
    res = run(make_config(strategy=strategy, size=8000, horizon_h=24, seed=5))
    m, ev = res.metrics, res.events
    n = m["network_nodes"]
    for v in ("negative", "positive"):
        assert 0 <= m[f"reach_{v}"] <= n
        assert m[f"reach_{v}"] <= m[f"impressions_{v}"]
    for key in ("cost_total", "cost_staff", "cost_contacts", "cost_compensation"):
        assert m[key] >= 0
    assert m["cost_total"] == pytest.approx(m["cost_staff"] + m["cost_contacts"] + m["cost_compensation"] + m["cost_delight"])
    assert -1 <= m["sentiment_mean_final"] <= 1
    assert ev["t_min"].max() <= 24 * 60
    # replies only to detected complaints, and never before them
    detected = ev[ev["kind"] == "detected"]
    replies = ev[ev["kind"] == "brand_reply"]
    for _, r in replies.iterrows():
        d = detected[(detected["author"] == ev.loc[ev["post_id"] == r["parent_id"], "author"].iloc[0])]
        assert len(d) and d["t_min"].min() <= r["t_min"]
    if strategy == "ignore":
        assert m["cost_total"] == 0 and len(replies) == 0 and m["responded_share"] == 0


def test_scale_factor_scales_named_accounts():
    cfg = as_run_config(make_config(size=20_000, horizon_h=3))
    env = build_environment(cfg)
    assert env.scale == 50
    followers = env.graph.follower_counts()
    assert followers[1] == round(276_000 / 50) and followers[2] == round(420_000 / 50)
    assert followers[0] == round(50_000 / 50)


def test_fast_social_care_cuts_negative_reach_and_costs_more():
    """Paired over seeds: the same environment under both strategies."""
    diffs, costs = [], []
    for seed in range(6):
        cfg_i = as_run_config(make_config(strategy="ignore", size=20_000, horizon_h=48, seed=seed))
        cfg_f = as_run_config(make_config(strategy="fast_social_care", size=20_000, horizon_h=48, seed=seed))
        env = build_environment(cfg_i)
        a, b = run(cfg_i, env=env), run(cfg_f, env=env)
        diffs.append(b.metrics["reach_negative"] - a.metrics["reach_negative"])
        costs.append(b.metrics["cost_total"] - a.metrics["cost_total"])
        assert a.metrics["reach_negative"] > a.metrics["reach_positive"]
    diffs = np.array(diffs)
    assert diffs.mean() + 2.571 * diffs.std(ddof=1) / np.sqrt(len(diffs)) < 0  # 95% CI below zero
    assert min(costs) > 0


def test_cli_help_lists_the_config_groups():
    out = subprocess.run([sys.executable, "-m", "experiments.run", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    for group in ("scenario:", "strategy:", "network:", "united_sarver", "fast_social_care", "heavy_tailed"):
        assert group in out.stdout


def test_cli_rejects_unknown_strategy_with_exit_2():
    out = subprocess.run([sys.executable, "-m", "experiments.run", "strategy=nope"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "strategy" in out.stderr and "fast_social_care" in out.stderr and "Traceback" not in out.stderr


def test_run_on_a_loaded_edge_list_uses_its_size_for_the_scale(tmp_path):
    rng = np.random.default_rng(2)
    path = tmp_path / "follows.txt"
    lines = ["# a follows b"] + [f"{a} {b}" for a, b in rng.integers(0, 4000, size=(40_000, 2)) if a != b]
    path.write_text("\n".join(lines) + "\n")
    res = run(make_config(size=100_000, horizon_h=6, network={"kind": "edgelist", "path": str(path)}))
    n = res.metrics["network_nodes"]
    assert 3900 < n <= 4000
    assert res.metrics["scale_factor"] == pytest.approx(1_000_000 / n)
    assert res.metrics["reach_negative"] > 0


def test_progress_bar_counts_every_tick_and_is_made_only_when_asked(monkeypatch):
    import sim.engine.runner
    from sim.scenario.schedule import n_ticks

    bars: dict[int, tuple[int, int]] = {}

    class RecordingBar(sim.engine.runner.tqdm):
        def close(self):
            bars[id(self)] = (self.n, self.total)  # close may be called more than once
            super().close()

    monkeypatch.setattr(sim.engine.runner, "tqdm", RecordingBar)
    cfg = make_config(size=2_000, horizon_h=3.5)
    result = sim.engine.runner.run(cfg, progress=True)
    ticks = n_ticks(as_run_config(cfg).scenario)
    assert ticks > 60 and list(bars.values()) == [(ticks, ticks)]
    assert result.metrics["complaints"] >= 0
    sim.engine.runner.run(cfg, progress=False)
    assert len(bars) == 1  # no bar object without progress (tqdm makes a process-shared lock)


def test_a_finished_model_is_freed_and_agent_ids_count_per_model():
    import gc
    import weakref

    from sim.engine.model import SocialCareModel

    cfg = as_run_config(make_config(strategy="fast_social_care", size=2_000, horizon_h=2))
    first = SocialCareModel(cfg)
    second = SocialCareModel(cfg)
    ids = [sorted(a.unique_id for a in m.agents) for m in (first, second)]
    assert ids[0] and ids[0] == ids[1] == list(range(1, len(ids[0]) + 1))
    first.step()
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None  # Mesa 3.3 alone would keep it for good (mesa#3179): sim/engine/mesa_patches.py
