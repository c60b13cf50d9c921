"""Command line and lazy startup of the app."""

from __future__ import annotations

import subprocess
import sys

import pytest

from posdesk import __version__
from posdesk.app import build_parser, main


def test_help_explains_profiles_demo_and_logging(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for words in ("--profile", "--demo", "--log-level", "connection profile", "sandbox"):
        assert words in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"posdesk {__version__}"


def test_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.demo, args.profile, args.log_level, args.theme) == (False, None, "INFO", "system")
    assert build_parser().parse_args(["--log-level", "debug"]).log_level == "DEBUG"


def test_the_first_window_does_not_import_the_network_stack_or_the_sandbox() -> None:
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import posdesk.app\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from posdesk.ui.shell.main_window import MainWindow\n"
        "MainWindow().show()\n"
        "heavy = [m for m in ('httpx', 'authlib', 'graphql', 'posdesk.sandbox', 'ariadne',"
        " 'uvicorn', 'posdesk.api.client') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.asyncio
async def test_exceptions_asyncio_cannot_deliver_reach_the_crash_reporter() -> None:
    import asyncio

    from posdesk.app import loop_exception_handler
    from posdesk.ui.shell.errors import ErrorReporter

    reporter = ErrorReporter(show_dialogs=False)
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(loop_exception_handler(reporter))
    try:

        def broken_callback() -> None:
            raise ZeroDivisionError("in a callback")

        loop.call_soon(broken_callback)
        await asyncio.sleep(0.01)
    finally:
        loop.set_exception_handler(previous)
    assert list(reporter.seen.values()) == [1]
