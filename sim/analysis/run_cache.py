"""Finished runs kept for an interrupted study: the record of one run, its key, a folder cache.

A run's key is a hash of its full config and of what is collected from it (hourly columns, the
extract function's name), so a study that resumes finds exactly the runs it would make again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from sim.config.schema import RunConfig

# extract(run_config, result) -> name -> DataFrame (several rows) or mapping (one row), per run
Extract = Callable[[RunConfig, Any], Mapping[str, Any]]


@dataclass
class RunRecord:
    """What one run returned: its metrics (as `run` gave them), hourly series and extracts."""

    metrics: dict[str, Any]
    hourly: pd.DataFrame | None = None
    extras: dict[str, Any] = field(default_factory=dict)


class Cache(Protocol):
    """Where finished runs are kept (see `DirectoryCache`)."""

    def get(self, key: str) -> RunRecord | None:
        """The record stored under `key`, or None."""

    def put(self, key: str, record: RunRecord) -> None:
        """Store a record."""


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, for JSON."""
    return value.item() if hasattr(value, "item") else str(value)


class DirectoryCache:
    """One folder per finished run: metrics.json, hourly.parquet and one file per extract.

    A run's folder is written beside its final name and renamed onto it only when complete, so
    a killed study never leaves a run that looks finished. No pickles: the files are data.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def get(self, key: str) -> RunRecord | None:
        """The record stored under `key`, or None."""
        folder = self.path / key
        if not (folder / "metrics.json").is_file():
            return None
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        hourly = (
            pd.read_parquet(folder / "hourly.parquet")
            if (folder / "hourly.parquet").is_file()
            else None
        )
        extras: dict[str, Any] = {}
        for file in sorted(folder.glob("extra-*")):
            name = file.stem[len("extra-") :]
            extras[name] = (
                pd.read_parquet(file)
                if file.suffix == ".parquet"
                else json.loads(file.read_text(encoding="utf-8"))
            )
        return RunRecord(metrics=metrics, hourly=hourly, extras=extras)

    def put(self, key: str, record: RunRecord) -> None:
        """Store a record (atomically, as a whole folder)."""
        import shutil
        import tempfile

        self.path.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".partial", dir=self.path))
        try:
            (tmp / "metrics.json").write_text(
                json.dumps(record.metrics, default=_plain), encoding="utf-8"
            )
            if record.hourly is not None:
                record.hourly.to_parquet(tmp / "hourly.parquet", index=False)
            for name, value in record.extras.items():
                if isinstance(value, pd.DataFrame):
                    value.to_parquet(tmp / f"extra-{name}.parquet", index=False)
                else:
                    (tmp / f"extra-{name}.json").write_text(
                        json.dumps(dict(value), default=_plain), encoding="utf-8"
                    )
            os.replace(tmp, self.path / key)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _name(fn: Callable | None) -> str | None:
    """A name of a function that is the same in every process (a partial: with its arguments)."""
    if fn is None:
        return None
    if isinstance(fn, partial):
        return f"{_name(fn.func)}{fn.args!r}{sorted(fn.keywords.items())!r}"
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__name__)}"


def run_key(rc: RunConfig, hourly: Sequence[str] | None, extract: Extract | None) -> str:
    """Cache key of one run: its full config and what is collected from it."""
    what = {
        "config": rc.to_dict(),
        "hourly": list(hourly) if hourly is not None else None,
        "extract": _name(extract),
    }
    text = json.dumps(what, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
