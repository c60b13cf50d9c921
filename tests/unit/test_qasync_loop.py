"""The test loop (tests/helpers/qasync_loop.py) fixes two sources of flaky async tests."""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import anyio
import pytest
from PySide6.QtWidgets import QApplication

from tests.helpers.qasync_loop import TestEventLoop

_KEEP: list[Any] = []  # closed qasync loops must outlive the test (see tests/conftest.py)


async def _child() -> None:
    await anyio.sleep(10)


async def _host() -> None:
    async with anyio.create_task_group() as tg:
        tg.start_soon(_child)
        await anyio.sleep(10)


@pytest.mark.asyncio
async def test_cancelling_every_task_leaves_no_unawaited_anyio_child() -> None:
    """What asyncio.Runner.close() and quiesce() do: cancel all tasks, even a task-group child
    that has not had its first step (httpcore's happy-eyeballs ``try_connect``)."""
    host = asyncio.ensure_future(_host())
    await asyncio.sleep(0)  # the host spawns the child; the child has not started
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert len(others) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        gc.collect()
    assert host.cancelled()
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []


def test_callbacks_wait_while_the_loop_is_stopped(qapp: QApplication) -> None:
    """Qt processes events between pytest phases; asyncio callbacks must not run then."""
    loop = TestEventLoop(qapp)
    _KEEP.append(loop)
    ran: list[str] = []
    try:
        loop.call_soon(ran.append, "soon")
        cancelled = loop.call_soon(ran.append, "cancelled")
        cancelled.cancel()
        for _ in range(5):
            qapp.processEvents()
        assert ran == []
        assert loop.held == 1
        loop.run_until_complete(asyncio.sleep(0.05))
        assert ran == ["soon"]
        assert loop.held == 0
    finally:
        loop.close()
