"""Fixtures for the report tests: a demo sandbox per module (extended or documented), its data
synced once into a mirror file, and a read-only connection to compute reports on."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from posdesk.mirror import Mirror, MirrorSync
from posdesk.sandbox.server import SandboxServer
from tests.api.helpers import connect
from tests.conftest import MemoryKeyring
from tests.mirror import conftest as shared

# the mirror tests' fixtures: a private demo sandbox per module, and the demo client on it
own_sandbox = shared.own_sandbox
documented_sandbox = shared.documented_sandbox
client = shared.client
everything = shared.everything


def sync_file(server: SandboxServer, folder: Path) -> Path:
    """Sync the server's demo data into ``folder/mirror.sqlite3`` on a plain asyncio loop in a
    thread (module fixtures run outside the tests' qasync loop)."""
    path = folder / "mirror.sqlite3"
    failure: list[BaseException] = []

    async def run() -> None:
        client = await connect(server, folder)
        mirror = await Mirror.open(path)
        try:
            progress = await MirrorSync(client, mirror).sync_once()
            assert all(p.last_synced or p.error for p in progress.values()), progress
        finally:
            await mirror.close()
            await client.aclose()

    def thread() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # reported on the test's thread
            failure.append(exc)

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        worker = threading.Thread(target=thread)
        worker.start()
        worker.join()
    finally:
        keyring.set_keyring(previous)
    if failure:
        raise failure[0]
    return path


@pytest.fixture(scope="module")
def mirror_file(own_sandbox: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sync_file(own_sandbox, tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def documented_file(
    documented_sandbox: SandboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return sync_file(documented_sandbox, tmp_path_factory.mktemp("reports-documented"))


def _open(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture
def conn(mirror_file: Path) -> Iterator[sqlite3.Connection]:
    """The synced mirror, read-only (reports are plain functions of a connection)."""
    yield from _open(mirror_file)


@pytest.fixture
def documented_conn(documented_file: Path) -> Iterator[sqlite3.Connection]:
    yield from _open(documented_file)
