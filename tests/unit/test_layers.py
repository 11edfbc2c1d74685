"""The package's layers: no import cycles, imports only point down, Hydra only in the app layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[2] / "sim"

# Which layers each layer may import (itself always). The model never imports the apps or views.
ALLOWED = {
    "errors": set(),
    "config": {"errors", "service"},  # validation parses shift specs with service.shifts
    "network": {"errors", "config"},
    "customers": {"errors", "config", "engine", "network"},
    "scenario": {"errors", "config", "engine", "customers", "service"},
    "service": {"errors", "config", "engine", "customers", "scenario"},
    "engine": {"errors", "config", "customers", "network", "scenario", "service", "outputs"},
    "outputs": {"errors", "config", "engine", "customers", "scenario", "service"},
    "analysis": {"errors", "config", "engine", "outputs", "customers", "network", "scenario"},
    "reference": {"errors", "config", "engine", "outputs", "customers", "network", "scenario"},
    "viz": {"errors", "config", "engine", "outputs", "customers", "network", "scenario", "service",
            "analysis"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports at any depth (function-level imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


MODULES = {_module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if top_level_only else list(ast.walk(tree))
        deps: set[str] = set()
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            deps.update(n for n in names if n in MODULES and n != name)
        graph[name] = deps
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "sim"


def test_no_import_cycles_at_module_level():
    graph = _graph(top_level_only=True)
    assert sum(len(deps) for deps in graph.values()) > 50, "the import graph was not read"
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if dep in ("sim",):  # the package facade re-exports; it is imported by nobody inside
                continue
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_layers_import_only_what_they_may():
    bad = []
    for name, path in MODULES.items():
        layer = _layer(name)
        if layer not in ALLOWED:
            continue
        for dep in _imports(path):
            if not dep.startswith("sim.") or dep.split(".")[1] not in ALLOWED:
                continue
            other = dep.split(".")[1]
            if other != layer and other not in ALLOWED[layer]:
                bad.append(f"{name} imports {dep} ({layer} may import {sorted(ALLOWED[layer])})")
    assert not bad, "\n".join(sorted(set(bad)))


def test_errors_module_needs_only_the_standard_library():
    imported = {d.split(".")[0] for d in _imports(SIM / "errors.py")}
    assert imported <= {"__future__", "typing"}, imported


def test_every_layer_is_a_package():
    for folder in SIM.iterdir():
        if folder.is_dir() and folder.name != "__pycache__":
            assert (folder / "__init__.py").is_file(), folder.name
