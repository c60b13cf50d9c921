"""The qasync loop the test suite runs async tests on, and why a plain one was flaky.

1. "coroutine 'connect_tcp.<locals>.try_connect' was never awaited" (any e2e test, ~1 run in 2).
   Root cause: anyio (4.16 in uv.lock; httpx/httpcore connect through it) runs a task-group
   child as ``TaskHandle._run_coro()``, a wrapper that awaits the real coroutine. anyio never
   cancels a child before its first step, but a blanket "cancel every task" does:
   ``asyncio.Runner.close()`` after every async test (pytest-asyncio) and ``quiesce()`` in e2e
   tests. A test ending while a page load is connecting (happy eyeballs just spawned
   ``try_connect``) gets the wrapper cancelled before it awaited anything, so ``try_connect``
   is never awaited nor closed, and the RuntimeWarning (filterwarnings=error) fails whichever
   later test happens to run the garbage collector. Reproduced without Qt in
   tests/unit/test_qasync_loop.py. Fix: this loop's tasks close that inner coroutine when such
   a task is cancelled: exactly what asyncio does to a plain coroutine cancelled before its
   first step. It only applies to an unstarted anyio wrapper; everything else is untouched.

2. qasync schedules every asyncio callback (task steps, socket readiness, done-callbacks) as a
   Qt timer. pytest-asyncio runs a test and each async fixture step with
   ``run_until_complete``; between those runs pytest-qt processes Qt events, so the timers
   fired while no asyncio loop was running: task steps ran outside any loop ("no running event
   loop" inside anyio/sniffio) and requests died half-way. ``TestEventLoop`` holds a callback
   that comes due while the loop is stopped and re-queues it, in order, when the loop runs again
   (the next fixture step, or the runner's final cancel-all-tasks run).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Coroutine
from typing import Any

import qasync
from typing_extensions import override


def close_unstarted_anyio_child(task: asyncio.Task[Any]) -> None:
    """Before ``task`` is cancelled: if it is an anyio task-group child that has not started,
    close the coroutine its wrapper would have awaited (otherwise: "never awaited")."""
    wrapper = task.get_coro()
    if (
        inspect.iscoroutine(wrapper)
        and inspect.getcoroutinestate(wrapper) == inspect.CORO_CREATED
        and wrapper.__qualname__ == "TaskHandle._run_coro"
    ):
        frame = wrapper.cr_frame
        inner = frame.f_locals.get("self") if frame is not None else None
        coro = getattr(inner, "coro", None)
        if inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()


class _Task(asyncio.Task):  # type: ignore[type-arg]
    """An asyncio task that cleans up after anyio when cancelled before its first step."""

    @override
    def cancel(self, msg: Any = None) -> bool:
        close_unstarted_anyio_child(self)
        return super().cancel(msg)


def _task_factory(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any
) -> asyncio.Task[Any]:
    return _Task(coro, loop=loop, **kwargs)


class TestEventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync is untyped
    """A ``qasync.QEventLoop`` that never runs asyncio callbacks while it is not running."""

    __test__ = False  # not a pytest test class despite the name

    def __init__(self, app: Any) -> None:
        self._held: list[asyncio.Handle] = []
        super().__init__(app)
        self.set_task_factory(_task_factory)

    @override
    def _add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        # qasync's call_soon/call_later/call_at and its socket notifiers all end up here
        super()._add_callback(asyncio.Handle(self._run_or_hold, (handle,), self), delay)
        return handle  # the caller's handle: cancelling it still works

    def _run_or_hold(self, handle: asyncio.Handle) -> None:
        if handle.cancelled():
            return
        if self.is_running():
            handle._run()
        else:
            self._held.append(handle)

    @override
    def run_forever(self) -> Any:
        held, self._held = self._held, []
        for handle in held:
            self._add_callback(handle, 0)
        return super().run_forever()

    @property
    def held(self) -> int:
        """Callbacks waiting for the loop to run again (0 after a clean shutdown)."""
        return len(self._held)
