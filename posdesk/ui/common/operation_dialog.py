"""Review → confirm → result: the flow every journaled-operation dialog shares.

Top up / redeem / adjust / capture / cancel, issue a card, edit codes and record purchase
each lay out their own fields, but the flow is this one class: ``review()`` checks the input
and words what will happen, ``confirm()`` sends it once through the ``Runner``, progress
("Sending…", "Checking whether it went through…") goes to ``show_busy``, and the classified
``Outcome`` to ``show_outcome`` (then ``finishedOperation``). The dialog cannot be closed
while an operation is in flight: walking away never turns "unknown" into "nothing happened".
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget
from typing_extensions import override

from posdesk.ui.common.outcome import CHECKING, Outcome
from posdesk.ui.common.runner import Runner

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

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

    @property
    def task(self) -> asyncio.Task[Any] | None:
        """The latest task this dialog started (tests await it)."""
        return self.runner.task

    @property
    def in_flight(self) -> bool:
        """An operation was sent and its outcome is not settled yet."""
        return self._operation is not None and not self._operation.done()

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
