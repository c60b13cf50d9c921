"""The whole app end to end: ``posdesk --demo`` starts, shows sandbox data, shuts down cleanly."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QApplication

from posdesk.app import build_parser, run
from posdesk.ui.shell.main_window import MainWindow
from tests.helpers.waiting import wait_until


def main_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    return None


@pytest.mark.asyncio
async def test_demo_starts_shows_the_sandbox_and_shuts_down_cleanly() -> None:
    args = build_parser().parse_args(["--demo"])
    app_task = asyncio.ensure_future(run(args))
    try:
        await check_demo(app_task)
    finally:
        window = main_window()
        if window is not None:
            window.close()
        await asyncio.wait_for(asyncio.shield(app_task), 30)


async def check_demo(app_task: asyncio.Future[int]) -> None:
    await wait_until(main_window)
    window = main_window()
    assert window is not None
    await wait_until(lambda: window.context is not None)
    assert window.connection_label.text() == "● Connected"
    assert "Sandbox" in window.environment_label.text()
    assert window.environment_banner.isVisible()
    assert "DEMO" in window.environment_banner.label.text()
    assert window.profile_label.text() == "Profile: Demo (local sandbox)"
    assert window.user_label.text()
    context = window.context
    assert context is not None
    client = context.client
    window.close()
    code = await asyncio.wait_for(app_task, 30)
    assert code == 0
    assert client._http.is_closed  # the HTTP client was closed on shutdown
    assert context.tasks.pending == 0
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert pending == []
