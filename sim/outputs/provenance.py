"""Provenance attached to every result: versions, git commit, seed, config hash."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

# Packages whose versions can change results or files: the engine, graph generators, Parquet.
PACKAGES = (
    "mesa",
    "numpy",
    "scipy",
    "numba",
    "pandas",
    "pyarrow",
    "networkx",
    "hydra-core",
    "omegaconf",
    "matplotlib",
)
_ROOT = Path(__file__).resolve().parents[2]


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a resolved config (first 16 hex digits)."""
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@cache
def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=_ROOT, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@cache  # installed versions do not change while a process runs
def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _in_own_repository() -> bool:
    """Whether the code runs from its own git checkout (not an install inside another repo)."""
    top = _git("rev-parse", "--show-toplevel")
    return top is not None and Path(top).resolve() == _ROOT


def provenance(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Where a result came from: enough to reproduce it.

    Args:
        config: the run's RunConfig as plain data (hashed).
        seed: the root seed.

    Returns:
        Package version, git commit and whether the checkout had uncommitted changes (None when
        not run from a git checkout), the seed and its SeedSequence entropy, the config hash, and
        the versions of Python and of the packages that can change results.
    """
    own = _in_own_repository()
    commit = _git("rev-parse", "HEAD") if own else None
    dirty = _git("status", "--porcelain", "--untracked-files=no") if own else None
    return {
        "package": "socialcare-sim",
        "package_version": _version("socialcare-sim") or "0.1.0",
        "git_commit": commit,
        "git_dirty": bool(dirty) if dirty is not None else None,
        "seed": int(seed),
        "seed_entropy": str(np.random.SeedSequence(int(seed)).entropy),
        "bit_generator": "PCG64",
        "config_hash": config_hash(config),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "packages": {p: _version(p) for p in PACKAGES},
    }
