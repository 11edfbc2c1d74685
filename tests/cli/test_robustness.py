"""Robustness of strategies over a Latin hypercube of uncertain parameters: regret tables."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.robustness import regret
from tests.conftest import compose_config

SMALL = ["population.size=3000", "scenario.horizon_h=12", "n_jobs=1", "progress=false"]


def study(tmp_path, *overrides: str):
    from experiments.robustness import execute

    return execute(compose_config("robustness", [*SMALL, f"output_dir={tmp_path}", *overrides]))


def test_regret_is_the_distance_to_the_best_strategy_of_each_future():
    values = pd.DataFrame({
        "future": [0, 0, 1, 1, 2, 2],
        "strategy": ["a", "b"] * 3,
        "cost": [1.0, 3.0, 5.0, 2.0, 4.0, 4.0],
        "mood": [0.1, 0.3, 0.2, 0.0, 0.5, 0.4],
    })
    long, summary = regret(values, [("cost", "lower"), ("mood", "higher")])
    cost = long[long["objective"] == "cost"].pivot(index="future", columns="strategy", values="regret")
    assert cost["a"].tolist() == [0.0, 3.0, 0.0] and cost["b"].tolist() == [2.0, 0.0, 0.0]
    mood = long[long["objective"] == "mood"].pivot(index="future", columns="strategy", values="regret")
    assert mood["a"].tolist() == pytest.approx([0.2, 0.0, 0.0])
    assert mood["b"].tolist() == pytest.approx([0.0, 0.2, 0.1])
    s = summary.set_index(["strategy", "objective"])
    assert s.loc[("a", "cost"), "regret_max"] == 3.0 and s.loc[("a", "cost"), "regret_median"] == 0.0
    assert s.loc[("b", "cost"), "regret_median"] == 0.0 and s.loc[("b", "cost"), "best_share"] == pytest.approx(2 / 3)
    assert s.loc[("b", "mood"), "regret_max"] == pytest.approx(0.2)


def test_strategies_meet_the_same_futures_and_regret_is_reported(tmp_path):
    summary = study(tmp_path, "strategies=[ignore,fast_social_care]", "samples=4", "replicates=1")
    futures = pd.read_csv(tmp_path / "futures.csv")
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert len(futures) == 4
    assert futures["diffusion.reshare_base"].between(0.003, 0.012).all()
    # every strategy ran once in every future with the same seed
    assert runs.groupby("future")["strategy"].apply(sorted).tolist() == [["fast_social_care", "ignore"]] * 4
    assert runs.groupby("future")["seed"].nunique().eq(1).all()
    # Latin hypercube: each of the 4 strata of every parameter holds exactly one future
    for key in ("diffusion.reshare_base", "opinion.rate"):
        low, high = {"diffusion.reshare_base": (0.003, 0.012), "opinion.rate": (0.02, 0.10)}[key]
        strata = ((futures[key] - low) / (high - low) * 4).astype(int).clip(0, 3)
        assert sorted(strata) == [0, 1, 2, 3]
    s = summary.set_index(["strategy", "objective"])
    # ignoring costs nothing: it is always the cheapest, fast social care never is
    assert s.loc[("ignore", "cost_total"), "regret_max"] == 0
    assert s.loc[("ignore", "cost_total"), "best_share"] == 1
    assert s.loc[("fast_social_care", "cost_total"), "regret_median"] > 0
    assert (summary["regret_max"] >= summary["regret_median"]).all() and (summary["regret_median"] >= 0).all()
    long = pd.read_csv(tmp_path / "regret.csv")
    assert long.groupby(["future", "objective"])["regret"].min().eq(0).all()
    assert (tmp_path / "figures" / "robustness.png").is_file()
    assert "least worst-case regret" in (tmp_path / "robustness.md").read_text()


@pytest.mark.parametrize("override", [
    "sensitivity=default",  # holds strategy.* keys: those are the decision, not the uncertainty
    "strategies=[ignore,no_such_preset]",
    "objectives=[{metric:reach_negative,better:sideways}]",
])
def test_bad_study_setup_exits_with_status_2(tmp_path, override, capsys):
    with pytest.raises(SystemExit) as exit_info:
        study(tmp_path, override)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("error:")
