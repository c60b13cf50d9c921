"""Unexpected errors: one crash dialog per distinct traceback, everything in the log."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from posdesk.api.errors import NetworkError, SignInRequired
from posdesk.ui.shell.errors import ErrorReporter, signature


def fail(kind: type[Exception] = ValueError) -> Exception:
    try:
        raise kind("boom")
    except Exception as exc:
        return exc


def test_crash_dialog_is_deduplicated_by_traceback(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    reporter = ErrorReporter()
    first, again = fail(), fail()
    assert signature(first) == signature(again)
    with caplog.at_level(logging.ERROR, "posdesk.crash"):
        reporter.unexpected(first)
        reporter.unexpected(again)
        reporter.unexpected(fail(KeyError))  # another bug: its own dialog
    assert len(reporter.dialogs) == 2
    for dialog in reporter.dialogs:
        qtbot.addWidget(dialog)
    details = reporter.dialogs[0].findChild(QPlainTextEdit, "crashDetails")
    assert details is not None
    assert "ValueError: boom" in details.toPlainText()
    assert len(caplog.records) == 3  # every occurrence is logged
    assert "occurrence 2" in caplog.records[1].getMessage()
    reporter.dialogs[0].reject()
    assert len(reporter.dialogs) == 1


def test_excepthook_routes_to_the_crash_reporter() -> None:
    reporter = ErrorReporter(show_dialogs=False)
    exc = fail()
    reporter.excepthook(type(exc), exc, exc.__traceback__)
    assert list(reporter.seen.values()) == [1]
    assert sys.excepthook is not reporter.excepthook  # only the app installs it


def test_expected_errors_are_sentences_and_observed() -> None:
    reporter = ErrorReporter(show_dialogs=False)
    seen: list[BaseException] = []
    reporter.listeners.append(seen.append)
    reporter.report(NetworkError(), "Loading customers")
    reporter.report(SignInRequired())
    assert reporter.seen == {}  # not crashes
    assert [type(e) for e in seen] == [NetworkError, SignInRequired]
