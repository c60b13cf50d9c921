"""The one way a tab or dialog runs async work (after Anki's ``CollectionOp``/``QueryOp``).

A ``Runner`` owns its widget's tasks (a ``TaskOwner``: cancelled when the widget goes),
keeps the latest one as ``.task`` for tests to await, shows progress through its
``progress(text)`` callback, and classifies the outcome once:

- reads (``start``): done, or cancelled (silently, e.g. ``replace=True`` when a newer look-up
  supersedes an older one still in flight); errors go to the owner's error handler.
- journaled operations (``send``, usually through ``OperationDialog.send``): done / refused
  (the server's reason in ``explain()`` wording) / unknown (journaled, now pending:
  reconciled by reference first, worded truthfully, never "nothing happened") / needs
  review. See ``common/outcome.py``.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject

from posdesk.api.errors import DuplicateReference, NeedsReview, PosError, UnknownOutcome
from posdesk.models.tasks import ErrorHandler, TaskOwner
from posdesk.ui.common.outcome import (
    CHECKING,
    Outcome,
    OutcomeKind,
    explain,
    reconcile_reference,
    unconfirmed,
)

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

T = TypeVar("T")
R = TypeVar("R")


class Runner:
    """Owns one widget's async work; see the module docstring."""

    def __init__(
        self,
        owner: QObject,
        *,
        on_error: ErrorHandler | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self._tasks = TaskOwner(owner, on_error=on_error)
        self.task: asyncio.Task[Any] | None = None
        """The latest task started (tests await it)."""
        self._latest: dict[str | None, asyncio.Task[Any]] = {}
        self.progress = progress
        """Where "checking…" wording goes while a lost answer is reconciled."""

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(
        self, coro: Coroutine[Any, Any, R], *, name: str | None = None, replace: bool = False
    ) -> asyncio.Task[R]:
        """Run ``coro`` as the current task. ``replace=True``: a newer request of the same
        ``name`` wins; the one still in flight is cancelled so its answer can never land on
        screen as current (other tasks, e.g. an operation being sent, are left alone)."""
        if replace:
            older = self._latest.get(name)
            if older is not None and not older.done():
                older.cancel()
        task = self._tasks.spawn(coro, name=name)
        self.task = task
        if replace:
            self._latest[name] = task
        return task

    def spawn(self, coro: Coroutine[Any, Any, R], *, name: str | None = None) -> asyncio.Task[R]:
        """Side work that must not replace ``.task`` (e.g. loading a pick list)."""
        return self._tasks.spawn(coro, name=name)

    def cancel(self) -> None:
        """Cancel everything in flight (silently)."""
        self._tasks.cancel_all()

    async def aclose(self) -> None:
        """Cancel everything and wait until it has really finished (tests, shutdown)."""
        await self._tasks.aclose()

    async def send(
        self,
        backend: PosClient,
        call: Callable[[], Awaitable[T]],
        *,
        describe: Callable[[T | None], str],
        reference: str | None = None,
        failed: str = "Nothing was changed.",
        in_doubt: str | None = None,
    ) -> Outcome:
        """Send once. On an unknown outcome, reconcile by reference before saying anything.

        ``reference`` defaults to the one the client reports (operations whose reference the
        client makes, e.g. card edits). ``describe(None)`` words a success confirmed by
        reconciliation (no response body); ``failed`` ends a confirmed refusal. ``in_doubt``
        follows ``unconfirmed()`` when the outcome stays unknown or needs review (what else
        the user must know, e.g. which terminal a manager must check).
        """
        try:
            result = await call()
        except UnknownOutcome as exc:
            if self.progress is not None:
                self.progress(CHECKING)
            ref = reference or exc.reference
            outcome = await reconcile_reference(backend, ref, describe, exc)
            if in_doubt is None or outcome.kind in (OutcomeKind.DONE, OutcomeKind.FAILED):
                return outcome
            return Outcome(outcome.kind, f"{unconfirmed(ref)} {in_doubt}", error=exc)
        except NeedsReview as exc:
            if in_doubt is not None:
                text = f"{unconfirmed(exc.reference, rechecked=False)} {in_doubt}"
                return Outcome(OutcomeKind.NEEDS_REVIEW, text, error=exc)
            return Outcome(OutcomeKind.NEEDS_REVIEW, html.escape(exc.user_message), error=exc)
        except DuplicateReference as exc:
            return Outcome(OutcomeKind.FAILED, html.escape(exc.user_message), error=exc)
        except PosError as exc:
            return Outcome(
                OutcomeKind.FAILED,
                "<b>Not done.</b> " + html.escape(explain(exc)) + " " + failed,
                error=exc,
            )
        return Outcome(OutcomeKind.DONE, describe(result), result=result)
