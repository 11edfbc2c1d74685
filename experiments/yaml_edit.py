"""Change values in a YAML file in place, keeping its comments and layout.

PyYAML's composer gives every scalar its position in the text, so a value can be replaced where
it stands; nothing else in the file moves. A key missing from a block mapping is added as a new
line at the end of that mapping (a missing top-level mapping is appended at the end of the file).
The result is parsed again and compared with what was asked, so a file is never left with a
value other than the intended one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from sim.outputs.io import write_text


class YamlEditError(ValueError):
    """A value could not be placed in the file; the message says which and why."""


def format_value(value: Any) -> str:
    """A short YAML scalar for a number (4 significant digits) or any other value."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
    if isinstance(value, int):
        return str(value)
    text = f"{value:.4g}"
    if "e" in text:
        text = f"{value:.1f}"
    return text if "." in text or "e" in text else text + ".0"


def _child(node: yaml.Node, part: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == part:
                return v
        return None
    if isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
        return node.value[int(part)]
    return None


def _find(root: yaml.Node, path: Sequence[str]) -> tuple[yaml.Node | None, yaml.Node | None, int]:
    """(node at path or None, deepest mapping reached, depth reached)."""
    node, parent = root, root
    for i, part in enumerate(path):
        nxt = _child(node, part)
        if nxt is None:
            return None, node, i
        parent, node = node, nxt
    return node, parent, len(path)


def _insert(
    text: str, mapping: yaml.Node | None, depth: int, path: Sequence[str], value: str
) -> str:
    """Add path[depth:] (a chain of keys) with `value` at the end of `mapping` (block style)."""
    rest = list(path[depth:])
    if mapping is None or not isinstance(mapping, yaml.MappingNode) or mapping.flow_style:
        raise YamlEditError(
            f"cannot add '{'.'.join(path)}': its parent is not a block mapping in the file"
        )
    if mapping.value:
        indent = mapping.value[0][0].start_mark.column
        last_line = (
            mapping.end_mark.line if mapping.end_mark.column == 0 else mapping.end_mark.line + 1
        )
    else:
        raise YamlEditError(f"cannot add '{'.'.join(path)}' to an empty mapping")
    lines = text.splitlines(keepends=True)
    while last_line > 0 and not lines[last_line - 1].strip():
        last_line -= 1
    new = []
    for j, part in enumerate(rest):
        pad = " " * (indent + 2 * j)
        new.append(f"{pad}{part}: {value}\n" if j == len(rest) - 1 else f"{pad}{part}:\n")
    return "".join(lines[:last_line] + new + lines[last_line:])


def set_values(text: str, values: Mapping[str, Any]) -> str:
    """Return `text` with each key (a path with '/' between parts, or a tuple) set to its value.

    Args:
        text: YAML text with a mapping at the top.
        values: key path -> value; a key path is a tuple of parts or a string split on '/'
            (so dotted setting names such as 'diffusion.attention' stay one part).
    """
    for key, value in values.items():
        path = key.split("/") if isinstance(key, str) else list(key)
        root = yaml.compose(text)
        node, parent, depth = _find(root, path)
        scalar = format_value(value)
        if node is None:
            text = _insert(text, parent, depth, path, scalar)
        elif isinstance(node, yaml.ScalarNode):
            start, end = node.start_mark.index, node.end_mark.index
            text = text[:start] + scalar + text[end:]
        else:
            raise YamlEditError(f"'{'/'.join(path)}' holds a {type(node).__name__}, not a value")
    check = yaml.safe_load(text)
    for key, value in values.items():
        path = key.split("/") if isinstance(key, str) else list(key)
        got: Any = check
        for part in path:
            got = got[int(part)] if isinstance(got, list) else got[part]
        want = yaml.safe_load(format_value(value))
        if got != want:
            raise YamlEditError(f"'{'/'.join(path)}' reads back as {got!r}, not {want!r}")
    return text


def update_file(path: str | Path, values: Mapping[str, Any]) -> None:
    """Set values in a YAML file in place (atomically), keeping comments."""
    from sim.config.user_files import load_user_yaml

    path = Path(path)
    load_user_yaml(path, "YAML", allow_empty=True)  # UserFileError: names the file and line
    write_text(path, set_values(path.read_text(encoding="utf-8"), values))
