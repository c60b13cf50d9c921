"""One generic, async, paged table model that every tab reuses.

It follows Qt's ``threadedfetchmore`` contract: ``canFetchMore`` is false while a page is in
flight, ``fetchMore`` only schedules the request, an answer carries the generation it was
asked for and is dropped when the model was reset since (a new search), and rows are inserted
with ``beginInsertRows(parent, n, n + k - 1)``. Errors and ``limitedByPermission`` are state
(with signals) so the view can show an inline banner with Retry instead of a dialog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from typing_extensions import override

from posdesk.api.errors import PosError
from posdesk.domain import Page
from posdesk.models import heap
from posdesk.models.formatting import Formatter, Kind, app_locale, export_value, format_value
from posdesk.models.tasks import TaskOwner, report_unexpected

_log = logging.getLogger(__name__)

T = TypeVar("T")
Fetch = Callable[[int, int], Awaitable[Page[T]]]
AnyIndex = QModelIndex | QPersistentModelIndex

#: The item object behind a row (any column).
ItemRole = Qt.ItemDataRole.UserRole + 1
#: The raw (unformatted) value of a cell, for sorting and copying.
SortRole = Qt.ItemDataRole.UserRole + 2
#: A tone name ("warning", "danger", "muted", "good") the view maps to palette colours;
#: models stay QtCore-only, so they cannot hand out QColor.
ToneRole = Qt.ItemDataRole.UserRole + 3

_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_ITEM = int(ItemRole)
_SORT = int(SortRole)
_TONE = int(ToneRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_SERVED_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ALIGN, _ITEM, _SORT, _TONE, _FOREGROUND})


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """One column, declared once: what it is called, where the value comes from, how it shows."""

    title: str
    value: Callable[[T], object]
    kind: Kind = Kind.TEXT
    key: str | None = None
    alignment: Qt.AlignmentFlag | None = None
    tooltip: Callable[[T], str | None] | None = None
    tone: Callable[[T], str | None] | None = None
    text: Callable[[T, QLocale], str] | None = None
    """Custom display text; overrides the kind's formatting."""

    @property
    def name(self) -> str:
        """Stable identifier (CSV header, saved column state)."""
        return self.key or self.title.lower().replace(" ", "_")

    def align(self) -> Qt.AlignmentFlag:
        if self.alignment is not None:
            return self.alignment
        horizontal = (
            Qt.AlignmentFlag.AlignRight if self.kind.numeric else Qt.AlignmentFlag.AlignLeft
        )
        return horizontal | Qt.AlignmentFlag.AlignVCenter

    def display(self, item: T, locale: QLocale, currency: str | None = None) -> str:
        """Display text; money shows ``currency`` (the server's) the way the whole app does."""
        if self.text is not None:
            return self.text(item, locale)
        return format_value(self.value(item), self.kind, locale, currency)


def error_message(exc: BaseException) -> str:
    """A sentence for the banner: the API's own words when it has them."""
    if isinstance(exc, PosError):
        return exc.user_message
    return "Something went wrong while loading. Details are in the log."


def is_expected(exc: BaseException) -> bool:
    """Expected failures (the API's error family) are banners; anything else is a bug."""
    return isinstance(exc, PosError)


class PagedTableModel(QAbstractTableModel, Generic[T]):
    """Rows of ``T`` loaded page by page from ``fetch(skip, first)``."""

    loadingChanged = Signal(bool)
    errorChanged = Signal(str)  # "" when cleared
    limitedChanged = Signal(bool)
    pageLoaded = Signal(int)  # rows added
    fetchReset = Signal()  # a new fetch (search) started from zero

    def __init__(
        self,
        columns: Sequence[Column[T]],
        fetch: Fetch[T] | None = None,
        *,
        page_size: int = 100,
        locale: QLocale | None = None,
        formatter: Formatter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns: tuple[Column[T], ...] = tuple(columns)
        self.page_size = page_size
        self.formatter = formatter or Formatter(locale or app_locale())
        self.locale = self.formatter.locale
        self._closed = False
        # Display text and tones of recently painted rows: a view asks for every visible cell
        # on every paint (hover, scroll, selection); formatting a Decimal or a date each time
        # is the hot path. Filled lazily on first paint, so a page landing costs nothing.
        self._texts: dict[int, tuple[tuple[str, ...], tuple[str | None, ...]]] = {}
        self._tone_styles: dict[str, Any] = {}
        self.modelReset.connect(self._forget_texts)
        self.dataChanged.connect(self._forget_texts)
        self._fetch: Fetch[T] | None = fetch
        self._rows: list[T] = []
        self._has_more = fetch is not None
        self._generation = 0
        self._inflight: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._limited = False
        self._tasks = TaskOwner(self)
        self._alignments = [c.align() for c in self.columns]

    # ----------------------------------------------------------------- state

    @property
    def loading(self) -> bool:
        return self._inflight is not None and not self._inflight.done()

    @property
    def error(self) -> BaseException | None:
        return self._error

    @property
    def error_text(self) -> str:
        return error_message(self._error) if self._error is not None else ""

    @property
    def limited_by_permission(self) -> bool:
        return self._limited

    @property
    def has_more(self) -> bool:
        return self._has_more

    @property
    def generation(self) -> int:
        return self._generation

    def item(self, row: int) -> T:
        return self._rows[row]

    def items(self) -> Sequence[T]:
        """The rows loaded so far (read-only view)."""
        return tuple(self._rows)

    # --------------------------------------------------------- Qt model API

    @override
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    @override
    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    @override
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Views ask ~10 roles per painted cell and this runs in Python: answer the roles we
        # do not serve first, and compare plain ints (enum comparisons are slow in PySide6).
        if role not in _SERVED_ROLES:
            return None
        row = index.row()
        if row < 0 or row >= len(self._rows):
            return None
        column_index = index.column()
        if role == _ALIGN:
            return self._alignments[column_index]
        if role == _FOREGROUND:
            if not self._tone_styles:
                return None
            tone = self.data(index, _TONE)
            return self._tone_styles.get(tone) if tone else None
        if role in (_DISPLAY, _TONE) and self.cache_texts:
            cached = self._texts.get(row)
            if cached is None:
                cached = self._row_texts(row)
            return cached[0][column_index] if role == _DISPLAY else cached[1][column_index]
        column = self.columns[column_index]
        item = self._rows[row]
        if role == _DISPLAY:
            return column.display(item, self.locale, self.formatter.currency)
        if role == _TONE:
            return column.tone(item) if column.tone else None
        if role == _TOOLTIP:
            return column.tooltip(item) if column.tooltip else None
        if role == _ITEM:
            return item
        return column.value(item)  # SortRole

    #: Rows whose texts are kept; more than any screen shows at once (then start over).
    TEXT_CACHE_ROWS = 1024
    #: Off only to measure what the cache saves (``tests/perf/bench_shell.py --paint``).
    cache_texts = True

    def set_tone_styles(self, styles: Mapping[str, Any]) -> None:
        """What to answer ``ForegroundRole`` with per tone (e.g. ``{"danger": QBrush}``).

        The view makes the brushes for its palette (this layer stays QtCore-only) and the
        model hands them out: a Python delegate per painted cell cost more than the painting.
        """
        self._tone_styles = dict(styles)
        if self._rows:
            last = self.index(len(self._rows) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.ForegroundRole])

    def _forget_texts(self, *_: object) -> None:
        """Rows or columns changed under the cache (reset, new columns, edited data)."""
        self._texts.clear()
        self._alignments = [c.align() for c in self.columns]

    def _row_texts(self, row: int) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
        item = self._rows[row]
        currency = self.formatter.currency
        texts = tuple(c.display(item, self.locale, currency) for c in self.columns)
        tones = tuple(c.tone(item) if c.tone else None for c in self.columns)
        if len(self._texts) >= self.TEXT_CACHE_ROWS:
            self._texts.clear()
        self._texts[row] = (texts, tones)
        return texts, tones

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.columns[section].align()
        return None

    @override
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    @override
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._fetch is None or self._closed:
            return False
        return self._has_more and self._error is None and not self.loading

    @override
    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        """Only schedules the next page; the rows arrive later (never blocks the view)."""
        if not self.canFetchMore(parent):
            return
        self._start_page()

    # ---------------------------------------------------------------- actions

    def set_fetch(self, fetch: Fetch[T] | None) -> None:
        """A new query (e.g. server-side search): drop everything and start from row 0."""
        self._fetch = fetch
        self.reload()

    def reload(self) -> None:
        """Forget all rows and load the first page again with the current fetch."""
        self._generation += 1
        was_loading = self.loading
        if self._inflight is not None:
            self._inflight.cancel()
            self._inflight = None
        self.beginResetModel()
        self._rows = []
        self._has_more = self._fetch is not None
        self.endResetModel()
        self._set_error(None)
        self._set_limited(False)
        self.fetchReset.emit()
        if was_loading:
            self.loadingChanged.emit(False)
        self.fetchMore()

    def retry(self) -> None:
        """Clear the error and ask for the page that failed."""
        self._set_error(None)
        self.fetchMore()

    def cancel(self) -> None:
        """Stop loading (silently); what was loaded stays."""
        if self._inflight is not None and not self._inflight.done():
            self._inflight.cancel()
            self._inflight = None
            self.loadingChanged.emit(False)

    async def fetch_all(self, progress: Callable[[int], None] | None = None) -> int:
        """Load every remaining page (for "export all"); cancel the calling task to stop.

        Raises the load error, if any, so the caller can tell the user.
        """
        generation = self._generation
        while True:
            if self._inflight is not None and not self._inflight.done():
                await asyncio.shield(self._inflight)
            elif self._error is not None:
                raise self._error
            elif self._has_more and self._fetch is not None:
                self._start_page(page_size=max(self.page_size, 500))
            else:
                break
            if generation != self._generation:
                raise asyncio.CancelledError("the model was reset")
            if progress is not None:
                progress(len(self._rows))
        return len(self._rows)

    def row_texts(self, row: int) -> list[str]:
        """Display strings of one row (for copying into a spreadsheet)."""
        item = self._rows[row]
        return [c.display(item, self.locale, self.formatter.currency) for c in self.columns]

    def export_row(self, row: int) -> list[str]:
        """Machine-readable strings of one row (for CSV)."""
        item = self._rows[row]
        return [export_value(c.value(item)) for c in self.columns]

    # -------------------------------------------------------------- internals

    def _start_page(self, page_size: int | None = None) -> None:
        fetch = self._fetch
        assert fetch is not None
        if self._closed:
            raise asyncio.CancelledError("the model is closed")
        generation = self._generation
        first = page_size or self.page_size
        coro = self._load_page(fetch, generation, len(self._rows), first)
        self._inflight = self._tasks.spawn(coro, name="paged-model-fetch")
        self.loadingChanged.emit(True)

    async def _load_page(self, fetch: Fetch[T], generation: int, skip: int, first: int) -> None:
        try:
            page = await fetch(skip, first)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if generation != self._generation:
                return
            self._inflight = None
            if not is_expected(exc):
                report_unexpected(exc)
            else:
                _log.info("Page load failed: %s", getattr(exc, "details", exc))
            self._set_error(exc)
            self.loadingChanged.emit(False)
            return
        if generation != self._generation:
            _log.debug("Dropped a stale page (generation %d, now %d)", generation, self._generation)
            return
        self._inflight = None
        items = list(page.items)
        if items:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(items) - 1)
            self._rows.extend(items)
            self.endInsertRows()
            heap.settle()
        self._has_more = page.has_more and bool(items)
        if page.limited_by_permission:
            self._set_limited(True)
        self.loadingChanged.emit(False)
        self.pageLoaded.emit(len(items))

    def _set_error(self, exc: BaseException | None) -> None:
        changed = (exc is None) != (self._error is None) or exc is not self._error
        self._error = exc
        if changed:
            self.errorChanged.emit(self.error_text)

    def _set_limited(self, limited: bool) -> None:
        if limited != self._limited:
            self._limited = limited
            self.limitedChanged.emit(limited)

    async def aclose(self) -> None:
        """Cancel loading and wait for it (used at shutdown and in tests).

        Afterwards the model keeps its rows but never fetches again: a view painted after the
        session ended still calls ``canFetchMore``/``fetchMore``, which are then no-ops.
        """
        self._closed = True
        with contextlib.suppress(BaseException):
            await self._tasks.aclose()
