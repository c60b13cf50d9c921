"""Pieces the Customers and Sales tabs share: the user's zone, permission panels, sale lists.

A role without ``ViewSales`` / ``ViewCustomers`` must see *why* the tab is empty, naming the
permission, instead of an empty table with an error strip; :class:`GuardedTable` swaps the
table for :class:`PermissionPanel` when the model's error is ``NotAuthorized`` (or when the
viewer's permission list says so up front).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from posdesk.api.errors import NotAuthorized
from posdesk.domain import Viewer
from posdesk.models.date_range import parse_date
from posdesk.models.formatting import Formatter, app_locale, date_pattern
from posdesk.models.paged import PagedTableModel
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.paged_view import PagedTableView

_log = logging.getLogger(__name__)

#: ``SessionContext.extras`` key: a ``tzinfo`` that overrides the PC's zone for sale dates
#: (tests and screenshots pin one; a user could pick the store's zone).
TZ_EXTRA = "time_zone"


def sale_samples(formatter: Formatter) -> tuple[str | tuple[str, ...], ...]:
    """Typical widest values of the sale table's columns (see ``sale_columns``), in the app's
    own formats: the widest month name and a two-digit afternoon hour, the currency sign."""
    dates = tuple(formatter.datetime(datetime(2024, month, 28, 12, 59)) for month in range(1, 13))
    return (
        dates,
        "PORTLAND",
        "AUS-0",
        "000000",
        "Christopher Turner",
        "GIFTCARD + CASH",
        "00",
        formatter.money(Decimal("-10000.00")),
        "10000000",
    )


def fit_columns(
    table: QTableView,
    samples: Sequence[str | Sequence[str]],
    padding: int = 24,
    *,
    stretch: int | None = None,
) -> list[int]:
    """Starting widths from sample texts (header or typical value, whichever is wider); a
    column may give several samples (e.g. every month name), the widest counts. Returns the
    widths (a stretched column's too, as its texts need, whatever it is stretched to).

    ``stretch`` names the one elastic column (a name): it takes what the others leave, so
    on a small screen (1366×768) it is the one shortened, never a figure pushed out of view.
    Paged tables must not use ResizeToContents: it measures every row on every page.
    """
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    model = table.model()
    widths: list[int] = []
    for column, sample in enumerate(samples):
        title = str(model.headerData(column, Qt.Orientation.Horizontal))
        texts = (sample,) if isinstance(sample, str) else tuple(sample)
        width = max(
            *(metrics.horizontalAdvance(text) for text in texts),
            header.fontMetrics().horizontalAdvance(title),
        )
        table.setColumnWidth(column, width + padding)
        widths.append(width + padding)
    if stretch is not None:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return widths


def title_label(name: str, parent: QWidget) -> QLabel:
    """A detail pane's heading: bold, a little larger than the body text, selectable."""
    label = QLabel(parent)
    label.setObjectName(name)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def system_zone() -> tzinfo:
    """The PC's IANA zone (DST-aware), as Qt sees it; a fixed offset only as a last resort."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        _log.warning("Unknown system time zone %r; using the current UTC offset", name)
        return datetime.now(UTC).astimezone().tzinfo or UTC


def session_zone(context: SessionContext) -> tzinfo:
    zone = context.extras.get(TZ_EXTRA)
    return zone if isinstance(zone, tzinfo) else system_zone()


def lacks(viewer: Viewer, permission: str) -> bool:
    """True only when the server *told* us the permissions and this one is missing.

    A server without the ``viewer`` extension reports no permissions at all; then we ask
    and let a ``NOT_AUTHORIZED`` answer speak for itself.
    """
    return bool(viewer.permissions) and not viewer.can(permission)


def permission_text(permission: str, what: str) -> str:
    return (
        f"<h3>{what} needs the {permission} permission</h3>"
        f"<p>Your role does not include <b>{permission}</b>, so the POS server does not "
        f"show {what.lower()} to this sign-in.</p>"
        f"<p>Ask an administrator to add {permission} to your role, or sign in with a "
        f"profile that has it.</p>"
    )


class PermissionPanel(QLabel):
    """A friendly, centred explanation naming the missing permission."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Permission")
        self.setWordWrap(True)
        self.setMargin(24)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def explain(self, permission: str, what: str) -> None:
        self.setText(permission_text(permission, what))
        self.setAccessibleName(f"{what} needs the {permission} permission")


class GuardedTable(QWidget):
    """A PagedTableView that turns into a PermissionPanel on ``NotAuthorized``."""

    deniedChanged = Signal(bool)

    def __init__(
        self,
        name: str,
        permission: str,
        what: str,
        context: SessionContext,
        *,
        empty_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.permission = permission
        self.what = what
        self.view = PagedTableView(
            name, self, reporter=context.reporter, empty_text=empty_text, accessible_name=what
        )
        self.panel = PermissionPanel(name, self)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.panel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._denied = False
        if lacks(context.viewer, permission):
            self._set_denied(True)

    @property
    def denied(self) -> bool:
        return self._denied

    def set_model(self, model: PagedTableModel[Any], *, load: bool = True) -> None:
        model.errorChanged.connect(lambda _text: self._check(model))
        self.view.setModel(model, load=load and not self._denied)

    def _check(self, model: PagedTableModel[Any]) -> None:
        if isinstance(model.error, NotAuthorized):
            permission = model.error.permission or self.permission
            self.panel.explain(permission, self.what)
            self._set_denied(True, explain=False)

    def _set_denied(self, denied: bool, *, explain: bool = True) -> None:
        if explain:
            self.panel.explain(self.permission, self.what)
        self._stack.setCurrentWidget(self.panel if denied else self.view)
        if denied != self._denied:
            self._denied = denied
            self.deniedChanged.emit(denied)


class DateField(QWidget):
    """A date a manager can *type* ("3/1/2024", "2024-03-01", "Mar 1 2024") or pick.

    A QDateEdit makes typing awkward (fixed sections, "Mar" does nothing), so this is a
    plain line edit read with :func:`posdesk.models.date_range.parse_date` when it is left
    or Enter is pressed, plus a calendar button. Text that is not a date keeps the previous
    date and sets :attr:`problem` (shown inline by the owner); an empty field means "no date"
    only while disabled. The API mirrors QDateEdit (``date()``/``setDate(QDate)``/
    ``dateChanged``/``editingFinished``) so callers read the same.
    """

    dateChanged = Signal(QDate)
    editingFinished = Signal()
    problemChanged = Signal(str)

    def __init__(
        self, name: str, label: str, parent: QWidget | None = None, locale: QLocale | None = None
    ) -> None:
        super().__init__(parent)
        self.locale_ = locale or app_locale()
        self._date = QDate()
        self.problem = ""
        self.setObjectName(name)
        self.setAccessibleName(label)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{name}Edit")
        self.edit.setAccessibleName(label)
        self.edit.setToolTip(f"{label}: type e.g. {self._example()} or 2024-03-01, or pick one")
        sample = self.locale_.toString(QDate(2024, 9, 28), date_pattern(self.locale_))
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance(sample + "MM"))
        self.setFocusProxy(self.edit)
        self.button = QToolButton(self)
        self.button.setObjectName(f"{name}Calendar")
        self.button.setAccessibleName(f"{label}: pick from a calendar")
        self.button.setToolTip("Pick from a calendar")
        self.button.setArrowType(Qt.ArrowType.DownArrow)
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.show_calendar)
        self.calendar = QCalendarWidget(self)
        self.calendar.setObjectName(f"{name}Popup")
        self.calendar.setWindowFlags(Qt.WindowType.Popup)
        self.calendar.setLocale(self.locale_)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.edit)
        layout.addWidget(self.button)
        self.edit.editingFinished.connect(self._typed)

    def _example(self) -> str:
        return self.locale_.toString(QDate(2024, 3, 1), QLocale.FormatType.ShortFormat)

    def date(self) -> QDate:
        """The current date (invalid ``QDate()`` when the field holds no date)."""
        return QDate(self._date)

    def setDate(self, value: QDate) -> None:
        """Show ``value`` (an invalid QDate empties the field) and clear any problem."""
        self._set_problem("")
        self.edit.setText(
            self.locale_.toString(value, date_pattern(self.locale_)) if value.isValid() else ""
        )
        if value != self._date:
            self._date = QDate(value)
            self.dateChanged.emit(QDate(value))

    def show_calendar(self) -> None:
        if self._date.isValid():
            self.calendar.setSelectedDate(self._date)
        self.calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _picked(self, value: QDate) -> None:
        self.calendar.hide()
        self.setDate(value)
        self.editingFinished.emit()

    def _typed(self) -> None:
        text = self.edit.text().strip()
        if self._date.isValid() and text == self.locale_.toString(
            self._date, date_pattern(self.locale_)
        ):
            self._set_problem("")
            self.editingFinished.emit()
            return
        parsed = parse_date(text, self.locale_)
        if parsed is None:
            kept = self.locale_.toString(self._date, date_pattern(self.locale_))
            where = f"; still using {kept}" if kept else ""
            self._set_problem(
                f"“{text}” is not a date{where}. Type e.g. {self._example()} or 2024-03-01."
                if text
                else f"Type a date, e.g. {self._example()}{where}."
            )
            return
        self.setDate(QDate(parsed.year, parsed.month, parsed.day))
        self.editingFinished.emit()

    def _set_problem(self, text: str) -> None:
        if text != self.problem:
            self.problem = text
            self.problemChanged.emit(text)


def read_only_item(
    text: str, *, align_right: bool = False, data: object = None
) -> QTableWidgetItem:
    """A read-only cell (optionally right-aligned, with its record in UserRole)."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def simple_table(
    object_name: str, headers: Sequence[str], parent: QWidget, accessible: str = ""
) -> QTableWidget:
    """A small read-only, row-selecting table for a handful of rows (no paging)."""
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(object_name)
    table.setAccessibleName(accessible or object_name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table
