"""Bad command lines and bad files: one paragraph naming the key or line, exit status 2.

Most cases go through `experiments.common.run_app` in-process (the exact code the entry points
run before Hydra starts) or through `experiments.run.execute` (what Hydra runs); a handful go
through real subprocesses to check the exit status, the absence of tracebacks and of output.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from experiments.common import run_app
from tests.conftest import ROOT, compose_config

SMALL = ["population.size=3000", "scenario.horizon_h=3", "progress=false", "figures=false"]


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    for name in ("HYDRA_FULL_ERROR", "SIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def _must_not_run() -> None:
    raise AssertionError("the app ran although its command line is invalid")


def refused(argv: list[str], config_name: str = "config") -> str:
    """Run the entry point's checks in-process; return the one-line message of exit status 2."""
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(_must_not_run, config_name=config_name, argv=argv)
    text = err.getvalue()
    assert info.value.code == 2, text
    assert text.startswith("error: ") and text.endswith("\n") and text.count("\n") == 1, text
    assert "Traceback" not in text
    return text


# (argv, substrings the message must contain)
HYDRA_AND_VALUE_ERRORS = [
    (["foo=1"], ["Unknown key 'foo'", "strategy", "experiments/schemas.py"]),
    (["+nonsense_key=3"], ["Unknown key 'nonsense_key'", "'+nonsense_key=3'", "progress"]),
    (["+strategy.stuff=3"], ["'strategy.stuff'", "Did you mean 'strategy.staff'"]),
    (["++seed2=3"], ["Unknown key 'seed2'", "seed"]),
    (["progress=maybe"], ["'progress'", "'maybe'", "true or false", "progress=true"]),
    (["figures=perhaps"], ["'figures'", "true or false"]),
    (["strategy.trige=influence"], ["'strategy.trige'", "Did you mean 'strategy.triage'"]),
    (["scenario.brand.folowers=3"], ["'scenario.brand.folowers'", "followers"]),
    (["hydra.foo=1"], ["'hydra.foo'"]),
    (["strategy.staff=[1,2"], ["Malformed override", "[1,2", "key=value"]),
    (["=3"], ["Invalid command line", "=3"]),
    (["strategy.staff=abc"], ["'strategy.staff'", "'abc'", "Integer"]),
    (["strategy.listening_recall=high"], ["'strategy.listening_recall'", "Float"]),
    (["strategy.bot=perhaps"], ["'strategy.bot'", "bool"]),
    (["strategy.staff=null"], ["'strategy.staff'"]),
    (["+strategy.staff=3"], ["'strategy.staff' already exists", "strategy.staff=VALUE"]),
    (["seed=1,2"], ["seed=1,2", "--multirun"]),
    (["hydra/launcher=nosuch"], ["hydra/launcher/nosuch", "joblib"]),
    (["strategy=nosuch"], ["strategy=nosuch", "fast_social_care", "ignore"]),
    (["scenario=nosuch"], ["scenario=nosuch", "united_sarver"]),
    (["network=nosuch"], ["network=nosuch", "heavy_tailed"]),
    (["strategy.staff=-1"], ["'strategy.staff'", "-1", "0 or more"]),
    (["strategy.triage=loudest"], ["'strategy.triage'", "fifo, influence"]),
    (["strategy.shift=mon-fri 9-5"], ["'strategy.shift'", "HH:MM"]),
    (["scenario.strategy=nosuch"], ["'scenario.strategy'", "fast_social_care"]),
    (["scenario.tick_min=7"], ["'scenario.tick_min'", "divides an hour"]),
    (["scenario.incidents.0.complainers=[nobody]"], ["complainers", "'nobody'", "ryan_sarver, bt"]),
    (["scenario.accounts.0.followers=5000000"], ["accounts[0].followers", "reference population"]),
    (["population.size=4"], ["'population.size'", "named accounts"]),
    (["population.size=5000000000"], ["'population.size'", "32-bit"]),
    (["population.size=400000000"], ["Not enough memory", "available", "lower population.size"]),
    (["network=edgelist"], ["'network.path'"]),
    (["network=edgelist", "network.path=no/such/file.txt"], ["'network.path'", "no file"]),
    (["network.kind=smallworld"], ["'network.kind'", "watts_strogatz"]),
    (["diffusion.attention=1.5"], ["'diffusion.attention'", "between 0 and 1"]),
    (["opinion.rate=-0.1"], ["'opinion.rate'", "0 or more"]),
    (["-m", "seed=1,2", "strategy.staff=2,-1"], ["'strategy.staff'", "-1"]),
    (["-m", "strategy=ignore,nosuch"], ["strategy=nosuch"]),
    (["-m", "population.size=range(3000,9000,3000)", "diffusion.attention=0.5,7"], ["'diffusion.attention'", "7"]),
]


@pytest.mark.parametrize(("argv", "needles"), HYDRA_AND_VALUE_ERRORS, ids=[" ".join(a) for a, _ in HYDRA_AND_VALUE_ERRORS])
def test_bad_command_line_is_refused_in_one_paragraph(argv, needles):
    flags = [a for a in argv if a.startswith("-")]  # Hydra wants flags before overrides
    text = refused(flags + SMALL + [a for a in argv if not a.startswith("-")])
    for needle in needles:
        assert needle in text, (needle, text)


def test_valid_command_lines_pass_the_checks():
    calls = []
    for argv in (SMALL, ["strategy=fast_social_care", "strategy.triage=influence", *SMALL],
                 ["diffusion.attention=0.5", "opinion.rate=0.1", *SMALL],
                 ["-m", "seed=1,2,3", "strategy=ignore,fast_social_care", *SMALL],
                 ["--cfg", "job", *SMALL], ["--help"]):
        run_app(lambda: calls.append(1), argv=argv)
    assert len(calls) == 6


APPS = ("config", "compare", "replay", "calibrate", "sensitivity", "robustness", "dose_response",
        "rank_robustness",
        "figures")


@pytest.mark.parametrize("config_name", APPS)
@pytest.mark.parametrize("override", ["+nonsense_key=3", "nonsense_key=3", "+seed.x=1"])
def test_every_app_refuses_unknown_top_level_keys(config_name, override):
    key = override.lstrip("+").split("=")[0].split(".")[0]
    text = refused([override], config_name)
    assert f"Unknown key '{key}'" in text or f"'{key}'" in text, text
    assert f"'{override}'" in text, text


# (config name, argv, substrings the message must contain): every app's top-level keys are typed
APP_TYPE_ERRORS = [
    ("compare", ["replicates=abc"], ["'replicates'", "'abc'", "whole number", "replicates=7"]),
    ("compare", ["progress=maybe"], ["'progress'", "true or false"]),
    ("compare", ["baseline=[a,b]"], ["'baseline'", "a string"]),
    ("compare", ["population.size=many"], ["'population.size'", "whole number"]),
    ("replay", ["figures=perhaps"], ["'figures'", "true or false"]),
    ("calibrate", ["apply=yes_please"], ["'apply'", "true or false"]),
    ("sensitivity", ["sobol.second_order=both"], ["'sobol.second_order'", "true or false"]),
    ("sensitivity", ["metrics=reach_negative"], ["'metrics'", "list"]),
    ("robustness", ["replicates=1.5"], ["'replicates'", "whole number"]),
    ("figures", ["animation.fps=x"], ["'animation.fps'", "'x'", "whole number", "animation.fps=4"]),
    ("figures", ["animation.hours=long"], ["'animation.hours'", "a number"]),
    ("config", ["resume=sometimes"], ["'resume'", "true or false"]),
]


@pytest.mark.parametrize(("config_name", "argv", "needles"), APP_TYPE_ERRORS,
                         ids=[f"{c} {' '.join(a)}" for c, a, _ in APP_TYPE_ERRORS])
def test_every_app_types_its_own_keys(config_name, argv, needles):
    text = refused(argv, config_name)
    for needle in needles:
        assert needle in text, (needle, text)


# (config name, argv, substrings the message must contain): the apps' own numeric settings
APP_SETTING_ERRORS = [
    ("replay", ["seed=abc"], ["'seed'", "'abc'", "whole number", "seed=1"]),
    ("replay", ["seed=3.5"], ["'seed'", "3.5", "whole number"]),
    ("replay", ["replicates=many"], ["'replicates'", "'many'", "whole number", "null"]),
    ("replay", ["size=big"], ["'size'", "'big'", "whole number"]),
    ("replay", ["n_jobs=all"], ["'n_jobs'", "'all'", "whole number"]),
    ("calibrate", ["seed=abc"], ["'seed'", "'abc'", "whole number"]),
    ("calibrate", ["maxiter=lots"], ["'maxiter'", "'lots'", "whole number"]),
    ("calibrate", ["stop_loss=low"], ["'stop_loss'", "'low'", "number"]),
    ("calibrate", ["max_evals=x"], ["'max_evals'", "'x'", "whole number"]),
    ("calibrate", ["sla.share=most"], ["'sla.share'", "'most'", "number"]),
    ("calibrate", ["sla.max_staff=ten"], ["'sla.max_staff'", "'ten'", "whole number"]),
    ("sensitivity", ["replicates=abc"], ["'replicates'", "'abc'", "whole number"]),
    ("sensitivity", ["morris.levels=x"], ["'morris.levels'", "'x'", "whole number"]),
    ("sensitivity", ["sample_seed=s"], ["'sample_seed'", "'s'", "whole number"]),
    ("robustness", ["samples=abc"], ["'samples'", "'abc'", "whole number"]),
    ("robustness", ["n_jobs=all"], ["'n_jobs'", "'all'", "whole number"]),
    ("rank_robustness", ["replicates=0"], ["'replicates'", "1 or more"]),
    ("rank_robustness", ["better=sideways"], ["'better'", "lower or higher"]),
]


@pytest.mark.parametrize(("config_name", "argv", "needles"), APP_SETTING_ERRORS,
                         ids=[f"{c} {' '.join(a)}" for c, a, _ in APP_SETTING_ERRORS])
def test_bad_app_setting_names_the_key_and_what_is_allowed(config_name, argv, needles):
    from experiments.calibrate import check_calibrate
    from experiments.rank_robustness import check_rank_robustness
    from experiments.replay import check_replay
    from experiments.robustness import check_robustness
    from experiments.sensitivity import check_sensitivity

    check = {"replay": check_replay, "calibrate": check_calibrate, "sensitivity": check_sensitivity,
             "robustness": check_robustness, "rank_robustness": check_rank_robustness}[config_name]
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(_must_not_run, config_name=config_name, check=check, argv=argv)
    text = err.getvalue()
    assert info.value.code == 2 and text.startswith("error: ") and text.count("\n") == 1, text
    assert "Traceback" not in text and "int()" not in text and "float()" not in text, text
    for needle in needles:
        assert needle in text, (needle, text)


# ----------------------------------------------------------------------------- bad edge lists


def _compose(overrides: list[str]):
    return compose_config("config", overrides)


def _write(path: Path, content: bytes | str) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _ring(n: int = 60) -> str:
    return "".join(f"{i} {(i + 1) % n}\n{i} {(i + 7) % n}\n" for i in range(n))


BAD_FILES = [
    ("onecol.txt", "1\n2\n3\n", ["onecol.txt, line 1", "at least 2"]),
    ("letters.txt", _ring() + "alice bob\n", ["letters.txt, line 121", "'alice' is not an integer"]),
    ("header.txt", "source target\n" + _ring(), ["header.txt, line 1", "no header"]),
    ("negative.txt", _ring() + "4 -7\n", ["negative.txt, line 121", "'-7' is negative"]),
    ("decimal.txt", "1 2.5\n", ["decimal.txt, line 1", "'2.5' is not an integer"]),
    ("huge.txt", _ring() + "1 99999999999999999999\n", ["huge.txt, line 121", "larger than 2**40"]),
    ("empty.txt", "", ["empty.txt", "empty"]),
    ("comments.txt", "# only comments\n% and more\n\n", ["comments.txt", "holds no edges"]),
    ("utf16.txt", _ring(10).encode("utf-16"), ["utf16.txt, line 1", "not valid UTF-8"]),
    ("latin1.txt", (_ring() + "3 4 caf\xe9\n").encode("latin-1"), ["latin1.txt, line 121", "0xe9"]),
    ("gzipped.txt", b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes(range(128, 200)), ["gzipped.txt", "compressed"]),
    ("too_small.txt", "1 2\n2 3\n", ["too_small.txt", "holds 3 account(s)", "needs at least 5"]),
    ("loops_only.txt", "1 1\n2 2\n3 3\n", ["loops_only.txt", "3 self-loop"]),
    ("columns.csv", "from,to\nx,y\n", ["columns.csv, line 2", "'x' is not an integer"]),
    ("short.csv", "source\n1\n", ["short.csv", "fewer than two columns"]),
    ("edges.xlsx", "1 2\n", ["edges.xlsx", "format"]),
]


REFUSED_BEFORE_THE_RUN = ("empty.txt", "utf16.txt", "latin1.txt", "gzipped.txt")


@pytest.mark.parametrize(("name", "content", "needles"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_edge_list_is_refused_with_file_and_line(tmp_path, name, content, needles):
    from experiments.run import execute

    path = _write(tmp_path / name, content)
    out = tmp_path / "run"
    cfg = _compose(["network=edgelist", f"network.path={path}", f"output_dir={out}", *SMALL])
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        execute(cfg)
    text = err.getvalue()
    assert info.value.code == 2 and text.startswith("error: ") and text.count("\n") == 1, text
    for needle in needles:
        assert needle in text, (needle, text)
    if name in REFUSED_BEFORE_THE_RUN:  # the config checks read the file's head
        assert not out.exists()
    else:  # found while the run loads the network: the run directory says why it stopped
        assert (out / "INCOMPLETE").is_file() and name in (out / "INCOMPLETE").read_text()
    assert not (out / "metrics.json").exists()


def test_bad_parquet_edge_lists(tmp_path):
    from experiments.run import execute

    cases = [
        ("floats.parquet", pa.table({"source": [1.0, 2.0], "target": [2.0, 3.0]}), "not an integer type"),
        ("nulls.parquet", pa.table({"source": pa.array([1, None, 3]), "target": [2, 3, 4]}), "missing value"),
        ("negative.parquet", pa.table({"source": [1, -2], "target": [2, 3]}), "negative"),
        ("strings.parquet", pa.table({"a": ["x"], "b": ["y"]}), "fewer than two integer columns"),
    ]
    for name, table, needle in cases:
        path = tmp_path / name
        pq.write_table(table, path)
        cfg = _compose(["network=edgelist", f"network.path={path}", f"output_dir={tmp_path / name}.out", *SMALL])
        err = io.StringIO()
        with redirect_stderr(err), pytest.raises(SystemExit) as info:
            execute(cfg)
        assert info.value.code == 2 and needle in err.getvalue() and name in err.getvalue(), err.getvalue()
    garbage = _write(tmp_path / "garbage.parquet", b"PAR1 not really")
    cfg = _compose(["network=edgelist", f"network.path={garbage}", f"output_dir={tmp_path / 'g'}", *SMALL])
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        execute(cfg)
    assert info.value.code == 2 and "could not be read as Parquet" in err.getvalue()


def test_duplicates_and_self_loops_are_dropped_and_reported(tmp_path):
    from experiments.run import execute

    lines = _ring() + "5 5\n9 9\n9 9\n" + "0 1\n0 1\n3 10\n"
    path = _write(tmp_path / "messy.txt", lines)
    out = tmp_path / "run"
    cfg = _compose(["network=edgelist", f"network.path={path}", f"output_dir={out}", *SMALL])
    stdout = io.StringIO()
    with redirect_stdout(stdout):
        execute(cfg)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["edgelist_records"] == 126
    assert metrics["edgelist_self_loops_dropped"] == 3
    assert metrics["edgelist_duplicates_dropped"] == 3  # "0 1" twice and "3 10" (all in the ring)
    assert metrics["network_nodes"] == 60
    assert "dropped 3 self-loop(s) and 3 duplicate edge(s) of 126 lines" in stdout.getvalue()
    assert not (out / "INCOMPLETE").exists()


# ----------------------------------------------------------------------------- real processes


def _cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "experiments.run", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "HYDRA_FULL_ERROR": "", "SIM_DEBUG": "", **(env or {})})


def test_real_processes_exit_2_without_traceback_or_output(tmp_path):
    bad_edges = _write(tmp_path / "bad.txt", _ring() + "12 x\n")
    cases = [  # (arguments, text the error must hold, whether the run started, debug)
        (["foo=1"], "Unknown key 'foo'", False, False),
        (["+nonsense_key=3"], "Unknown key 'nonsense_key'", False, False),
        (["-m", "seed=1,2", "strategy.listening_recall=0.5,1.5"], "'strategy.listening_recall'", False, False),
        (["network=edgelist", f"network.path={bad_edges}"], "bad.txt, line 121", True, False),
        (["--debug", "strategy.staff=-1"], "ConfigError", False, True),
    ]
    procs = []
    for i, (args, *_) in enumerate(cases):
        out = tmp_path / f"out{i}"
        flags = [a for a in args if a.startswith("-")]
        rest = [a for a in args if not a.startswith("-")]
        procs.append((out, _cli([*flags, *SMALL, *rest, f"hydra.run.dir={out}", f"hydra.sweep.dir={out}"])))
        if i % 2 == 1:  # two at a time on two cores
            procs[-2][1].wait(timeout=300)
    for (out, proc), (args, needle, started, debug) in zip(procs, cases):
        _, stderr = proc.communicate(timeout=300)
        assert needle in stderr, (args, stderr)
        if debug:  # --debug shows the traceback instead of the one-paragraph message
            assert proc.returncode != 0 and "Traceback" in stderr
            continue
        assert proc.returncode == 2, (args, stderr)
        assert stderr.startswith("error: ") and stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
        if started:  # the run had begun: its directory says INCOMPLETE, and why
            assert (out / "INCOMPLETE").exists() and not (out / "metrics.json").exists()
            assert "bad.txt" in (out / "INCOMPLETE").read_text()
        else:  # refused before Hydra created anything
            assert not out.exists(), list(out.rglob("*"))
