"""One-paragraph messages for the errors Hydra and OmegaConf raise while composing a command line.

Each message names the key or override, says what was wrong and what is allowed (the app's schema
in experiments/schemas.py tells the type and whether null is allowed), as docs/reliability.md
describes; `experiments.common.preflight` raises them as UserError (exit status 2).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any, get_origin

from omegaconf import DictConfig, OmegaConf

from experiments import schemas


def one_paragraph(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines()]
    lines = [
        ln
        for ln in lines
        if ln
        and not ln.startswith(
            ("full_key:", "object_type=", "reference_type=", "Config search path", "provider=")
        )
    ]
    return " ".join(lines)


def _known_keys(node: Any) -> list[str]:
    return sorted(str(k) for k in node.keys()) if isinstance(node, DictConfig) else []


def _free_mapping(config_name: str, parent: str) -> bool:
    """Whether the schema declares `parent` as a mapping of any keys (where `+key=...` adds one)."""
    schema = schemas.SCHEMAS.get(config_name)
    declared = schemas.declared_type(schema, parent) if (schema and parent) else None
    return declared is not None and get_origin(declared[0]) is dict


def _unknown_key_message(
    key: str, line: str, base: DictConfig | None, config_name: str = "config"
) -> str:
    parent, _, leaf = key.rpartition(".")
    while (
        parent and base is not None and not isinstance(OmegaConf.select(base, parent), DictConfig)
    ):
        parent, _, leaf = parent.rpartition(".")  # name the first part that does not exist
    node = OmegaConf.select(base, parent) if (base is not None and parent) else base
    known = _known_keys(node)
    where = f"section '{parent}'" if parent else "the configuration"
    text = f"Unknown key '{key}' in the override '{line}': {where} has no key '{leaf}'."
    close = difflib.get_close_matches(leaf, known, n=3)
    if close:
        prefix = f"{parent}." if parent else ""
        text += " Did you mean " + " or ".join(f"'{prefix}{c}'" for c in close) + "?"
    if known:
        text += f" Known keys of {where}: {', '.join(known)}."
    if _free_mapping(config_name, parent) and not line.startswith("+"):
        return text + f" (To add a new key to this mapping, write +{line}.)"
    return text + " (The keys of each app are fixed by its schema, experiments/schemas.py.)"


ALLOWED = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}


def _allowed(config_name: str, key: str, base: DictConfig | None) -> str:
    """What a key accepts, from the app's schema, with the value it has without the override."""
    schema = schemas.SCHEMAS.get(config_name)
    declared = schemas.declared_type(schema, key) if schema else None
    if declared is None:
        return "a value of the declared type"
    kind, optional = declared
    text = ALLOWED.get(kind) or (
        "a list, e.g. [a,b]"
        if get_origin(kind) is list
        else "a mapping"
        if get_origin(kind) is dict
        else "a value of the declared type"
    )
    current = OmegaConf.select(base, key, default=None) if base is not None else None
    if current is not None and not OmegaConf.is_config(current):
        text += f", e.g. {key}={str(current).lower() if isinstance(current, bool) else current}"
    return text + (", or null" if optional else "")


def hydra_error_message(
    exc: BaseException,
    base: DictConfig | None = None,
    config_name: str = "config",
    line: str | None = None,
) -> str:
    """A one-paragraph message for an error Hydra or OmegaConf raised while composing.

    Args:
        exc: the exception.
        base: the configuration composed without the offending overrides (lists known keys).
        config_name: the app's primary config (its schema says what a key accepts).
        line: the offending override, when known.
    """
    msg, cause = str(exc), exc.__cause__
    m = re.match(r"Could not override '([^']+)'", msg)
    if m:
        line = msg.split("use +", 1)[1].strip() if "use +" in msg else m.group(1)
        return _unknown_key_message(m.group(1), line, base, config_name)
    if type(exc).__name__ == "ConfigKeyError" and getattr(exc, "full_key", None):
        key = str(exc.full_key)  # a key added with `+` that the schema does not declare
        return _unknown_key_message(key, line or key, base, config_name)
    m = re.match(r"Error merging override (.+)", msg)
    if m and cause is not None:
        key = getattr(cause, "full_key", None) or m.group(1).split("=", 1)[0]
        value = m.group(1).split("=", 1)[1] if "=" in m.group(1) else ""
        return (
            f"Invalid configuration value for '{key}': got {value!r} in the override "
            f"'{m.group(1)}'. Allowed: {_allowed(config_name, str(key), base)} "
            f"({one_paragraph(str(cause))})."
        )
    m = re.search(r"An item is already at '([^']+)'", msg)
    if m:
        return (
            f"The key '{m.group(1)}' already exists, so it cannot be added with '+': write "
            f"{m.group(1)}=VALUE to change it (or ++{m.group(1)}=VALUE to add or change it)."
        )
    if type(exc).__name__ == "OverrideParseException":
        return (
            f"Malformed override: {one_paragraph(msg)} Overrides look like key=value (e.g. "
            "strategy.staff=4), +key=value to add a key to a mapping, ~key to delete one, "
            "key=[a,b] for a list; quote values with spaces or commas, e.g. "
            "'strategy.shift=\"mon-fri 09:00-17:00\"'."
        )
    text = one_paragraph(msg)
    if cause is not None and str(cause) not in msg:
        text += " " + one_paragraph(str(cause))
    return "Invalid command line: " + text


def bad_override(exc: BaseException, overrides: Sequence[str]) -> str | None:
    """The override an error of composition is about, if it can be told."""
    m = re.search(r"override '?([^'\s]+)'?", str(exc))
    if m:
        return m.group(1)
    key = getattr(exc, "full_key", None)
    for line in overrides if key else ():
        name = line.lstrip("+~").split("=", 1)[0]
        if name == key or str(key).startswith(name + ".") or name.startswith(f"{key}."):
            return line
    return None
