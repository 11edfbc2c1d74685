"""Atomic result writing: temp file + rename, and an INCOMPLETE marker while a run writes.

Every file is written to a temporary name beside its target, flushed to disk and renamed onto the
target, so a reader sees the old file or the new one, never a half-written one. A run directory
carries an INCOMPLETE marker from the start of a run until its last file is in place.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

INCOMPLETE = "INCOMPLETE"
COMPLETION_FILE = "metrics.json"  # written last by save_result
TEMP_SUFFIX = ".tmp"
_UMASK = os.umask(0o022)
os.umask(_UMASK)
RESULT_FILES = ("config.yaml", "timeseries.csv", "events.parquet", "metrics.json")


def _clean(obj: Any) -> Any:
    """Make floats JSON-safe: NaN and infinities become null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def _flush(tmp: str) -> None:
    """Put a written temporary file on disk (a full disk often shows only here)."""
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.

    An OSError of the write (a full disk, a read-only folder) leaves `path` as it was, removes
    the temporary file and names `path` in the error (`filename`) if the error names no file.
    """
    path = Path(path)
    tmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        os.close(fd)
        yield Path(tmp)
        _flush(tmp)  # on disk before the rename makes it visible
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes owner-only files
        os.replace(tmp, path)
    except OSError as exc:
        if exc.filename is None or str(exc.filename) == tmp:
            exc.filename = str(path)
        raise
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write JSON atomically (sorted keys, NaN as null)."""
    write_text(path, json.dumps(_clean(data), indent=2, sort_keys=True) + "\n")


def write_yaml(path: str | os.PathLike, data: Any) -> None:
    """Write YAML atomically."""
    write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def write_csv(path: str | os.PathLike, df: pd.DataFrame) -> None:
    """Write a CSV atomically."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)


def write_parquet(path: str | os.PathLike, df: pd.DataFrame) -> None:
    """Write a Parquet file atomically."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


_HELD: dict[Path, int] = {}  # run directories this process is writing (nested markers)


@contextmanager
def incomplete_marker(outdir: str | os.PathLike) -> Iterator[Path]:
    """Mark `outdir` INCOMPLETE while the block runs; remove the mark only when it succeeds.

    Nested uses for the same directory share one marker, removed by the outermost block. A run
    killed at any point therefore leaves the marker behind (or, if it never started writing, no
    result files at all). Entering also removes a metrics.json left by an earlier run in the same
    directory, so that old and new files are never mixed under a file that looks complete.
    """
    outdir = Path(outdir)
    key = outdir.resolve()
    marker = outdir / INCOMPLETE
    if _HELD.get(key, 0) == 0:
        outdir.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(outdir)
        write_text(marker, "This run did not finish; its files must not be used.\n")
        (outdir / COMPLETION_FILE).unlink(missing_ok=True)
    _HELD[key] = _HELD.get(key, 0) + 1
    try:
        yield outdir
        ok = True
    except BaseException:
        ok = False
        raise
    finally:
        _HELD[key] -= 1
        if _HELD[key] == 0:
            del _HELD[key]
            if ok:
                marker.unlink(missing_ok=True)


def remove_stale_temps(outdir: str | os.PathLike) -> int:
    """Delete temporary files a killed writer left in `outdir` and its figures/; count them."""
    removed = 0
    folders = (Path(outdir), Path(outdir) / "figures")
    for tmp in (t for folder in folders for t in folder.glob(f".*{TEMP_SUFFIX}")):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def is_complete(outdir: str | os.PathLike, files: tuple[str, ...] = RESULT_FILES) -> bool:
    """Whether `outdir` holds finished results: no INCOMPLETE marker and every file present."""
    outdir = Path(outdir)
    return not (outdir / INCOMPLETE).exists() and all((outdir / f).is_file() for f in files)


def save_result(result, outdir: str | os.PathLike) -> Path:
    """Write the files of the interface contract; metrics.json goes last (it marks completion)."""
    outdir = Path(outdir)
    with incomplete_marker(outdir):
        write_yaml(outdir / "config.yaml", result.config)
        write_csv(outdir / "timeseries.csv", result.timeseries)
        write_parquet(outdir / "events.parquet", result.events)
        write_json(outdir / "metrics.json", {**result.metrics, "provenance": result.provenance})
    return outdir
