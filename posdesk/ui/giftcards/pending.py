"""Pending operations: money operations whose outcome posdesk does not know yet, in plain words.

The journal (``posdesk.store.journal``, driven by ``posdesk.api``) is the source of truth;
this panel only shows its unresolved, not-found, late and needs-review entries and asks the
client to reconcile them — on request, and on its own every ``interval_ms`` while something
is unresolved or watched. It never resends anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posdesk.api.errors import PosError
from posdesk.models.formatting import Formatter, plural
from posdesk.store.journal import FOR_REVIEW, UNRESOLVED, WATCHED, JournalKind, JournalState
from posdesk.ui.common.outcome import explain
from posdesk.ui.common.runner import Runner
from posdesk.ui.common.tables import read_only_item, simple_table
from posdesk.ui.giftcards.card_view import local_time

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

STATE_WORDS = {
    "pending": "Not sent yet",
    "sent": "Sent — being checked",
    "unknown": "Not confirmed yet — being checked",
    "not_found": "Not found after waiting",
    "late": "Went through late",
    "needs_review": "Needs review by a manager",
    "done": "Done",
    "failed": "Failed — nothing happened",
}
SHOWN_STATES = (*UNRESOLVED, *WATCHED, *FOR_REVIEW)
STATE_DETAIL = {
    "pending": "Written down but not sent (posdesk stopped first); checked before any retry.",
    "sent": "Sent; the answer never came. posdesk checks its reference now and again; "
    "do not repeat it.",
    "unknown": "posdesk could not confirm whether this went through. It checks the reference "
    "now and again and never resends it; do not repeat it.",
    "not_found": "The server still has no record of it after waiting. You may do it again as a "
    "new operation (new reference); posdesk keeps watching this one in case it goes through "
    "late.",
    "needs_review": "This server cannot be asked. Check the reference in the POS admin console.",
}
#: How often the panel reconciles on its own while something is unresolved or watched.
RECONCILE_INTERVAL_MS = 20_000


GIFTCARD_WORDS = {
    "ADD": "Top-up",
    "USE": "Payment",
    "ADJUST": "Balance correction",
    "EXTERNAL": "Outside payment",
    "IMPORT": "Balance import",
}
TERMINAL_WORDS = {"SALE": "Card payment", "AUTH": "Card hold", "REFUND": "Card refund"}


def describe(entry: Any, formatter: Formatter) -> str:
    """A journal entry in plain words from its structured fields, e.g. "Top-up of $20.00 on
    card ****0141" — never enum names or wire values."""
    amount = entry.amount
    money = f" of {formatter.money(abs(amount))}" if amount is not None else ""
    card = f" card ****{entry.card_last4}" if entry.card_last4 else " the gift card"
    kind = entry.kind
    if kind == JournalKind.GIFTCARD_TRANS:
        if entry.authorize:
            return f"Hold{money} on{card}"
        what = GIFTCARD_WORDS.get(entry.trans_type or "", "Gift card change")
        return f"{what}{money} {'from' if entry.trans_type == 'USE' else 'on'}{card}"
    if kind == JournalKind.GIFTCARD_CAPTURE:
        return f"Completing a hold{money} on{card}"
    if kind == JournalKind.GIFTCARD_CANCEL:
        return f"Releasing a hold{money} on{card}"
    if kind == JournalKind.PURCHASE_ADD:
        store = f" at store {entry.store}" if entry.store else ""
        return f"Purchase{money} recorded{store}"
    if kind == JournalKind.TERMINAL_PAYMENT:
        what = TERMINAL_WORDS.get(entry.trans_type or "", "Card payment")
        terminal = f" on terminal {entry.terminal}" if entry.terminal else ""
        return f"{what}{money}{terminal}"
    if kind == JournalKind.TERMINAL_CAPTURE:
        return f"Completing a card hold{money}"
    if kind == JournalKind.GIFTCARD_ADD:
        if entry.card_last4:
            return f"New gift card ****{entry.card_last4}"
        member = f" for member {entry.member_id}" if entry.member_id else ""
        return f"New gift card with a personal code{member}"
    if kind == JournalKind.GIFTCARD_EDIT:
        return f"Change to gift card {entry.card_id}" if entry.card_id else "Change to a gift card"
    return f"Money operation{money}"


def late_detail(entry: Any, formatter: Formatter) -> str:
    """What a late entry means for the customer, in plain words with the amount: it went
    through after posdesk stopped waiting, so a repeat may have doubled it."""
    what = describe(entry, formatter)
    kind = entry.kind
    amount = entry.amount
    if kind == JournalKind.PURCHASE_ADD:
        risk = "the purchase may have been recorded twice"
    elif kind == JournalKind.GIFTCARD_ADD:
        risk = "a second card may have been created"
    elif kind == JournalKind.GIFTCARD_EDIT:
        risk = "check that the card's codes are as intended"
    elif amount is not None and amount < 0:
        risk = "the card may have been charged twice"
    else:
        risk = "the card may have been credited twice"
    return (
        f"Went through late — {risk}: {what} (reference {entry.reference}). Open the card, "
        "check its transactions, and correct a repeat if there was one."
    )


def detail(entry: Any, formatter: Formatter) -> str:
    if entry.state is JournalState.LATE:
        return late_detail(entry, formatter)
    return STATE_DETAIL.get(entry.state, "")


class PendingOperationsPanel(QGroupBox):
    """Lists journal entries that are not settled, with a Reconcile now action."""

    reconciled = Signal()
    openCard = Signal(str)  # the card id of the selected entry
    HEADERS = ("When", "Operation", "Reference", "State", "Detail")

    def __init__(
        self,
        backend: PosClient,
        parent: QWidget | None = None,
        *,
        formatter: Formatter | None = None,
        where: str = "",
        interval_ms: int = RECONCILE_INTERVAL_MS,
    ) -> None:
        super().__init__("Pending operations", parent)
        self.setObjectName("pendingOperations")
        self.backend = backend
        self.formatter = formatter or Formatter()
        self.runner = Runner(self)
        self.entries: list[Any] = []
        self.table = simple_table(
            "pendingOperationsTable", self.HEADERS, self, "Pending operations"
        )
        self.table.setMinimumHeight(90)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 320)
        self.summary = QLabel(self)
        self.summary.setObjectName("pendingOperationsSummary")
        self.summary.setWordWrap(True)
        # The journal belongs to one server and principal: say which, so nobody settles a
        # test server's entry while thinking of production.
        self.server_label = QLabel(f"Operations {where}." if where else "", self)
        self.server_label.setObjectName("pendingOperationsServer")
        self.server_label.setWordWrap(True)
        self.server_label.setVisible(bool(where))
        self.reconcile_button = QPushButton("Reconcile now", self)
        self.reconcile_button.setObjectName("reconcileNow")
        self.reconcile_button.setToolTip(
            "Ask the server what happened to each operation below (by its reference). "
            "Nothing is sent again."
        )
        self.reconcile_button.clicked.connect(self.reconcile_now)
        self.open_card_button = QPushButton("Open card", self)
        self.open_card_button.setObjectName("pendingOpenCard")
        self.open_card_button.setToolTip("Show the selected operation's gift card")
        self.open_card_button.clicked.connect(self.open_selected_card)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.open_card_button)
        top.addWidget(self.reconcile_button)
        # A manager settles a "needs review" entry after checking it in the admin console.
        self.review_note = QLineEdit(self)
        self.review_note.setObjectName("reviewNote")
        self.review_note.setAccessibleName("What you checked")
        self.review_note.setPlaceholderText(
            "What you checked in the POS admin console (kept with the record)"
        )
        self.happened_button = QPushButton("It went through", self)
        self.happened_button.setObjectName("reviewHappened")
        self.not_happened_button = QPushButton("It did not happen", self)
        self.not_happened_button.setObjectName("reviewNotHappened")
        self.happened_button.clicked.connect(lambda: self.resolve(happened=True))
        self.not_happened_button.clicked.connect(lambda: self.resolve(happened=False))
        self.review_row = QWidget(self)
        review = QHBoxLayout(self.review_row)
        review.setContentsMargins(0, 0, 0, 0)
        review.addWidget(self.review_note, 1)
        review.addWidget(self.happened_button)
        review.addWidget(self.not_happened_button)
        self.table.itemSelectionChanged.connect(self._update_review)
        layout = QVBoxLayout(self)
        layout.addWidget(self.server_label)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.review_row)
        # periodic reconciliation: a pending entry settles on its own while the app runs
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.refresh()

    @property
    def task(self) -> asyncio.Task[Any] | None:
        """The latest reconciliation (tests await it)."""
        return self.runner.task

    def _tick(self) -> None:
        if self.runner.running:
            return
        if self.backend.reconcile_due():
            self.reconcile_now()

    def refresh(self) -> None:
        """Re-read the journal (cheap: a local SQLite query)."""
        journal = self.backend.journal
        entries = [e for e in journal.entries() if e.state in SHOWN_STATES]
        self.show_entries(entries)

    def show_entries(self, entries: Sequence[Any]) -> None:
        self.entries = list(entries)
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            state = str(entry.state)
            self.table.setItem(row, 0, read_only_item(local_time(entry.updated_at)))
            operation = read_only_item(describe(entry, self.formatter))
            operation.setToolTip(f"Technical record: {entry.summary}")
            self.table.setItem(row, 1, operation)
            self.table.setItem(row, 2, read_only_item(entry.reference, data=entry.reference))
            state_item = read_only_item(STATE_WORDS.get(state, state))
            state_item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, state)
            self.table.setItem(row, 3, state_item)
            words = read_only_item(detail(entry, self.formatter))
            if entry.error:
                words.setToolTip(f"Technical detail: {entry.error}")
            self.table.setItem(row, 4, words)
        self.table.setVisible(bool(self.entries))
        self._update_review()
        if not self.entries:
            self.summary.setText("Every money operation from this computer is settled.")
        else:
            states = [e.state for e in self.entries]
            text = f"{plural(len(self.entries), 'operation')} not settled yet."
            late = states.count(JournalState.LATE)
            if late:
                text += (
                    f" {late} went through late — the card may have been credited or charged "
                    "twice: open the card and check."
                )
            not_found = states.count(JournalState.NOT_FOUND)
            if not_found:
                text += f" {not_found} not found after waiting: you may do them again."
            review = states.count(JournalState.NEEDS_REVIEW)
            if review:
                text += f" {review} need(s) a manager to check them in the POS admin console."
            self.summary.setText(text)
        self.setVisible(True)

    def selected_entry(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def _update_review(self) -> None:
        entry = self.selected_entry()
        state = entry.state if entry is not None else None
        self.review_row.setVisible(any(e.state in FOR_REVIEW for e in self.entries))
        # a late entry did happen: the manager records what they checked / corrected
        self.happened_button.setEnabled(state in FOR_REVIEW)
        self.not_happened_button.setEnabled(state is JournalState.NEEDS_REVIEW)
        self.open_card_button.setEnabled(entry is not None and bool(entry.card_id))
        self.open_card_button.setVisible(any(e.card_id for e in self.entries))

    def open_selected_card(self) -> None:
        entry = self.selected_entry()
        if entry is not None and entry.card_id:
            self.openCard.emit(str(entry.card_id))

    def resolve(self, *, happened: bool) -> None:
        """Record what a manager found for the selected needs-review (or late) entry."""
        entry = self.selected_entry()
        if (
            entry is None
            or entry.state not in FOR_REVIEW
            or (entry.state is JournalState.LATE and not happened)
        ):
            return
        note = self.review_note.text().strip()
        if not note:
            self.summary.setText("Say what you checked before settling it by hand.")
            self.review_note.setFocus()
            return
        self.backend.journal.resolve_by_hand(entry.reference, happened=happened, note=note)
        self.review_note.clear()
        self.refresh()
        self.reconciled.emit()

    def reconcile_now(self) -> None:
        if self.runner.running:
            return
        self.runner.start(self._reconcile(), name="reconcile")

    async def _reconcile(self) -> None:
        self.reconcile_button.setEnabled(False)
        self.summary.setText("Checking with the server…")
        try:
            await self.backend.reconcile_pending()
        except PosError as exc:
            self.refresh()
            self.summary.setText("Could not check now: " + explain(exc))
            return
        finally:
            self.reconcile_button.setEnabled(True)
        self.refresh()
        self.reconciled.emit()
