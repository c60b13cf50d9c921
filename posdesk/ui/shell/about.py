"""About posdesk: version, Qt/Python versions and what the connected server says it is."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from posdesk import __version__
from posdesk.ui.shell.context import SessionContext


class AboutDialog(QDialog):
    def __init__(self, context: SessionContext | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About posdesk")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>posdesk {__version__}</h2>Back office for Kensium POS / Fusion POS.")
        title.setObjectName("aboutTitle")
        layout.addWidget(title)
        form = QFormLayout()
        rows: list[tuple[str, str]] = [
            ("posdesk", __version__),
            ("Qt / PySide6", f"{qVersion()} / {pyside_version}"),
            ("Python", platform.python_version()),
        ]
        if context is not None:
            env = context.environment
            rows += [
                ("Profile", context.profile_name),
                ("Server", env.name or "unknown"),
                ("Environment", env.kind or "unknown"),
                ("Tenant type", env.tenant_type or "unknown"),
                ("Server version", env.version or "unknown"),
                ("Currency", env.currency or "unknown"),
                ("Time zone", env.time_zone or "unknown"),
            ]
        else:
            rows.append(("Server", "not connected"))
        for key, value in rows:
            label = QLabel(value)
            label.setObjectName(f"about:{key}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{key}:", label)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("aboutButtons")
        buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("aboutCloseButton")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
