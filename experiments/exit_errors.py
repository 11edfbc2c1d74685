"""User errors of the entry points: a one-paragraph message and exit status 2.

A mistake in a command line, a config or an input file is a `UserError` (or a `ConfigError`,
`NetworkError`, missing file); `user_errors()` turns it, a full disk, a read-only folder or an
exhausted memory into `error: ...` on stderr and exit status 2, and notes it in the run folder's
INCOMPLETE marker. `--debug` (HYDRA_FULL_ERROR=1, SIM_DEBUG=1) shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from experiments.storage import is_storage_error, storage_message
from sim.errors import ConfigError, NetworkError


class UserError(Exception):
    """A mistake on the command line; the message says what and how to fix it."""


USER_ERRORS = (ConfigError, NetworkError, FileNotFoundError, UserError)


def fail(message: str) -> None:
    """Print a one-paragraph user error and exit with status 2."""
    text = " ".join(str(message).split())
    print(f"error: {text}", file=sys.stderr)
    sys.exit(2)


def debug() -> bool:
    """Whether to show tracebacks of user errors (--debug, HYDRA_FULL_ERROR=1 or SIM_DEBUG=1)."""
    return os.environ.get("HYDRA_FULL_ERROR") == "1" or os.environ.get("SIM_DEBUG") == "1"


def _note_in_marker(outdir: str | os.PathLike | None, message: str) -> None:
    if outdir is None:
        return
    from sim.outputs.io import INCOMPLETE

    marker = Path(outdir) / INCOMPLETE
    try:
        if marker.exists():
            with open(marker, "a", encoding="utf-8") as fh:
                fh.write(f"It stopped with: {message}\n")
    except OSError:  # a full disk or read-only folder: the marker stays as it was
        pass


@contextmanager
def user_errors(outdir: str | os.PathLike | None = None) -> Iterator[None]:
    """Turn configuration and input errors into a clear message and exit status 2.

    Args:
        outdir: a run directory whose INCOMPLETE marker should record the error.
    """
    try:
        yield
    except USER_ERRORS as exc:
        if debug():
            raise
        _note_in_marker(outdir, str(exc))
        fail(str(exc))
    except OSError as exc:
        if debug() or not is_storage_error(exc):
            raise
        message = storage_message(exc, outdir)
        _note_in_marker(outdir, message)
        fail(message)
    except MemoryError:
        if debug():
            raise
        message = (
            "The run ran out of memory. Lower population.size or network.mean_followers, "
            "close other programs or use a larger machine."
        )
        _note_in_marker(outdir, message)
        fail(message)
