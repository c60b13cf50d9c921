"""Injected faults for reliability tests: latency, failed requests, dropped connections.

A client that moves money must survive a server that is slow, answers with an error page, or
commits a mutation and then vanishes before the response arrives. ``FaultConfig`` is mutable
at run time (tests flip it on a running server); decisions are drawn from a seeded RNG so a
test run is reproducible.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import graphql
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ErrorKind = Literal["500", "502", "html", "html200"]
"""``500``/``502``: JSON-less plain error status; ``html``: a 503 HTML error page from a proxy;
``html200``: an HTML page served with status 200 (a captive portal / misrouted proxy)."""

ERROR_KINDS: tuple[ErrorKind, ...] = ("500", "502", "html", "html200")

TRANSPORT_EXTENSION = "posdesk.transport"
"""Scope extension key under which the sandbox's uvicorn protocol exposes the socket transport."""

_HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
    b"<body><h1>Service Unavailable</h1><p>The upstream server is temporarily unable to "
    b"service your request (sandbox fault injection).</p></body></html>"
)


@dataclass
class FaultConfig:
    """What to break, and how often. All rates are fractions in [0, 1]."""

    latency_ms: float = 0.0
    """Fixed delay added before each affected request is handled."""
    jitter_ms: float = 0.0
    """Extra uniformly random delay in [0, jitter_ms]."""
    error_rate: float = 0.0
    """Fraction of affected requests answered with ``error_kind`` instead of being handled."""
    error_kind: ErrorKind = "500"
    fail_next: int = 0
    """The next N affected requests fail with ``error_kind`` (before ``error_rate`` applies)."""
    drop_rate: float = 0.0
    """Fraction of successful GraphQL mutations whose connection is dropped after commit."""
    drop_next_mutations: int = 0
    """The next N successful GraphQL mutations commit, then their connection is dropped.
    Mutations answered with errors committed nothing and are answered normally."""
    commit_delay_ms: float = 0.0
    """A GraphQL mutation is held this long before it runs (a busy server): it commits even
    when the client has given up or gone away meanwhile, and is answered (if still
    connected) only after it committed."""
    commit_delay_jitter_ms: float = 0.0
    """Extra uniformly random commit delay in [0, commit_delay_jitter_ms]."""
    commit_delay_next_mutations: int = 0
    """When > 0, only the next N mutations are held (then the commit delay stops);
    0 holds every mutation while ``commit_delay_ms`` / ``commit_delay_jitter_ms`` are set."""
    paths: tuple[str, ...] = ("/graphql",)
    """Request paths the latency and error faults apply to (e.g. add ``/token``)."""
    seed: int = 0
    delayed: int = field(default=0, init=False)
    """How many mutations were held by the commit delay so far."""
    dropped: int = field(default=0, init=False)
    """How many responses were dropped so far (for test assertions)."""
    failed: int = field(default=0, init=False)
    """How many requests were failed so far."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)

    def reset(self) -> None:
        """Back to no faults (keeps counters' history cleared too)."""
        with self._lock:
            self.latency_ms = 0.0
            self.jitter_ms = 0.0
            self.error_rate = 0.0
            self.error_kind = "500"
            self.fail_next = 0
            self.drop_rate = 0.0
            self.drop_next_mutations = 0
            self.commit_delay_ms = 0.0
            self.commit_delay_jitter_ms = 0.0
            self.commit_delay_next_mutations = 0
            self.delayed = 0
            self.paths = ("/graphql",)
            self.dropped = 0
            self.failed = 0
            self._rng = random.Random(self.seed)

    def reseed(self, seed: int) -> None:
        with self._lock:
            self.seed = seed
            self._rng = random.Random(seed)

    @property
    def active(self) -> bool:
        return bool(
            self.latency_ms
            or self.jitter_ms
            or self.error_rate
            or self.fail_next
            or self.drop_rate
            or self.drop_next_mutations
            or self.commit_delaying
        )

    @property
    def commit_delaying(self) -> bool:
        return bool(self.commit_delay_ms or self.commit_delay_jitter_ms)

    def commit_delay_seconds(self) -> float:
        """How long to hold the mutation about to run (0 when it is not held)."""
        with self._lock:
            if not (self.commit_delay_ms or self.commit_delay_jitter_ms):
                return 0.0
            if self.commit_delay_next_mutations > 0:
                self.commit_delay_next_mutations -= 1
                if self.commit_delay_next_mutations == 0:
                    # the last held one: stop delaying afterwards
                    delay = self._commit_delay()
                    self.commit_delay_ms = self.commit_delay_jitter_ms = 0.0
                    return delay
            return self._commit_delay()

    def _commit_delay(self) -> float:
        jitter = self.commit_delay_jitter_ms
        extra = self._rng.uniform(0.0, jitter) if jitter > 0 else 0.0
        self.delayed += 1
        return max(0.0, self.commit_delay_ms + extra) / 1000.0

    def delay_seconds(self) -> float:
        with self._lock:
            jitter = self._rng.uniform(0.0, self.jitter_ms) if self.jitter_ms > 0 else 0.0
        return max(0.0, self.latency_ms + jitter) / 1000.0

    def should_fail(self) -> bool:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.failed += 1
                return True
            if self.error_rate > 0 and self._rng.random() < self.error_rate:
                self.failed += 1
                return True
            return False

    def should_drop(self) -> bool:
        with self._lock:
            if self.drop_next_mutations > 0:
                self.drop_next_mutations -= 1
                self.dropped += 1
                return True
            if self.drop_rate > 0 and self._rng.random() < self.drop_rate:
                self.dropped += 1
                return True
            return False


def is_mutation(body: bytes) -> bool:
    """Whether a GraphQL POST body selects a mutation operation (False when unparseable)."""
    try:
        payload = json.loads(body or b"{}")
        document = graphql.parse(payload["query"])
    except (ValueError, KeyError, TypeError, graphql.GraphQLError):
        return False
    wanted = payload.get("operationName")
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    for operation in operations:
        name = operation.name.value if operation.name else None
        if wanted is None or wanted == name:
            return operation.operation == graphql.OperationType.MUTATION
    return False


async def _send_error(send: Send, kind: ErrorKind) -> None:
    if kind in ("html", "html200"):
        status = 200 if kind == "html200" else 503
        body, content_type = _HTML_PAGE, b"text/html; charset=utf-8"
    else:
        status = int(kind)
        reason = "Internal Server Error" if status == 500 else "Bad Gateway"
        body, content_type = reason.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class FaultMiddleware:
    """ASGI middleware applying a ``FaultConfig`` in front of the sandbox app."""

    def __init__(self, app: ASGIApp, config: FaultConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        config = self.config
        if scope["type"] != "http" or not config.active or scope["path"] not in config.paths:
            await self.app(scope, receive, send)
            return
        delay = config.delay_seconds()
        if delay:
            await asyncio.sleep(delay)
        if config.should_fail():
            await _send_error(send, config.error_kind)
            return
        dropping = config.drop_rate or config.drop_next_mutations
        if scope["method"] != "POST" or not (dropping or config.commit_delaying):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        replay = replay_body(body, receive)
        if not is_mutation(body):
            await self.app(scope, replay, send)
            return
        commit_delay = config.commit_delay_seconds()
        if commit_delay:
            # a busy server: the mutation waits, then runs whether or not the client is
            # still there (the body was read; the app never asks the socket again)
            await asyncio.sleep(commit_delay)
        # Run the mutation to completion (it commits), hold its response, then decide.
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, _no_disconnect(body), hold)
        if _succeeded(held) and config.should_drop():
            await _drop_connection(scope)
            return
        for message in held:
            await send(message)


def _succeeded(messages: list[Message]) -> bool:
    """A 200 GraphQL response without errors: the mutation committed."""
    if not messages or messages[0].get("status") != 200:
        return False
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    return isinstance(payload, dict) and not payload.get("errors")


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _no_disconnect(body: bytes) -> Receive:
    """The request body, and never a disconnect: a held mutation commits even when its
    client has gone (its response is then simply not delivered)."""

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def replay_body(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _drop_connection(scope: Scope) -> None:
    """Abort the TCP connection so the client sees a transport error, not an HTTP status."""
    extensions: dict[str, Any] = scope.get("extensions") or {}
    transport = extensions.get(TRANSPORT_EXTENSION)
    if not isinstance(transport, asyncio.Transport):
        raise RuntimeError("connection drop fault needs the sandbox's uvicorn protocol")
    transport.abort()
    # Let the protocol see connection_lost, so uvicorn does not try to answer with a 500.
    for _ in range(3):
        await asyncio.sleep(0)
