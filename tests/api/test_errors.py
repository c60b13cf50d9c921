"""Every error class, produced by the real sandbox where it can produce it (faults, roles,
bad input); httpx.MockTransport only for answers no honest server gives."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from typing_extensions import override

from posdesk.api import errors
from posdesk.api.client import PosClient, RetryPolicy, make_http_client
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile
from posdesk.domain import GiftCardCodeType, GiftCardTransType
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.store.journal import Journal, JournalState
from tests.api.helpers import FAST_RETRY, cc_profile, connect


@pytest.mark.asyncio
async def test_transient_statuses_are_retried_for_reads(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        sandbox.faults.error_kind = "502"
        sandbox.faults.fail_next = 2
        assert (await client.environment()).kind == "SANDBOX"
        assert sandbox.faults.failed == 2

        sandbox.faults.error_kind = "html"  # a proxy's 503 HTML page, every time
        sandbox.faults.fail_next = 100
        with pytest.raises(errors.HttpStatusError) as info:
            await client.environment()
        assert info.value.status_code == 503
        assert "temporarily" in info.value.user_message
        assert sandbox.faults.failed == 2 + FAST_RETRY.attempts
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_non_transient_status_and_html_200(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        sandbox.faults.error_kind = "500"
        sandbox.faults.fail_next = 1
        with pytest.raises(errors.HttpStatusError) as status:
            await client.environment()
        assert status.value.status_code == 500
        assert sandbox.faults.failed == 1  # not retried

        sandbox.faults.error_kind = "html200"  # a captive portal answering 200 with HTML
        sandbox.faults.fail_next = 1
        with pytest.raises(errors.InvalidResponseError) as invalid:
            await client.environment()
        assert "HTML" in invalid.value.details
        assert sandbox.faults.failed == 2
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_timeout(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await PosClient.connect(
        cc_profile(sandbox),
        journal=Journal(tmp_path / "j"),
        retry=RetryPolicy(attempts=2, base_delay=0.01),
    )
    try:
        # Short read timeout only once connected: on a loaded machine discovery, token and
        # introspection can take longer than 0.3 s themselves.
        async with make_http_client(cc_profile(sandbox, timeout=0.3)) as http:
            assert http.timeout.read == 0.3  # the profile's timeout is the connection's
        client._http.timeout = httpx.Timeout(10.0, read=0.3)
        sandbox.faults.latency_ms = 800
        with pytest.raises(errors.RequestTimeout) as info:
            await client.environment()
        assert isinstance(info.value, errors.NetworkError)
        assert isinstance(info.value, TimeoutError)
    finally:
        await client.aclose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.asyncio
async def test_nothing_listening_is_a_network_error(tmp_path: Path) -> None:
    Credentials().set_client_secret("down", "x")
    profile = ConnectionProfile("down", f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(errors.NetworkError) as info:
        await PosClient.connect(profile, journal=Journal(tmp_path / "j"))
    assert "reach" in info.value.user_message


@pytest.mark.asyncio
async def test_not_authorized_names_the_permission(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path, "demo-noperms")
    try:
        with pytest.raises(errors.NotAuthorized) as info:
            await client.customers(search="a")
        assert info.value.permission == "ViewCustomers"
        assert "ViewCustomers" in info.value.user_message
        with pytest.raises(errors.NotAuthorized):
            await client.giftcard_transaction(
                FIXTURES.gc_physical_code,
                GiftCardCodeType.PHYSICAL,
                GiftCardTransType.ADD,
                Decimal("1.00"),
            )
        # the refusal is a confirmed failure in the journal, not an unknown outcome
        [entry] = client.journal.entries()
        assert entry.state is JournalState.FAILED
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_limited_by_permission_is_returned(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path, "demo-manager")  # bound to one store
    try:
        page = await client.customers(search=FIXTURES.customer_with_sales_name, first=10)
        assert page.limited_by_permission
        assert page.items == ()
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_validation_names_the_field(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        with pytest.raises(errors.ValidationError) as info:
            await client.giftcard_transaction(
                FIXTURES.gc_pin_code,
                GiftCardCodeType.PHYSICAL,
                GiftCardTransType.USE,
                Decimal("-1.00"),
                pin="0000",
            )
        assert info.value.field
        assert info.value.data.get("ValidationType")
        with pytest.raises(errors.ValidationError) as funds:
            await client.giftcard_transaction(
                FIXTURES.gc_zero_code,
                GiftCardCodeType.PHYSICAL,
                GiftCardTransType.USE,
                Decimal("-5.00"),
            )
        assert funds.value.field
        # client-side sign rules are checked before anything is journaled or sent
        with pytest.raises(errors.ValidationError) as sign:
            await client.giftcard_transaction(
                FIXTURES.gc_physical_code,
                GiftCardCodeType.PHYSICAL,
                GiftCardTransType.USE,
                Decimal("5.00"),
            )
        assert sign.value.field == "amount"
        states = [e.state for e in client.journal.entries()]
        assert states == [JournalState.FAILED, JournalState.FAILED]
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_not_found_and_missing_card(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = await connect(sandbox, tmp_path)
    try:
        with pytest.raises(errors.NotFound):
            await client.customer("00000000000000000000")
        assert await client.giftcard(FIXTURES.unknown_code, GiftCardCodeType.PHYSICAL) is None
        assert await client.lookup_item("NO-SUCH-THING") is None
    finally:
        await client.aclose()


# --- answers the sandbox never gives: MockTransport -------------------------------------------


class _MockGraphQL(httpx.AsyncBaseTransport):
    """Discovery and token from the real sandbox; GraphQL answered by ``answer``."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.mock = httpx.MockTransport(answer)

    @override
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/graphql":
            return await self.mock.handle_async_request(request)
        return await self.real.handle_async_request(request)

    @override
    async def aclose(self) -> None:
        await self.real.aclose()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"data": {"environment": {', errors.InvalidResponseError),  # truncated JSON
        (b'{"errors": []}', errors.InvalidResponseError),  # no data
        (b'{"data": {}}', errors.InvalidResponseError),  # root field missing
        (
            b'{"data": null, "errors": [{"message": "x", "extensions": {"code": "FUSION_ERROR"}}]}',
            errors.FusionError,
        ),
        (
            b'{"data": null, "errors": [{"message": "x", "extensions": {"code": "RATE_LIMITED"}}]}',
            errors.UnknownServerError,
        ),
        (b'{"data": null, "errors": [{"message": "no extensions"}]}', errors.UnknownServerError),
    ],
)
@pytest.mark.asyncio
async def test_malformed_answers(
    sandbox: SandboxServer, tmp_path: Path, body: bytes, expected: type[errors.PosError]
) -> None:
    http = httpx.AsyncClient(
        transport=_MockGraphQL(
            lambda _: httpx.Response(
                200, content=body, headers={"content-type": "application/json"}
            )
        )
    )
    client = await connect(sandbox, tmp_path, http=http, check_schema=False)
    try:
        with pytest.raises(expected) as info:
            await client.environment()
        assert type(info.value) is expected
        assert info.value.user_message
    finally:
        await client.aclose()
        await http.aclose()


# --- TLS ----------------------------------------------------------------------------------------


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "posdesk test CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _read_request(conn: ssl.SSLSocket) -> str:
    """Read headers and body fully (an unread body would make close() send a reset)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head.decode("latin-1")


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A tiny HTTPS server with a self-signed certificate: discovery, and a token endpoint
    that refuses every client (enough to prove the TLS handshake passed or failed)."""
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    issuer = f"https://127.0.0.1:{port}"
    stop = threading.Event()

    def answer(path: str) -> bytes:
        if path.startswith("/.well-known/openid-configuration"):
            body = json.dumps({"issuer": issuer, "token_endpoint": f"{issuer}/token"}).encode()
            status = "200 OK"
        else:
            body, status = b'{"error": "invalid_client"}', "401 Unauthorized"
        return (
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(raw, server_side=True) as conn:
                    request = _read_request(conn)
                    path = request.split(" ")[1] if " " in request else "/"
                    conn.sendall(answer(path))
            except (OSError, ssl.SSLError):
                raw.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield issuer, cert
    stop.set()
    thread.join(2)
    listener.close()


@pytest.mark.asyncio
async def test_tls_verified_and_custom_ca_bundle(
    tls_server: tuple[str, Path], tmp_path: Path
) -> None:
    issuer, cert = tls_server
    Credentials().set_client_secret("tls", "secret")
    untrusted = ConnectionProfile("tls", issuer, client_id="c")
    with pytest.raises(errors.TlsError):
        await PosClient.connect(untrusted, journal=Journal(tmp_path / "j"))
    trusted = ConnectionProfile("tls", issuer, client_id="c", ca_bundle=str(cert))
    with pytest.raises(errors.SignInRefused):  # TLS passed; the fake server refuses the client
        await PosClient.connect(trusted, journal=Journal(tmp_path / "j"))


@pytest.mark.asyncio
async def test_server_refusing_introspection_is_unverified(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    refusal = (
        b'{"data": null, "errors": [{"message": "introspection is disabled",'
        b' "extensions": {"code": "NOT_AUTHORIZED"}}]}'
    )
    http = httpx.AsyncClient(
        transport=_MockGraphQL(
            lambda _: httpx.Response(
                200, content=refusal, headers={"content-type": "application/json"}
            )
        )
    )
    client = await connect(sandbox, tmp_path, http=http)
    try:
        assert not client.features.verified
        assert "customer_search" in client.features  # assumed, not checked
    finally:
        await client.aclose()
        await http.aclose()
