"""Rewrite the stored regression baseline: `python -m tests.regression.refresh`.

Run it only when a change is meant to move results (say so in the commit message); a refactor
must leave `tests/regression/test_baseline.py` green without it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from tests.regression.cases import BASELINE_FILE, CASES, case_id, case_metrics


def main() -> int:
    """Compute every case and write baseline.json atomically."""
    out = Path(__file__).resolve().parent / BASELINE_FILE
    data = {}
    for case in CASES:
        data[case_id(case)] = case_metrics(case)
        print(f"{case_id(case)}: reach_negative={data[case_id(case)].get('reach_negative')}", flush=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, out)
    print(f"wrote {out.name} ({len(data)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
