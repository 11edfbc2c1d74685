"""Teaching views: the ego network, the dashboard's model, the static figures and their app."""

from __future__ import annotations

import inspect
import json

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim.engine.model import build_environment
from sim.engine.runner import run
from sim.viz.live import DashboardModel, LiveRun, desk_knobs
from sim.viz.network_view import COMPLAINER, FOLLOWER, RESHARER, EgoNetwork
from sim.viz.presets import compose_run_config
from sim.viz.teaching import (
    audience_figure, cascade_tree_figure, complaint_roots, reach_over_time_figure, record_run, tree_layout,
)

SMALL = 5_000


@pytest.fixture(scope="module")
def pair():
    """fast_social_care and ignore recorded on one environment (small, one day)."""
    over = ["scenario.horizon_h=24"]
    main = compose_run_config("united_sarver", "fast_social_care", SMALL, 2, overrides=over)
    base = compose_run_config("united_sarver", "ignore", SMALL, 2, overrides=over)
    env = build_environment(main)
    return [record_run(main, env, "fast_social_care", frame_min=60), record_run(base, env, "ignore", frame_min=60)]


def test_ego_view_is_small_stable_and_grows_with_the_cascade():
    cfg = compose_run_config("united_sarver", "ignore", SMALL, 3, overrides=["scenario.horizon_h=12"])
    live = LiveRun(cfg, max_nodes=150)
    first = live.view.frame
    assert (first.kind == COMPLAINER).sum() == 2  # the named complainers are placed before they post
    assert first.reshare_edges.shape == (0, 2) and not first.exposed[first.kind == FOLLOWER].any()
    frames = [first]
    while live.running:
        live.advance(120)
        frames.append(live.view.frame)
    last = frames[-1]
    assert len(last.x) <= 150 * 1.25
    assert len(last.reshare_edges) > 0 and (last.kind == RESHARER).any()
    assert last.exposed[last.kind == FOLLOWER].sum() > 0
    assert last.reached == live.model.diffusion.reach_incident
    for earlier in frames[1:-1]:  # nobody moves once placed
        n = len(earlier.x)
        assert np.array_equal(earlier.x, last.x[:n]) and np.array_equal(earlier.y, last.y[:n])
    # reshare arrows start at the author of the post that was reshared
    assert set(last.reshare_edges[:, 1].tolist()) <= set(np.flatnonzero(last.kind != FOLLOWER).tolist())


def test_ego_sample_is_common_to_strategies_on_one_seed():
    main = compose_run_config("united_sarver", "fast_social_care", SMALL, 4)
    base = compose_run_config("united_sarver", "ignore", SMALL, 4)
    env = build_environment(main)
    a = EgoNetwork(LiveRun(main, env).model)
    b = EgoNetwork(LiveRun(base, env).model)
    assert a.nodes == b.nodes and a.xy == b.xy
    other_seed = EgoNetwork(LiveRun(compose_run_config("united_sarver", "ignore", SMALL, 5)).model)
    assert other_seed.nodes != a.nodes


def test_tree_layout_centres_parents_on_their_children():
    tree = pd.DataFrame({"post_id": [10, 11, 12, 13, 14], "parent_id": [-1, 10, 10, 11, 11]})
    y = tree_layout(tree)
    assert sorted(y[p] for p in (12, 13, 14)) == [0.0, 1.0, 2.0]  # leaves one row each
    assert y[11] == (y[13] + y[14]) / 2
    assert y[10] == (y[11] + y[12]) / 2


def test_recordings_and_figures(pair, tmp_path):
    fast, ignore = pair
    for rec in pair:
        assert np.all(np.diff(rec.incident_reach) >= 0)
        assert rec.incident_reach[-1] == rec.model.diffusion.reach_incident
        assert len(rec.frames) == 25  # hour 0 and every hour of the day
    assert fast.replies and not ignore.replies
    assert all(after < 60 for _, after, _ in fast.replies)  # a 24/7 desk answers within the hour
    roots = complaint_roots(ignore.events)
    assert roots["cascade_reach"].sum() > 0
    for name, fig in (("tree", cascade_tree_figure(pair)), ("reach", reach_over_time_figure(pair)),
                      ("audience", audience_figure(pair))):
        text = " ".join(t.get_text() for ax in fig.axes for t in [ax.title, *ax.texts])
        assert text.strip(), name
        fig.savefig(tmp_path / f"{name}.png")
        assert Image.open(tmp_path / f"{name}.png").size[0] > 600
    reach_text = " ".join(t.get_text() for t in reach_over_time_figure(pair).axes[1].texts)
    assert "reply to" in reach_text


def test_large_accounts_make_almost_all_the_reach(pair):
    """Exercise 1's claim, over both runs: the named complainers' cascades dwarf everyone else's."""
    for rec in pair:
        roots = complaint_roots(rec.events)
        named = roots["author"].isin(list(rec.names))
        assert roots.loc[named, "cascade_reach"].sum() > 10 * roots.loc[~named, "cascade_reach"].sum()


def test_desk_knobs_tie_listening_to_the_target():
    knobs = desk_knobs(3, 480, "influence", "siloed")
    assert knobs == {"staff": 3, "response_target_min": 480.0, "listening_latency_min": 160.0,
                     "triage": "influence", "organisation": "siloed"}
    cfg = compose_run_config("united_sarver", "ignore", SMALL, 1, strategy_overrides=knobs)
    assert cfg.strategy.staff == 3 and cfg.strategy.listening_latency_min == 160.0


def test_dashboard_model_steps_both_runs_on_one_environment():
    m = DashboardModel(population=SMALL, minutes_per_step=30, compare_with="ignore")
    assert len(m.runs) == 2 and m.runs[0].model.graph is m.runs[1].model.graph
    for _ in range(8):
        m.step()
    assert [r.model.tick for r in m.runs] == [240, 240]
    assert m.steps == 8
    views = m.views
    assert all(v.history["t_h"][-1] == 4.0 and v.history["reach_negative"][-1] > 0 for v in views)
    assert views[0].summary["cost_total"] > views[1].summary["cost_total"] == 0.0
    assert len(m.datacollector.get_model_vars_dataframe()) == 9


def dashboard_defaults() -> dict:
    """The dashboard's default controls (the defaults of DashboardModel's arguments)."""
    return {k: p.default for k, p in inspect.signature(DashboardModel).parameters.items()}


def desk_run(staff: int, seed: int, env=None, **knobs) -> dict:
    """Metrics of the dashboard's main run at its defaults, with `staff` and other knobs changed."""
    d = {**dashboard_defaults(), "staff": staff, **knobs}
    desk = desk_knobs(d["staff"], d["response_target_min"], d["triage"], d["organisation"])
    cfg = compose_run_config(d["scenario"], d["strategy"], d["population"], seed, strategy_overrides=desk)
    return run(cfg, env=env).metrics


def test_the_default_desk_keeps_up():
    """At the dashboard's defaults the desk has time to spare and answers within its target; a desk
    of 2 (exercise 1's overwhelmed desk) gets more work than it can do and answers hours late (seeds
    1-3)."""
    d = dashboard_defaults()
    target = d["response_target_min"]
    met = []
    for seed in range(d["seed"], d["seed"] + 3):
        default, two = desk_run(d["staff"], seed), desk_run(2, seed)
        assert default["utilisation"] < 0.6, (seed, default["utilisation"])  # 0.41-0.44 measured
        assert default["response_time_median_min"] < target, seed
        met.append(default["sla_met_share"])  # of 7-10 simulated complaints per seed
        # more work than capacity (load 1.13-1.18 measured), busy all the time, and a median reply
        # hours late (198-1,394 min measured: how late depends on when the queue piles up)
        assert two["load_factor"] > 1 and two["utilisation"] > 0.99, seed
        assert two["response_time_median_min"] > 5 * target, seed
    # within the target for most complaints: 1.0, 1.0 and 0.7 measured (seed 3: 3 of 10 late)
    assert sum(met) / len(met) >= 0.8 and min(met) >= 0.6, met


def test_classroom_claims_at_the_dashboard_defaults():
    """What docs/teaching.md tells students to look for, over seeds 1-5 at the default size.

    More staff reach fewer people (the staff slider); with an overwhelmed desk of 2, influence
    triage saves as much reach as tripling the staff (exercise 1); an 8-hour target lets the
    complaint reach more people than a 20-minute one (exercise 2); a siloed desk more than an
    integrated one (exercise 3).
    """
    d = dashboard_defaults()
    setups = {
        "nobody": {"staff": 0}, "two": {"staff": 2}, "triage": {"staff": 2, "triage": "influence"},
        "six": {"staff": 6}, "slow": {"staff": 6, "response_target_min": 480},
        "siloed": {"staff": 6, "organisation": "siloed"},
    }
    reach = {k: [] for k in setups}
    for seed in range(d["seed"], d["seed"] + 5):  # docs/teaching.md quotes means over seeds 1-5
        cfg = compose_run_config(d["scenario"], d["strategy"], d["population"], seed)
        env = build_environment(cfg)
        for name, knobs in setups.items():
            reach[name].append(desk_run(seed=seed, env=env, **knobs)["reach_negative"])
    r = {k: np.asarray(v) for k, v in reach.items()}
    # means over seeds 1-5 (docs/teaching.md): nobody 2,710, two 2,710, triage 1,540, six 1,530,
    # slow 1,860, siloed 2,690; seed 3 is level for every desk (its large accounts post little)
    assert r["six"].mean() < 0.6 * r["two"].mean() and np.all(r["two"] <= r["nobody"])
    assert r["triage"].mean() < 0.6 * r["two"].mean()
    assert np.all(r["triage"] <= 1.1 * r["six"])
    assert np.all(r["slow"] >= 0.97 * r["six"]) and r["slow"].mean() > 1.15 * r["six"].mean()
    assert np.all(r["siloed"] >= 0.97 * r["six"]) and r["siloed"].mean() > 1.4 * r["six"].mean()


def test_app_controls_match_the_model():
    from sim.viz import app  # needs the dashboard extra (make test installs it)

    params = app.model_params()
    names = set(inspect.signature(DashboardModel).parameters)
    assert set(params) == names
    for name, spec in params.items():
        default = inspect.signature(DashboardModel).parameters[name].default
        assert spec["value"] == default, name
        if spec["type"] == "Select":
            assert default in spec["values"]
    assert len(app.grid_layout(len(app.COMPONENTS))) == len(app.COMPONENTS)
    # sliders show their value with the unit of the parameter they set
    assert params["staff"]["unit"] == "people" and params["response_target_min"]["unit"] == "min"
    assert "unit" not in params["seed"]


def test_slider_values_read_with_their_units():
    from sim.viz.controls import value_text

    assert value_text(6, "people") == "6 people" and value_text(1, "people") == "1 person"
    assert value_text(20, "min") == "20 min" and value_text(3) == "3"
    assert value_text(10_000, "people") == "10,000 people" and value_text(0.5, "h") == "0.5 h"


def test_figures_app_writes_its_files(tmp_path):
    from hydra import compose, initialize_config_dir

    from experiments.common import CONF_DIR
    from experiments.figures import execute

    over = [f"output_dir={tmp_path}", f"population.size={SMALL}", "scenario.horizon_h=12",
            "animation.hours=3", "animation.frame_min=60", "seed=2"]
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose(config_name="figures", overrides=over)
    numbers = execute(cfg)
    for name in ("cascade_tree.png", "reach_over_time.png", "reach_by_audience.png", "spread.gif"):
        assert (tmp_path / "figures" / name).stat().st_size > 10_000
    gif = Image.open(tmp_path / "figures" / "spread.gif")
    assert gif.n_frames == 4  # hours 0, 1, 2, 3
    table = pd.read_csv(tmp_path / "reach_over_time.csv")
    assert set(table.columns) == {"strategy", "t_min", "people_reached", "people_reached_scaled"}
    assert table.groupby("strategy")["people_reached"].is_monotonic_increasing.all()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary["runs"]) == set(numbers) and "provenance" in summary
    assert not (tmp_path / "INCOMPLETE").exists()
