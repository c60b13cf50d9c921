"""Layer rules import-linter cannot express: models may use QtCore only."""

from __future__ import annotations

import ast
from pathlib import Path

import posdesk

PACKAGE = Path(posdesk.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_models_import_only_qtcore() -> None:
    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / "models").rglob("*.py")
        for name in imported_modules(path)
        if name.startswith("PySide6") and name not in {"PySide6", "PySide6.QtCore"}
    }
    assert not offenders, offenders


def test_layer_check_sees_the_package() -> None:
    assert (PACKAGE / "models" / "__init__.py").exists()
