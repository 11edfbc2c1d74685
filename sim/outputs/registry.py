"""The registry of metrics: every key of metrics.json, with its label, unit and direction.

One entry per metric a run produces (`sim.outputs.metrics`, `sim.outputs.derived_metrics` and
the service desk). A count entry (`scaled=True`) also stands for its `_scaled` twin, the same
count times the scale factor (real people). The run summary, the comparison tables, the
robustness objectives, sensitivity analysis and docs/metrics.md read names, labels, units and
"better" from here; the names are DESIGN.md's contract and never change.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from sim.doc_blocks import replace_block
from sim.outputs.metric import BETTER, SCALED_SUFFIX, Metric
from sim.outputs.metrics_customers import CUSTOMER_METRICS, NETWORK_METRICS
from sim.outputs.metrics_documented import DOCUMENTED_METRICS
from sim.outputs.metrics_evidence import EVIDENCE_METRICS
from sim.outputs.metrics_service import SERVICE_METRICS

__all__ = ["BETTER", "METRICS", "SCALED_SUFFIX", "Metric"]

# in the order of docs/metrics.md
METRICS: tuple[Metric, ...] = (
    CUSTOMER_METRICS + SERVICE_METRICS + DOCUMENTED_METRICS + EVIDENCE_METRICS + NETWORK_METRICS
)
BY_NAME = {m.name: m for m in METRICS}


def scaled_twin(metric: Metric) -> Metric:
    """The `_scaled` twin of a count metric: the same count at real scale."""
    return replace(
        metric,
        name=metric.name + SCALED_SUFFIX,
        scaled=False,
        label=metric.label + " (real)",
        doc=metric.doc + ", at real scale (times the scale factor)",
    )


def all_metrics() -> list[Metric]:
    """Every metric, each count followed by its `_scaled` twin."""
    out = []
    for m in METRICS:
        out += [m, scaled_twin(m)] if m.scaled else [m]
    return out


def names(origin: str | None = None) -> list[str]:
    """Every metric name (twins included), or those of one origin."""
    return [m.name for m in all_metrics() if origin is None or m.origin == origin]


def scaled_counts(origin: str) -> tuple[str, ...]:
    """The count metrics of one origin that get a `_scaled` twin."""
    return tuple(m.name for m in METRICS if m.scaled and m.origin == origin)


def get(name: str) -> Metric:
    """The registry entry of a metric name, twins included (KeyError naming close names)."""
    if name in BY_NAME:
        return BY_NAME[name]
    if name.endswith(SCALED_SUFFIX) and BY_NAME.get(name[: -len(SCALED_SUFFIX)], None):
        base = BY_NAME[name[: -len(SCALED_SUFFIX)]]
        if base.scaled:
            return scaled_twin(base)
    import difflib

    close = difflib.get_close_matches(name, names(), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"{name!r} is no metric{hint}")


HEADING_UNITS = ("people", "$", "min")  # units table headings name in parentheses


def heading(name: str) -> str:
    """A table heading: the label (a twin's is its count's), with the unit where it helps."""
    m = get(name)
    base = BY_NAME.get(name[: -len(SCALED_SUFFIX)]) if name.endswith(SCALED_SUFFIX) else None
    label = base.label if base is not None and base.scaled else m.label
    return f"{label} ({m.unit})" if m.unit in HEADING_UNITS else label


def signed(fmt: str) -> str:
    """The format of a difference: the same with an explicit sign ("{:,.0f}" -> "{:+,.0f}")."""
    return fmt if "{:+" in fmt else fmt.replace("{:", "{:+", 1)


def better(name: str) -> str:
    """Whether lower or higher is better for a metric ("" if neither; KeyError if unknown)."""
    return get(name).better


def markdown() -> str:
    """The metrics table of docs/metrics.md."""
    rows = ["| metric | label | unit | better | meaning |", "| --- | --- | --- | --- | --- |"]
    for m in METRICS:
        twin = f" (and `{m.name}{SCALED_SUFFIX}` at real scale)" if m.scaled else ""
        rows.append(f"| `{m.name}`{twin} | {m.label} | {m.unit} | {m.better or '-'} | {m.doc} |")
    return "\n".join(rows) + "\n"


START, END = "<!-- metrics:start -->", "<!-- metrics:end -->"


def update(path: Path) -> bool:
    """Rewrite the table between the markers of `path`; return whether anything changed."""
    return replace_block(path, START, END, markdown())


if __name__ == "__main__":
    default_doc = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default_doc
    print("updated" if update(target) else "up to date", target)
