"""The replay's scale and cross-validation modes keep a single scenario's command-line overrides."""

from __future__ import annotations

import pandas as pd

from experiments.replay import execute
from tests.conftest import compose_config


def test_scale_mode_replays_the_composed_scenario_with_its_overrides(tmp_path):
    out = tmp_path / "scale"
    cfg = compose_config("replay", [
        "scenario=comcast_cares", "scenarios=comcast_cares",  # as `scenario=NAME` on the command line
        "scenario.targets.1.documented=17", "scenario.min_size=2500",
        "sizes=[2000,3000]", "replicates=1", "n_jobs=1", "figures=false", f"output_dir={out}",
    ])
    execute(cfg)
    table = pd.read_csv(out / "scale.csv")
    assert sorted(set(table["size"])) == [2000, 3000]
    assert set(table["min_size"]) == {2500}  # the override, not the file's value
    solved = table[table["target"].str.startswith("solved within")]
    assert set(solved["documented"]) == {17.0}
