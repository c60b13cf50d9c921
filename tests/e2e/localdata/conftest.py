"""A session with its local data, as the shell builds it, for the Local data panel tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from PySide6.QtWidgets import QApplication

from posdesk.api.client import PosClient
from posdesk.mirror import MirrorSettings
from posdesk.models.local_data import LocalData
from posdesk.sandbox.server import SandboxServer
from posdesk.store.scope import LocalScope, open_scope
from posdesk.ui.localdata import close_local_data
from posdesk.ui.shell.context import SessionContext
from tests.api.helpers import connect
from tests.helpers.session import quiesce, session_context

Session = Callable[..., Awaitable[SessionContext]]


@asynccontextmanager
async def local_session(
    server: SandboxServer,
    tmp_path: Path,
    client_id: str = "posdesk-demo",
    settings: MirrorSettings | None = None,
) -> AsyncIterator[SessionContext]:
    """A context whose ``local_data`` is a real mirror in ``tmp_path`` (not started). The
    panel is a top-level window: closing it must not quit the tests' QApplication."""
    quit_on_close = QApplication.quitOnLastWindowClosed()
    QApplication.setQuitOnLastWindowClosed(False)
    client: PosClient = await connect(server, tmp_path, client_id)
    assert server.info is not None
    scoped = open_scope(tmp_path, LocalScope(client.issuer, f"client:{client_id}"))
    local_data = await LocalData.open(client, scoped, settings)
    context = session_context(client, profile_name=client_id)
    context.local = scoped
    context.local_data = local_data
    try:
        yield context
    finally:
        close_local_data(context)
        await quiesce()
        await local_data.aclose()
        await client.aclose()
        QApplication.setQuitOnLastWindowClosed(quit_on_close)
