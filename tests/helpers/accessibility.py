"""Which interactive widgets lack a stable objectName or an accessible name (the shell's
unit test and the tabs' end-to-end tests share this check)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QTabWidget,
)


def qt_internal(widget: QWidget) -> bool:
    """Sub-widgets Qt creates itself: headers, tab scrollers, clear buttons, combo popups."""
    if isinstance(widget, QHeaderView):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QTabBar | QLineEdit):
            return not isinstance(widget, QAbstractItemView) or isinstance(parent, QComboBox)
        parent = parent.parentWidget()
    return False


def unnamed(root: QWidget) -> list[str]:
    """One line per interactive widget under ``root`` that a test or screen reader cannot find."""
    problems = []
    for kind in INTERACTIVE:
        for widget in root.findChildren(kind):
            name = widget.objectName()
            if name.startswith("qt_") or qt_internal(widget):
                continue
            if not name:
                problems.append(f"{type(widget).__name__} without objectName")
                continue
            text = widget.text() if isinstance(widget, QAbstractButton) else ""
            if not (widget.accessibleName() or text):
                problems.append(f"{name} without accessible name")
    return problems
