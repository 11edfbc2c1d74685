"""Loading a follower graph from an edge-list file (text, CSV or Parquet).

Original ids are relabelled to 0..n-1 in ascending order; self loops and duplicate edges are
dropped and counted in a ``LoadReport``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.config.schema import EDGELIST_FORMATS
from sim.errors import NetworkError
from sim.network.edgelist_parse import MAX_NODE_ID, fail, parse_parquet, parse_text_like
from sim.network.graph import MAX_NODES, FollowerGraph, graph_from_edges

__all__ = [
    "EDGELIST_FORMATS",
    "EDGE_MEANINGS",
    "MAX_NODE_ID",
    "LoadReport",
    "load_edgelist",
    "load_edgelist_with_report",
]

EDGE_MEANINGS = ("follows", "audience")

_TEXT_SUFFIXES = {"", ".txt", ".edges", ".tsv", ".el", ".dat"}
_CSV_SUFFIXES = {".csv"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}


@dataclass(frozen=True, eq=False)
class LoadReport:
    """What happened while loading an edge list.

    Attributes:
        path: the file as given.
        fmt: the format actually used ("text", "csv" or "parquet").
        edge_meaning: "follows" or "audience".
        records: edge records read from the file (before dropping anything).
        self_loops_dropped: records whose two ids were equal.
        duplicates_dropped: repeated directed edges (after applying edge_meaning).
        original_ids: original id of each node; node i was ``original_ids[i]`` in the file.
    """

    path: str
    fmt: str
    edge_meaning: str
    records: int
    self_loops_dropped: int
    duplicates_dropped: int
    original_ids: np.ndarray


def _detect_format(path: str, fmt: str) -> str:
    if fmt not in EDGELIST_FORMATS:
        raise NetworkError(
            f"Unknown edge-list format {fmt!r} for {path}; choose one of "
            f"{', '.join(EDGELIST_FORMATS)} ('auto' picks by file extension)."
        )
    if fmt != "auto":
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        return "text"
    if suffix in _CSV_SUFFIXES:
        return "csv"
    if suffix in _PARQUET_SUFFIXES:
        return "parquet"
    raise NetworkError(
        f"Cannot tell the format of edge list {path} from its extension {suffix!r}: "
        "use .txt, .edges, .tsv or no extension for whitespace-separated text, .csv for CSV "
        "and .parquet for Parquet, or pass fmt='text', 'csv' or 'parquet' explicitly "
        "(compressed files must be decompressed first)."
    )


def _relabel(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map arbitrary non-negative ids to 0..n-1 in ascending order of original id."""
    top = int(max(a.max(), b.max()))
    if top < max(8 * a.size, 1 << 24):
        present = np.zeros(top + 1, dtype=np.bool_)
        present[a] = True
        present[b] = True
        original = np.flatnonzero(present)
        lut = np.cumsum(present, dtype=np.int32 if top < MAX_NODES else np.int64) - 1
        del present
        return original, lut[a].astype(np.int32), lut[b].astype(np.int32)
    original = np.unique(np.concatenate([a, b]))
    return (
        original,
        np.searchsorted(original, a).astype(np.int32),
        np.searchsorted(original, b).astype(np.int32),
    )


def load_edgelist_with_report(
    path: str | os.PathLike, fmt: str = "auto", edge_meaning: str = "follows"
) -> tuple[FollowerGraph, LoadReport]:
    """Load an edge list and report what was dropped.

    Formats: whitespace text (SNAP style, ``.txt``/``.edges``/``.tsv``/no extension; extra
    columns ignored, ``#``/``%`` comment lines and blank lines skipped), CSV (``.csv``;
    optional header naming ``source`` and ``target``, else the first two columns) and
    Parquet (``.parquet``; columns ``source``/``target`` or the first two integer
    columns). Ids are non-negative integers up to 2**40 and are relabelled to 0..n-1 in
    ascending order of original id; every id mentioned in the file becomes a node.

    With ``edge_meaning="follows"`` a record ``a b`` means a follows b (edge b->a); with
    ``"audience"`` it means b sees a's posts (edge a->b). Self loops and duplicate edges
    are dropped and counted in the report.

    Args:
        path: file to read.
        fmt: "auto", "text", "csv" or "parquet".
        edge_meaning: "follows" or "audience".

    Returns:
        The graph and a LoadReport.

    Raises:
        NetworkError: naming the file (and 1-based line, or row for Parquet) on bad input.
    """
    name = os.fspath(path)
    if edge_meaning not in EDGE_MEANINGS:
        raise NetworkError(
            f"Unknown edge_meaning {edge_meaning!r} for edge list {name}; choose 'follows' "
            "(a line 'a b' means a follows b, as in SNAP's Twitter data) or 'audience' "
            "(a line 'a b' means b sees a's posts)."
        )
    kind = _detect_format(name, fmt)
    if kind == "parquet":
        a, b = parse_parquet(name)
    else:
        a, b = parse_text_like(name, comma=(kind == "csv"))
    original, a32, b32 = _relabel(a, b)
    if original.size > MAX_NODES:
        raise fail(
            name,
            None,
            f"it has {original.size} distinct ids",
            f"At most {MAX_NODES} accounts are supported.",
        )
    records = int(a.size)
    del a, b
    src, dst = (b32, a32) if edge_meaning == "follows" else (a32, b32)
    graph, loops, dups = graph_from_edges(src, dst, int(original.size))
    report = LoadReport(
        path=name,
        fmt=kind,
        edge_meaning=edge_meaning,
        records=records,
        self_loops_dropped=loops,
        duplicates_dropped=dups,
        original_ids=original,
    )
    return graph, report


def load_edgelist(
    path: str | os.PathLike, fmt: str = "auto", edge_meaning: str = "follows"
) -> FollowerGraph:
    """Load an edge list as a FollowerGraph; see ``load_edgelist_with_report``.

    Args:
        path: file to read.
        fmt: "auto", "text", "csv" or "parquet".
        edge_meaning: "follows" (line 'a b': a follows b) or "audience" (b sees a).

    Returns:
        The graph (self loops and duplicates dropped).
    """
    return load_edgelist_with_report(path, fmt, edge_meaning)[0]
