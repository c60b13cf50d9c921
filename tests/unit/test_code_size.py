"""posdesk stays easy to change, in every package (ui, api, store, mirror, sandbox, ...): no
module over ~600 lines (no exceptions: split it by responsibility), no function over ~80
lines without a one-line reason ("Long ...") in its docstring (pure widget-tree
construction and the like; a reason that is no longer needed is removed), no import cycle,
no `asyncio.wait_for`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp

import posdesk

PACKAGE = Path(posdesk.__file__).parent
MODULE_LINES = 600
FUNCTION_LINES = 80


def _reasoned(docstring: str | None) -> bool:
    return any(line.strip().startswith("Long") for line in (docstring or "").splitlines())


def _modules() -> Iterator[tuple[Path, str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        yield path.relative_to(PACKAGE), source, ast.parse(source)


def _functions(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node, (node.end_lineno or node.lineno) - node.lineno + 1


def test_no_module_is_over_the_limit() -> None:
    too_long = [
        f"{name} ({len(source.splitlines())} lines)"
        for name, source, _tree in _modules()
        if len(source.splitlines()) > MODULE_LINES
    ]
    assert not too_long, too_long


def test_long_functions_say_why() -> None:
    unexplained = [
        f"{name}:{node.lineno} {node.name} ({length} lines)"
        for name, _source, tree in _modules()
        for node, length in _functions(tree)
        if length > FUNCTION_LINES and not _reasoned(ast.get_docstring(node))
    ]
    assert not unexplained, unexplained


def test_no_reason_outlives_its_length() -> None:
    stale = [
        f"{name} (module)"
        for name, _source, tree in _modules()
        if _reasoned(ast.get_docstring(tree))
    ] + [
        f"{name}:{node.lineno} {node.name} ({length} lines)"
        for name, _source, tree in _modules()
        for node, length in _functions(tree)
        if length <= FUNCTION_LINES and _reasoned(ast.get_docstring(node))
    ]
    assert not stale, stale


def test_no_import_cycle_in_posdesk() -> None:
    """Rooms import each other one way only: a cycle anywhere (db ↔ seed was one) is found."""
    graph = grimp.build_graph("posdesk")
    cycles = sorted(
        f"{importer} ↔ {imported}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer)
    )
    assert not cycles, cycles


def test_no_asyncio_wait_for() -> None:
    """``asyncio.timeout`` only: on Python 3.11 ``wait_for`` swallows a cancel that lands as
    the awaited thing finishes, which once made quitting wait forever on the local data sync
    (tests/e2e/shell/test_quit_with_dialog_open.py)."""
    calls = [
        f"{path}:{node.lineno}"
        for path, _, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "wait_for"
    ]
    assert calls == []
