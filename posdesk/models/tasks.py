"""Task ownership: every coroutine the UI starts has an owner that keeps it alive and ends it.

asyncio keeps only weak references to tasks, so a fire-and-forget task can be collected
mid-flight; and a task that outlives its widget touches deleted C++ objects. A ``TaskOwner``
fixes both: it holds strong references and cancels everything when its Qt owner is destroyed
(or when ``cancel_all()`` is called). Cancellation is silent; any other exception goes to the
unexpected-error handler (the crash dialog in the app, the log elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject

_log = logging.getLogger(__name__)
R = TypeVar("R")

ErrorHandler = Callable[[BaseException], None]


def _log_unexpected(exc: BaseException) -> None:
    _log.error("Unexpected error in a background task", exc_info=exc)


_handler: ErrorHandler = _log_unexpected


def set_unexpected_error_handler(handler: ErrorHandler | None) -> None:
    """The app routes unexpected task errors to its crash dialog; ``None`` restores logging."""
    global _handler
    _handler = handler or _log_unexpected


def report_unexpected(exc: BaseException) -> None:
    """Hand an exception nobody expected to the current handler (never raises)."""
    try:
        _handler(exc)
    except Exception:  # a broken handler must not take the loop down
        sys.__excepthook__(type(exc), exc, exc.__traceback__)


def current_loop() -> asyncio.AbstractEventLoop:
    """The running loop, or (called from a plain Qt callback) the loop installed for Qt."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


def _cancel_all(tasks: set[asyncio.Task[Any]]) -> None:
    for task in list(tasks):
        task.cancel()


class TaskOwner:
    """Owns asyncio tasks on behalf of a QObject (or of nobody, then call ``cancel_all``)."""

    def __init__(self, owner: QObject | None = None, on_error: ErrorHandler | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error
        self._closed = False
        if owner is not None:
            # The slot captures only the task set, not self, so it cannot keep self alive
            # and still works while the Python wrapper of ``owner`` is being torn down.
            tasks = self._tasks
            owner.destroyed.connect(lambda *_: _cancel_all(tasks))

    @property
    def pending(self) -> int:
        return sum(1 for t in self._tasks if not t.done())

    def spawn(self, coro: Coroutine[Any, Any, R], name: str | None = None) -> asyncio.Task[R]:
        """Schedule ``coro`` on the running loop; the owner keeps it until it finishes."""
        if self._closed:
            coro.close()
            raise RuntimeError("TaskOwner is closed")
        task = current_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if self._on_error is not None:
            self._on_error(exc)
        else:
            report_unexpected(exc)

    def cancel_all(self) -> None:
        """Cancel every pending task (silently)."""
        _cancel_all(self._tasks)

    async def aclose(self) -> None:
        """Cancel everything and wait until the tasks have really finished."""
        self._closed = True
        tasks = list(self._tasks)
        _cancel_all(self._tasks)
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
