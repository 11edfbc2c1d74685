"""experiments.ingest on the command line: a scenario file from an export, and malformed files
refused with a message naming the file, line or column (exit status 2, nothing written)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pandas as pd
import pytest
import yaml

from omegaconf import OmegaConf

from experiments.common import run_app, user_errors
from experiments.ingest import check_ingest
from sim.scenario.ingest_scenario import check_scenario
from tests.conftest import CONF, ROOT

HEADER = "post_id,timestamp,author_id,author_followers,valence,in_reply_to,shared_from,is_brand\n"


def export_rows(hours: int = 12, burst_at: int = 8) -> str:
    """A small export: quiet chatter, then a complainer's post shared 30 times; the brand replies."""
    rows, k = [], 0
    for h in range(hours):
        for j in range(4):
            valence = ("negative", "positive", "positive", "neutral")[j]
            rows.append(f"c{k},2024-03-04T{h:02d}:{10 + 10 * j:02d}:00Z,u{k},{20 + j},{valence},,,false")
            k += 1
    rows.append(f"big,2024-03-04T{burst_at:02d}:05:00Z,angry,5000,negative,,,false")
    for j in range(30):
        rows.append(f"s{j},2024-03-04T{burst_at:02d}:{6 + j}:00Z,f{j},40,negative,,big,false")
    rows.append(f"r1,2024-03-04T{burst_at:02d}:50:00Z,acme,90000,neutral,big,,true")
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    for name in ("HYDRA_FULL_ERROR", "SIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def _must_not_run() -> None:
    raise AssertionError("the app ran although its input is invalid")


def refused(argv: list[str]) -> str:
    """The one-line message of an ingest refused in its pre-flight check (exit status 2)."""
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(_must_not_run, config_name="ingest", check=check_ingest, argv=argv)
    text = err.getvalue()
    assert info.value.code == 2, text
    assert text.startswith("error: ") and text.count("\n") == 1 and "Traceback" not in text, text
    return text


def refused_by_check(**options: str) -> str:
    """The same check and message without composing a command line (quick, for the table)."""
    base = yaml.safe_load((CONF / "ingest.yaml").read_text(encoding="utf-8"))
    base = {k: v for k, v in base.items() if k not in ("defaults", "hydra")}
    cfg = OmegaConf.create({**base, "scenario": {}, **options})
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info, user_errors():
        check_ingest(cfg)
    text = err.getvalue()
    assert info.value.code == 2, text
    assert text.startswith("error: ") and text.count("\n") == 1 and "Traceback" not in text, text
    return text


def _good() -> str:
    return export_rows()


# (file name, content as text or bytes or a builder, substrings the message must hold)
MALFORMED = [
    ("missing.csv", None, ["missing.csv", "no such file"]),
    ("folder", "DIR", ["folder", "is a directory"]),
    ("empty.csv", "", ["empty.csv", "empty"]),
    ("header_only.csv", HEADER, ["header_only.csv", "no posts"]),
    ("garbage.csv", bytes(range(256)) * 8, ["garbage.csv", "binary"]),
    ("latin1.csv", HEADER.encode() + "p1,2024-03-04T01:00Z,caf\xe9,3,neutral,,,false\n".encode("latin-1"),
     ["latin1.csv", "line 2", "not UTF-8"]),
    ("garbage.parquet", b"PAR1" + os.urandom(300), ["garbage.parquet", "Parquet"]),
    ("no_followers.csv", lambda: _good().replace("author_followers,", "followers_count,", 1),
     ["no_followers.csv", "missing column 'author_followers'", "followers_count"]),
    ("no_valence.csv", lambda: _good().replace(",valence,", ",tone,", 1),
     ["no_valence.csv", "'valence'", "'sentiment'"]),
    ("no_post_id.csv", lambda: _good().replace("post_id,", "id,", 1),
     ["no_post_id.csv", "missing column 'post_id'"]),
    ("bad_time.csv", lambda: _good().replace("2024-03-04T03:20:00Z", "4 March 3:20", 1),
     ["bad_time.csv", "line 15", "column 'timestamp'", "'4 March", "ISO 8601"]),
    ("bad_followers.csv", lambda: _good().replace(",u5,21,", ",u5,many,", 1),
     ["bad_followers.csv", "line 7", "column 'author_followers'", "'many'"]),
    ("bad_valence.csv", lambda: _good().replace("u3,23,neutral", "u3,23,meh", 1),
     ["bad_valence.csv", "line 5", "column 'valence'", "'meh'"]),
    ("bad_brand.csv", lambda: _good().replace(",,,false\n", ",,,maybe\n", 1),
     ["bad_brand.csv", "line 2", "column 'is_brand'", "'maybe'"]),
    ("repeated_id.csv", lambda: _good().replace("c1,", "c0,", 1),
     ["repeated_id.csv", "line 3", "'c0' repeats line 2"]),
    ("ragged.csv", lambda: _good().replace(",,,false\n", ",,,false,extra,more\n", 1),
     ["ragged.csv", "line 2", "CSV"]),
]


@pytest.mark.parametrize(("name", "content", "needles"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_export_is_refused_with_where_and_what(tmp_path, name, content, needles):
    path = tmp_path / name
    if content == "DIR":
        path.mkdir()
    elif callable(content):
        path.write_text(content(), encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "scenario.yaml"
    text = refused_by_check(path=str(path), out=str(out))
    for needle in needles:
        assert needle in text, (needle, text)
    assert not out.exists()  # nothing written


def test_a_wrong_type_in_a_parquet_column_names_the_row(tmp_path):
    good = pd.read_csv(io.StringIO(_good()), dtype=str, keep_default_na=False)
    good.loc[3, "author_followers"] = "lots"
    path = tmp_path / "typed.parquet"
    good.to_parquet(path)
    text = refused_by_check(path=str(path), out=str(tmp_path / "s.yaml"))
    assert "typed.parquet, row 4, column 'author_followers'" in text and "'lots'" in text


def test_options_are_checked_before_anything_is_written(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(_good(), encoding="utf-8")
    assert "path=FILE is required" in refused([f"out={tmp_path / 'x.yaml'}"])
    assert "'name'" in refused([f"path={path}", "name=Not-Valid", f"out={tmp_path / 'x.yaml'}"])
    existing = tmp_path / "taken.yaml"
    existing.write_text("keep me\n", encoding="utf-8")
    assert "overwrite=true" in refused([f"path={path}", f"out={existing}"])
    assert existing.read_text(encoding="utf-8") == "keep me\n"


def _ingest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.ingest", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HYDRA_FULL_ERROR": "", "SIM_DEBUG": ""})


def test_the_command_writes_a_valid_scenario_and_says_how_to_calibrate_it(tmp_path):
    path = tmp_path / "My Outage.csv"
    path.write_text(_good(), encoding="utf-8")
    out, run_dir = tmp_path / "outage.yaml", tmp_path / "run"
    proc = _ingest(f"path={path}", f"out={out}", f"hydra.run.dir={run_dir}", "scenario=united_sarver")
    assert proc.returncode == 0, proc.stderr
    data = check_scenario(out.read_text(encoding="utf-8"))  # the project's own validation
    assert data["name"] == "my_outage"
    assert data["start"] == "2024-03-04T00:00" and data["horizon_h"] == 12
    assert data["brand"]["followers"] == 90000 and data["brand"]["clv"] == 600.0  # template: United
    assert [a["followers"] for a in data["accounts"]] == [5000]
    assert data["incidents"][0]["at_h"] == pytest.approx(8 + 5 / 60, abs=1e-3)
    assert data["strategy"] == "fast_social_care"  # the brand replied
    labels = {t["label"] for t in data["targets"]}
    assert labels == {"calibrated"}
    metrics = {t["metric"] for t in data["targets"]}
    assert {"mentions_negative_scaled", "mentions_positive_scaled", "mentions_neutral_scaled",
            "audience_negative_scaled", "reshares_negative_scaled", "response_time_median_min"} <= metrics
    reply = next(t for t in data["targets"] if t["metric"] == "response_time_median_min")
    assert reply["documented"] == pytest.approx(45.0)
    assert {f["key"] for f in data["free"]} == {
        "scenario.chatter.negative_per_hour", "scenario.chatter.neutral_per_hour",
        "scenario.chatter.positive_per_hour", "scenario.incidents.0.appeal"}
    text = out.read_text(encoding="utf-8")
    assert "# measured" in text and "# assumed" in text
    assert "python -m experiments.calibrate scenario=my_outage" in proc.stdout
    assert "python -m experiments.compare scenario=my_outage" in proc.stdout
    assert f"conf/scenario/my_outage.yaml" in proc.stdout  # where to copy it for the apps
    hourly = pd.read_csv(run_dir / "hourly.csv")
    assert hourly["negative"].sum() == 12 + 31 and len(hourly) == 12
    assert yaml.safe_load((run_dir / "config.yaml").read_text())["template"] == "united_sarver"
    assert not list(Path(tmp_path).glob("*.tmp")) and not list(run_dir.glob("*.tmp"))


def test_a_bad_file_in_a_real_process_exits_2_without_traceback(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(_good().replace("2024-03-04T05:10:00Z", "2024-03-04T25:10:00Z", 1), encoding="utf-8")
    out, run_dir = tmp_path / "s.yaml", tmp_path / "run"
    proc = _ingest(f"path={path}", f"out={out}", f"hydra.run.dir={run_dir}")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert "bad.csv, line 22, column 'timestamp'" in proc.stderr
    assert not out.exists() and not run_dir.exists()
