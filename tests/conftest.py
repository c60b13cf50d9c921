"""Shared test setup: headless Qt, the qasync loop for async tests, an in-memory keyring."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
import shiboken6
from typing_extensions import override

# --- markers by kind, so a developer can run one kind: pytest -m "not gui" -----------------
# Directories say what a test needs; a test elsewhere that asks for a sandbox or qtbot gets the
# same marker. docs/testing.md lists the commands.

_TESTS = Path(__file__).parent
_KINDS_BY_DIRECTORY: dict[tuple[str, ...], tuple[str, ...]] = {
    ("e2e",): ("e2e", "gui", "sandbox"),
    ("unit", "ui"): ("gui",),
    ("api",): ("sandbox",),
    ("sandbox",): ("sandbox",),
    ("mirror",): ("sandbox",),
    ("reports",): ("sandbox",),
}
_KINDS_BY_FIXTURE = {
    "qtbot": "gui",
    "qapp": "gui",
    "sandbox": "sandbox",
    "other_sandbox": "sandbox",
    "own_sandbox": "sandbox",
}


def kinds_of(path: Path, fixturenames: list[str]) -> set[str]:
    """The ``gui`` / ``sandbox`` / ``e2e`` markers a test at ``path`` using these fixtures gets."""
    parts = path.relative_to(_TESTS).parts if path.is_relative_to(_TESTS) else ()
    kinds = {kind for name in fixturenames if (kind := _KINDS_BY_FIXTURE.get(name))}
    for prefix, implied in _KINDS_BY_DIRECTORY.items():
        if parts[: len(prefix)] == prefix:
            kinds.update(implied)
    return kinds


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test with its kinds; keep ``slow`` out unless ``-m`` names it (a later
    ``-m "not gui"`` replaces the default ``-m "not slow"`` from pyproject)."""
    for item in items:
        for kind in sorted(kinds_of(item.path, list(getattr(item, "fixturenames", ())))):
            item.add_marker(kind)
    if "slow" in (config.getoption("markexpr", "") or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Process-local keyring so tests never touch (or need) an OS secret store."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    @override
    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    @override
    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    @override
    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.secrets[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


_QASYNC_LOOPS: list[Any] = []


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], Any]]:
    """Run every asyncio test on a qasync loop, so Qt widgets and coroutines share one loop."""
    from PySide6.QtWidgets import QApplication

    from tests.helpers.qasync_loop import TestEventLoop

    def make_loop() -> Any:
        app = QApplication.instance() or QApplication([])
        heap.collect_on_main_thread()  # see garbage_collected_on_the_main_thread
        # callbacks never run while the loop is stopped (see tests/helpers/qasync_loop.py)
        loop = TestEventLoop(app)
        # Keep every closed loop alive for the session: when Python garbage-collects a closed
        # QEventLoop (its timer QObject / socket notifiers) during a later test's Qt event
        # processing, the process segfaults (seen after a few HTTP tests).
        _QASYNC_LOOPS.append(loop)
        return loop

    return {"qasync": make_loop}


# --- posdesk sandbox (owned by the sandbox server work) -------------------------------------
# One real sandbox per test session, over HTTP on 127.0.0.1. Tests change its faults or token
# lifetime freely: `reset_sandbox` puts both back after every test that used the sandbox.

from posdesk.models import heap  # noqa: E402
from posdesk.sandbox.server import SandboxServer  # noqa: E402


def _running_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(db_path=":memory:", seed="demo", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """A running sandbox with the demo seed: `.info` (URLs, demo client), `.faults`."""
    yield from _running_sandbox()


@pytest.fixture(scope="session")
def other_sandbox() -> Iterator[SandboxServer]:
    """A second server (its own port, so its own issuer) with the same demo data."""
    yield from _running_sandbox()


@pytest.fixture(autouse=True)
def reset_sandbox(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sandbox" in request.fixturenames:
        server: SandboxServer = request.getfixturevalue("sandbox")
        server.faults.reset()
        server.token_lifetime = 3600
        if server.provider is not None:
            server.provider.reset_clients()  # secrets rotated / clients restricted by a test
            server.provider.reset_backoff()  # failed sign-ins / client secrets of a test


@pytest.fixture
def sandbox_token(sandbox: SandboxServer) -> Callable[[str], str]:
    """`sandbox_token("demo-clerk")` -> an access token fetched with client credentials."""
    from posdesk.sandbox.security import DEMO_CLIENTS

    def fetch(client_id: str = "posdesk-demo") -> str:
        import httpx

        assert sandbox.info is not None
        response = httpx.post(
            f"{sandbox.info.issuer}/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, DEMO_CLIENTS[client_id].secret),
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    return fetch


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """QSettings go to a fresh INI directory per test, never the developer's real settings."""
    from PySide6.QtCore import QSettings

    path = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    return path


@pytest.fixture(autouse=True, scope="session")
def garbage_collected_on_the_main_thread() -> Iterator[None]:
    """Python's automatic collector runs on whichever thread allocates (a sandbox worker, the
    mirror's writer), and a QObject in a reference cycle collected there is deleted in C++ on
    that thread while the loop thread uses it: SIGSEGV "inside the garbage collector" (seen in
    the Local data tests; the app avoids it the same way, see posdesk/models/heap.py). So the
    suite, like the app, never collects automatically: ``garbage_of_each_test`` does it after
    every test, and a timer on the main thread during the test once a QApplication exists."""
    gc.disable()
    yield
    heap.collect_anywhere()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Before pytest-qt closes the widgets a test registered (its teardown wrapper is
    ``trylast``, so it runs inside this one), forget those Qt already deleted: a dialog closed
    with ``deleteLater`` whose Python wrapper is still alive in a reference cycle (automatic
    collection is off, see above) answered its weak reference, and closing it raised "Internal
    C++ object already deleted" (seen once in CI). Not a collection here: collecting wrappers
    whose C++ objects still receive events clears their Python state under them."""
    registered = getattr(item, "qt_widgets", None)
    if registered:
        item.qt_widgets = [  # type: ignore[attr-defined]
            (ref, before_close)
            for ref, before_close in registered
            if (widget := ref()) is None or shiboken6.isValid(widget)
        ]
    return (yield)


@pytest.fixture(autouse=True)
def garbage_of_each_test() -> Iterator[None]:
    """Each test's leftovers are collected when it ends, on the main thread (the collection
    Python's thresholds call for, usually a young one: cheap)."""
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is not None:
        heap.collect_on_main_thread()  # the timer: the QApplication exists now
    yield
    heap.collect_due()
