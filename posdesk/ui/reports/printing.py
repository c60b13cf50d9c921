"""Print and PDF of one report on one page: title, filters, "as of" time, chart and table.

The chart is the on-screen widget painting itself into a rectangle of the page
(``ReportChart.paint``), so paper and screen show the same picture; the table is drawn as
text rows from the table model (the order shown, totals last), shrunk to fit the page.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
)

from posdesk.ui.reports.cells import is_numeric
from posdesk.ui.reports.chart import ReportChart
from posdesk.ui.reports.comparisons import card_details, highlights
from posdesk.ui.reports.table import ReportTableModel


def paint_report(
    device: QPaintDevice, chart: ReportChart, model: ReportTableModel, as_of: str
) -> None:
    """Paint the report on one page of ``device`` (a QPdfWriter or a QPrinter at 96 dpi, or
    an image for a preview,
    so the chart lays out as on screen)."""
    result = model.result
    assert result is not None
    painter = QPainter(device)
    page = QRectF(painter.viewport())
    font = QFont(painter.font())
    font.setPointSizeF(16)
    font.setBold(True)
    painter.setFont(font)
    y = 0.0
    painter.drawText(QPointF(0, y + 20), result.title)
    y += 30
    font.setPointSizeF(9)
    font.setBold(False)
    painter.setFont(font)
    line = QFontMetricsF(font, device).height() + 2
    lines = [result.filters_text, as_of, *result.notes]
    cards = highlights(result, model.formatter)
    lines += ["   ".join(f"{k}: {v}" for k, v in cards)] if cards else []
    lines += [
        f"{c.label} " + card_details(c, model.formatter).replace("\n", "; ")
        for c in result.comparisons
    ]
    for text in lines:
        painter.drawText(QRectF(0, y, page.width(), line * 2), Qt.TextFlag.TextWordWrap, text)
        y += line * (1 + int(QFontMetricsF(font, device).horizontalAdvance(text) > page.width()))
    y += 6
    chart_height = page.height() * 0.38
    chart.paint(painter, QRectF(0, y, page.width(), chart_height), paper=True)
    y += chart_height + 10
    _table(painter, model, QRectF(0, y, page.width(), page.bottom() - y), font)
    painter.end()


def _table(painter: QPainter, model: ReportTableModel, area: QRectF, font: QFont) -> None:
    """Rows as text in columns; the font shrinks until every row fits the rest of the page."""
    result = model.result
    assert result is not None
    rows = [[c.title for c in result.columns]] + [
        [model.text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]
    size = font.pointSizeF()
    while True:
        font.setPointSizeF(size)
        metrics = QFontMetricsF(font, painter.device())
        if metrics.height() * len(rows) <= area.height() or size <= 4:
            break
        size -= 0.5
    painter.setFont(font)
    widths = [max(metrics.horizontalAdvance(r[c]) for r in rows) + 12 for c in range(len(rows[0]))]
    factor = min(1.0, area.width() / max(sum(widths), 1))
    widths = [w * factor for w in widths]
    height = metrics.height()
    for index, row in enumerate(rows):
        font.setBold(index == 0 or (result.totals is not None and index == len(rows) - 1))
        painter.setFont(font)
        x = area.left()
        for column, (text, width) in enumerate(zip(row, widths, strict=True)):
            numeric = index > 0 and is_numeric(result.columns[column])
            align = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
            painter.drawText(
                QRectF(x, area.top() + index * height, width - 6, height),
                int(align | Qt.AlignmentFlag.AlignVCenter),
                text,
            )
            x += width


def write_pdf(path: Path, chart: ReportChart, model: ReportTableModel, as_of: str) -> None:
    """One A4 landscape page (a wide table and a chart read better across)."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(96)  # page units = screen pixels: the chart paints as on screen
    writer.setTitle(model.result.title if model.result else "Report")
    writer.setCreator("posdesk")
    paint_report(writer, chart, model, as_of)
