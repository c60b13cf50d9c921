"""Review → confirm → result: the flow every journaled-operation dialog shares.

Top up / redeem / adjust / capture / cancel, issue a card, edit codes and record purchase
each lay out their own fields, but the flow is this one class: ``review()`` checks the input
and words what will happen, ``confirm()`` sends it once through the ``Runner``, progress
("Sending…", "Checking whether it went through…") goes to ``show_busy``, and the classified
``Outcome`` to ``show_outcome`` (then ``finishedOperation``). The dialog cannot be closed
while an operation is in flight: walking away never turns "unknown" into "nothing happened".

Money needs the server: a dialog that follows the session's connection (``follow_connection``)
turns its send buttons (``send_row``) off while the POS server cannot be reached, with the
reason its tab shows, and back on when it answers again. What was typed stays; an operation
already in flight is never stopped (sent means unknown: its outcome still comes through).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QDialog, QHBoxLayout, QLabel, QWidget
from typing_extensions import override

from posdesk.ui.common.local_note import is_offline, offline_reason
from posdesk.ui.common.outcome import CHECKING, Outcome
from posdesk.ui.common.runner import Runner

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient
    from posdesk.ui.shell.context import SessionContext

T = TypeVar("T")
R = TypeVar("R")


class OperationDialog(QDialog):
    """Base of the dialogs that send a journaled operation (see the module docstring)."""

    finishedOperation = Signal(object)  # Outcome

    def __init__(self, backend: PosClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.runner = Runner(self, progress=self.show_busy)
        self.outcome: Outcome | None = None
        self._operation: asyncio.Task[Any] | None = None
        # The buttons that send (or lead to sending): one row, off as a whole while offline,
        # so each button keeps its own state (Qt restores it when the row is enabled again).
        self.send_row = QWidget(self)
        self.send_row.setObjectName("operationSendRow")
        row = QHBoxLayout(self.send_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.offline_note = QLabel(self)
        self.offline_note.setObjectName("operationOfflineNote")
        self.offline_note.setWordWrap(True)
        self.offline_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.offline_note.hide()
        self._connection: tuple[SessionContext, str] | None = None

    @property
    def task(self) -> asyncio.Task[Any] | None:
        """The latest task this dialog started (tests await it)."""
        return self.runner.task

    @property
    def in_flight(self) -> bool:
        """An operation was sent and its outcome is not settled yet."""
        return self._operation is not None and not self._operation.done()

    # ------------------------------------------------------------- connection
    def add_send_buttons(self, *buttons: QAbstractButton) -> QWidget:
        """Put the buttons that send into ``send_row`` (returned, for the dialog's layout)."""
        layout = self.send_row.layout()
        assert layout is not None
        for button in buttons:
            layout.addWidget(button)
        return self.send_row

    def follow_connection(self, context: SessionContext, needs: str) -> None:
        """While ``context``'s server cannot be reached, the send buttons are off and
        ``offline_note`` says why (``offline_reason(context, needs)``, the tab's words)."""
        self._connection = (context, needs)
        if context.local_data is not None:
            context.local_data.onlineChanged.connect(self.connection_changed)
        self.connection_changed()

    @property
    def offline_reason(self) -> str | None:
        """Why sending is off now (None: the server answers, or nobody said otherwise)."""
        if self._connection is None or not is_offline(self._connection[0]):
            return None
        return offline_reason(*self._connection)

    def connection_changed(self, *_: object) -> None:
        """Offline: the send row off with the reason (typed input and flights untouched)."""
        reason = self.offline_reason
        self.send_row.setEnabled(reason is None)
        self.send_row.setToolTip(reason or "")
        self.offline_note.setText(reason or "")
        self.offline_note.setVisible(reason is not None)

    # ------------------------------------------------------------- the hooks
    def review(self) -> None:
        """Check the input and show what will happen (each dialog words it)."""
        raise NotImplementedError

    def confirm(self) -> object:
        """Send what was reviewed (usually through ``send``)."""
        raise NotImplementedError

    def show_busy(self, text: str) -> None:
        """Progress in words while the operation is out ("Sending…", "Checking…")."""
        raise NotImplementedError

    def show_outcome(self, outcome: Outcome) -> None:
        """The settled outcome, in the dialog's own place for it."""
        raise NotImplementedError

    def set_sending(self, sending: bool) -> None:
        """Enable or disable the dialog's buttons around a send (default: nothing)."""

    # ------------------------------------------------------------- the flow
    def checking(self) -> None:
        """The client lost the answer and now looks the reference up."""
        self.show_busy(CHECKING)

    def start_operation(
        self, coro: Coroutine[Any, Any, R], *, name: str | None = None
    ) -> asyncio.Task[R]:
        """Run a multi-step flow that sends operations (issue a card) as the in-flight task."""
        self._operation = self.runner.start(coro, name=name)
        return self._operation

    def send(
        self,
        call: Callable[[], Awaitable[T]],
        *,
        describe: Callable[[T | None], str],
        reference: str | None = None,
        failed: str = "Nothing was changed.",
    ) -> asyncio.Task[Outcome]:
        """Send one operation once; its outcome is classified by the runner, then shown."""
        self.show_busy("Sending…")
        self.set_sending(True)

        async def run() -> Outcome:
            try:
                outcome = await self.runner.send(
                    self.backend, call, describe=describe, reference=reference, failed=failed
                )
            finally:
                self.set_sending(False)
            self.outcome = outcome
            self.show_outcome(outcome)
            self.finishedOperation.emit(outcome)
            return outcome

        return self.start_operation(run(), name=type(self).__name__)

    @override
    def reject(self) -> None:
        if self.in_flight:
            return  # never walk away from an operation in flight
        super().reject()
