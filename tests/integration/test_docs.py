"""Documentation stays true to the code."""

from __future__ import annotations

from dataclasses import fields

from sim.config.schema import RunConfig, StrategyConfig
from sim.config.paramdoc import END, START, markdown
from tests.conftest import ROOT


def test_odd_parameter_tables_match_the_code():
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert block.strip() == markdown().strip(), "run `python -m sim.config.paramdoc` to refresh docs/ODD.md"


def test_every_strategy_knob_is_described_in_the_odd():
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for f in fields(StrategyConfig):
        assert f"`strategy.{f.name}`" in text


def test_odd_has_the_seven_elements():
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for heading in ("Purpose and patterns", "Entities, state variables and scales", "Process overview",
                    "Design concepts", "Initialization", "Input data", "Submodels"):
        assert heading in text
    assert RunConfig  # the tables are generated from RunConfig's sections
