"""Shared test setup: headless Qt, the qasync loop for async tests, an in-memory keyring."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

from collections.abc import Callable, Iterator
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from typing_extensions import override


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


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], Any]]:
    """Run every asyncio test on a qasync loop, so Qt widgets and coroutines share one loop."""
    import qasync
    from PySide6.QtWidgets import QApplication

    def make_loop() -> Any:
        app = QApplication.instance() or QApplication([])
        return qasync.QEventLoop(app)

    return {"qasync": make_loop}
