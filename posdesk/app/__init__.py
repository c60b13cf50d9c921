"""Composition root: argv, logging, QApplication, the qasync loop, wiring, clean shutdown.

Startup is lazy on purpose: the window is shown first, and only then are the HTTP/OAuth stack
(``posdesk.app.session`` → ``posdesk.api.client``) and, for ``--demo``, the sandbox imported.
Shutdown never calls ``QApplication.quit()`` from under the coroutine: closing the window ends
``run()``, which cancels owned tasks, closes the HTTP client and stops the demo server, and
only then does ``qasync.run`` stop the Qt loop.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posdesk import __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from posdesk.ui.shell.errors import ErrorReporter
    from posdesk.ui.shell.main_window import MainWindow

_log = logging.getLogger("posdesk")

PROBE_ENV = "POSDESK_STARTUP_PROBE"
"""Benchmarks set this: the app prints ``shown <epoch seconds>`` at the first paint, then quits."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posdesk",
        description="Desktop back office for Kensium POS / Fusion POS.",
        epilog=(
            "Without options posdesk opens the connection profile used last (manage profiles "
            "with File > Connection profiles). 'posdesk --demo' needs no server: it starts the "
            "local posdesk sandbox with made-up data and signs in to it."
        ),
    )
    parser.add_argument("--version", action="version", version=f"posdesk {__version__}")
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="connect with the saved connection profile NAME (default: the one used last)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the built-in sandbox POS on a free local port with demo data and sign in",
    )
    parser.add_argument(
        "--demo-seed",
        default="demo",
        choices=["demo", "large"],
        help="sandbox data set for --demo (default: demo; 'large' has 100k+ rows)",
    )
    parser.add_argument(
        "--demo-db",
        metavar="PATH",
        default=":memory:",
        help="sandbox database file for --demo (default: in memory, gone on exit)",
    )
    parser.add_argument(
        "--demo-api",
        default="extended",
        choices=["extended", "documented"],  # the sandbox's API_MODES (not imported: lazy)
        help="sandbox API for --demo: extended (default) or documented (no sandbox extensions)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much to write to the log file (default: INFO)",
    )
    parser.add_argument(
        "--log-dir",
        metavar="DIR",
        type=Path,
        help="directory of the rotating log file (default: the user log directory)",
    )
    parser.add_argument(
        "--quit-after",
        metavar="SECONDS",
        type=float,
        help="close after SECONDS, printing what was loaded (scripted smoke runs of a build)",
    )
    parser.add_argument(
        "--theme",
        default="system",
        choices=["system", "light", "dark"],
        help="colour scheme (default: follow the operating system)",
    )
    return parser


def create_application(theme: str = "system") -> QApplication:
    """The QApplication, configured once (high-DPI, names, icon, palette, INI settings)."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(sys.argv[:1])
    app.setApplicationName("posdesk")
    app.setOrganizationName("posdesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("posdesk")
    app.setQuitOnLastWindowClosed(False)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    from posdesk.resources import app_icon
    from posdesk.ui.shell.theme import apply_theme, follow_system_theme

    app.setWindowIcon(app_icon())
    apply_theme(app, theme)  # type: ignore[arg-type]
    if theme == "system":
        follow_system_theme(app)
    return app


def _install_startup_probe(window: MainWindow) -> None:
    """Print when the window is first painted (startup benchmark), then close it."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from typing_extensions import override

    class Probe(QObject):
        done = False

        @override
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = True
                print(f"shown {time.time():.6f}", flush=True)
                QTimer.singleShot(0, window.close)
            return False

    window.installEventFilter(Probe(window))


def install_qt_message_log() -> None:
    """Qt's own warnings (style, fonts, platform plugin) go to the log file, not to stderr."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("posdesk.qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(mode: QtMsgType, context: object, message: str) -> None:
        qt_log.log(levels.get(mode, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def loop_exception_handler(
    reporter: ErrorReporter,
) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """Exceptions asyncio could not hand to anyone (callbacks, forgotten tasks) are bugs:
    crash dialog + log, like exceptions escaping Qt slots."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException) and not isinstance(exc, asyncio.CancelledError):
            reporter.unexpected(exc)
        else:
            _log.warning("asyncio: %s", context.get("message", context))

    return handle


def _preload(demo: bool) -> None:
    """Import the Qt-free heavy modules (run in a worker thread)."""
    import importlib

    modules = ["posdesk.api.client", "posdesk.store.journal"]
    if demo:
        modules.append("posdesk.sandbox.server")
    for name in modules:
        importlib.import_module(name)


def _quit_after(window: MainWindow, seconds: float) -> None:
    """Scripted smoke run (tests/packaging): report what the window shows, then close it.

    Closing the window takes the normal shutdown path, so the run also proves a clean exit.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractItemView

    def report_and_close() -> None:
        tab = window.current_tab()
        views = tab.findChildren(QAbstractItemView) if tab is not None else []
        rows = max((v.model().rowCount() for v in views if v.model() is not None), default=0)
        summary = f"connection={window.connection_state} tab={type(tab).__name__} rows={rows}"
        _log.info("--quit-after: %s", summary)
        print(f"quit-after: {summary}", flush=True)
        window.close()

    QTimer.singleShot(round(seconds * 1000), window, report_and_close)


async def run(args: argparse.Namespace) -> int:
    """The application's lifetime, as one coroutine on the qasync loop."""
    from PySide6.QtWidgets import QApplication

    from posdesk.models import tasks
    from posdesk.ui.shell.errors import ErrorReporter
    from posdesk.ui.shell.main_window import MainWindow

    app = QApplication.instance()
    quit_on_close = isinstance(app, QApplication) and app.quitOnLastWindowClosed()
    if isinstance(app, QApplication):
        # Closing the window must end run(), not the Qt loop under it (see module doc).
        app.setQuitOnLastWindowClosed(False)
    reporter = ErrorReporter()
    window = MainWindow(reporter=reporter)
    log_file = getattr(args, "log_file", None)
    window.log_dir = log_file.parent if isinstance(log_file, Path) else None
    previous_hook = sys.excepthook
    sys.excepthook = reporter.excepthook
    loop = asyncio.get_running_loop()
    previous_loop_handler = loop.get_exception_handler()
    loop.set_exception_handler(loop_exception_handler(reporter))
    tasks.set_unexpected_error_handler(reporter.unexpected)
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    if app is not None:
        app.aboutToQuit.connect(closed.set)
    probe = bool(os.environ.get(PROBE_ENV))
    if probe:
        _install_startup_probe(window)
    if args.quit_after is not None:
        _quit_after(window, args.quit_after)
    window.show()
    # The network stack (and for --demo the sandbox) takes ~0.5-1 s to import: do it in a
    # worker thread so the window paints and stays responsive meanwhile.
    await asyncio.to_thread(_preload, args.demo)

    from posdesk.app.session import SessionController
    from posdesk.models import heap
    from posdesk.ui.shell.profiles import ProfileStore

    with heap.app_policy():  # startup frozen; never ~QObject on a worker (see heap.py)
        code = 0
        demo = None
        controller: SessionController | None = None
        try:
            if args.demo:
                from posdesk.app.demo import start_demo

                window.set_connection_state("connecting")
                window.show_status("Starting the demo server…", 0)
                demo = await start_demo(args.demo_seed, args.demo_db, args.demo_api)
            controller = SessionController(window, ProfileStore(), reporter=reporter, demo=demo)
            if not probe:
                controller.spawn(controller.start(args.profile))
            await closed.wait()
        except Exception as exc:
            _log.exception("posdesk could not start")
            print(f"posdesk could not start: {exc}", file=sys.stderr)
            code = 1
        finally:
            window.close()
            if controller is not None:
                await controller.aclose()
            elif demo is not None:
                await asyncio.to_thread(demo.stop)
            tasks.set_unexpected_error_handler(None)
            sys.excepthook = previous_hook
            loop.set_exception_handler(previous_loop_handler)
            window.deleteLater()
            if isinstance(app, QApplication):
                app.setQuitOnLastWindowClosed(quit_on_close)
    _log.info("posdesk stopped cleanly")
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from posdesk.logging_setup import setup_logging

    log_path = setup_logging(args.log_level, args.log_dir)
    args.log_file = log_path
    _log.info("posdesk %s starting (log: %s)", __version__, log_path)
    import qasync

    create_application(args.theme)
    install_qt_message_log()
    try:
        result: int = qasync.run(run(args))
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
