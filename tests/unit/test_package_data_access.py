"""posdesk code finds its data files with importlib.resources, never via ``__file__``.

``Path(__file__).parent / "x"`` happens to work in a checkout, but not from every place the
app runs (zip imports, future bundlers); importlib.resources works from a checkout, a wheel
and the PyInstaller bundle alike (packaging/README.md, "Data files").
"""

from __future__ import annotations

import ast
from pathlib import Path

import posdesk

PACKAGE = Path(posdesk.__file__).parent


def test_no_module_locates_files_through_dunder_file() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Name) and node.id == "__file__"
    ]
    assert offenders == [], "use importlib.resources.files(...) instead of __file__"
