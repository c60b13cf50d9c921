"""ui/ stays easy to change: no module over ~600 lines (no exceptions: split it by
responsibility), and no function over ~80 lines without a one-line reason ("Long …") in its
docstring — a reason is for pure widget-tree construction and the like, and a reason that is
no longer needed (the function got short) is removed."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import posdesk

UI = Path(posdesk.__file__).parent / "ui"
MODULE_LINES = 600
FUNCTION_LINES = 80


def _reasoned(docstring: str | None) -> bool:
    return any(line.strip().startswith("Long") for line in (docstring or "").splitlines())


def _modules() -> Iterator[tuple[Path, str, ast.Module]]:
    for path in sorted(UI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        yield path.relative_to(UI), source, ast.parse(source)


def _functions(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node, (node.end_lineno or node.lineno) - node.lineno + 1


def test_no_ui_module_is_over_the_limit() -> None:
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
