"""Light/dark palette: follow the OS, or force one (``--theme``, screenshots).

Qt 6 follows the OS colour scheme on Windows and macOS and on Linux desktops with a platform
theme; elsewhere (plain X11, Xvfb) it stays light. Forcing "dark" uses the Fusion style with
a dark palette so it looks the same on every platform.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)
from typing_extensions import override

Theme = Literal["system", "light", "dark"]


def dark_palette() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    colors = {
        role.Window: "#202124",
        role.WindowText: "#e8eaed",
        role.Base: "#17181a",
        role.AlternateBase: "#232427",
        role.ToolTipBase: "#2d2e31",
        role.ToolTipText: "#e8eaed",
        role.PlaceholderText: "#8a8d91",
        role.Text: "#e8eaed",
        role.Button: "#2d2e31",
        role.ButtonText: "#e8eaed",
        role.BrightText: "#ff8a80",
        role.Highlight: "#3d6fb4",
        role.HighlightedText: "#ffffff",
        role.Link: "#8ab4f8",
        role.LinkVisited: "#c58af9",
        role.Light: "#3c3d40",
        role.Midlight: "#333437",
        role.Mid: "#2a2b2e",
        role.Dark: "#111214",
        role.Shadow: "#000000",
    }
    for r, c in colors.items():
        palette.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, r, QColor("#6f7276"))
    return palette


class _DarkIndicators(QProxyStyle):
    """Fusion with visible radio/check box rims on a dark palette.

    Fusion outlines indicators with the window colour made *darker*, which vanishes on a dark
    window (an unchecked radio button was next to invisible). Only indicators are touched.
    """

    RIM = QColor("#8a8d91")

    @override
    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        radio = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if not radio and element != QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rim = QColor(self.RIM)
        if not option.state & QStyle.StateFlag.State_Enabled:
            rim.setAlpha(110)
        painter.setPen(QPen(rim, 1.0))
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if radio:
            painter.drawEllipse(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        else:
            painter.drawRoundedRect(rect, 1.0, 1.0)
        painter.restore()


def light_palette() -> QPalette:
    app = QApplication.instance()
    style = app.style() if isinstance(app, QApplication) else None
    return style.standardPalette() if style is not None else QPalette()


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: Theme = "system") -> str:
    """Apply ``theme``; returns the scheme in effect ("light" or "dark")."""
    if theme == "system":
        # The platform usually follows the OS by itself; step in only where the palette does
        # not match the OS scheme (Fusion on Linux without a platform theme).
        want_dark = system_is_dark()
        is_dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
        if want_dark == is_dark:
            return "dark" if is_dark else "light"
        theme = "dark" if want_dark else "light"
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(_DarkIndicators(fusion) if theme == "dark" else fusion)
    app.setPalette(dark_palette() if theme == "dark" else light_palette())
    return theme


def follow_system_theme(app: QApplication) -> None:
    """Re-apply the palette when the OS switches between light and dark at run time."""
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
