"""Memory guard: estimate what a run needs before building its network, refuse if it cannot fit.

A run that does not fit in memory is otherwise killed by the operating system without a word,
often after minutes of work. `check_memory(cfg)` compares a conservative estimate with the memory
available now (the smaller of the system's available memory and the container's limit) and
raises `ResourceError`, a ConfigError naming `population.size`, with the estimate, what is
available and how to reduce the run. Set `SIM_SKIP_MEMORY_CHECK=1` to run anyway.

The coefficients were measured with peak RSS of default runs (about 8 bytes per follower edge and
a few dozen bytes per person, see docs/reliability.md) and are rounded up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from sim.config.schema import RunConfig
from sim.errors import ConfigError

BYTES_PER_EDGE = 9.0  # CSR indices (4 B) + sampling and sorting scratch (measured ~8 B)
BYTES_PER_PERSON = 64.0  # traits, sentiment, seen flags, indptr, posts (measured ~25-40 B)
BYTES_PER_TICK = 160.0  # per-tick counters of mentions, impressions and reach
BYTES_PER_RECORD = 64.0  # edge-list parsing: two int64 ids per line, relabelling, sorting
FIXED_BYTES = 64 * 2**20  # per-run overhead beyond the imported libraries
SAFETY = 1.25  # the estimate is multiplied by this before comparing
SKIP_ENV = "SIM_SKIP_MEMORY_CHECK"


class ResourceError(ConfigError):
    """A run that would not fit in memory; the message says what to reduce."""

    def __init__(self, key: str, value: object, message: str):
        self.key, self.value, self.allowed = key, value, message
        ValueError.__init__(self, message)


@dataclass(frozen=True)
class Estimate:
    """Memory a run is expected to need, with the sizes it was computed from."""

    nodes: int
    edges: int
    ticks: int
    records: int  # edge-list lines to parse (0 for generated networks)
    file_bytes: int
    total_bytes: int


def gib(n_bytes: float) -> str:
    """Bytes as a short human text in GiB or MiB."""
    return f"{n_bytes / 2**30:.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:.0f} MiB"


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _edgelist_records(path: str, fmt: str) -> tuple[int, int]:
    """(records, file size) of an edge list, cheaply; (0, 0) if it cannot be read."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if fmt == "parquet" or p.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return int(pq.read_metadata(p).num_rows), size
        return _count_lines(p), size
    except Exception:  # the loader reports unreadable files with line numbers
        return 0, 0


def expected_edges(cfg: RunConfig, n: int) -> int:
    """Follower edges the configured generator will create for `n` people."""
    net = cfg.network
    if net.kind == "barabasi_albert":
        base: float = 2 * net.m * max(n - net.m, 0)
    elif net.kind == "watts_strogatz":
        base = n * net.k
    else:
        base = n * min(net.mean_followers, max(n - 1, 1))
    f = max(1.0, cfg.scenario.reference_population / max(cfg.population.size, 1))
    named = cfg.scenario.brand.followers + sum(a.followers for a in cfg.scenario.accounts)
    return int(base + min(named / f, n * (1 + len(cfg.scenario.accounts))))


def estimate(cfg: RunConfig, loaded: tuple[int, int] | None = None) -> Estimate:
    """Estimate the peak memory of a run (network, population, dynamics) in bytes.

    Args:
        cfg: the run configuration.
        loaded: (people, edges) of an edge list already loaded; parsing is then not counted.
    """
    ticks = int(round(cfg.scenario.horizon_h * 60.0 / cfg.scenario.tick_min))
    records, file_bytes = 0, 0
    if loaded is not None:
        nodes, edges = int(loaded[0]), int(loaded[1]) + expected_edges(cfg, 0)
    elif cfg.network.kind == "edgelist" and cfg.network.path:
        records, file_bytes = _edgelist_records(cfg.network.path, cfg.network.format)
        nodes = records // 4 + 2  # typical follower lists have many edges per person
        edges = records + expected_edges(cfg, 0)
    else:
        nodes = int(cfg.population.size)
        edges = expected_edges(cfg, nodes)
    total = (
        FIXED_BYTES
        + BYTES_PER_EDGE * edges
        + BYTES_PER_PERSON * min(nodes, 2**31)
        + BYTES_PER_TICK * ticks
        + BYTES_PER_RECORD * records
        + file_bytes
    )
    return Estimate(nodes, edges, ticks, records, file_bytes, int(SAFETY * total))


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def available_memory() -> int | None:
    """Bytes this process can still allocate: MemAvailable, capped by a cgroup limit if any."""
    candidates: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                candidates.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    if not candidates and hasattr(os, "sysconf"):
        try:
            candidates.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError):
            pass
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        limit, usage = _read_int(limit_file), _read_int(usage_file)
        if limit is not None and usage is not None and limit < 2**60:
            candidates.append(max(limit - usage, 0))
    return min(candidates) if candidates else None


def largest_population(cfg: RunConfig, available: int) -> int:
    """The largest population.size (a multiple of 1,000, at least 1,000) whose estimate fits."""
    lo, hi = 0, max(int(cfg.population.size), 1000) // 1000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        trial = replace(cfg, population=replace(cfg.population, size=mid * 1000))
        if estimate(trial).total_bytes <= available:
            lo = mid
        else:
            hi = mid - 1
    return max(lo, 1) * 1000


def check_memory(
    cfg: RunConfig, available: int | None = None, loaded: tuple[int, int] | None = None
) -> Estimate:
    """Refuse a run whose estimated memory exceeds what is available.

    Args:
        cfg: a validated run configuration.
        available: bytes available (default: measured now).
        loaded: (people, edges) of an edge list already loaded (checks the simulation part).

    Returns:
        The estimate, when the run fits (or the check is skipped).

    Raises:
        ResourceError: naming the estimate, the available memory and how to reduce the run.
    """
    est = estimate(cfg, loaded)
    if os.environ.get(SKIP_ENV) == "1":
        return est
    avail = available_memory() if available is None else available
    if avail is None or est.total_bytes <= avail:
        return est
    if cfg.network.kind == "edgelist":
        what = (
            f"the edge list {cfg.network.path} ({est.records:,} lines, {gib(est.file_bytes)})"
            if loaded is None
            else (
                f"the {est.nodes:,} people and {est.edges:,} links of the edge list "
                f"{cfg.network.path}"
            )
        )
        reduce = "use a smaller edge list (a sample of its lines), close other programs"
        key: str = "network.path"
        value: object = cfg.network.path
    else:
        fits = largest_population(cfg, avail)
        what = (
            f"a network of {est.nodes:,} people with about {est.edges:,} follower links "
            f"over {est.ticks:,} ticks"
        )
        reduce = (
            f"lower population.size (about {fits:,} fits; count metrics are also reported "
            f"scaled to the real audience), lower network.mean_followers "
            f"(now {cfg.network.mean_followers:g}), close other programs"
        )
        key, value = "population.size", cfg.population.size
    raise ResourceError(
        key,
        value,
        f"Not enough memory for this run: {what} needs an estimated {gib(est.total_bytes)}, but "
        f"only {gib(avail)} is available. To fit, {reduce}, or run on a larger machine; set "
        f"{SKIP_ENV}=1 to try anyway (the operating system may then kill the run).",
    )
