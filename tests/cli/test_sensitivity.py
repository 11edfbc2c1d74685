"""Sensitivity analysis with SALib on outputs whose ordering of importance is known."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import compose_config

# staff cost = staff x hours x wage: staff matters most (its range is relatively wider), then the
# wage; the reshare rate and the opinion rate do not enter the cost at all. The wage does not touch
# the dynamics, so under common random numbers it has no effect at all on reach.
PARAMETERS = ("sensitivity.parameters=["
              "{key:'strategy.staff',low:1,high:10},"
              "{key:'strategy.hourly_wage',low:20,high:40},"
              "{key:'diffusion.reshare_base',low:0.003,high:0.012},"
              "{key:'opinion.rate',low:0.02,high:0.1}]")
SMALL = ["population.size=3000", "scenario.horizon_h=12", "n_jobs=1", "progress=false", PARAMETERS]


def analyse(tmp_path, *overrides: str):
    from experiments.sensitivity import execute

    return execute(compose_config("sensitivity", [*SMALL, f"output_dir={tmp_path}", *overrides]))


def test_morris_ranks_inputs_in_their_known_order(tmp_path):
    tables = analyse(tmp_path, "method=morris", "morris.trajectories=4", "replicates=2",
                     "metrics=[cost_staff,reach_negative]")
    cost = tables["cost_staff"].set_index("parameter")["mu_star"]
    assert cost["strategy.staff"] > cost["strategy.hourly_wage"] > 0
    assert cost["diffusion.reshare_base"] == 0 and cost["opinion.rate"] == 0
    reach = tables["reach_negative"].set_index("parameter")["mu_star"]
    assert reach["strategy.hourly_wage"] == 0
    assert reach["diffusion.reshare_base"] > 0
    # files: indices per metric and parameter, runs = points x replicates, replicate means
    indices = pd.read_csv(tmp_path / "morris.csv")
    assert set(indices["metric"]) == {"cost_staff", "reach_negative"} and len(indices) == 8
    runs, points = pd.read_csv(tmp_path / "runs.csv"), pd.read_csv(tmp_path / "points.csv")
    assert len(points) == 4 * 5 and len(runs) == 2 * len(points)
    assert sorted(runs["seed"].unique()) == [1, 2]
    assert points["reach_negative"].to_numpy() == pytest.approx(
        runs.groupby("point")["reach_negative"].mean().to_numpy())
    assert runs["strategy.staff"].between(1, 10).all()
    assert (tmp_path / "figures" / "morris_cost_staff.png").is_file()
    assert "strategy.staff" in (tmp_path / "indices.md").read_text()


def test_sobol_total_indices_separate_active_and_inert_inputs(tmp_path):
    three = PARAMETERS.replace(",{key:'opinion.rate',low:0.02,high:0.1}", "")
    tables = analyse(tmp_path, "method=sobol", "sobol.n=8", "replicates=1", "metrics=[cost_staff]", three)
    st = tables["cost_staff"].set_index("parameter")
    assert len(st) == 3 and st.loc["diffusion.reshare_base", "ST"] == 0
    assert st.loc["strategy.staff", "ST"] > st.loc["strategy.hourly_wage", "ST"] > 0
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(pd.read_csv(tmp_path / "sobol.csv").columns)
    assert (tmp_path / "figures" / "sobol_cost_staff.png").is_file()


@pytest.mark.parametrize("override", [
    "sensitivity.parameters=[{key:'diffusion.no_such_knob',low:0,high:1}]",
    "sensitivity.parameters=[{key:'opinion.rate',low:0.5,high:0.1}]",
    "method=fast",
])
def test_bad_analysis_setup_exits_with_status_2(tmp_path, override, capsys):
    with pytest.raises(SystemExit) as exit_info:
        analyse(tmp_path, override)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("error:")


@pytest.mark.parametrize("name", ["default", "uncertain"])
def test_every_shipped_parameter_set_is_valid(name):
    from experiments.sensitivity import plan

    cfg = compose_config("sensitivity", [f"sensitivity={name}"])
    base, params = plan(cfg)  # keys exist, low < high, both ends of every range are valid runs
    assert len(params) >= 8
    sections = {p.key.split(".")[0] for p in params}
    assert {"diffusion", "opinion"} <= sections
    assert ("strategy" in sections) == (name == "default")  # robustness keeps strategies' own knobs
