"""A store of finished evaluations, so that a killed study resumes where it stopped.

One small JSON file per evaluation in a folder (by convention `<run dir>/evaluations/`), named
by a hash of what was evaluated. Each file is written to a temporary name, flushed and renamed
(`sim.outputs.io.write_text`), so a kill leaves whole files or none; a damaged file counts as
missing and is evaluated again. A rerun with the same config finds the same keys and reuses the
values; a changed config hashes to other keys, so nothing stale is served.

API (for any study that evaluates points one by one: sensitivity, robustness, calibration, an
optimiser):

    store = EvalStore(outdir / "evaluations")
    key = store.key({"config": point_config, "seed": seed, "what": "reach_negative"})
    value = store.get(key)            # None: not evaluated yet
    if value is None:
        value = expensive(point_config, seed)
        store.put(key, value)         # anything JSON holds (NaN, infinities; key order kept)
    store.hits, store.stored          # counts of this process, for the log line `summary()`

`RunStore` is an `EvalStore` that is also a `sim.analysis.run_cache.Cache`: pass it as
`evaluate(..., cache=RunStore(folder))` and every finished run (its metrics, kept hourly series
and extracts) is stored as it finishes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.run_cache import RunRecord
from sim.outputs.io import TEMP_SUFFIX, write_text

FOLDER = "evaluations"  # the store's folder inside a run directory


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as Python values, anything else as its text."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return value.item() if hasattr(value, "item") else str(value)


def canonical(what: Any) -> str:
    """The canonical JSON text of a key's content (sorted keys, no spaces)."""
    return json.dumps(what, sort_keys=True, default=_plain, separators=(",", ":"))


class EvalStore:
    """Finished evaluations in a folder: one `<key>.json` file each, written atomically.

    Args:
        folder: where the files go (created on the first `put`); temporary files a killed
            writer left there are removed.
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.hits = 0  # values this process found in the store
        self.stored = 0  # values this process added
        if self.folder.is_dir():
            for tmp in self.folder.glob(f".*{TEMP_SUFFIX}"):
                tmp.unlink(missing_ok=True)

    @staticmethod
    def key(what: Any) -> str:
        """The key of an evaluation: a hash of everything that determines its value."""
        return hashlib.sha256(canonical(what).encode("utf-8")).hexdigest()[:32]

    def _file(self, key: str) -> Path:
        if not key or any(c in key for c in "/\\.") or key != key.strip():
            raise ValueError(f"not a store key: {key!r} (use EvalStore.key)")
        return self.folder / f"{key}.json"

    def get(self, key: str) -> Any:
        """The value stored under `key`, or None (also for a damaged file)."""
        file = self._file(key)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or "value" not in data:
            return None
        self.hits += 1
        return data["value"]

    def put(self, key: str, value: Any) -> None:
        """Store a value (atomically: temp file, fsync, rename)."""
        text = json.dumps({"value": value}, default=_plain, separators=(",", ":"))  # keeps order
        write_text(self._file(key), text + "\n")
        self.stored += 1

    def __contains__(self, key: str) -> bool:
        return self._file(key).is_file()

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob("*.json")) if self.folder.is_dir() else 0

    def summary(self, total: int) -> str:
        """One log line: how many of `total` evaluations were reused and how many were new."""
        return (
            f"evaluations: {self.hits} of {total} reused from {self.folder}, "
            f"{self.stored} new stored there"
        )


def _frame_to_json(df: pd.DataFrame) -> dict[str, Any]:
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": [str(t) for t in df.dtypes],
        "values": [df[c].tolist() for c in df.columns],
    }


def _frame_from_json(data: dict[str, Any]) -> pd.DataFrame:
    df = pd.DataFrame(dict(zip(data["columns"], data["values"])), columns=data["columns"])
    return df.astype(dict(zip(data["columns"], data["dtypes"])))


class RunStore(EvalStore):
    """An EvalStore of runs (`RunRecord`): usable as `evaluate(..., cache=RunStore(folder))`.

    Keys come from the evaluator (`sim.analysis.run_cache.run_key`: a hash of the full run
    config, its seed included, and of what is collected from it). Tables (the hourly series and
    table extracts) are kept column by column with their dtypes.
    """

    def get(self, key: str) -> RunRecord | None:
        """The record stored under `key`, or None."""
        data = super().get(key)
        if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
            return None
        hourly = _frame_from_json(data["hourly"]) if data.get("hourly") else None
        extras = {
            name: _frame_from_json(v["table"]) if "table" in v else v["row"]
            for name, v in data.get("extras", {}).items()
        }
        return RunRecord(metrics=data["metrics"], hourly=hourly, extras=extras)

    def put(self, key: str, record: RunRecord) -> None:
        """Store a record (atomically)."""
        extras = {
            name: {"table": _frame_to_json(v)} if isinstance(v, pd.DataFrame) else {"row": dict(v)}
            for name, v in record.extras.items()
        }
        super().put(
            key,
            {
                "metrics": record.metrics,
                "hourly": _frame_to_json(record.hourly) if record.hourly is not None else None,
                "extras": extras,
            },
        )
