"""ui/ stays easy to change: no module over ~600 lines and no function over ~80 lines
without a one-line reason ("Long …") in its docstring."""

from __future__ import annotations

import ast
from pathlib import Path

import posdesk

UI = Path(posdesk.__file__).parent / "ui"
MODULE_LINES = 600
FUNCTION_LINES = 80


def _reasoned(docstring: str | None) -> bool:
    return any(line.strip().startswith("Long") for line in (docstring or "").splitlines())


def test_long_ui_modules_and_functions_say_why() -> None:
    unexplained: list[str] = []
    for path in sorted(UI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        name = path.relative_to(UI)
        if len(source.splitlines()) > MODULE_LINES and not _reasoned(ast.get_docstring(tree)):
            unexplained.append(f"{name} ({len(source.splitlines())} lines)")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES and not _reasoned(ast.get_docstring(node)):
                    unexplained.append(f"{name}:{node.lineno} {node.name} ({length} lines)")
    assert not unexplained, unexplained
