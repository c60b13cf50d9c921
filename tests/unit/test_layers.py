"""Layer rules import-linter cannot express: models may use QtCore only; every UI feature
package is under the independence contract."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
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


def test_layer_check_sees_the_package(tmp_path: Path) -> None:
    """lint-imports really analyses posdesk: in a copy with one forbidden import it checks every
    configured contract and reports exactly that import, through the modules that reach it."""
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c["name"] for c in config["tool"]["importlinter"]["contracts"]]
    assert len(contracts) >= 8  # layers, Qt-free core, UI rules, feature independence, ...
    shutil.copytree(PACKAGE, tmp_path / "posdesk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PACKAGE.parent / "pyproject.toml", tmp_path)
    journal = tmp_path / "posdesk" / "store" / "journal.py"
    source = journal.read_text(encoding="utf-8")
    journal.write_text(
        source.replace(
            "from __future__ import annotations\n",
            "from __future__ import annotations\n\nfrom PySide6 import QtWidgets  # forbidden\n",
            1,
        ),
        encoding="utf-8",
    )
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports is not None
    result = subprocess.run(
        [lint_imports, "--no-cache", "--no-logo"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},  # the copy, not the installed tree
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = result.stdout
    assert result.returncode == 1, report + result.stderr
    assert f"Contracts: {len(contracts) - 1} kept, 1 broken." in report
    flat = " ".join(report.split())  # lint-imports wraps long contract names
    for name in contracts:
        verdict = "BROKEN" if name == "Core layers never import Qt" else "KEPT"
        assert f"{name} {verdict}" in flat, name
    assert "posdesk.store.journal -> PySide6" in report
    # followed indirectly: posdesk.api reaches Qt through the journal it imports
    assert "posdesk.api is not allowed to import PySide6" in report


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
    assert {
        "posdesk.ui.customers",
        "posdesk.ui.giftcards",
        "posdesk.ui.reports",
        "posdesk.ui.localdata",
    } <= features
