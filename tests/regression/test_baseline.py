"""The stored baseline: the same configs and seeds give the same metrics as when it was written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.regression.cases import BASELINE_FILE, CASES, case_id, case_metrics

BASELINE = json.loads((Path(__file__).resolve().parent / BASELINE_FILE).read_text(encoding="utf-8"))


def _same(stored: float | str, now: float | str) -> bool:
    if isinstance(stored, str) or isinstance(now, str):  # "nan", "inf": stored as text
        return str(stored) == str(now)
    return now == pytest.approx(stored, rel=1e-9, abs=1e-9)


def test_baseline_lists_every_case():
    assert sorted(BASELINE) == sorted(case_id(c) for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_metrics_match_baseline(case):
    stored = BASELINE[case_id(case)]
    now = case_metrics(case)
    assert sorted(now) == sorted(stored), "the set of metrics changed"
    moved = {k: (stored[k], now[k]) for k in stored if not _same(stored[k], now[k])}
    assert not moved, f"metrics moved (stored, now): {moved}"
