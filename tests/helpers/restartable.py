"""A sandbox that a test can stop and start again on the same port with the same database
file: how the offline tests make the POS server go away and come back (no restart of posdesk,
whose client keeps the same base URL)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from posdesk.sandbox.server import SandboxServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Restartable:
    """A demo sandbox on a database file and a fixed port (``api``: extended or documented)."""

    db_path: Path
    port: int
    api: str = "extended"
    server: SandboxServer | None = None

    @classmethod
    def started(cls, db_path: Path, api: str = "extended") -> Restartable:
        holder = cls(db_path, free_port(), api)
        holder.start()
        return holder

    @property
    def sandbox(self) -> SandboxServer:
        assert self.server is not None, "not started"
        return self.server

    def start(self) -> None:
        self.server = SandboxServer(
            db_path=str(self.db_path), seed="demo", port=self.port, api=self.api
        )
        self.server.start()

    def stop(self) -> None:
        self.sandbox.stop()
