"""Dark theme: controls stay visible (Fusion draws indicator rims darker than the window)."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QRadioButton, QStyleFactory
from pytestqt.qtbot import QtBot

from posdesk.ui.shell.theme import apply_theme


def brightest_in_indicator(button: QRadioButton) -> int:
    image = button.grab().toImage()
    size = min(image.height(), 20)
    return max(image.pixelColor(x, y).lightness() for x in range(size) for y in range(size))


def test_unchecked_radio_button_is_visible_in_the_dark_theme(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style_name = app.style().name()
    palette = QPalette(app.palette())
    try:
        apply_theme(app, "dark")
        button = QRadioButton("Cash")
        qtbot.addWidget(button)
        button.show()
        window = app.palette().color(QPalette.ColorRole.Window).lightness()
        # The rim must stand out from the window, not be a shade darker than it.
        assert brightest_in_indicator(button) - window > 60
    finally:
        restored = QStyleFactory.create(style_name)
        if restored is not None:
            app.setStyle(restored)
        app.setPalette(palette)
