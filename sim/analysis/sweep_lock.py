"""One sweep at a time in a sweep directory: a lock file naming the process that holds it.

A sweep writes `sweep.lock` into its directory before it writes anything else and removes it when
it ends. The file names the holder (host, process id, the process's start time, when it started,
its command line), so a second sweep into the same directory is refused with a message saying
who holds it. A lock whose holder is gone (same host, and no process with that id and start time
runs any more: it was killed) is stale and taken over. A lock held on another host cannot be
checked from here; it is refused, and the message says how to remove it by hand.

On a cluster the sweep's jobs outlive its process: the launcher records the ids of the jobs it
submitted in the lock (`note_jobs`), and a lock whose process is gone while one of its jobs is
still queued or running is not stale (`jobs_active`, the launcher's question to the scheduler).

The lock is created in one step (a hard link of a complete temporary file), so a reader never
sees a half-written lock; this works on NFS and other shared file systems, where `flock` may not.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# {job ids} -> the ids still queued or running, or None if the scheduler cannot be asked
JobCheck = Callable[[Sequence[str]], "list[str] | None"]

LOCK_NAME = "sweep.lock"


class SweepDirBusy(Exception):
    """Another sweep holds the directory; the message says who and what to do."""


@dataclass(frozen=True)
class Holder:
    """Who holds a sweep lock."""

    host: str
    pid: int
    start: str | None  # the process's start time (Linux: /proc/<pid>/stat), None elsewhere
    started_at: str
    command: str

    def describe(self) -> str:
        """'pid 123 on host node1, started 2026-12-03 14:00:00 UTC (python -m ...)'."""
        return (
            f"pid {self.pid} on host {self.host}, started {self.started_at} "
            f"({self.command or 'unknown command'})"
        )


def _process_start(pid: int) -> str | None:
    """The start time of process `pid` in clock ticks since boot (Linux), None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]  # field 22; the name may hold spaces or ')'


def this_process(command: str | None = None) -> Holder:
    """A Holder describing the calling process."""
    return Holder(
        host=socket.gethostname(),
        pid=os.getpid(),
        start=_process_start(os.getpid()),
        started_at=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        command=" ".join(sys.argv) if command is None else command,
    )


def read_holder(path: str | os.PathLike) -> Holder | None:
    """The holder recorded in a lock file, or None if it is missing or unreadable."""
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        return Holder(
            host=str(data["host"]),
            pid=int(data["pid"]),
            start=None if data.get("start") is None else str(data["start"]),
            started_at=str(data.get("started_at", "")),
            command=str(data.get("command", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_jobs(path: str | os.PathLike) -> list[str]:
    """The cluster job ids recorded in a lock file (none if it records none or is unreadable)."""
    try:
        jobs = json.loads(Path(path).read_text(encoding="utf-8")).get("jobs") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [str(j) for j in jobs]


def _write(path: Path, holder: Holder, jobs: Sequence[str]) -> Path:
    """A complete lock file beside `path` under a temporary name (for link or replace)."""
    tmp = path.with_name(f".{path.name}.{holder.host}.{holder.pid}.tmp")
    data = {**asdict(holder), "jobs": list(jobs)}
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return tmp


def note_jobs(sweep_dir: str | os.PathLike, jobs: Sequence[str]) -> bool:
    """Record cluster job ids in the sweep's lock, if this process holds it; whether it did."""
    path = Path(sweep_dir) / LOCK_NAME
    holder = read_holder(path)
    if holder is None or (holder.host, holder.pid) != (socket.gethostname(), os.getpid()):
        return False
    tmp = _write(path, holder, [*read_jobs(path), *[str(j) for j in jobs]])
    os.replace(tmp, path)
    return True


def is_running(holder: Holder) -> bool | None:
    """Whether the holder still runs: True/False on this host, None on another (unknown)."""
    if holder.host != socket.gethostname():
        return None
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    if holder.start is not None:
        start = _process_start(holder.pid)
        if start is not None and start != holder.start:
            return False  # the id was reused by a later process
    return True


def _create(path: Path, holder: Holder) -> bool:
    """Create the lock file with `holder` in it in one step; False if it already exists."""
    tmp = _write(path, holder, [])
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


class SweepLock:
    """The lock of one sweep directory, held from `acquire` until `release`."""

    def __init__(
        self,
        sweep_dir: str | os.PathLike,
        holder: Holder | None = None,
        jobs_active: JobCheck | None = None,
    ) -> None:
        self.dir = Path(sweep_dir)
        self.path = self.dir / LOCK_NAME
        self.holder = holder or this_process()
        self.jobs_active = jobs_active
        self.took_over: Holder | None = None  # the stale holder this lock replaced, if any

    def acquire(self) -> SweepLock:
        """Take the lock (taking over a stale one).

        Raises:
            SweepDirBusy: a running sweep, or one on another host, holds the directory.
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        for _ in range(50):
            if _create(self.path, self.holder):
                return self
            other = read_holder(self.path)
            if other is None:
                if self.path.exists():
                    time.sleep(0.02)  # unreadable: in the middle of being removed or replaced
                    if read_holder(self.path) is None and self.path.exists():
                        self._break(None)
                continue
            running = is_running(other)
            if running is False:
                self._check_jobs(other)
                self._break(other)
                continue
            raise SweepDirBusy(self._busy_message(other, running))
        raise SweepDirBusy(f"{self.path}: could not take the lock; try again")

    def _check_jobs(self, other: Holder) -> None:
        """Refuse a dead holder's lock while jobs it submitted are still queued or running."""
        jobs = read_jobs(self.path)
        if not jobs:
            return
        active = self.jobs_active(jobs) if self.jobs_active is not None else None
        if active == []:
            return
        what = (
            f"its jobs {', '.join(active)} are still queued or running"
            if active
            else f"this host cannot tell whether its jobs {', '.join(jobs)} still run"
        )
        raise SweepDirBusy(
            f"hydra.sweep.dir={self.dir} is in use: the sweep that holds it ({other.describe()}) "
            f"has ended, but {what}, and they write into this folder. Wait until they end "
            f"(squeue -j {','.join(active or jobs)}) or cancel them (scancel "
            f"{' '.join(active or jobs)}), then run the command again: it redoes what they did "
            f"not finish. If they are gone, delete {self.path}."
        )

    def _break(self, stale: Holder | None) -> None:
        """Remove a stale lock, unless it changed since it was judged stale."""
        if read_holder(self.path) != stale:
            return  # another sweep took it over meanwhile: judge again
        self.path.unlink(missing_ok=True)
        self.took_over = stale

    def _busy_message(self, other: Holder, running: bool | None) -> str:
        where = (
            "it is still running"
            if running
            else f"it runs on host {other.host}, so this host cannot tell whether it still runs"
        )
        return (
            f"hydra.sweep.dir={self.dir} is in use by another sweep: {other.describe()}; {where}. "
            "Two sweeps in one directory would overwrite each other's runs. Wait for it to "
            "finish (rerunning its command afterwards redoes only what is missing), or give "
            "another hydra.sweep.dir. If that sweep is no longer running, delete "
            f"{self.path} and start again."
        )

    def release(self) -> None:
        """Remove the lock if this process still holds it."""
        if read_holder(self.path) == self.holder:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> SweepLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
