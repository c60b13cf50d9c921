"""Layer rules import-linter cannot express: models may use QtCore only; every UI feature
package is under the independence contract."""

from __future__ import annotations

import ast
import tomllib
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


def _contract(name: str) -> dict[str, object]:
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"] == name)


def test_every_ui_feature_package_is_in_the_independence_contract() -> None:
    """A new feature package (a folder under posdesk/ui other than the shared rooms) must be
    listed, or it could import other features' internals without lint-imports noticing."""
    shared = {"shell", "common", "widgets"}
    features = {
        f"posdesk.ui.{path.parent.name}"
        for path in (PACKAGE / "ui").glob("*/__init__.py")
        if path.parent.name not in shared
    }
    contract = _contract("UI feature packages are independent of each other")
    assert contract["type"] == "independence"
    assert set(contract["modules"]) == features  # type: ignore[call-overload]
    assert {"posdesk.ui.customers", "posdesk.ui.giftcards"} <= features
