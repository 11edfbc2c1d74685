"""Parameter tables for docs/ODD.md, generated from the metadata of the config fields.

Each field's default, description, unit, range and source are declared once, with the field
(`sim.config.fields.param`); the sections come from `sim.config.sections`. Run
`python -m sim.config.paramdoc` to rewrite the tables inside docs/ODD.md; a test checks they are
current.
"""

from __future__ import annotations

import sys
from dataclasses import MISSING, Field, fields, is_dataclass
from pathlib import Path
from typing import Any

from sim.config.fields import info
from sim.config.schema import RunConfig
from sim.config.sections import all_subsections
from sim.doc_blocks import replace_block


def sections() -> list[tuple[str, type, str]]:
    """(title, dataclass, key prefix) of every table: the seed, then each (nested) section."""
    return [("seed and sections", RunConfig, "")] + all_subsections()


SECTIONS = tuple(sections())


def _default(f: Field[Any]) -> object:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        value = f.default_factory()
        return "(section)" if is_dataclass(value) else value
    return ""


def _fmt(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(
            f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in value.items()
        )
    if isinstance(value, list):
        return "[]" if not value else str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _source(prefix: str, kind: str, given: str) -> str:
    if given:
        return given
    if prefix.startswith("scenario"):
        return "set per scenario / preset"
    return "choice" if kind in ("choice", "text", "flag", "list") else "assumed"


def markdown() -> str:
    """All parameter tables as markdown."""
    parts = []
    for title, cls, prefix in sections():
        rows = [
            "| key | default | unit | range | meaning | source |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for f in fields(cls):
            default = _default(f)
            if default == "(section)" or f.metadata.get("kind") == "section":
                continue
            meta = info(f)
            rows.append(
                f"| `{prefix}{f.name}` | {_fmt(default)} | {meta.unit} | {meta.range} | "
                f"{meta.doc} | {_source(prefix, meta.kind, meta.source)} |"
            )
        parts.append(f"#### {title}\n\n" + "\n".join(rows))
    return "\n\n".join(parts) + "\n"


START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def update(path: Path) -> bool:
    """Rewrite the tables between the markers of `path`; return whether anything changed."""
    return replace_block(path, START, END, markdown())


if __name__ == "__main__":
    default_doc = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default_doc
    print("updated" if update(target) else "up to date", target)
