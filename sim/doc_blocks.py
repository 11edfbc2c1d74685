"""Generated blocks of the docs: the text between two HTML-comment markers (standard library only).

`docs/ODD.md` (parameter tables, `sim.config.paramdoc`) and `docs/metrics.md` (metric table,
`sim.outputs.registry`) hold tables written from the code; this module rewrites them in place.
"""

from __future__ import annotations

from pathlib import Path


def replace_block(path: Path, start: str, end: str, body: str) -> bool:
    """Put `body` between the markers `start` and `end` of `path`; return whether it changed."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    new = f"{head}{start}\n{body}{end}{tail}"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True
