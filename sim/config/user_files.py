"""Files a user gives (strategy, scenario and sensitivity YAML files) checked like command lines.

`load_user_yaml(path, kind)` reads a YAML file that must hold a mapping of keys and refuses
anything else with a `UserFileError` (a ConfigError, so every entry point reports it in one
paragraph with exit status 2): the message names the file, the line (from the YAML parser's
mark, or where a key stands) or the key, what is wrong and what is expected. It refuses a
missing path, a directory, an unreadable, binary or non-UTF-8 file, an empty file (unless
`allow_empty`), a YAML syntax error, a document that is not a mapping and, when `keys` is given,
keys outside it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from sim.errors import UserFileError

EXPECTED = "YAML text holding a mapping of keys (lines such as `name: my_strategy`)"


def _kind_of(data: Any) -> str:
    if isinstance(data, list):
        return "a list (lines starting with '-')"
    return f"a single {type(data).__name__} value ({str(data)[:40]!r})"


def key_lines(text: str) -> dict[str, int]:
    """The line (from 1) of every top-level key of a YAML mapping document (empty if none)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _text(path: Path, kind: str) -> str:
    if not path.exists():
        raise UserFileError(
            path, kind, "no file is at that path", "Check the path (relative to this folder)."
        )
    if path.is_dir():
        raise UserFileError(path, kind, "it is a directory, not a file", f"Give {EXPECTED}.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserFileError(path, kind, f"it cannot be read ({exc.strerror})", "") from None
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise UserFileError(
            path, kind, "it is a binary file, not YAML text", f"Give {EXPECTED}.", line=line
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserFileError(
            path,
            kind,
            f"byte 0x{raw[exc.start]:02x} is not UTF-8 text (is it a binary or compressed file?)",
            f"Give {EXPECTED}.",
            line=line,
        ) from None


def parse_user_yaml(path: str | os.PathLike, kind: str) -> Any:
    """The YAML document of a user's file (any type; None if empty); UserFileError if unreadable."""
    path = Path(path)
    text = _text(path, kind)
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        if exc.context and exc.problem:
            context = " ".join(str(exc.context).split())
            start = exc.context_mark
            if start is not None and mark is not None and start.line != mark.line:
                context += f" that starts on line {start.line + 1}, column {start.column + 1}"
            problem = f"{context}: {problem}"
        raise UserFileError(
            path,
            kind,
            f"YAML syntax error: {problem}",
            "Fix the line (indentation, a missing ':' or closing bracket are common causes).",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise UserFileError(path, kind, f"it is not valid YAML ({problem})", "") from None


def load_user_yaml(
    path: str | os.PathLike,
    kind: str,
    keys: Collection[str] | None = None,
    *,
    allow_empty: bool = False,
) -> dict[str, Any]:
    """A user's YAML file holding a mapping, as plain data, checked.

    Args:
        path: the file.
        kind: what the file is for, as the message names it: "strategy", "scenario", ...
        keys: the keys allowed at the top level (None: any).
        allow_empty: an empty file (or one holding only comments) is an empty mapping.

    Raises:
        UserFileError: naming the file, the line or key, what is wrong and what is expected.
    """
    path = Path(path)
    data = parse_user_yaml(path, kind)
    if data is None:
        if allow_empty:
            return {}
        raise UserFileError(path, kind, "it is empty (or holds only comments)", f"Give {EXPECTED}.")
    if not isinstance(data, dict):
        raise UserFileError(
            path, kind, f"it holds {_kind_of(data)}, not a mapping of keys", f"Give {EXPECTED}."
        )
    if keys is not None:
        unknown = [k for k in data if str(k) not in keys]
        if unknown:
            raise unknown_key(path, kind, str(unknown[0]), keys)
    return data


def unknown_key(path: Path, kind: str, key: str, keys: Collection[str]) -> UserFileError:
    """The error for a key of a user's file that is not one of `keys`."""
    close = difflib.get_close_matches(key, list(keys), n=3)
    hint = (
        "Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        if close
        else f"Known keys: {', '.join(sorted(keys))}."
    )
    return UserFileError(
        path,
        kind,
        f"unknown key '{key}'",
        hint,
        line=line_of(path, key),
        key=key,
    )


def line_of(path: str | os.PathLike, key: str) -> int | None:
    """The line of a top-level key in a YAML file, if it can be told."""
    try:
        return key_lines(Path(path).read_text(encoding="utf-8")).get(key)
    except (OSError, UnicodeDecodeError):
        return None


def load_section_file(path: str | os.PathLike, section: str) -> dict[str, Any]:
    """A user's file holding one section of the run config (e.g. a strategy), checked.

    Its keys must be fields of the section and its values of their declared types; the
    section's cross-checks run later, with the whole run config.

    Raises:
        UserFileError: naming the file, the key and its line, what is wrong.
    """
    from dataclasses import fields

    from sim.config.schema import RunConfig
    from sim.errors import ConfigError

    path = Path(path)
    known = [f.name for f in fields(getattr(RunConfig(), section))]
    data = load_user_yaml(path, section, keys=known)
    try:
        RunConfig.from_dict({section: data}, check=False)
    except ConfigError as exc:
        key = str(exc.key).removeprefix(f"{section}.")
        top = key.split(".")[0].split("[")[0]
        raise UserFileError(
            path,
            section,
            f"key '{key}': got {exc.value!r}, allowed: {exc.allowed}",
            "",
            line=line_of(path, top),
            key=key,
        ) from None
    return data
