"""Rank robustness: the strategies' ranking with one parameter moved at a time, vs the base."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.rank_robustness import moved_value
from experiments.sensitivity import Parameter
from sim.analysis.ranking import kendall_tau, order_text, rank_by, swapped_pairs
from tests.conftest import compose_config

TINY = [
    "population.size=300",
    "replicates=2",
    "n_jobs=1",
    "progress=false",
    "strategies=[ignore,business_hours,fast_social_care]",
]
# strategy.bot_cost: none of the three presets runs a bot, so the model never reads it
TWO = (
    "sensitivity.parameters=[{key:strategy.bot_cost,low:0.01,high:1.0},"
    "{key:diffusion.reshare_base,low:0.003,high:0.012}]"
)


def study(tmp_path, *overrides: str) -> pd.DataFrame:
    from experiments.rank_robustness import execute

    return execute(compose_config("rank_robustness", [*TINY, f"output_dir={tmp_path}", *overrides]))


def test_ranks_tau_and_swaps_of_constructed_rankings():
    base = rank_by({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0})
    assert base == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert kendall_tau(base, dict(base)) == 1.0
    flipped = rank_by({"a": 2.0, "b": 1.0, "c": 3.0, "d": 4.0})
    assert swapped_pairs(base, flipped) == [("a", "b")]
    assert kendall_tau(base, flipped) == pytest.approx(4 / 6)  # 5 concordant, 1 discordant
    reverse = rank_by({"a": 4.0, "b": 3.0, "c": 2.0, "d": 1.0})
    assert kendall_tau(base, reverse) == pytest.approx(-1.0) and len(swapped_pairs(base, reverse)) == 6
    ties = rank_by({"a": 1.0, "b": 1.0, "c": float("nan")}, lower_better=True)
    assert ties == {"a": 1, "b": 1, "c": 3} and order_text(ties) == "a = b > c"
    assert swapped_pairs(ties, rank_by({"a": 2.0, "b": 1.0, "c": 0.0})) == [("a", "c"), ("b", "c")]
    higher = rank_by({"a": 1.0, "b": 2.0}, lower_better=False)
    assert higher == {"a": 2, "b": 1}


def test_moved_values_are_clipped_and_rounded():
    share = Parameter("strategy.listening_recall", 0.5, 1.0)
    assert moved_value(share, 0.8, 1.5) == 1.0  # the range's top and the probability bound
    assert moved_value(share, 0.8, 0.5) == 0.5
    assert moved_value(share, 0.0, 1.5) == 0.0  # a preset below the range is not pulled into it
    staff = Parameter("strategy.staff", 1, 12, integer=True)
    assert moved_value(staff, 5, 0.5) == 3 and moved_value(staff, 5, 1.5) == 8  # 2.5, 7.5 rounded up
    assert moved_value(staff, 10, 1.5) == 12 and moved_value(staff, 0, 0.5) == 0
    assert isinstance(moved_value(staff, 5, 0.5), int)
    wide = Parameter("diffusion.reshare_base", 0.0, 10.0)
    assert moved_value(wide, 0.006, 1.5) == pytest.approx(0.009)


def test_files_base_ranking_and_tau_one_for_a_parameter_the_model_does_not_read(tmp_path):
    levels = study(tmp_path, TWO)
    table = pd.read_csv(tmp_path / "rank_robustness.csv")
    assert list(table.columns[:5]) == ["parameter", "level", "strategy", "mean", "rank"]
    assert set(zip(table["parameter"], table["level"])) == {
        ("base", "base"),
        ("strategy.bot_cost", "x0.5"),
        ("strategy.bot_cost", "x1.5"),
        ("diffusion.reshare_base", "x0.5"),
        ("diffusion.reshare_base", "x1.5"),
    }
    base = table[table["parameter"] == "base"].set_index("strategy")
    assert sorted(base.index) == ["business_hours", "fast_social_care", "ignore"]
    assert sorted(base["rank"]) == sorted(rank_by(base["mean"].to_dict()).values())
    runs = pd.read_csv(tmp_path / "runs.csv")  # paired: every level ran on the same seeds
    assert runs.groupby(["parameter", "level", "strategy"])["seed"].apply(sorted).map(tuple).nunique() == 1
    # bot_cost is never read without a bot: the same runs, the same means, tau 1
    for level in ("x0.5", "x1.5"):
        part = table[(table["parameter"] == "strategy.bot_cost") & (table["level"] == level)]
        assert part.set_index("strategy")["mean"].to_dict() == base["mean"].to_dict()
        assert part["value"].tolist() == pytest.approx([0.05 * float(level[1:])] * 3)
    tau = levels.set_index(["parameter", "level"])["tau"]
    assert tau[("strategy.bot_cost", "x0.5")] == 1 and tau[("strategy.bot_cost", "x1.5")] == 1
    assert tau[("base", "base")] == 1
    # the reshare rate is read: moving it moves some strategy's mean
    reshare = table[table["parameter"] == "diffusion.reshare_base"]
    assert reshare.groupby("level")["value"].first().tolist() == pytest.approx([0.003, 0.009])
    assert any(
        reshare[reshare["level"] == lv].set_index("strategy")["mean"].to_dict() != base["mean"].to_dict()
        for lv in ("x0.5", "x1.5")
    )
    text = (tmp_path / "rank_robustness.md").read_text()
    assert "**Base ranking:**" in text and "does not change" in text and "`strategy.bot_cost`" in text
    assert (tmp_path / "figures" / "rank_robustness.png").stat().st_size > 0
    assert (tmp_path / "tau.csv").is_file() and (tmp_path / "config.yaml").is_file()
    assert not (tmp_path / "INCOMPLETE").exists()


def test_a_default_key_sets_the_base_value(tmp_path):
    from experiments.rank_robustness import cases, plan

    cfg = compose_config(
        "rank_robustness",
        [*TINY, "sensitivity.parameters=[{key:opinion.rate,low:0.02,high:0.10,default:0.08}]"],
    )
    values = {c.labels["level"]: c.labels["value"] for c in cases(plan(cfg))}
    assert values["x0.5"] == pytest.approx(0.04) and values["x1.5"] == pytest.approx(0.10)  # clipped


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ("sensitivity.parameters=[{key:diffusion.reshare_bse,low:0.001,high:0.01}]", "reshare_base"),
        ("sensitivity.parameters=[{key:nowhere.at_all,low:0,high:1}]", "nowhere.at_all"),
        ("metric=no_such_metric", "no_such_metric"),
        ("factors=[1.0]", "factors"),
        ("strategies=[ignore,no_such_preset]", "no_such_preset"),
    ],
)
def test_bad_setup_exits_with_status_2_and_names_it(tmp_path, override, needle, capsys):
    with pytest.raises(SystemExit) as exit_info:
        study(tmp_path, override)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and needle in err, err
    assert not (tmp_path / "rank_robustness.csv").exists()


def test_strategy_keys_move_each_presets_own_value_and_starts_multiply_the_cases():
    from experiments.rank_robustness import cases, plan

    cfg = compose_config(
        "rank_robustness",
        [*TINY, "starts=[mon10,sat20]", "sensitivity.parameters=[{key:strategy.staff,low:1,high:9}]"],
    )
    all_cases = cases(plan(cfg))
    assert len(all_cases) == 3 * 2 * 3  # (base, x0.5, x1.5) x start times x strategies
    staff = {(c.labels["level"], c.labels["strategy"]): c.config["strategy"]["staff"] for c in all_cases}
    assert staff[("base", "ignore")] == 0 and staff[("x1.5", "ignore")] == 0  # 0 stays 0
    assert staff[("base", "fast_social_care")] == 6  # the preset's own desk
    assert staff[("x0.5", "fast_social_care")] == 3 and staff[("x1.5", "fast_social_care")] == 9
    assert staff[("x0.5", "business_hours")] == 4 and staff[("x1.5", "business_hours")] == 9
    starts = {c.config["scenario"]["start"] for c in all_cases}
    assert len(starts) == 2
