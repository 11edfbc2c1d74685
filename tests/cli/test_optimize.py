"""experiments.optimize from the command line: bad files and values, a killed study, its outputs.

Bad study files and values go through `run_app` in-process (the checks the entry point runs
before Hydra starts), one through a real process for the exit status. The kill test starts a
real study, kills it once trials have finished, runs the same command again and checks that no
finished trial was repeated; the recommendation it writes is then given to experiments.compare.
"""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path

import pandas as pd
import pytest
import yaml

from experiments.common import run_app
from experiments.optimize import check_optimize
from tests.conftest import ROOT

pytest.importorskip("optuna")

GOOD = """
name: tiny
base: fast_social_care
variables:
  - {key: strategy.staff, low: 0, high: 6}
  - {key: strategy.shift, choices: ["24/7", "mon-fri 09:00-17:00"]}
  - {key: strategy.listening_latency_min, choices: [5, 60], price: [300, 50]}
objectives:
  - {metric: cost_total, statistic: mean, per_day: true}
constraints:
  - {metric: responded_share, statistic: mean, min: 0.5}
"""
SMALL = [
    "population.size=2000", "scenario.horizon_h=8", "replicates=2", "presets=[ignore]",
    "fresh.replicates=2", "confirm.replicates=2", "confirm.top=2", "startup_trials=3",
    "progress=false", "figures=false", "n_jobs=1",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    for name in ("HYDRA_FULL_ERROR", "SIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def _must_not_run() -> None:
    raise AssertionError("the app ran although its command line is invalid")


def refused(argv: list[str]) -> str:
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(_must_not_run, config_name="optimize", check=check_optimize, argv=argv)
    text = err.getvalue()
    assert info.value.code == 2, text
    assert text.startswith("error: ") and text.count("\n") == 1 and "Traceback" not in text
    return text


def _variant(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


BAD_FILES = [
    ("unknown_key.yaml", _variant("strategy.staff,", "strategy.stafff,"),
     ["optimize.variables[0].key", "strategy.stafff"]),
    ("bad_range.yaml", _variant("low: 0, high: 6", "low: 6, high: 0"),
     ["optimize.variables[0]", "low < high"]),
    ("bad_metric.yaml", _variant("metric: cost_total,", "metric: cost_totl,"),
     ["optimize.objectives[0].metric", "did you mean cost_total"]),
    ("bad_bound.yaml", _variant("min: 0.5", "atleast: 0.5"), ["optimize.constraints[0].atleast"]),
    ("bad_level.yaml", _variant('"24/7", ', '"mon-fri 25:00-17:00", '), ["optimize.variables[1]", "25:00"]),
    ("unknown_section.yaml", GOOD + "varables: []\n", ["optimize.varables"]),
    ("malformed.yaml", GOOD + "constraints: [ {metric: \n", ["malformed YAML", "line"]),
    ("a_list.yaml", "- staff\n- shift\n", ["must hold a mapping", "list"]),
    ("binary.yaml", None, ["not a text file"]),
]  # fmt: skip


@pytest.mark.parametrize("name, text, needles", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_study_files_are_refused(tmp_path, name, text, needles):
    path = tmp_path / name
    if text is None:
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    else:
        path.write_text(text, encoding="utf-8")
    message = refused([f"study_file={path}"])
    assert name in message
    for needle in needles:
        assert needle in message, message


@pytest.mark.parametrize(
    "argv, needles",
    [
        (["trials=0"], ["'trials'"]),
        (["optimize=nosuch"], ["nosuch"]),
        (["fresh.seed=3"], ["'fresh.seed'", "avoid the study's"]),
        (["confirm.seed=2"], ["'confirm.seed'", "avoid the study's seeds"]),
        (["confirm.top=-1"], ["'confirm'", "top >= 0"]),
        (["robust.samples=2", "robust.source=guess"], ["'robust.source'", "ranges or posterior"]),
        (["robust.samples=2", "robust.source=posterior"], ["posterior is not available"]),
        (["optimize.variables.0.high=-3"], ["optimize.variables[0]", "low < high"]),
        (["+optimize.goal=3"], ["optimize.goal"]),
        (["presets=[ignore,nosuch]"], ["nosuch"]),
        (["study_file=/no/such/study.yaml"], ["/no/such/study.yaml", "not a file"]),
    ],
)
def test_bad_values_are_refused(argv, needles):
    message = refused(argv)
    for needle in needles:
        assert needle in message, message


def _command(tmp_path: Path, study: Path, trials: int) -> list[str]:
    return [sys.executable, "-m", "experiments.optimize", f"study_file={study}", f"trials={trials}",
            f"hydra.run.dir={tmp_path / 'run'}", *SMALL]  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SIM_SLOW_EXIT": "0"}


def test_bad_file_exits_2_without_traceback(tmp_path):
    study = tmp_path / "bad.yaml"
    study.write_text("- a list\n", encoding="utf-8")
    out = subprocess.run(_command(tmp_path, study, 3), capture_output=True, text=True, cwd=ROOT,
                         env=_env(), timeout=120)  # fmt: skip
    assert out.returncode == 2, out.stderr
    assert "bad.yaml" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "run").exists()


def _complete(db: Path) -> dict[int, tuple]:
    if not db.is_file():
        return {}
    with sqlite3.connect(db) as con:
        try:
            rows = con.execute(
                "SELECT number, datetime_complete FROM trials WHERE state = 'COMPLETE'"
            ).fetchall()
        except sqlite3.OperationalError:  # the tables are not there yet
            return {}
    return {int(n): (t,) for n, t in rows}


@pytest.mark.slow
def test_killed_study_resumes_and_its_recommendation_compares(tmp_path):
    study = tmp_path / "tiny.yaml"
    study.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "run" / "study.db"
    trials = 8
    proc = subprocess.Popen(_command(tmp_path, study, trials), cwd=ROOT, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.time() + 180
    while len(_complete(db)) < 2 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    before = _complete(db)
    assert 2 <= len(before) < trials, "the study should be killed part way"
    assert (tmp_path / "run" / "INCOMPLETE").exists()

    out = subprocess.run(_command(tmp_path, study, trials), capture_output=True, text=True,
                         cwd=ROOT, env=_env(), timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    after = _complete(db)
    assert len(after) == trials
    assert all(after[n] == t for n, t in before.items()), "a finished trial was run again"
    summary = (tmp_path / "run" / "summary.md").read_text(encoding="utf-8")
    assert f"{trials} completed trials ({trials - len(before)} run now)" in summary
    assert not (tmp_path / "run" / "INCOMPLETE").exists()

    table = pd.read_parquet(tmp_path / "run" / "trials.parquet")
    assert len(table) == trials and table["trial"].is_unique
    assert (tmp_path / "run" / "pareto.csv").is_file()
    checked = pd.read_csv(tmp_path / "run" / "confirm.csv")  # the best trials on other seeds
    assert 1 <= len(checked) <= 2 and set(checked["trial"]) <= set(table["trial"])
    verdict = pd.read_csv(tmp_path / "run" / "fresh" / "verdict.csv")
    assert set(verdict["strategy"]) >= {"ignore", "fast_social_care", "recommended_tiny"}

    rec = tmp_path / "run" / "recommended.yaml"
    knobs = yaml.safe_load(rec.read_text(encoding="utf-8"))
    assert knobs["name"] == "recommended_tiny" and knobs["listening_cost_per_day"] in (300.0, 50.0)
    from experiments.compare import load_strategies
    from sim.analysis.compare import strategy_configs
    from sim.config.presets import run_config

    base = run_config("united_sarver", overrides=["population.size=2000"]).to_dict()
    assert strategy_configs(base, load_strategies([str(rec)]))["recommended_tiny"].strategy.staff >= 0
    cmp = subprocess.run(
        [sys.executable, "-m", "experiments.compare", f"strategies=[ignore,{rec}]", "replicates=2",
         "starts=[]", "population.size=2000", "scenario.horizon_h=8", "figures=false",
         "progress=false", "n_jobs=1", f"hydra.run.dir={tmp_path / 'cmp'}"],
        capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=300,
    )  # fmt: skip
    assert cmp.returncode == 0, cmp.stderr[-2000:]
    runs = pd.read_csv(tmp_path / "cmp" / "runs.csv")
    assert set(runs["strategy"]) == {"ignore", "recommended_tiny"}


def test_missing_optuna_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # `import optuna` raises ImportError
    message = refused([])
    assert "needs Optuna" in message and "pip install" in message
