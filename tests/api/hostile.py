"""A tiny raw-socket HTTP/1.1 server on 127.0.0.1 for faults the sandbox cannot produce.

It speaks just enough HTTP for posdesk: OIDC discovery, a token endpoint and /graphql. Each
answer is scripted by the test: served whole, trickled one byte at a time from a chosen point
(status line, headers or body: a slow-loris), or the connection closed without an answer.
GraphQL answers are chosen by ``operationName``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Phase = Literal["status", "headers", "body"]


@dataclass(frozen=True, slots=True)
class Answer:
    """One scripted HTTP answer. ``slow``: from which point bytes trickle, one per
    ``byte_delay`` seconds, forever as far as the client can tell."""

    status: int = 200
    body: bytes = b"{}"
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    slow: Phase | None = None
    byte_delay: float = 0.1
    close: bool = False  # close the connection without any answer

    def raw(self) -> tuple[bytes, int]:
        """The bytes on the wire and where trickling starts."""
        status_line = f"HTTP/1.1 {self.status} X\r\n".encode()
        headers = "".join(f"{k}: {v}\r\n" for k, v in self.headers)
        head = status_line + f"{headers}Content-Length: {len(self.body)}\r\n\r\n".encode()
        start = {None: len(head) + len(self.body), "status": 0, "headers": len(status_line)}
        return head + self.body, start.get(self.slow, len(head))


def json_answer(value: Any, **kwargs: Any) -> Answer:
    return Answer(body=json.dumps(value).encode(), **kwargs)


def data_answer(root: str, value: Any, **kwargs: Any) -> Answer:
    """A GraphQL answer whose root field ``root`` holds ``value`` (any shape)."""
    return json_answer({"data": {root: value}}, **kwargs)


def deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@dataclass
class HostileServer:
    """``discovery`` / ``token`` / ``graphql[operationName]`` answers, changeable any time."""

    base_url: str = ""
    discovery: Answer | None = None
    token: Answer = field(
        default_factory=lambda: json_answer(
            {"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 3600}
        )
    )
    graphql: dict[str, Answer] = field(default_factory=dict)
    default_graphql: Answer = field(default_factory=lambda: Answer(close=True))
    seen: list[str] = field(default_factory=list)  # paths / operation names, in order
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def discovery_answer(self) -> Answer:
        if self.discovery is not None:
            return self.discovery
        return json_answer(
            {
                "issuer": self.base_url,
                "token_endpoint": f"{self.base_url}/token",
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    def answer_for(self, path: str, body: bytes) -> Answer:
        if path == "/.well-known/openid-configuration":
            self.seen.append("discovery")
            return self.discovery_answer()
        if path == "/token":
            self.seen.append("token")
            return self.token
        name = ""
        with contextlib.suppress(ValueError, AttributeError):
            name = str(json.loads(body).get("operationName") or "")
        self.seen.append(name)
        return self.graphql.get(name, self.default_graphql)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                body = await reader.readexactly(length) if length else b""
                path = request_line.split()[1].decode().split("?")[0]
                answer = self.answer_for(path, body)
                if answer.close:
                    return
                raw, start = answer.raw()
                writer.write(raw[:start])
                await writer.drain()
                for index in range(start, len(raw)):
                    await asyncio.sleep(answer.byte_delay)
                    writer.write(raw[index : index + 1])
                    await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._tasks.discard(task)
            writer.close()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2)


@contextlib.asynccontextmanager
async def hostile_server(
    configure: Callable[[HostileServer], None] | None = None,
) -> AsyncIterator[HostileServer]:
    server = HostileServer()
    await server.start()
    if configure is not None:
        configure(server)
    try:
        yield server
    finally:
        await server.stop()
