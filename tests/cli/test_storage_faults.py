"""A full disk or a read-only output folder: exit status 2, the folder and what to do, no result
that looks finished.

Read-only folder and full disk before anything is written: a real read-only tmpfs and a real
1 MiB tmpfs filled to the last byte, mounted for the test when `mount` works (root with the
capability, as on the development machine); elsewhere the same cases run by fault injection
(the write check's temporary file cannot be created: EROFS / ENOSPC). A disk that fills up
mid-run: fault injection at the atomic writer (`sim.outputs.io._flush` raises ENOSPC at the
k-th file), in-process.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import tempfile
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from experiments.common import run_app
from sim.outputs import io as sim_io
from tests.conftest import compose_config

APPS = ["run", "compare", "replay", "figures", "dose_response", "sensitivity", "robustness",
        "rank_robustness", "calibrate"]


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    for name in ("HYDRA_FULL_ERROR", "SIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def _mount(path: Path, options: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


def _unmount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True)


@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """A read-only folder: a real read-only tmpfs, else injected EROFS."""
    folder = tmp_path / "ro"
    if _mount(folder, "ro,size=64k"):
        yield folder
        _unmount(folder)
        return
    folder.mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", _raises(errno.EROFS))
    yield folder


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """A full disk: a real 1 MiB tmpfs filled to the last byte, else injected ENOSPC."""
    folder = tmp_path / "full"
    if _mount(folder, "size=1m"):
        with open(folder / "filler", "wb", buffering=0) as fh, pytest.raises(OSError):
            while True:
                fh.write(b"\0" * 4096)
        yield folder
        _unmount(folder)
        return
    folder.mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", _raises(errno.ENOSPC))
    yield folder


def _raises(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


def refused(app: str, argv: list[str]) -> str:
    from importlib import import_module

    check = getattr(import_module(f"experiments.{app}"), f"check_{app}", None)
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_app(lambda: pytest.fail("the app ran"), config_name="config" if app == "run" else app,
                argv=argv, **({"check": check} if check else {}))
    text = err.getvalue()
    assert info.value.code == 2, text
    assert text.startswith("error: ") and text.count("\n") == 1 and "Traceback" not in text, text
    return text


@pytest.mark.parametrize("app", APPS)
def test_a_read_only_folder_is_refused_before_anything_is_written(read_only, app):
    target = read_only / "results" / app
    text = refused(app, [f"hydra.run.dir={target}"])
    assert str(target) in text and "read-only" in text and "hydra.run.dir=PATH" in text
    assert not target.exists()


def test_a_multirun_into_a_read_only_folder_is_refused(read_only):
    target = read_only / "sweep"
    text = refused("run", ["-m", "seed=1,2", f"hydra.sweep.dir={target}"])
    assert str(target) in text and "hydra.sweep.dir=PATH" in text and not target.exists()


@pytest.mark.parametrize("app", ["run", "sensitivity"])
def test_a_full_disk_is_refused_before_anything_is_written(full_disk, app):
    target = full_disk / "run"
    text = refused(app, [f"hydra.run.dir={target}"])
    assert str(target) in text and "disk is full" in text and "Free space there" in text
    assert not target.exists()


def _disk_fills_at(monkeypatch, k: int) -> list[str]:
    """From the k-th file on (0: the first), writing a file fails with ENOSPC."""
    written: list[str] = []
    flush = sim_io._flush

    def flush_or_fail(tmp: str) -> None:
        if len(written) >= k:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(tmp)
        flush(tmp)

    monkeypatch.setattr(sim_io, "_flush", flush_or_fail)
    return written


@pytest.mark.parametrize("k", [0, 1, 3])  # the marker, config.yaml, metrics.json
def test_a_disk_that_fills_up_during_a_run_leaves_nothing_that_looks_finished(
        tmp_path, monkeypatch, capsys, k):
    from experiments.run import execute

    _disk_fills_at(monkeypatch, k)
    with pytest.raises(SystemExit) as info:
        execute(compose_config("config", ["population.size=2000", "scenario.horizon_h=6",
                                          "progress=false", "figures=false",
                                          f"output_dir={tmp_path}"]))
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.startswith("error: Cannot write the results in")
    assert str(tmp_path) in err and "disk is full" in err and "hydra.run.dir=PATH" in err
    assert not (tmp_path / "metrics.json").exists() and not sim_io.is_complete(tmp_path)
    assert not list(tmp_path.glob(f".*{sim_io.TEMP_SUFFIX}"))  # no temporary file left
    if k > 0:  # the marker was written: it stays, and says why the run stopped
        assert "disk is full" in (tmp_path / sim_io.INCOMPLETE).read_text()


def test_a_study_stopped_by_a_full_disk_resumes_once_there_is_space(tmp_path, monkeypatch,
                                                                    capsys):
    from experiments.sensitivity import execute

    overrides = ["population.size=1000", "scenario.horizon_h=6", "n_jobs=1", "progress=false",
                 "figures=false", "method=sobol", "sobol.n=2", "replicates=1",
                 "metrics=[sentiment_mean_final]", f"output_dir={tmp_path}",
                 "sensitivity.parameters=[{key:'diffusion.reshare_base',low:0.003,high:0.012},"
                 "{key:'opinion.rate',low:0.02,high:0.1}]"]
    real_flush = sim_io._flush
    written = _disk_fills_at(monkeypatch, 4)  # the marker and three evaluations
    with pytest.raises(SystemExit) as info:
        execute(compose_config("sensitivity", overrides))
    assert info.value.code == 2 and f"{tmp_path} (evaluations/" in capsys.readouterr().err
    assert len(written) == 4 and not (tmp_path / "sobol.csv").exists()
    assert (tmp_path / sim_io.INCOMPLETE).exists()
    monkeypatch.setattr(sim_io, "_flush", real_flush)  # space again
    execute(compose_config("sensitivity", overrides))
    assert "evaluations: 3 of 8 reused" in capsys.readouterr().out
    assert sim_io.is_complete(tmp_path, ("sobol.csv", "runs.csv"))



def test_the_storage_module_names_the_marker_and_temporary_files_as_io_does():
    from experiments import storage

    assert (storage.INCOMPLETE, storage.TEMP_SUFFIX) == (sim_io.INCOMPLETE, sim_io.TEMP_SUFFIX)
