"""Imports point one way (DESIGN.md section 2): a module never imports a higher layer, and no
two top-level packages import each other, directly or round a longer loop."""

from __future__ import annotations

import ast
from pathlib import Path

import microfolio

ROOT = Path(microfolio.__file__).parent

#: lowest first; a package may import its own layer or any lower one
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"domain", "errors", "checks", "clock", "__init__"}),
    frozenset({"data"}),
    frozenset({"features", "estimate"}),
    frozenset({"optimize", "signals", "risk"}),
    frozenset({"rebalance", "tax", "advisor", "execution", "ledger", "reports", "store"}),
    frozenset({"services", "batch", "backtest"}),
    frozenset({"api", "web", "cli"}),
)


def _layer(package: str) -> int:
    for level, members in enumerate(LAYERS):
        if package in members:
            return level
    raise AssertionError(f"package {package!r} has no layer in this test: add it")


def _package_of(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0].removesuffix(".py")


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "microfolio" and len(parts) > 1:
                found.add(parts[1])
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        package = _package_of(path)
        graph.setdefault(package, set()).update(_imported_packages(path) - {package})
    return graph


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{src} (layer {_layer(src)}) imports {dst} (layer {_layer(dst)})"
        for src, targets in _graph().items()
        for dst in targets
        if _layer(dst) > _layer(src)
    ]

    assert upward == []


def test_packages_import_each_other_without_cycles() -> None:
    graph = _graph()
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif len(path) < len(graph):
                visit(nxt, [*path, nxt])

    for start in graph:
        visit(start, [start])

    assert cycles == []
