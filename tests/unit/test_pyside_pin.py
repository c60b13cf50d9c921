"""Guard against a PySide6 bump that brings back the Python 3.11 none_dealloc abort."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import os
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])
    model = QStandardItemModel()
    label = QLabel()
    for i in range(20_000):
        model.appendRow(QStandardItem(str(i)))
        label.setText(str(i))
    print("survived", model.rowCount())
    """
)


def test_twenty_thousand_void_calls_do_not_abort() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived 20000" in result.stdout
