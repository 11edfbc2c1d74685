"""A journal of finished evaluations: one JSON file per candidate, reused after a kill.

A long search (the point calibration, an optimiser) evaluates candidates one after another. With a
journal every finished evaluation is written to its own file (atomically: a temporary name, then
a rename), named by a hash of the search's context (run configs, seeds, targets: whatever makes an
evaluation's result) and of the candidate's values. A search started again with the same context
finds each finished candidate there; a candidate whose file is absent (it was running at the kill)
runs again. A different context never reads another one's files.

    journal = Journal(directory, context)
    found = journal.get(values)      # the stored record (a dict) or None
    journal.put(values, record)      # record: JSON-able data
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.outputs.io import write_json


class Journal:
    """Finished evaluations of one search context, one file each."""

    def __init__(self, directory: str | Path, context: Any):
        self.directory = Path(directory)
        self._context = json.dumps(context, sort_keys=True, default=str)

    def path(self, values: Mapping[str, Any]) -> Path:
        """The file of a candidate."""
        text = self._context + json.dumps(sorted(values.items()), default=str)
        return self.directory / f"{hashlib.sha256(text.encode()).hexdigest()[:20]}.json"

    def get(self, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The record of a finished candidate, or None."""
        file = self.path(values)
        if not file.is_file():
            return None
        return dict(json.loads(file.read_text()))

    def put(self, values: Mapping[str, Any], record: Mapping[str, Any]) -> None:
        """Keep a finished candidate's record (atomically)."""
        write_json(self.path(values), {"values": dict(values), **dict(record)})

    def __len__(self) -> int:
        return sum(1 for _ in self.directory.glob("*.json")) if self.directory.is_dir() else 0
