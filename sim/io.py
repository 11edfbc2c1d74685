"""Atomic result writing: temp file + rename, and an INCOMPLETE marker while a run writes."""

from __future__ import annotations

import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import yaml

INCOMPLETE = "INCOMPLETE"


def _clean(obj: Any) -> Any:
    """Make floats JSON-safe: NaN and infinities become null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
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


@contextmanager
def incomplete_marker(outdir: str | os.PathLike) -> Iterator[Path]:
    """Mark `outdir` INCOMPLETE while the block runs; remove the mark when it succeeds."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    marker = outdir / INCOMPLETE
    marker.write_text("This run did not finish; its files must not be used.\n", encoding="utf-8")
    yield outdir
    marker.unlink(missing_ok=True)


def save_result(result, outdir: str | os.PathLike) -> Path:
    """Write the files of the interface contract; metrics.json goes last (it marks completion)."""
    outdir = Path(outdir)
    with incomplete_marker(outdir):
        write_yaml(outdir / "config.yaml", result.config)
        write_csv(outdir / "timeseries.csv", result.timeseries)
        write_parquet(outdir / "events.parquet", result.events)
        write_json(outdir / "metrics.json", {**result.metrics, "provenance": result.provenance})
    return outdir
