"""Readers that turn an edge-list file (text, CSV or Parquet) into two arrays of raw ids.

Text and CSV are parsed by compiled kernels over the memory-mapped bytes; every error names
the file, the 1-based line (or row, for Parquet) and what a valid file looks like.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from numba import njit

from sim.errors import NetworkError

MAX_NODE_ID = 2**40  # largest original node id accepted in an edge list


# --------------------------------------------------------------------------------------
# numba kernels over the file's bytes
# --------------------------------------------------------------------------------------


@njit(cache=True)
def _count_byte(buf, start, end, byte):  # pragma: no cover - compiled
    c = 0
    for i in range(start, end):
        if buf[i] == byte:
            c += 1
    return c


@njit(cache=True)
def _first_high_byte(buf, start, end):  # pragma: no cover - compiled
    for i in range(start, end):
        if buf[i] >= 128:
            return i
    return -1


@njit(cache=True)
def _is_space(c):  # pragma: no cover - compiled
    return c == 32 or c == 9 or c == 13 or c == 11 or c == 12


@njit(cache=True)
def _parse_id(buf, ts, te):  # pragma: no cover - compiled
    """Parse a decimal id in buf[ts:te]; returns (code, value). Codes as in _parse_lines."""
    if ts >= te:
        return 2, 0
    neg = buf[ts] == 45
    j = ts + 1 if neg else ts
    if j >= te:
        return 2, 0
    val = 0
    big = False
    for k in range(j, te):
        c = buf[k]
        if c >= 128:
            return 5, 0
        if c < 48 or c > 57:
            return 2, 0
        if not big:
            val = val * 10 + (c - 48)
            if val > 1099511627776:  # MAX_NODE_ID
                big = True
    if neg and (val > 0 or big):
        return 3, 0
    if big:
        return 4, 0
    return 0, val


@njit(cache=True)
def _parse_lines(buf, pos, line_no, comma, col_a, col_b, out_a, out_b):  # pragma: no cover
    """Parse edge lines from byte ``pos`` on.

    Returns (records, code, line, tok_start, tok_end, n_fields). code 0 = ok,
    1 = too few fields, 2 = not an integer, 3 = negative, 4 = too large, 5 = non-ASCII.
    """
    n = buf.size
    need = max(col_a, col_b) + 1
    cnt = 0
    while pos < n:
        end = pos
        while end < n and buf[end] != 10:
            end += 1
        i = pos
        while i < end and _is_space(buf[i]):
            i += 1
        if i < end and buf[i] != 35 and buf[i] != 37:  # not blank, '#' or '%'
            field = 0
            va = 0
            vb = 0
            while i < end and field < need:
                if comma:
                    ts = i
                    while i < end and buf[i] != 44:
                        i += 1
                    te = i
                    if i < end:
                        i += 1
                    while ts < te and _is_space(buf[ts]):
                        ts += 1
                    while te > ts and _is_space(buf[te - 1]):
                        te -= 1
                    if te - ts >= 2 and buf[ts] == 34 and buf[te - 1] == 34:
                        ts += 1
                        te -= 1
                else:
                    ts = i
                    while i < end and not _is_space(buf[i]):
                        i += 1
                    te = i
                    while i < end and _is_space(buf[i]):
                        i += 1
                if field == col_a or field == col_b:
                    code, val = _parse_id(buf, ts, te)
                    if code != 0:
                        return cnt, code, line_no, ts, te, field
                    if field == col_a:
                        va = val
                    else:
                        vb = val
                field += 1
            if field < need:
                return cnt, 1, line_no, pos, end, field
            out_a[cnt] = va
            out_b[cnt] = vb
            cnt += 1
        pos = end + 1
        line_no += 1
    return cnt, 0, line_no, 0, 0, 0


# --------------------------------------------------------------------------------------
# Errors and the rules they quote
# --------------------------------------------------------------------------------------


def fail(path: str, line: int | None, what: str, allowed: str) -> NetworkError:
    where = f"{path}, line {line}" if line is not None else path
    return NetworkError(f"Cannot load edge list {where}: {what}. {allowed}")


_TEXT_RULES = (
    "Each data line must hold two node ids as plain decimal integers between 0 and 2**40 "
    "(e.g. '12 345', extra columns are ignored); blank lines and lines starting with # or % "
    "are skipped."
)
_CSV_RULES = (
    "Each CSV row must hold two node ids as plain decimal integers between 0 and 2**40, in "
    "columns 'source' and 'target' (named in an optional header) or else the first two "
    "columns; blank lines and lines starting with # or % are skipped."
)
_PARQUET_RULES = (
    "A Parquet edge list needs integer columns 'source' and 'target' (or at least two "
    "integer columns, of which the first two are used) holding ids between 0 and 2**40, "
    "without missing values."
)


# --------------------------------------------------------------------------------------
# Text and CSV
# --------------------------------------------------------------------------------------


def _line_of(buf: np.ndarray, offset: int) -> int:
    return int(_count_byte(buf, 0, offset, 10)) + 1


def _check_utf8(buf: np.ndarray, end: int, path: str) -> None:
    """Raise if buf[:end] is not valid UTF-8, naming the first bad line."""
    first = int(_first_high_byte(buf, 0, end))
    if first < 0:
        return
    pos = first
    while pos > 0 and buf[pos - 1] != 10:
        pos -= 1
    chunk = 1 << 24
    while pos < end:
        stop = min(end, pos + chunk)
        if stop < end:
            nl = np.flatnonzero(buf[stop : min(end, stop + chunk)] == 10)
            stop = stop + int(nl[0]) + 1 if nl.size else min(end, stop + chunk)
        try:
            buf[pos:stop].tobytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            off = pos + exc.start
            raise fail(
                path,
                _line_of(buf, off),
                f"byte 0x{int(buf[off]):02x} is not valid UTF-8 (is this a binary or "
                "compressed file?)",
                "Edge lists must be UTF-8 or ASCII text.",
            ) from None
        pos = stop


def _existing_file(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise NetworkError(f"Edge list file {path} does not exist; check the path.")
    if not p.is_file():
        raise NetworkError(f"Edge list path {path} is not a regular file.")
    return p


def _read_bytes(path: str) -> np.ndarray:
    p = _existing_file(path)
    if p.stat().st_size == 0:
        raise fail(path, None, "the file is empty and holds no edges", "Give at least one edge.")
    return np.asarray(np.memmap(p, dtype=np.uint8, mode="r"))


def _is_int_token(tok: str) -> bool:
    return re.fullmatch(r"-?[0-9]+", tok) is not None


def _csv_header(buf: np.ndarray, pos: int, path: str) -> tuple[int, int, int, int]:
    """Find the first data line of a CSV; returns (start offset, line number, col_a, col_b)."""
    line_no = 1
    size = buf.size
    while pos < size:
        nl = np.flatnonzero(buf[pos : min(size, pos + (1 << 20))] == 10)
        end = pos + int(nl[0]) if nl.size else size
        if not nl.size and end - pos >= (1 << 20):
            end = size  # very long first line: treat the rest as one line
        raw = buf[pos:end].tobytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            _check_utf8(buf, end, path)
            raise  # pragma: no cover - _check_utf8 raises first
        stripped = text.strip()
        if stripped and stripped[0] not in "#%":
            fields = [f.strip().strip('"').strip() for f in stripped.split(",")]
            if any(_is_int_token(f) for f in fields[:2]):
                return pos, line_no, 0, 1
            names = [f.lower() for f in fields]
            if "source" in names and "target" in names:
                return end + 1, line_no + 1, names.index("source"), names.index("target")
            if len(fields) < 2:
                raise fail(
                    path,
                    line_no,
                    f"the header {stripped!r} has fewer than two columns",
                    _CSV_RULES,
                )
            return end + 1, line_no + 1, 0, 1
        pos = end + 1
        line_no += 1
    return size, line_no, 0, 1


def parse_text_like(path: str, comma: bool) -> tuple[np.ndarray, np.ndarray]:
    buf = _read_bytes(path)
    pos = 3 if buf[:3].tobytes() == b"\xef\xbb\xbf" else 0
    line_no = 1
    col_a, col_b = 0, 1
    rules = _CSV_RULES if comma else _TEXT_RULES
    if comma:
        pos, line_no, col_a, col_b = _csv_header(buf, pos, path)
    n_lines = int(_count_byte(buf, pos, buf.size, 10)) + 1
    out_a = np.empty(n_lines, dtype=np.int64)
    out_b = np.empty(n_lines, dtype=np.int64)
    cnt, code, line, ts, te, nfields = _parse_lines(
        buf, pos, line_no, comma, col_a, col_b, out_a, out_b
    )
    if code:
        line_start = ts
        while line_start > 0 and buf[line_start - 1] != 10:
            line_start -= 1
        line_end = te
        while line_end < buf.size and buf[line_end] != 10:
            line_end += 1
        _check_utf8(buf, line_end, path)  # an earlier or this line may be undecodable
        token = buf[ts:te].tobytes().decode("utf-8", errors="replace")
        shown = token if len(token) <= 40 else token[:37] + "..."
        need = max(col_a, col_b) + 1
        if code == 1:
            what = f"found {nfields} field(s) but at least {need} are needed"
        elif code == 3:
            what = f"node id {shown!r} is negative"
        elif code == 4:
            what = f"node id {shown!r} is larger than 2**40"
        else:
            what = f"{shown!r} is not an integer node id"
            if not comma and line == 1:
                what += " (text edge lists have no header; comment it out with #)"
        raise fail(path, line, what, rules)
    _check_utf8(buf, buf.size, path)
    if cnt == 0:
        raise fail(
            path, None, "the file holds no edges (only blank, comment or header lines)", rules
        )
    a = out_a[:cnt].copy()
    b = out_b[:cnt].copy()
    del out_a, out_b, buf
    return a, b


# --------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------


def parse_parquet(path: str) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = _existing_file(path)
    try:
        schema = pq.read_schema(p)
    except (pa.ArrowException, OSError) as exc:
        detail = " ".join(str(exc).split())
        raise fail(
            path, None, f"it could not be read as Parquet ({detail})", _PARQUET_RULES
        ) from None
    names = list(schema.names)
    lower = [s.lower() for s in names]
    if "source" in lower and "target" in lower:
        cols = [names[lower.index("source")], names[lower.index("target")]]
    else:
        ints = [f.name for f in schema if pa.types.is_integer(f.type)]
        if len(ints) < 2:
            desc = ", ".join(f"{f.name}: {f.type}" for f in schema) or "none"
            raise fail(
                path,
                None,
                f"it has fewer than two integer columns (columns: {desc})",
                _PARQUET_RULES,
            )
        cols = ints[:2]
    table = pq.read_table(p, columns=cols)
    out = []
    for name in cols:
        col = table.column(name)
        if not pa.types.is_integer(col.type):
            raise fail(
                path,
                None,
                f"column {name!r} has type {col.type}, not an integer type",
                _PARQUET_RULES,
            )
        if col.null_count:
            row = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0]) + 1
            raise fail(
                path, None, f"row {row} has a missing value in column {name!r}", _PARQUET_RULES
            )
        arr = col.to_numpy()
        if arr.dtype == np.uint64:
            big = np.flatnonzero(arr > MAX_NODE_ID)
            if big.size:
                raise fail(
                    path,
                    None,
                    f"row {int(big[0]) + 1}: node id {int(arr[big[0]])} "
                    f"in column {name!r} is larger than 2**40",
                    _PARQUET_RULES,
                )
        arr = arr.astype(np.int64, copy=False)
        bad = np.flatnonzero((arr < 0) | (arr > MAX_NODE_ID))
        if bad.size:
            v = int(arr[bad[0]])
            problem = "negative" if v < 0 else "larger than 2**40"
            raise fail(
                path,
                None,
                f"row {int(bad[0]) + 1}: node id {v} in column {name!r} is {problem}",
                _PARQUET_RULES,
            )
        out.append(arr)
    if out[0].size == 0:
        raise fail(path, None, "the table holds no edges", _PARQUET_RULES)
    return out[0], out[1]
