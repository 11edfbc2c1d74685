"""Reading a social-listening export (CSV or Parquet) into one checked table of posts.

The columns (docs/ingest.md; names are matched without regard to case or surrounding spaces,
other columns are ignored):

* `timestamp`: ISO 8601 date-time; one with a zone is converted to UTC, one without is read as
  UTC (a Parquet timestamp column is taken as it is);
* `author_id`: any text;
* `author_followers`: a whole number >= 0;
* `valence` (negative / neutral / positive, or -1 / 0 / 1) or `sentiment` (a score in [-1, 1]:
  below -`neutral_band` negative, above +`neutral_band` positive, else neutral); `valence` wins
  when both are present;
* `is_brand`: true / false (also 1 / 0, yes / no); optional when the brand's `author_id` is given;
* `post_id`, `in_reply_to`, `shared_from`: optional; a reply or share names the `post_id` of the
  post it answers or shares (empty: none); a row with both counts as a share.

Every problem is an ExportError whose message names the file, the line (CSV, the header is line
1) or row (Parquet) and the column, and says what is wrong.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED = ("timestamp", "author_id", "author_followers")
THREAD_COLUMNS = ("in_reply_to", "shared_from")
VALENCES = {
    "negative": -1,
    "neg": -1,
    "-1": -1,
    "neutral": 0,
    "neu": 0,
    "0": 0,
    "positive": 1,
    "pos": 1,
    "1": 1,
    "+1": 1,
}
TRUE = {"true", "t", "yes", "y", "1"}
FALSE = {"false", "f", "no", "n", "0", ""}
NEUTRAL_BAND = 0.05  # a sentiment score within +-0.05 is neutral (the usual VADER convention)
PARQUET_MAGIC = b"PAR1"


class ExportError(ValueError):
    """A social-listening export that cannot be read; the message says where and why."""


@dataclass
class Posts:
    """A checked export: one row per post, in time order."""

    path: Path
    table: pd.DataFrame  # post_id, time (UTC, no zone), author, followers, valence,
    #                      in_reply_to, shared_from, is_brand, line
    sha256: str
    threads: bool  # the file has in_reply_to or shared_from


class _Reader:
    """Column checks of one file, with its name and row numbering for messages."""

    def __init__(self, path: Path, raw: pd.DataFrame, parquet: bool):
        self.path, self.parquet = path, parquet
        self.lines = list(range(1, len(raw) + 1)) if parquet else [int(x) for x in raw.pop("_line")]
        self.raw = raw

    def where(self, i: int) -> str:
        """'line N' (CSV, the header is line 1) or 'row N' (Parquet) of row i."""
        return f"{'row' if self.parquet else 'line'} {self.lines[i]}"

    def fail(self, i: int, column: str, problem: str) -> ExportError:
        return ExportError(f"{self.path}, {self.where(i)}, column '{column}': {problem}")

    def text(self, column: str) -> np.ndarray:
        values = self.raw[column].to_numpy(dtype=object)
        return np.array(["" if _missing(v) else str(v).strip() for v in values], dtype=object)

    def ids(self, column: str) -> np.ndarray:
        """An id column as text (whole numbers of a numeric Parquet column without '.0')."""
        col = self.raw[column]
        if pd.api.types.is_float_dtype(col) or pd.api.types.is_integer_dtype(col):
            return np.array(
                ["" if _missing(v) else str(int(v)) for v in col.to_numpy(dtype=object)],
                dtype=object,
            )
        return self.text(column)

    def timestamps(self) -> pd.Series:
        col = self.raw["timestamp"]
        if pd.api.types.is_datetime64_any_dtype(col):
            times = col if col.dt.tz is None else col.dt.tz_convert("UTC").dt.tz_localize(None)
            bad = np.flatnonzero(times.isna().to_numpy())
            if bad.size:
                raise self.fail(int(bad[0]), "timestamp", "no date-time")
            return times.reset_index(drop=True)
        text = self.text("timestamp")
        parsed = pd.to_datetime(pd.Series(text), format="ISO8601", utc=True, errors="coerce")
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if bad.size:
            value = text[int(bad[0])]
            shown = repr(value) if value else "an empty value"
            raise self.fail(
                int(bad[0]),
                "timestamp",
                f"{shown} is not an ISO 8601 date-time (e.g. 2024-03-04T09:15:00Z)",
            )
        return parsed.dt.tz_localize(None)

    def followers(self) -> np.ndarray:
        values = pd.to_numeric(self.raw["author_followers"], errors="coerce").to_numpy(float)
        for i, v in enumerate(values):
            if not math.isfinite(v) or v < 0 or v != round(v):
                shown = self.raw["author_followers"].iloc[i]
                raise self.fail(
                    i, "author_followers", f"{shown!r} is not a whole number of followers (>= 0)"
                )
        return values.astype(np.int64)

    def valences(self, neutral_band: float) -> np.ndarray:
        if "valence" in self.raw:
            text = self.text("valence")
            out = np.zeros(len(text), dtype=np.int8)
            for i, value in enumerate(text):
                key = value.lower().removesuffix(".0")
                if key not in VALENCES:
                    raise self.fail(
                        i, "valence", f"{value!r} is none of negative, neutral, positive (-1, 0, 1)"
                    )
                out[i] = VALENCES[key]
            return out
        score = pd.to_numeric(self.raw["sentiment"], errors="coerce").to_numpy(float)
        for i, v in enumerate(score):
            if not math.isfinite(v) or not -1.0 <= v <= 1.0:
                shown = self.raw["sentiment"].iloc[i]
                raise self.fail(i, "sentiment", f"{shown!r} is not a score in [-1, 1]")
        return np.where(score < -neutral_band, -1, np.where(score > neutral_band, 1, 0)).astype(
            np.int8
        )

    def brand_flags(self, brand_id: str | None, authors: np.ndarray) -> np.ndarray:
        if brand_id is not None:
            return authors == str(brand_id)
        text = self.text("is_brand")
        out = np.zeros(len(text), dtype=bool)
        for i, value in enumerate(text):
            key = value.lower().removesuffix(".0")
            if key not in TRUE | FALSE:
                raise self.fail(i, "is_brand", f"{value!r} is not true or false")
            out[i] = key in TRUE
        return out


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _load(path: Path) -> tuple[pd.DataFrame, bool, bytes]:
    """The raw table, whether it came from Parquet, and the file's bytes."""
    if not path.exists():
        raise ExportError(f"{path}: no such file")
    if path.is_dir():
        raise ExportError(f"{path}: is a directory; give the export file itself")
    data = path.read_bytes()
    if not data.strip():
        raise ExportError(f"{path}: the file is empty (expected a header line and one post a line)")
    if data[:4] == PARQUET_MAGIC or path.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(io.BytesIO(data)), True, data
        except Exception as exc:  # pyarrow raises several kinds; all mean the same to the user
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ExportError(f"{path}: cannot be read as Parquet ({first})") from None
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise ExportError(
            f"{path}: holds binary data (a NUL byte at byte {at}), not CSV text or Parquet"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExportError(
            f"{path}, line {line}: not UTF-8 text (byte {exc.start} cannot be decoded); "
            "save the export as UTF-8 CSV or as Parquet"
        ) from None
    return _parse_csv(path, text), False, data


def _parse_csv(path: Path, text: str) -> pd.DataFrame:
    """A CSV text as a table of strings, each row with the line it starts on (`_line`)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ExportError(f"{path}: no header line")
        rows, lines, line = [], [], reader.line_num + 1
        for row in reader:
            if row and len(row) != len(header):
                raise ExportError(
                    f"{path}, line {line}: {len(row)} fields where the header has "
                    f"{len(header)}; not a well-formed CSV line (a comma in a value must be quoted)"
                )
            if row:
                rows.append(row)
                lines.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ExportError(f"{path}, line {reader.line_num}: not well-formed CSV ({exc})") from None
    raw = pd.DataFrame(rows, columns=header, dtype=object)
    raw["_line"] = lines
    return raw


def read_export(
    path: str | Path, *, brand_id: str | None = None, neutral_band: float = NEUTRAL_BAND
) -> Posts:
    """Read and check an export.

    Args:
        path: a CSV (UTF-8, header line) or Parquet file.
        brand_id: the brand's `author_id` (then the `is_brand` column is optional and ignored).
        neutral_band: half-width of the neutral band of a `sentiment` score.

    Raises:
        ExportError: naming the file, line or row and column, and what is wrong.
    """
    path = Path(path)
    raw, parquet, data = _load(path)
    raw.columns = [c if c == "_line" else str(c).strip().lower() for c in raw.columns]
    found = ", ".join(c for c in raw.columns if c != "_line") or "none"
    need = list(REQUIRED) + ([] if brand_id is not None else ["is_brand"])
    for column in need:
        if column not in raw.columns:
            raise ExportError(f"{path}: missing column '{column}' (columns found: {found})")
    if "valence" not in raw.columns and "sentiment" not in raw.columns:
        raise ExportError(
            f"{path}: missing column 'valence' (negative/neutral/positive) or 'sentiment' "
            f"(a score in [-1, 1]) (columns found: {found})"
        )
    threads = any(c in raw.columns for c in THREAD_COLUMNS)
    if threads and "post_id" not in raw.columns:
        raise ExportError(
            f"{path}: missing column 'post_id': in_reply_to and shared_from refer to posts by "
            f"their post_id (columns found: {found})"
        )
    if raw.empty:
        raise ExportError(f"{path}: a header line but no posts")
    rd = _Reader(path, raw.reset_index(drop=True), parquet)
    authors = rd.ids("author_id")
    for i, a in enumerate(authors):
        if not a:
            raise rd.fail(i, "author_id", "empty")
    n = len(raw)
    ids = rd.ids("post_id") if "post_id" in raw.columns else np.array([""] * n, dtype=object)
    if threads:
        seen: dict[str, int] = {}
        for i, pid in enumerate(ids):
            if not pid:
                raise rd.fail(i, "post_id", "empty (replies and shares refer to posts by id)")
            if pid in seen:
                raise rd.fail(i, "post_id", f"{pid!r} repeats {rd.where(seen[pid])}")
            seen[pid] = i
    empty = np.array([""] * n, dtype=object)
    table = pd.DataFrame(
        {
            "post_id": ids,
            "time": rd.timestamps(),
            "author": authors,
            "followers": rd.followers(),
            "valence": rd.valences(neutral_band),
            "in_reply_to": rd.ids("in_reply_to") if "in_reply_to" in raw.columns else empty,
            "shared_from": rd.ids("shared_from") if "shared_from" in raw.columns else empty,
            "is_brand": rd.brand_flags(brand_id, authors),
            "line": rd.lines,
        }
    )
    table = table.sort_values(["time", "line"], kind="stable").reset_index(drop=True)
    return Posts(path, table, hashlib.sha256(data).hexdigest(), threads)
