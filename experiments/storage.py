"""A full disk or a folder that cannot be written: how to tell, what to say, a check beforehand.

`experiments.common.user_errors` reports such an error met while writing with `storage_message`
(exit status 2); `experiments.common.run_app` calls `writable_problem` on the folder a command
will write into before Hydra creates anything there (`folder_of` tells which folder).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

INCOMPLETE = "INCOMPLETE"  # sim.outputs.io's marker (not imported here: it loads pandas)
TEMP_SUFFIX = ".tmp"  # sim.outputs.io's temporary files, removed by the next run
# errors of writing that the user can fix: a full disk or quota, a read-only or forbidden folder
STORAGE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def is_storage_error(exc: BaseException) -> bool:
    """Whether an error is a full disk or a folder that cannot be written."""
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


def storage_message(exc: OSError, outdir: str | os.PathLike | None = None) -> str:
    """The message for a full disk or a read-only folder: the folder and what to do."""
    file = Path(exc.filename) if exc.filename else None
    folder = Path(outdir) if outdir is not None else (file.parent if file else Path("."))
    if file is not None and outdir is not None and not file.is_relative_to(folder):
        folder = file.parent
    what = ""
    if file is not None and file != folder:
        what = f" ({file.relative_to(folder) if file.is_relative_to(folder) else file.name})"
    if exc.errno in FULL_ERRNOS:
        problem = "the disk is full (or the quota is used up)"
        todo = "Free space there, or write elsewhere"
    else:
        problem = "the folder is read-only or not writable"
        todo = "Make it writable, or write elsewhere"
    marked = (Path(outdir) / INCOMPLETE).exists() if outdir is not None else False
    left = (
        f" What was written there is marked unfinished ({INCOMPLETE}); do not use it."
        if marked
        else ""
    )
    return (
        f"Cannot write the results in {folder}{what}: {problem} ({exc.strerror}). "
        f"{todo}: choose another folder with hydra.run.dir=PATH (a multirun: "
        f"hydra.sweep.dir=PATH), then run the command again.{left}"
    )


PROBE_BYTES = 1 << 16  # written (and removed) to see that the output folder takes data


def writable_problem(folder: str | os.PathLike) -> str | None:
    """The message if a folder cannot take results (a full disk, a read-only folder), else None.

    Writes a small temporary file into `folder` (or, if it does not exist yet, the nearest
    folder above it that does), puts it on disk and removes it; nothing else is created.
    """
    folder = Path(folder)
    existing = folder.absolute()
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return (
            f"Cannot write the results in {folder}: {existing} is a file, not a folder. Choose "
            "another folder with hydra.run.dir=PATH (a multirun: hydra.sweep.dir=PATH)."
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=".write-check.", suffix=TEMP_SUFFIX, dir=existing)
        try:
            written = os.write(fd, b"\0" * PROBE_BYTES)
            if written < PROBE_BYTES:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(tmp)
    except OSError as exc:
        if not is_storage_error(exc):
            return None  # not for this check to judge; the run reports it where it happens
        exc.filename = None
        return storage_message(exc, folder)
    return None


HYDRA_DEFAULT_DIRS = {
    "run": "outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}",
    "sweep": "multirun/${now:%Y-%m-%d}/${now:%H-%M-%S}",
}


def folder_of(
    cfg: DictConfig, primary: dict[str, Any], given: dict[str, Any], multirun: bool
) -> Path | None:
    """The folder a composed config writes into: `output_dir`, else Hydra's run or sweep folder.

    Args:
        cfg: the composed config (without Hydra's node).
        primary: the app's primary config file as plain data (its `hydra.run.dir`, ...).
        given: the values of `hydra.run.dir=` / `hydra.sweep.dir=` overrides.
        multirun: the sweep folder (-m), not the run folder.

    Raises:
        Exception: an interpolation that needs a running Hydra (the caller gives up).
    """
    if cfg.get("output_dir"):
        return Path(str(cfg.output_dir))
    kind = "sweep" if multirun else "run"
    template = (primary.get("hydra") or {}).get(kind, {}).get("dir") or HYDRA_DEFAULT_DIRS[kind]
    template = str(given.get(f"hydra.{kind}.dir", template))
    data = OmegaConf.to_container(cfg, resolve=False)
    folder = OmegaConf.create({**data, "__output_folder__": template})["__output_folder__"]
    return Path(str(folder)) if folder else None


def dir_overrides(overrides: Sequence[str]) -> list[str]:
    """The overrides that set Hydra's run or sweep folder."""
    return [o for o in overrides if o.startswith(("hydra.run.dir=", "hydra.sweep.dir="))]
