"""A run of more simulated people than the real audience it stands for says so, once."""

from __future__ import annotations

from experiments import common
from tests.conftest import compose_config


def test_more_people_than_the_reference_population_prints_one_note(capsys):
    common._NOTED.clear()
    common.check_run(compose_config("config", ["scenario=alaska_air_weather",
                                               "population.size=50000"]))
    assert "note:" not in capsys.readouterr().err  # the real audience itself: no note
    big = compose_config("config", ["scenario=alaska_air_weather", "population.size=60000"])
    common.check_run(big)
    err = capsys.readouterr().err
    assert "population.size=60,000" in err and "50,000 real people" in err
    assert "population.size=50000" in err  # what to set instead
    common.check_run(big)  # a sweep checks many points: the note comes once
    assert "note:" not in capsys.readouterr().err
