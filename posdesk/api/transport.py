"""One HTTP exchange with the server: an overall deadline, a body-size cap, honest failures.

httpx timeouts are per network read: a server (or proxy) sending one byte per second keeps a
request alive forever. Every request posdesk makes (OIDC discovery, token requests, GraphQL
reads and writes, introspection) goes through :func:`exchange`, which bounds the whole
exchange — connect, send, status line, headers and the full body — by one deadline and
streams the body with a byte cap, so a hostile or broken server can neither hang nor flood
posdesk. It also says whether the request provably never left the PC (:class:`NotSent`):
only then may a write be called "nothing recorded".

Also here: the connection's one HTTP client (:func:`make_http_client`), the backoff for
reads (:class:`RetryPolicy`, :func:`is_transient`) and the classification of a GraphQL
answer into data or the error family (:func:`decode`). No journal, no operations: what a
request means is decided above this module.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from json import loads as json_loads
from typing import Any

import httpx

from posdesk import __version__
from posdesk.api.errors import (
    TRANSIENT_STATUS,
    HttpStatusError,
    InvalidResponseError,
    NetworkError,
    NotAuthenticated,
    PosError,
    RequestTimeout,
    TlsError,
    from_graphql_error,
)
from posdesk.api.profile import ConnectionProfile

#: The largest answer posdesk reads (decoded bytes). A 1000-row sync page is ~1-2 MB; a page
#: of 300,000 rows is refused while it streams in, before anything parses it.
MAX_BODY = 32 * 1024 * 1024

#: Used when the HTTP client has no read timeout configured.
DEFAULT_DEADLINE = 30.0


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A fully read answer: status, headers and the decoded body."""

    status_code: int
    headers: httpx.Headers
    content: bytes


class NotSent(Exception):  # noqa: N818 (a verdict, not an error kind: ``original`` is the error)
    """The request provably never left the PC (no connection, DNS, TLS, pool): ``original``
    says why. Anything after the request may have been written is raised as a PosError."""

    def __init__(self, original: PosError) -> None:
        super().__init__(str(original))
        self.original = original


def deadline_of(http: httpx.AsyncClient) -> float:
    """The overall deadline for one request: the profile's timeout (the client's read
    timeout, see ``make_http_client``)."""
    read = http.timeout.read
    return float(read) if read else DEFAULT_DEADLINE


def transport_failure(exc: httpx.HTTPError, what: str) -> PosError:
    """Map an httpx exception (no usable response) to the error family."""
    if isinstance(exc, httpx.DecodingError):
        return InvalidResponseError(
            "The POS server's answer arrived damaged (it could not be decompressed).",
            details=f"{what}: {type(exc).__name__}: {exc}",
        )
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(details=f"{what}: {type(exc).__name__}")
    if isinstance(exc, httpx.ConnectError) and "CERTIFICATE" in str(exc).upper():
        return TlsError(details=f"{what}: {exc}")
    return NetworkError(details=f"{what}: {type(exc).__name__}: {exc}")


async def exchange(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    what: str,
    deadline: float | None = None,
    max_bytes: int = MAX_BODY,
    **kwargs: Any,
) -> RawResponse:
    """Send one request and read its whole body within ``deadline`` seconds.

    Raises :class:`NotSent` when nothing was written (connection refused, DNS, TLS, pool
    timeout, or the deadline hit before the request headers went out); otherwise a PosError:
    ``RequestTimeout`` at the deadline, ``InvalidResponseError`` for a body over
    ``max_bytes`` or one that cannot be decoded, ``NetworkError`` for a broken connection.
    """
    limit = deadline_of(http) if deadline is None else deadline
    written = False

    async def trace(event: str, info: Mapping[str, Any]) -> None:
        nonlocal written
        if event.endswith("send_request_headers.started"):
            written = True

    failure: PosError
    try:
        async with asyncio.timeout(limit) as scope:
            try:
                return await _read(http, method, url, what, max_bytes, trace, **kwargs)
            except httpx.HTTPError as exc:
                failure = transport_failure(exc, what)
                sent = not isinstance(
                    exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
                )
    except TimeoutError:
        if not scope.expired():
            raise
        failure = RequestTimeout(details=f"{what}: no complete answer within {limit:g} s")
        sent = written
    # raised here, outside the handlers, so the error holds no traceback of httpx's
    # half-read stream: a test (or the log) keeping the error must not keep the stream alive
    raise failure if sent else NotSent(failure)


async def _read(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    what: str,
    max_bytes: int,
    trace: Any,
    **kwargs: Any,
) -> RawResponse:
    async with http.stream(method, url, extensions={"trace": trace}, **kwargs) as response:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_big(what, max_bytes)
        if response.is_stream_consumed:  # an in-memory answer (a mock transport in tests)
            return RawResponse(response.status_code, response.headers, response.content)
        chunks: list[bytes] = []
        size = 0
        # raw bytes here, decoded below: a decoding error raised while httpx's async
        # generators are suspended would leave them to be finalized outside the event loop
        async for chunk in response.aiter_raw():
            size += len(chunk)
            if size > max_bytes:
                raise _too_big(what, max_bytes)
            chunks.append(chunk)
        status, headers = response.status_code, response.headers
    content = _decoded(b"".join(chunks), headers, what, max_bytes)
    return RawResponse(status, headers, content)


def _decoded(raw: bytes, headers: httpx.Headers, what: str, max_bytes: int) -> bytes:
    """Undo the Content-Encoding (gzip, deflate, br...) with the same cap on decoded bytes
    (a small compressed body may inflate a thousandfold)."""
    if not headers.get("content-encoding"):
        return raw
    replay = httpx.Response(200, headers=headers, stream=httpx.ByteStream(raw))
    chunks: list[bytes] = []
    size = 0
    for chunk in replay.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _too_big(what, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(what: str, max_bytes: int) -> InvalidResponseError:
    return InvalidResponseError(
        "The POS server sent a far larger answer than posdesk asked for.",
        details=f"{what}: body over {max_bytes} bytes",
    )


#: Deepest JSON nesting posdesk parses. GraphQL answers and the introspection result stay
#: well below 40; 200,000 nested brackets would otherwise exhaust the recursion limit.
MAX_DEPTH = 64

#: Most objects and lists (2 bytes each in the bracket skeleton) one answer may hold: a
#: 1000-row page of sales with lines and tenders has ~20k; this bounds the depth check's
#: worst case (each round is a pass over the skeleton) to a fraction of a second.
MAX_SKELETON = 1024 * 1024

#: Everything but the bytes that shape JSON: brackets and quotes.
_NOT_STRUCTURE = bytes(set(range(256)) - set(b'[]{}"'))


def nesting_too_deep(content: bytes, limit: int = MAX_DEPTH) -> bool:
    """A cheap bound on bracket depth, checked BEFORE parsing (string contents ignored).

    C-speed bytes operations only (a few microseconds per 10 kB, a fraction of parsing):
    escaped quotes go first (only when there is a backslash); one ``translate`` keeps just
    brackets and quotes; empty strings ``""`` are dropped (quote parity, and so what lies
    outside strings, is unchanged), and only if quotes remain (brackets inside a string) are
    strings cut out by parity. Then each round strips the innermost ``[]`` / ``{}`` pairs:
    JSON is gone after ``limit`` rounds exactly when it is nested no deeper than ``limit``.
    Unbalanced brackets (not JSON anyway), and more than ``MAX_SKELETON`` bytes of brackets
    (so a hostile body of many depth-64 lists cannot cost ``limit`` passes over 32 MB), also
    count as too deep."""
    if b"\\" in content:
        content = content.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = content.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in skeleton:
        skeleton = b"".join(skeleton.split(b'"')[::2])
    if len(skeleton) > MAX_SKELETON:
        return True  # more containers than any answer has: refused before `limit` passes
    for _ in range(limit):
        if not skeleton:
            return False
        # one level a round, both kinds at once: renamed first, so a "{}" exposed by
        # dropping a "[]" waits for the next round ("{[]}" is two levels, not one)
        shorter = skeleton.replace(b"[]", b"()").replace(b"{}", b"").replace(b"()", b"")
        if len(shorter) == len(skeleton):
            return True  # unbalanced
        skeleton = shorter
    return bool(skeleton)


def _no_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not allowed")


def load_json(content: bytes, what: str) -> Any:
    """Parse a JSON body: depth bounded before parsing; NaN / Infinity refused."""
    if nesting_too_deep(content):
        raise InvalidResponseError(
            details=f"{what}: JSON nested deeper than {MAX_DEPTH} or with too many containers"
        )
    try:
        return json_loads(content, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidResponseError(details=f"{what}: not JSON ({type(exc).__name__})") from None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff for reads on transient failures (network, 502/503/504). Writes never retry."""

    attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 3.0

    def delay(self, attempt: int) -> float:
        base: float = min(self.max_delay, self.base_delay * 2.0**attempt)
        return base * random.uniform(0.5, 1.0)


def is_transient(exc: PosError) -> bool:
    """Whether a read may be tried again: a broken connection or a gateway's 502/503/504."""
    if isinstance(exc, TlsError):
        return False
    if isinstance(exc, NetworkError):
        return True
    return isinstance(exc, HttpStatusError) and exc.status_code in TRANSIENT_STATUS


def _ssl_context(profile: ConnectionProfile) -> ssl.SSLContext | bool:
    if profile.ca_bundle:
        return ssl.create_default_context(cafile=profile.ca_bundle)
    return True


def make_http_client(profile: ConnectionProfile) -> httpx.AsyncClient:
    """The connection's single HTTP client: TLS verified (custom CA allowed), timeouts."""
    return httpx.AsyncClient(
        verify=_ssl_context(profile),
        timeout=httpx.Timeout(profile.timeout, connect=min(profile.timeout, 10.0)),
        http2=True,
        follow_redirects=False,
        headers={"User-Agent": f"posdesk/{__version__}"},
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )


def decode(response: RawResponse, what: str) -> Any:
    """HTTP response → GraphQL ``data``, or the mapped exception. Never a raw exception:
    whatever the body holds, the answer is data, a PosError for its errors, or
    InvalidResponseError."""
    status = response.status_code
    if status == 401:  # whatever the body says (a proxy's HTML page, nothing, JSON)
        raise NotAuthenticated(details=f"{what}: HTTP 401")
    if status in TRANSIENT_STATUS:
        raise HttpStatusError(status, details=f"{what}: HTTP {status}")
    content = response.content
    body: Any = None
    if content.lstrip()[:1] == b"{":
        try:
            body = load_json(content, what)
        except InvalidResponseError:
            if status == 200:
                raise
            body = None
    if not isinstance(body, dict):
        kind = "an HTML page" if b"<html" in content[:512].lower() else "not JSON"
        if status != 200:
            raise HttpStatusError(status, details=f"{what}: HTTP {status}, {kind}")
        raise InvalidResponseError(details=f"{what}: HTTP 200 but {kind}")
    errors = body.get("errors")
    if errors:
        if not isinstance(errors, list):
            raise InvalidResponseError(details=f"{what}: malformed errors")
        mapped = [from_graphql_error(e) for e in errors if isinstance(e, dict)]
        for err in mapped:
            if isinstance(err, NotAuthenticated):
                raise err
        if mapped:
            raise mapped[0]
        raise InvalidResponseError(details=f"{what}: malformed errors")
    if status != 200:
        raise HttpStatusError(status, details=f"{what}: HTTP {status}")
    data = body.get("data")
    if not isinstance(data, dict):
        raise InvalidResponseError(details=f"{what}: response without data")
    return data
