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
    # the same rule as pytest-benchmark's: --benchmark-enable wins over the default --benchmark-disable
    disabled = config.getoption("benchmark_disable", default=True) and not config.getoption(
        "benchmark_enable", default=False)
    return not disabled


@dataclass
class ChildRun:
    """Wall time, peak resident memory and exit status of a child process."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    output: str


def _peak_rss_mb(pid: int, marker: bytes) -> float | None:
    """The child's VmHWM (peak resident memory of its own address space), once it runs `marker`.

    Before exec a fresh child still shows the parent's memory, so readings count only once its
    command line carries the marker. None when /proc is not available.
    """
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            if marker not in fh.read():
                return None
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        return None
    return None


def run_child(args: list[str], cwd: Path = ROOT, timeout: float = 1800.0) -> ChildRun:
    """Run `python <args>` and measure its wall time and peak memory.

    Peak memory is the child's VmHWM from /proc, sampled every 20 ms (Linux). `ru_maxrss` is no
    use here: on Linux it carries the parent's memory over fork and exec. Elsewhere the child's
    ru_maxrss is reported, an upper bound.
    """
    start = time.perf_counter()
    marker, peak = args[-1].encode(), None
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        deadline = start + timeout
        while True:
            hwm = _peak_rss_mb(proc.pid, marker)
            if hwm is not None:
                peak = max(peak or 0.0, hwm)
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
    if peak is None:  # ru_maxrss is in KiB on Linux and in bytes on macOS
        peak = usage.ru_maxrss / (1024.0 * 1024.0) if sys.platform == "darwin" else usage.ru_maxrss / 1024.0
    return ChildRun(wall, peak, proc.returncode, text)
