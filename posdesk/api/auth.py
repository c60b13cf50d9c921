"""OIDC sign-in and token renewal, owned here rather than by authlib's client.

authlib supplies the protocol pieces (token request bodies, the authorization URL, PKCE
S256 challenge, random tokens); the HTTP goes over the connection's one httpx client. The
renewal lock is ours: authlib's AsyncOAuth2Client has left waiters hanging when a refresh
failed, so here one renewal task is shared by every concurrent request and its failure is
delivered to all of them at once.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from posdesk.api.credentials import Credentials
from posdesk.api.errors import (
    SIGN_IN_AGAIN_REASONS,
    SIGN_IN_MESSAGES,
    ConfigurationError,
    HttpStatusError,
    InvalidResponseError,
    NetworkError,
    PosError,
    RequestTimeout,
    SignInRefused,
    SignInRequired,
    TlsError,
)
from posdesk.api.profile import require_secure_url
from posdesk.api.transport import NotSent, RawResponse, exchange, load_json, transport_failure

#: Opens the authorization URL for the user (the system browser by default).
BrowserOpener = Callable[[str], "Awaitable[object] | object"]

MAX_LEEWAY = 30.0

#: Discovery documents and token answers are a few kB; nothing legitimate comes near this.
MAX_AUTH_BODY = 1024 * 1024


@dataclass(frozen=True, slots=True)
class OidcConfig:
    """The parts of the discovery document posdesk uses."""

    issuer: str
    token_endpoint: str
    authorization_endpoint: str | None = None
    scopes_supported: tuple[str, ...] = ()
    token_auth_methods: tuple[str, ...] = ("client_secret_basic",)


@dataclass(frozen=True, slots=True)
class TokenSet:
    """An access token (in memory only) and when to renew it (monotonic clock)."""

    access_token: str
    renew_at: float | None
    refresh_token: str | None = None
    expires_at: float | None = None

    def due(self, now: float | None = None) -> bool:
        return self.renew_at is not None and (now or time.monotonic()) >= self.renew_at

    def usable(self, now: float | None = None) -> bool:
        """Still before its expiry (renewal is due earlier, by the leeway)."""
        return self.expires_at is not None and (now or time.monotonic()) < self.expires_at


def http_failure(exc: httpx.HTTPError, what: str) -> PosError:
    """Map an httpx transport exception (no response) to the error family."""
    return transport_failure(exc, what)


async def _send(
    http: httpx.AsyncClient, method: str, url: str, what: str, **kwargs: Any
) -> RawResponse:
    """One request to the identity provider under the overall deadline (never resent: a
    token request that is lost is simply made again by the next sign-in)."""
    try:
        return await exchange(http, method, url, what=what, max_bytes=MAX_AUTH_BODY, **kwargs)
    except NotSent as exc:
        raise exc.original from None


async def discover(http: httpx.AsyncClient, issuer: str) -> OidcConfig:
    """Read ``{issuer}/.well-known/openid-configuration`` and check it points where it should."""
    require_secure_url(issuer)
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = await _send(http, "GET", url, "OIDC discovery")
    except NetworkError as exc:
        raise _unreachable(exc, "The POS server's sign-in service (OIDC discovery)") from exc
    if response.status_code != 200:
        raise HttpStatusError(response.status_code, details=f"OIDC discovery at {url}")
    doc = load_json(response.content, "OIDC discovery")
    if not isinstance(doc, dict) or not isinstance(doc.get("token_endpoint"), str):
        raise InvalidResponseError(details="OIDC discovery document without token_endpoint")
    issuer_seen = doc.get("issuer")
    if not isinstance(issuer_seen, str) or issuer_seen.rstrip("/") != issuer.rstrip("/"):
        raise InvalidResponseError(details=f"issuer mismatch: {str(issuer_seen)[:200]!r}")
    require_secure_url(doc["token_endpoint"])
    authorization_endpoint = doc.get("authorization_endpoint")
    if isinstance(authorization_endpoint, str):
        require_secure_url(authorization_endpoint)
    else:
        authorization_endpoint = None
    return OidcConfig(
        issuer=issuer_seen,
        token_endpoint=doc["token_endpoint"],
        authorization_endpoint=authorization_endpoint,
        scopes_supported=_names(doc.get("scopes_supported"), ()),
        token_auth_methods=_names(
            doc.get("token_endpoint_auth_methods_supported"), ("client_secret_basic",)
        ),
    )


def _names(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list of names from the discovery document; anything else counts as absent."""
    if not isinstance(value, list) or not value:
        return default
    return tuple(v for v in value if isinstance(v, str))


def _unreachable(exc: NetworkError, what: str) -> NetworkError:
    """Name the sign-in service in the sentence: the GraphQL endpoint may well be fine."""
    if isinstance(exc, TlsError):
        return exc
    if isinstance(exc, RequestTimeout):
        return RequestTimeout(f"{what} did not answer in time. Try again shortly.", exc.details)
    return NetworkError(
        f"{what} cannot be reached. Check the network connection and the address in the "
        "connection profile.",
        exc.details,
    )


async def token_request(
    http: httpx.AsyncClient,
    config: OidcConfig,
    body: str,
    *,
    basic: tuple[str, str] | None = None,
) -> TokenSet:
    """POST to the token endpoint. OAuth errors become SignInRequired (the grant is dead:
    sign in again) or SignInRefused (the client itself is refused: fix the profile)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if basic is not None:  # RFC 6749 §2.3.1: form-encode id and secret before Basic
        client_id, secret = basic
        creds = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + _b64(creds)
    try:
        response = await _send(
            http, "POST", config.token_endpoint, "token request", content=body, headers=headers
        )
    except NetworkError as exc:
        raise _unreachable(exc, "The POS server's sign-in service (token endpoint)") from exc
    if response.status_code in (400, 401, 403):
        raise oauth_error(response)
    if response.status_code != 200:
        raise HttpStatusError(
            response.status_code,
            details="token endpoint",
            user_message=f"The POS server's sign-in service failed (HTTP {response.status_code}). "
            "Try again later; if it persists, tell the POS administrator.",
        )
    doc = load_json(response.content, "token response")
    if not isinstance(doc, dict) or not isinstance(doc.get("access_token"), str):
        raise InvalidResponseError(details="token response without access_token")
    return _token_set(doc)


def oauth_error(response: RawResponse) -> PosError:
    """The token endpoint's refusal (RFC 6749 §5.2) → one sentence per cause."""
    error = ""
    with contextlib.suppress(InvalidResponseError):
        doc = load_json(response.content, "token error")
        if isinstance(doc, dict) and isinstance(doc.get("error"), str):
            error = doc["error"][:64]
    if not error and response.status_code == 401:
        error = "invalid_client"  # §5.2: a 401 is the client authentication failing
    details = f"token endpoint refused: HTTP {response.status_code} {error or '(no error code)'}"
    if error in SIGN_IN_AGAIN_REASONS:
        return SignInRequired(details=details, reason=error)
    if error in SIGN_IN_MESSAGES:
        return SignInRefused(details=details, reason=error)
    return SignInRefused(
        "The POS server refused the sign-in request"
        + (f" ({error})." if error else ".")
        + " Check the connection profile.",
        details=details,
        reason=error,
    )


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def _token_set(doc: Mapping[str, Any]) -> TokenSet:
    renew_at: float | None = None
    expires_at: float | None = None
    expires_in = doc.get("expires_in")
    if isinstance(expires_in, int | float) and expires_in > 0:
        # Renew a little early: at most 30 s, at most a quarter of the lifetime.
        expires_at = time.monotonic() + expires_in
        renew_at = expires_at - min(MAX_LEEWAY, expires_in / 4)
    refresh = doc.get("refresh_token")
    return TokenSet(
        doc["access_token"],
        renew_at,
        refresh if isinstance(refresh, str) else None,
        expires_at,
    )


class Grant(Protocol):
    """How a connection gets a fresh access token without user interaction."""

    async def fetch(self, http: httpx.AsyncClient, config: OidcConfig) -> TokenSet: ...


@dataclass(slots=True)
class ClientCredentialsGrant:
    """Trusted machines: client id + secret (secret from the keyring)."""

    client_id: str
    client_secret: str

    async def fetch(self, http: httpx.AsyncClient, config: OidcConfig) -> TokenSet:
        if "client_secret_basic" in config.token_auth_methods:
            body = prepare_token_request("client_credentials")
            return await token_request(
                http, config, body, basic=(self.client_id, self.client_secret)
            )
        body = prepare_token_request(
            "client_credentials", client_id=self.client_id, client_secret=self.client_secret
        )
        return await token_request(http, config, body)


@dataclass(slots=True)
class RefreshTokenGrant:
    """Store PCs: renew with the refresh token from the interactive sign-in (rotated)."""

    profile_name: str
    client_id: str
    credentials: Credentials

    async def fetch(self, http: httpx.AsyncClient, config: OidcConfig) -> TokenSet:
        refresh = self.credentials.refresh_token(self.profile_name)
        if not refresh:
            raise SignInRequired(details="no refresh token stored")
        body = prepare_token_request(
            "refresh_token", refresh_token=refresh, client_id=self.client_id
        )
        try:
            tokens = await token_request(http, config, body)
        except SignInRequired:
            self.credentials.set_refresh_token(self.profile_name, None)
            raise
        if tokens.refresh_token:
            self.credentials.set_refresh_token(self.profile_name, tokens.refresh_token)
        return tokens


class Authenticator:
    """Holds the access token and renews it: before expiry, or once when rejected."""

    def __init__(self, http: httpx.AsyncClient, config: OidcConfig, grant: Grant) -> None:
        self._http = http
        self.config = config
        self.grant = grant
        self._token: TokenSet | None = None
        self._renewal: asyncio.Task[TokenSet] | None = None
        self._dead: SignInRequired | SignInRefused | None = None
        self.renewals = 0  # how many token requests were made (for tests and the log)

    def set_token(self, token: TokenSet) -> None:
        self._token = token
        self._dead = None

    async def access_token(self) -> str:
        token = self._token
        if token is not None and not token.due():
            return token.access_token
        try:
            return (await self._renew()).access_token
        except (SignInRequired, SignInRefused):
            raise
        except PosError:
            # an early renewal hit a network blip: the current token is still good until it
            # expires, so keep working with it (the next call tries to renew again)
            if token is not None and token is self._token and token.usable():
                return token.access_token
            raise

    async def rejected(self, access_token: str) -> str:
        """The server said NOT_AUTHENTICATED for ``access_token``: renew (once) and return
        the new token. Concurrent callers with the same stale token share one renewal."""
        token = self._token
        if token is not None and token.access_token == access_token:
            self._token = None
        return await self.access_token()

    def _renew(self) -> asyncio.Future[TokenSet]:
        if self._dead is not None:
            failed: asyncio.Future[TokenSet] = asyncio.get_running_loop().create_future()
            dead = self._dead  # a fresh exception per waiter, same class, words and reason
            failed.set_exception(type(dead)(dead.user_message, dead.details, reason=dead.reason))
            return failed
        if self._renewal is None:
            task = asyncio.ensure_future(self._fetch())
            self._renewal = task
            task.add_done_callback(self._renewal_done)
        # shield: one waiter being cancelled must not cancel the renewal the others wait on
        return asyncio.shield(self._renewal)

    def _renewal_done(self, task: asyncio.Task[TokenSet]) -> None:
        if self._renewal is task:
            self._renewal = None
        if not task.cancelled():
            task.exception()  # retrieved here; every waiter gets it through its shield

    async def _fetch(self) -> TokenSet:
        self.renewals += 1
        try:
            token = await self.grant.fetch(self._http, self.config)
        except (SignInRequired, SignInRefused) as exc:
            self._token = None
            self._dead = exc
            raise
        self._token = token
        return token


# --------------------------------------------------------------------------------------------
# Interactive sign-in: authorization code + PKCE, system browser, loopback redirect (RFC 8252)
# --------------------------------------------------------------------------------------------

_DONE_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>posdesk</title></head>"
    b"<body style='font-family:sans-serif'><h1>Signed in</h1>"
    b"<p>You can close this window and return to posdesk.</p></body></html>"
)
_FAIL_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>posdesk</title></head>"
    b"<body style='font-family:sans-serif'><h1>Sign-in did not complete</h1>"
    b"<p>Return to posdesk and try again.</p></body></html>"
)


class _LoopbackReceiver:
    """A one-shot HTTP listener on 127.0.0.1 that catches the authorization redirect."""

    def __init__(self, state: str) -> None:
        self.state = state
        self.result: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        self._server: asyncio.Server | None = None
        self.redirect_uri = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.redirect_uri = f"http://127.0.0.1:{port}/callback"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):  # the request line and headers: a browser is quick
                request_line = await reader.readline()
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
            parts = request_line.decode("latin-1").split()
            target = urlsplit(parts[1]) if len(parts) >= 2 else urlsplit("/")
            if target.path != "/callback":
                await _respond(writer, 404, b"not found")
                return
            params = {k: v[0] for k, v in parse_qs(target.query).items()}
            if params.get("state") != self.state:
                await _respond(writer, 400, _FAIL_PAGE)
                return
            ok = "code" in params
            await _respond(writer, 200 if ok else 400, _DONE_PAGE if ok else _FAIL_PAGE)
            if not self.result.done():
                self.result.set_result(params)
        except (OSError, TimeoutError, UnicodeDecodeError):
            return
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _respond(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode("latin-1") + body)
    await writer.drain()


def default_open_browser(url: str) -> object:
    import webbrowser

    return webbrowser.open(url)


async def sign_in_interactive(
    http: httpx.AsyncClient,
    config: OidcConfig,
    client_id: str,
    *,
    open_browser: BrowserOpener = default_open_browser,
    browser_timeout: float = 300.0,
) -> TokenSet:
    """Authorization code + PKCE: open the browser, wait for the loopback redirect, redeem."""
    if not config.authorization_endpoint:
        raise ConfigurationError(
            "This POS server does not offer interactive sign-in; use client credentials.",
            details="no authorization_endpoint in discovery",
        )
    state = generate_token(32)
    verifier = generate_token(64)
    receiver = _LoopbackReceiver(state)
    await receiver.start()
    try:
        scopes = ["openid"]
        if "offline_access" in config.scopes_supported:
            scopes.append("offline_access")
        url = prepare_grant_uri(
            config.authorization_endpoint,
            client_id,
            "code",
            redirect_uri=receiver.redirect_uri,
            scope=" ".join(scopes),
            state=state,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        opened = open_browser(url)
        if inspect.isawaitable(opened):
            opened = await opened
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for may swallow a cancel that lands
            # as the redirect arrives, and a cancelled sign-in would wait out the timeout
            async with asyncio.timeout(browser_timeout):
                params = await asyncio.shield(receiver.result)
        except TimeoutError:
            raise SignInRequired(
                "Sign-in was not completed in the browser in time.", details="no redirect"
            ) from None
    finally:
        await receiver.close()
    if "code" not in params:
        error = params.get("error", "")[:64]
        details = f"authorization error: {error or 'unknown'}"
        if error in SIGN_IN_MESSAGES and error not in SIGN_IN_AGAIN_REASONS:
            raise SignInRefused(details=details, reason=error)
        raise SignInRequired(
            "Sign-in was cancelled or refused in the browser.",
            details=details,
            reason=error or "access_denied",
        )
    body = prepare_token_request(
        "authorization_code",
        code=params["code"],
        redirect_uri=receiver.redirect_uri,
        client_id=client_id,
        code_verifier=verifier,
    )
    return await token_request(http, config, body)
