"""The report's chart, drawn with QPainter: bars (categories), lines (time) and an hour ×
weekday heat map. Why not a library: see docs/architecture.md, "Reports tab" (pyqtgraph
brings numpy and takes the bundle past its 170 MB limit; Qt Charts is deprecated; Qt Graphs
is QML-only).

Values arrive as ``Decimal`` and are converted to float for geometry only; every label and
tooltip is the table's own text (``cells.cell_text``), so a tooltip never shows float noise.
Colours come from the widget's palette, so the chart follows the light and dark themes, and
``render()`` paints the same picture onto a printer or PDF page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QHelpEvent,
    QLinearGradient,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget
from typing_extensions import override

from posdesk.models.formatting import Formatter
from posdesk.reports.model import ChartKind, ChartSpec, ValueKind
from posdesk.ui.reports.cells import cell_text

#: Series hues (degrees) that stay apart for common colour-vision deficiencies.
_HUES = (210, 30, 150, 280, 0, 60)
_MARGIN = 8.0


@dataclass(frozen=True, slots=True)
class Mark:
    """One drawn value: where it is, and the exact text a tooltip shows for it."""

    rect: QRectF
    text: str


def nice_ticks(low: float, high: float, count: int = 5, *, whole: bool = False) -> list[Decimal]:
    """Round tick values covering ``[low, high]`` (1, 2, 2.5 or 5 × 10^n steps), as Decimals
    so their labels are formatted exactly like money in the table; ``whole``: steps of at
    least 1 (counts: an axis of 0, 0, 1, 1 labels reads as wrong)."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, math.ceil(step))
    exact = Decimal(repr(step))
    start = math.floor(low / step)
    end = math.ceil(high / step)
    return [exact * i for i in range(start, end + 1)]


class ReportChart(QWidget):
    """Draws a ``ChartSpec``; ``marks`` lists every value's rectangle and tooltip text."""

    def __init__(self, formatter: Formatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsChart")
        self.setAccessibleName("Report chart")
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.formatter = formatter
        self.spec = ChartSpec(ChartKind.NONE)
        self.marks: list[Mark] = []
        self.scale: tuple[str, str, str] | None = None  # the heat map's key, as drawn
        self.x_label_rects: list[QRectF] = []  # where each drawn x-axis label's text lies
        self._paper: QPalette | None = None

    def set_spec(self, spec: ChartSpec, title: str = "") -> None:
        self.spec = spec
        series = ", ".join(name for name, _ in spec.series)
        self.setAccessibleDescription(
            f"{spec.kind.value} chart of {title}: {series or 'values'}; "
            "the table beside it has the same numbers"
        )
        self.update()

    def text(self, value: Decimal) -> str:
        return cell_text(value, self.spec.y_kind, self.formatter)

    @override
    def sizeHint(self) -> QSize:
        return QSize(560, 280)

    # ------------------------------------------------------------------ painting

    def colours(self) -> QPalette:
        """The widget's palette, or paper's (dark text on white) while printing."""
        return self._paper or self.palette()

    def colour(self, index: int) -> QColor:
        dark = self.colours().color(QPalette.ColorRole.Window).lightness() < 128
        return QColor.fromHsl(_HUES[index % len(_HUES)], 170, 150 if dark else 110)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRectF(self.rect()))
        painter.end()

    def paint(self, painter: QPainter, area: QRectF, *, paper: bool = False) -> None:
        """Draw the chart into ``area`` (the widget, or a rectangle on a printed page:
        ``paper`` uses dark-on-white colours whatever the theme)."""
        self._paper = QPalette(QColor("white")) if paper else None
        try:
            self._paint(painter, area)
        finally:
            if paper:
                self._paper = None
                self.update()  # marks are page coordinates now: repaint the widget's own

    def _paint(self, painter: QPainter, area: QRectF) -> None:
        self.marks = []
        self.x_label_rects = []
        self.scale = None
        spec = self.spec
        text_colour = self.colours().color(QPalette.ColorRole.WindowText)
        painter.setPen(text_colour)
        if spec.kind is ChartKind.HEATMAP and spec.grid:
            self._heatmap(painter, area)
        elif spec.kind in (ChartKind.BAR, ChartKind.LINE) and spec.series and spec.x_labels:
            self._xy(painter, area)
        elif spec.kind is ChartKind.NONE:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No chart for this report.")
        else:
            painter.drawText(
                area, Qt.AlignmentFlag.AlignCenter, "Nothing to chart for these filters."
            )

    def _legend(self, painter: QPainter, area: QRectF) -> float:
        """Series names above the plot (one series too: it says what the bars count, e.g.
        "Items to reorder", which the axis' numbers alone do not); its height."""
        if not self.spec.series:
            return 0.0
        metrics = QFontMetricsF(painter.font(), painter.device())
        x = area.left() + _MARGIN
        for index, (name, _) in enumerate(self.spec.series):
            painter.fillRect(QRectF(x, area.top() + 4, 10, 10), self.colour(index))
            painter.drawText(QPointF(x + 14, area.top() + 4 + metrics.ascent() - 2), name)
            x += 28 + metrics.horizontalAdvance(name)
        return metrics.height() + 6

    def _scale(
        self, painter: QPainter, area: QRectF, base: QColor, hot: QColor, peak: Decimal
    ) -> float:
        """The heat map's key above it: what the colour measures, from none to the busiest
        cell ("Net sales: ▭▭▭ $0.00 – $1,588.80"); its height."""
        metrics = QFontMetricsF(painter.font(), painter.device())
        baseline = area.top() + 4 + metrics.ascent() - 2
        x = area.left() + _MARGIN
        name = f"{self.spec.value_name or 'Value'}:"
        painter.drawText(QPointF(x, baseline), name)
        x += metrics.horizontalAdvance(name) + 8
        low = self.text(Decimal(0))
        painter.drawText(QPointF(x, baseline), low)
        x += metrics.horizontalAdvance(low) + 6
        bar = QRectF(x, area.top() + 4, 120, 10)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        gradient.setColorAt(0.0, base)
        gradient.setColorAt(1.0, hot)
        painter.fillRect(bar, gradient)
        painter.drawRect(bar)
        high = self.text(peak)
        painter.drawText(QPointF(bar.right() + 6, baseline), high)
        self.scale = (name, low, high)
        return metrics.height() + 6

    def _xy(self, painter: QPainter, area: QRectF) -> None:
        spec = self.spec
        metrics = QFontMetricsF(painter.font(), painter.device())
        values = [float(v) for _, series in spec.series for v in series]
        whole = self.spec.y_kind is ValueKind.INTEGER
        ticks = nice_ticks(min(0.0, *values), max(0.0, *values), whole=whole)
        low, high = float(ticks[0]), float(ticks[-1])
        labels = [self.text(t) for t in ticks]
        left = area.left() + _MARGIN + max(metrics.horizontalAdvance(t) for t in labels) + 6
        top = area.top() + _MARGIN + self._legend(painter, area)
        bottom = area.bottom() - _MARGIN - metrics.height() - 4
        count = len(spec.x_labels)
        right = area.right() - _MARGIN
        slot = (right - left) / count
        texts = list(spec.x_labels)
        # categories (stores, warehouses) each keep a label, elided to their bar's width
        # (the tooltip has it whole); times skip labels instead
        elide = spec.kind is ChartKind.BAR and slot - 4 >= metrics.horizontalAdvance("MMM…")
        if elide:
            texts = [metrics.elidedText(t, Qt.TextElideMode.ElideRight, slot - 4) for t in texts]
        widest = max(metrics.horizontalAdvance(x) for x in texts)
        if widest > slot:
            # a label is centred on its slot: the last one needs half its width past the
            # slot's centre (solved for the slot, as the plot's width depends on it)
            slot = (right - left - widest / 2) / (count - 0.5)
        plot = QRectF(left, top, max(slot * count, 1.0), bottom - top)

        def y_of(value: float) -> float:
            return plot.bottom() - (value - low) / (high - low) * plot.height()

        grid = QColor(self.colours().color(QPalette.ColorRole.WindowText))
        grid.setAlpha(50)
        for tick, label in zip(ticks, labels, strict=True):
            y = y_of(float(tick))
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(self.colours().color(QPalette.ColorRole.WindowText))
            painter.drawText(
                QRectF(
                    area.left(), y - metrics.height() / 2, left - area.left() - 6, metrics.height()
                ),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        every = 1 if elide else max(1, math.ceil(widest / max(slot, 1) * 1.2))
        for index, label in enumerate(texts):
            if index % every == 0:
                advance = metrics.horizontalAdvance(label)
                rect = QRectF(
                    plot.left() + (index + 0.5) * slot - advance / 2,
                    plot.bottom() + 4,
                    advance,
                    metrics.height(),
                )
                painter.drawText(
                    rect,
                    int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                    label,
                )
                self.x_label_rects.append(rect)
        zero = y_of(0.0)
        if spec.kind is ChartKind.BAR:
            self._bars(painter, plot, slot, y_of, zero)
        else:
            self._lines(painter, plot, slot, y_of)

    def _bars(
        self, painter: QPainter, plot: QRectF, slot: float, y_of: object, zero: float
    ) -> None:
        assert callable(y_of)
        width = slot * 0.8 / len(self.spec.series)
        for s, (name, series) in enumerate(self.spec.series):
            for index, value in enumerate(series):
                x = plot.left() + index * slot + slot * 0.1 + s * width
                y = y_of(float(value))
                rect = QRectF(x, min(y, zero), max(width - 1, 1), max(abs(zero - y), 1))
                painter.fillRect(rect, self.colour(s))
                self._mark(rect, index, name, value)

    def _lines(self, painter: QPainter, plot: QRectF, slot: float, y_of: object) -> None:
        assert callable(y_of)
        for s, (name, series) in enumerate(self.spec.series):
            points = [
                QPointF(plot.left() + (i + 0.5) * slot, y_of(float(v)))
                for i, v in enumerate(series)
            ]
            painter.setPen(QPen(self.colour(s), 2))
            painter.drawPolyline(points)
            for index, (point, value) in enumerate(zip(points, series, strict=True)):
                painter.setBrush(self.colour(s))
                painter.drawEllipse(point, 2.5, 2.5)
                self._mark(
                    QRectF(point.x() - slot / 2, plot.top(), slot, plot.height()),
                    index,
                    name,
                    value,
                )

    def _mark(self, rect: QRectF, index: int, name: str, value: Decimal) -> None:
        label = self.spec.x_labels[index]
        prefix = f"{name} · " if len(self.spec.series) > 1 else ""
        self.marks.append(Mark(rect, f"{prefix}{label}: {self.text(value)}"))

    def _heatmap(self, painter: QPainter, area: QRectF) -> None:
        spec = self.spec
        metrics = QFontMetricsF(painter.font(), painter.device())
        left = (
            area.left()
            + _MARGIN
            + max((metrics.horizontalAdvance(y) for y in spec.y_labels), default=0)
            + 6
        )
        bottom = area.bottom() - _MARGIN - metrics.height() - 4
        peak_value = max((v for r in spec.grid for v in r), default=Decimal(0))
        peak = float(peak_value) or 1.0
        base = self.colours().color(QPalette.ColorRole.Base)
        hot = self.colour(0)
        top = area.top() + _MARGIN + self._scale(painter, area, base, hot, peak_value)
        plot = QRectF(left, top, area.right() - _MARGIN - left, bottom - top)
        rows, columns = len(spec.grid), max(len(r) for r in spec.grid)
        cell_w, cell_h = plot.width() / columns, plot.height() / rows
        for r, row in enumerate(spec.grid):
            name = spec.y_labels[r] if r < len(spec.y_labels) else str(r)
            painter.drawText(
                QRectF(area.left(), plot.top() + r * cell_h, left - area.left() - 6, cell_h),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                name,
            )
            for c, value in enumerate(row):
                share = max(0.0, float(value) / peak)
                colour = QColor.fromRgbF(
                    base.redF() + (hot.redF() - base.redF()) * share,
                    base.greenF() + (hot.greenF() - base.greenF()) * share,
                    base.blueF() + (hot.blueF() - base.blueF()) * share,
                )
                rect = QRectF(
                    plot.left() + c * cell_w, plot.top() + r * cell_h, cell_w - 1, cell_h - 1
                )
                painter.fillRect(rect, colour)
                column = spec.x_labels[c] if c < len(spec.x_labels) else str(c)
                self.marks.append(Mark(rect, f"{name} {column}: {self.text(value)}"))
        every = max(1, math.ceil(metrics.horizontalAdvance("00") * 1.5 / max(cell_w, 1)))
        for c in range(0, columns, every):
            column = spec.x_labels[c] if c < len(spec.x_labels) else str(c)
            painter.drawText(
                QRectF(
                    plot.left() + c * cell_w, plot.bottom() + 4, cell_w * every, metrics.height()
                ),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                column,
            )

    # ------------------------------------------------------------------ tooltips

    def tooltip_at(self, point: QPointF) -> str | None:
        """The exact value under ``point`` (the table's text), or None."""
        for mark in self.marks:
            if mark.rect.contains(point):
                return mark.text
        return None

    @override
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


__all__ = ["Mark", "ReportChart", "ValueKind", "nice_ticks"]
