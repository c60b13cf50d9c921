"""Registers → stores in the Local data panel: a register per row, its store in a combo.

On a server whose sales carry their store (extended API) the rows come from the server and
are read-only. On a documented server a manager picks each register's store; a register whose
code starts with a store code's first 3 letters is pre-filled with that store and marked
"suggested" until the manager saves it (suggestions are never used before that).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from posdesk.mirror import RegisterStore
from posdesk.mirror.registers import MANAGER, SERVER, SUGGESTED

NOTES = {
    SERVER: "from the server",
    MANAGER: "set by you",
    SUGGESTED: "suggested — save to use it",
    "": "pick a store",
}
NONE_TEXT = "—"


class RegisterTable(QTableWidget):
    """Register | Store (combo) | Note. ``changes()`` = what Save would store."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setObjectName("localDataRegisters")
        self.setAccessibleName("Registers and their stores")
        self.setHorizontalHeaderLabels(["Register", "Store", "Note"])
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.rows: list[RegisterStore] = []
        self._stores: list[str] = []
        self.explanation = QLabel(self.parentWidget())
        self.explanation.setObjectName("localDataRegisterNote")
        self.explanation.setWordWrap(True)

    def fill(self, registers: Sequence[RegisterStore], stores: Sequence[str]) -> None:
        if list(registers) == self.rows and self._stores == list(stores):
            return
        self.rows = list(registers)
        self._stores = list(stores)
        self.setRowCount(len(self.rows))
        for row, register in enumerate(self.rows):
            self.setItem(row, 0, QTableWidgetItem(register.register_code))
            combo = QComboBox(self)
            combo.setObjectName(f"localDataRegister:{register.register_code}")
            combo.setAccessibleName(f"Store of register {register.register_code}")
            combo.addItem(NONE_TEXT, None)
            for code in stores:
                combo.addItem(code, code)
            if register.location_code and combo.findData(register.location_code) < 0:
                combo.addItem(register.location_code, register.location_code)
            combo.setCurrentIndex(max(0, combo.findData(register.location_code)))
            combo.setEnabled(register.source != SERVER)
            combo.currentIndexChanged.connect(lambda _i, r=row: self._edited(r))
            self.setCellWidget(row, 1, combo)
            self.setItem(row, 2, QTableWidgetItem(NOTES.get(register.source, register.source)))
        from_server = bool(self.rows) and all(r.source == SERVER for r in self.rows)
        if not self.rows:
            text = "No registers seen yet: they appear with the first sales copied."
        elif from_server:
            text = "This server says which store each register belongs to."
        else:
            text = (
                "This server's sales name a register but not a store. Say which store each "
                "register belongs to, so that filtering sales by store works."
            )
        self.explanation.setText(text)

    def combo(self, register_code: str) -> QComboBox | None:
        for row, register in enumerate(self.rows):
            if register.register_code == register_code:
                widget = self.cellWidget(row, 1)
                return widget if isinstance(widget, QComboBox) else None
        return None

    def editable(self) -> bool:
        """Whether a manager has anything to choose (some register is not the server's)."""
        return any(r.source != SERVER for r in self.rows)

    def notes(self) -> list[str]:
        """The Note column, row by row ("suggested — save to use it", "set by you", …)."""
        return [(item.text() if (item := self.item(r, 2)) else "") for r in range(self.rowCount())]

    def _edited(self, row: int) -> None:
        item = self.item(row, 2)
        if item is not None:
            item.setText("changed — save to use it")

    def changes(self) -> list[tuple[str, str | None]]:
        """(register, store) pairs a Save stores: edits, and suggestions left as shown."""
        result: list[tuple[str, str | None]] = []
        for row, register in enumerate(self.rows):
            widget = self.cellWidget(row, 1)
            if register.source == SERVER or not isinstance(widget, QComboBox):
                continue
            chosen = widget.currentData()
            stored = register.location_code if register.source == MANAGER else None
            if chosen != stored:
                result.append((register.register_code, chosen))
        return result
