"""Every file a user gives is checked like a command-line value: file, line or key, exit 2.

Table-driven over malformed files and files of the wrong kind, for every entry point that reads
files: strategy files given by path (`strategies=[path]`: compare, robustness, rank_robustness),
sensitivity sets and other presets found through `hydra.searchpath` (sensitivity, robustness),
and edge lists (`network=edgelist network.path=...`: run, dose_response, figures). Most go
through `experiments.common.run_app` in-process (what the command line runs before Hydra
starts); one real process checks the exit status and that no traceback is printed.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from experiments.common import run_app
from sim.config.user_files import load_section_file, load_user_yaml
from sim.errors import UserFileError
from tests.conftest import ROOT

BINARY = bytes(range(256)) * 4
FILES = {  # name -> content (None: nothing there; "dir": a directory)
    "syntax.yaml": "name: mine\nstaff: [1,\nreply_mode: fast\n",
    "tabs.yaml": "name: mine\n\tstaff: 2\n",
    "list.yaml": "- ignore\n- fast_social_care\n",
    "scalar.yaml": "just some words\n",
    "unknown.yaml": "name: mine\nstaff: 2\nstafff: 3\n",
    "badvalue.yaml": "name: mine\nstaff: many\n",
    "binary.yaml": BINARY,
    "latin1.yaml": "name: caf\xe9\n".encode("latin-1"),
    "empty.yaml": "",
    "comments.yaml": "# nothing here\n",
    "folder.yaml": "dir",
    "missing.yaml": None,
}
# file -> what the message must say (besides the file's name)
STRATEGY_CASES = {
    "syntax.yaml": ["line 4", "YAML syntax error", "flow sequence that starts on line 2"],
    "tabs.yaml": ["line 2", "YAML syntax error"],
    "list.yaml": ["holds a list", "mapping"],
    "scalar.yaml": ["single str", "mapping"],
    "unknown.yaml": ["line 3", "unknown key 'stafff'", "Did you mean 'staff'"],
    "badvalue.yaml": ["line 2", "key 'staff'", "'many'"],
    "binary.yaml": ["binary file"],
    "latin1.yaml": ["line 1", "not UTF-8"],
    "empty.yaml": ["empty"],
    "comments.yaml": ["empty"],
    "folder.yaml": ["directory"],
    "missing.yaml": ["no file is at that path"],
}


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    for name in ("HYDRA_FULL_ERROR", "SIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def files(tmp_path) -> Path:
    for name, content in FILES.items():
        path = tmp_path / name
        if content == "dir":
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def _must_not_run() -> None:
    raise AssertionError("the app ran although a file it reads is bad")


def refused(app: str, argv: list[str]) -> str:
    """The one-line message (exit status 2) of an app's checks, run in-process."""
    from importlib import import_module

    module = import_module(f"experiments.{app}")
    check = getattr(module, f"check_{app}", None)
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(_must_not_run, config_name="config" if app == "run" else app, argv=argv,
                **({"check": check} if check else {}))
    text = err.getvalue()
    assert info.value.code == 2, text
    assert text.startswith("error: ") and text.count("\n") == 1 and "Traceback" not in text, text
    return text


@pytest.mark.parametrize("name", list(STRATEGY_CASES))
def test_the_loader_names_the_file_the_line_and_what_is_wrong(files, name):
    with pytest.raises(UserFileError) as info:
        load_section_file(files / name, "strategy")
    text = str(info.value)
    assert str(files / name) in text
    for needle in STRATEGY_CASES[name]:
        assert needle in text, text
    assert load_user_yaml(files / "comments.yaml", "x", allow_empty=True) == {}
    assert str(pickle.loads(pickle.dumps(info.value))) == text  # as worker processes report it


# (app, file, extra overrides, needles): the whole table for compare, a sample for the others
STRATEGY_APPS = [("compare", name, ["replicates=2"]) for name in STRATEGY_CASES] + [
    ("robustness", "syntax.yaml", []),
    ("robustness", "unknown.yaml", []),
    ("robustness", "binary.yaml", []),
    ("rank_robustness", "list.yaml", []),
    ("rank_robustness", "badvalue.yaml", []),
]


@pytest.mark.parametrize(("app", "name", "extra"), STRATEGY_APPS)
def test_strategy_files_given_by_path(files, app, name, extra):
    text = refused(app, [f"strategies=[ignore,{files / name}]", *extra])
    assert str(files / name) in text and "strategy file" in text
    for needle in STRATEGY_CASES[name]:
        assert needle in text, text


@pytest.mark.parametrize(("app", "group", "content", "needles"), [
    ("sensitivity", "sensitivity", "parameters:\n  - {key: opinion.rate, low: 0.1\n",
     ["line 3", "YAML syntax"]),
    ("sensitivity", "sensitivity", "- {key: opinion.rate, low: 0.1, high: 0.2}\n",
     ["holds a list"]),
    ("robustness", "sensitivity", BINARY, ["binary file"]),
    ("run", "scenario", "name: mine\nhorizn_h: 3\n", ["line 2", "unknown key 'horizn_h'",
                                                       "Did you mean 'horizon_h'"]),
    ("run", "strategy", "name: mine\n\tstaff: 2\n", ["line 2", "YAML syntax"]),
    ("compare", "network", "- kind\n", ["holds a list"]),
])
def test_presets_found_on_the_search_path(tmp_path, app, group, content, needles):
    folder = tmp_path / "conf" / group
    folder.mkdir(parents=True)
    file = folder / "mine.yaml"
    file.write_bytes(content) if isinstance(content, bytes) else file.write_text(content)
    text = refused(app, [f"{group}=mine", f"hydra.searchpath=[file://{tmp_path / 'conf'}]"])
    assert str(file) in text and f"{group} preset file" in text
    for needle in needles:
        assert needle in text, text


def test_a_good_preset_on_the_search_path_is_accepted(tmp_path):
    (tmp_path / "strategy").mkdir()
    (tmp_path / "strategy" / "mine.yaml").write_text("name: mine\nstaff: 3\nreply_mode: canned\n")
    ran = []
    run_app(lambda: ran.append(1), argv=["strategy=mine", f"hydra.searchpath=[file://{tmp_path}]",
                                         f"hydra.run.dir={tmp_path / 'out'}"])
    assert ran == [1]


def test_a_file_edited_in_place_is_checked_first(files):
    from experiments.yaml_edit import update_file

    before = (files / "syntax.yaml").read_bytes()
    with pytest.raises(UserFileError, match="line 4"):
        update_file(files / "syntax.yaml", {"staff": 3})
    assert (files / "syntax.yaml").read_bytes() == before


@pytest.mark.parametrize(("app", "name", "content", "needles"), [
    ("run", "missing.txt", None, ["no file is at that path"]),
    ("run", "folder.txt", "dir", ["directory"]),
    ("run", "binary.txt", BINARY, ["line 1", "binary or compressed"]),
    ("dose_response", "empty.txt", "", ["empty"]),
    ("figures", "data.txt", b"\x1f\x8b\x08\x00compressed", ["binary or compressed"]),
])
def test_edge_lists(tmp_path, app, name, content, needles):
    """Refused before anything runs; a bad line deep in a big file: tests/cli/test_cli_errors.py."""
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    text = refused(app, ["network=edgelist", f"network.path={path}", "population.size=3000"])
    assert name in text
    for needle in needles:
        assert needle in text, text


def test_a_real_process_refuses_a_malformed_strategy_file_without_traceback(files, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.compare", f"strategies=[ignore,{files / 'syntax.yaml'}]",
         f"hydra.run.dir={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HYDRA_FULL_ERROR": "", "SIM_DEBUG": ""})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: The strategy file") and "Traceback" not in proc.stderr
    assert "syntax.yaml, line 4" in proc.stderr and not out.exists()
