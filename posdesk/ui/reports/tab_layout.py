"""The Reports tab's widget tree: the report list on the left; on the right the report's
title, filters, "as of" line, notes, KPI cards, and the chart beside its table.
Behaviour lives in ``tab.py``."""

from __future__ import annotations

from datetime import tzinfo
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from posdesk.models.date_range import Preset
from posdesk.models.formatting import Formatter
from posdesk.ui.common.period import PeriodField
from posdesk.ui.reports.chart import ReportChart
from posdesk.ui.reports.table import ReportTable, ReportTableModel

REPORT_PRESETS = (
    Preset.TODAY,
    Preset.YESTERDAY,
    Preset.THIS_WEEK,
    Preset.LAST_7_DAYS,
    Preset.LAST_30_DAYS,
    Preset.THIS_MONTH,
    Preset.LAST_MONTH,
    Preset.THIS_YEAR,
    Preset.LAST_YEAR,
    Preset.CUSTOM,
)


def _label(name: str, parent: QWidget, *, selectable: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _button(text: str, name: str, accessible: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    return button


def _spin(name: str, accessible: str, parent: QWidget, span: tuple[int, int, int]) -> QSpinBox:
    """A small number filter; ``span`` is (minimum, maximum, default)."""
    spin = QSpinBox(parent)
    spin.setObjectName(name)
    spin.setAccessibleName(accessible)
    spin.setRange(span[0], span[1])
    spin.setValue(span[2])
    spin.setKeyboardTracking(False)  # recompute once per typed number, not per digit
    return spin


def _combo(name: str, accessible: str, parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    # long store names must not push the other filters off the bar (the list shows them whole)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    return combo


def table_width(table: ReportTable, *, scroll: bool = True) -> int:
    """The width the table needs to show every column whole: the widths ``ReportTable.fit``
    measured (the last column's too, though it stretches), the frame and (``scroll``) a
    vertical scroll bar."""
    if table.report_model.columnCount() == 0:
        return 0
    width = table.content_width
    bar = table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) if scroll else 0
    return width + bar + 2 * table.frameWidth()


class ReportsLayout:
    """Builds the widgets on ``tab``; every control has an objectName and accessible name."""

    def __init__(self, tab: QWidget, formatter: Formatter, tz: tzinfo) -> None:
        self.splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        self.splitter.setObjectName("reportsSplitter")
        self.list = QListWidget(self.splitter)
        self.list.setObjectName("reportsList")
        self.list.setAccessibleName("Reports")
        right = QWidget(self.splitter)
        right.setObjectName("reportView")
        self.title = _label("reportsTitle", right)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.description = _label("reportsDescription", right)

        self._build_filters(right, tz)

        self.as_of = _label("reportsAsOf", right, selectable=True)
        self.notes = _label("reportsNotes", right, selectable=True)
        self.notes.setAccessibleName("Notes about this report")
        self.status = _label("reportsStatus", right)

        self.stack = QStackedWidget(right)
        self.empty = _label("reportsEmpty", self.stack)
        self.empty.setAccessibleName("No report to show")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        body = QWidget(self.stack)
        body.setObjectName("reportsBody")
        self.highlights = QFrame(body)
        self.highlights.setObjectName("reportsHighlights")
        self.highlights.setAccessibleName("Highlights")
        self.cards = QGridLayout(self.highlights)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.comparison_model = ReportTableModel(formatter, tab)
        self.comparisons = ReportTable(self.comparison_model, body)
        self.comparisons.setObjectName("reportsComparisonTable")
        self.comparisons.setAccessibleName("Against earlier periods")
        self.comparisons.setSortingEnabled(False)
        self.comparisons.horizontalHeader().setStretchLastSection(False)
        self.comparisons.verticalHeader().setDefaultSectionSize(
            self.comparisons.fontMetrics().height() + 6
        )
        self.comparisons.hide()
        self.figures = QSplitter(Qt.Orientation.Horizontal, body)
        self.figures.setObjectName("reportsFigures")
        self.chart = ReportChart(formatter, self.figures)
        self.model = ReportTableModel(formatter, tab)
        self.table = ReportTable(self.model, self.figures)
        # compact rows like the comparisons': more of a month fits at 768 pixels high
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.figures.setStretchFactor(0, 3)
        self.figures.setStretchFactor(1, 2)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.highlights)
        body_layout.addWidget(self.comparisons)
        body_layout.addWidget(self.figures, 1)
        self.stack.addWidget(body)
        self.body = body

        self._arrange(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([200, 1000])
        outer = QVBoxLayout(tab)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.splitter)

    def _arrange(self, right: QWidget) -> None:
        """The right-hand side top to bottom. The output buttons share the title's line: the
        filter bar keeps its width for the filters (period, store, register, top N) at a
        1366-pixel-wide laptop screen."""
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        for button in (self.refresh, self.export, self.print_button, self.pdf):
            heading.addWidget(button)
        self.status.hide()  # shown while a Refresh syncs
        layout = QVBoxLayout(right)
        layout.addLayout(heading)
        for widget in (self.description, self.filters, self.as_of, self.notes, self.status):
            layout.addWidget(widget)
        layout.addWidget(self.stack, 1)

    def _build_filters(self, right: QWidget, tz: tzinfo) -> None:
        """The filter bar: period, store, register, warehouse, top N, gift card options
        (the tab shows the ones the report uses); Refresh and the output buttons are made
        here and sit on the title's line."""
        self.filters = QWidget(right)
        self.filters.setObjectName("reportsFilters")
        self.period = PeriodField("reports", tz, self.filters, presets=REPORT_PRESETS)
        self.store = _combo("reportsStore", "Store", self.filters)
        self.register = _combo("reportsRegister", "Register", self.filters)
        self.warehouse = _combo("reportsWarehouse", "Warehouse", self.filters)
        self.top_n = _spin("reportsTopN", "Number of top rows", self.filters, (5, 500, 20))
        self.top_n.setPrefix("Top ")
        self.dormant = _spin(
            "reportsDormantMonths", "Dormant after months", self.filters, (1, 120, 12)
        )
        self.dormant.setPrefix("Dormant after ")
        self.dormant.setSuffix(" months")
        self.open_auth = _spin(
            "reportsOpenAuthDays", "Open authorization after days", self.filters, (1, 365, 7)
        )
        self.open_auth.setPrefix("Open auth. after ")
        self.open_auth.setSuffix(" days")
        self.refresh = _button("&Refresh", "reportsRefresh", "Refresh local data", self.filters)
        self.refresh.setToolTip("Sync the local data with the server now, then recompute")
        self.export = _button("Export CSV…", "reportsExportButton", "Export CSV", self.filters)
        self.print_button = _button("Print…", "reportsPrintButton", "Print report", self.filters)
        self.pdf = _button("PDF…", "reportsPdfButton", "Save report as PDF", self.filters)
        row = QHBoxLayout(self.filters)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.period)
        row.addWidget(self.store)
        row.addWidget(self.register)
        for widget in (self.warehouse, self.top_n, self.dormant, self.open_auth):
            row.addWidget(widget)
            # hidden until a report uses them: laid out all at once (before the tab first
            # shows) they would set the window's minimum width past 1366 pixels
            widget.hide()
        row.addStretch(1)

    def fit_list(self) -> None:
        """The report list never narrower than its longest title (the splitter would
        otherwise squeeze it when a report has many filters)."""
        widest = self.list.sizeHintForColumn(0) if self.list.count() else 0
        self.list.setMinimumWidth(widest + 2 * self.list.frameWidth() + 8)

    def set_cards(
        self,
        highlights: tuple[tuple[str, str], ...],
        details: tuple[str, ...] = (),
        short: tuple[str, ...] = (),
    ) -> list[QLabel]:
        """One card per highlight (label over value, then its comparison lines if any: the
        ``short`` ones on screen, the full ``details`` in the accessible name), up to
        eight to a row; cards wrap their text rather than widen the window."""
        while self.cards.count():
            item = self.cards.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        made: list[QLabel] = []
        # one row of up to eight, each at least a quarter of the width (two cards are not
        # two half-width boxes)
        per_row = len(highlights) if len(highlights) <= 8 else 4
        for column in range(8):
            self.cards.setColumnStretch(column, 1 if column < max(per_row, 4) else 0)
        for index, (label, text) in enumerate(highlights):
            detail = details[index] if index < len(details) else ""
            shown = short[index] if index < len(short) else detail
            extra = "".join(f"<br><small>{escape(line)}</small>" for line in shown.splitlines())
            card = QLabel(
                f"<small>{escape(label)}</small><br><b>{escape(text)}</b>{extra}", self.highlights
            )
            card.setObjectName(f"reportsKpi{index}")
            card.setAccessibleName(f"{label}: {text}" + (f"; {detail}" if detail else ""))
            card.setFrameShape(QFrame.Shape.StyledPanel)
            card.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            card.setMargin(6)
            card.setWordWrap(True)
            self.cards.addWidget(card, index // per_row, index % per_row)
            made.append(card)
        self.highlights.setVisible(bool(highlights))
        return made
