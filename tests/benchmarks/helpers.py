"""Helpers of the benchmarks: measuring a child process (wall time and peak memory)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PEERS_HINT = 'install the benchmark peers with: pip install -e ".[bench]"'


def full_size(config: pytest.Config) -> bool:
    """Whether benchmarks run at full size: when timed (make bench), unless BENCH_SMOKE=1."""
    if os.environ.get("BENCH_SMOKE", "") not in ("", "0"):
        return False
    return not config.getoption("benchmark_disable", default=True)


@dataclass
class ChildRun:
    """Wall time, peak resident memory and exit status of a child process."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    output: str


def run_child(args: list[str], cwd: Path = ROOT, timeout: float = 1800.0) -> ChildRun:
    """Run `python <args>` and measure it; peak memory from the child's own rusage (os.wait4)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    # ru_maxrss is in KiB on Linux and in bytes on macOS
    rss_mb = usage.ru_maxrss / (1024.0 * 1024.0) if sys.platform == "darwin" else usage.ru_maxrss / 1024.0
    return ChildRun(wall, rss_mb, proc.returncode, text)
