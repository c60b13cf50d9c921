"""The sandbox's OpenID Connect provider: discovery, JWKS, token and authorization endpoints.

Grant logic (client authentication, authorization code, PKCE, refresh) is authlib's server
machinery; signing and verifying JWTs is joserfc. This module only adapts Starlette requests
to authlib, keeps codes and refresh tokens in memory, renders the login page, and turns a
bearer token back into a ``Principal``.
"""

from __future__ import annotations

import html
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InsecureTransportError,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    RefreshTokenGrant,
)
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7636 import CodeChallenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry
from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from typing_extensions import override

from posdesk.sandbox.security import (
    DEMO_CLIENTS,
    DEMO_USERS,
    DESKTOP_CLIENT_ID,
    DemoClient,
    DemoUser,
    Principal,
    permissions_for,
)

API_AUDIENCE = "kensium-pos-api"
"""The ``aud`` of every access token; the GraphQL endpoint accepts nothing else."""

SIGNING_ALG = "RS256"
SCOPES_SUPPORTED = ("openid", "profile", "offline_access")
CODE_LIFETIME = 120  # seconds an authorization code stays redeemable
REFRESH_LIFETIME = 30 * 24 * 3600

AUTHORIZE_PATH = "/authorize"
TOKEN_PATH = "/token"
JWKS_PATH = "/jwks.json"
USERINFO_PATH = "/userinfo"
DISCOVERY_PATH = "/.well-known/openid-configuration"


class InvalidTokenError(Exception):
    """A bearer token that must not be trusted (bad signature, wrong iss/aud, expired, ...)."""


# --- authlib client model ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """authlib's ClientMixin for both the confidential demo clients and the desktop client."""

    client_id: str
    secret: str | None = field(repr=False)  # None: a public client (PKCE, no secret)
    grant_types: frozenset[str]
    demo: DemoClient | None = None
    secret_override: str | None = field(default=None, repr=False)  # a rotated secret

    @property
    def is_public(self) -> bool:
        return self.secret is None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # the desktop client must name its loopback redirect URI

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        return " ".join(s for s in scope_to_list(scope) if s in SCOPES_SUPPORTED)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return self.is_public and is_loopback_redirect_uri(redirect_uri)

    def check_client_secret(self, client_secret: str) -> bool:
        if self.secret_override is not None:
            return secrets.compare_digest(client_secret, self.secret_override)
        return self.demo is not None and self.demo.check_secret(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


def is_loopback_redirect_uri(uri: str) -> bool:
    """RFC 8252 §7.3: ``http`` on a loopback host, any port, any path, no fragment."""
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme != "http" or parts.fragment or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _build_clients() -> dict[str, OAuthClient]:
    clients = {
        c.client_id: OAuthClient(c.client_id, c.secret, frozenset({"client_credentials"}), c)
        for c in DEMO_CLIENTS.values()
    }
    clients[DESKTOP_CLIENT_ID] = OAuthClient(
        DESKTOP_CLIENT_ID, None, frozenset({"authorization_code", "refresh_token"})
    )
    return clients


# --- stored grants -------------------------------------------------------------------------


@dataclass(slots=True)
class AuthCode:
    code: str = field(repr=False)
    client_id: str
    redirect_uri: str
    scope: str
    user: DemoUser
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(slots=True)
class RefreshToken:
    token: str = field(repr=False)
    client_id: str
    user: DemoUser
    scope: str
    family: str  # all tokens rotated from one sign-in; reuse of a rotated one revokes it
    expires_at: float
    revoked: bool = False

    def check_client(self, client: OAuthClient) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope


# --- Starlette <-> authlib -----------------------------------------------------------------


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, *sources: QueryParams | FormData) -> None:
        self._data: dict[str, Any] = {}
        self._datalist: dict[str, list[Any]] = {}
        for source in sources:
            for key, value in source.multi_items():
                self._data.setdefault(key, value)
                self._datalist.setdefault(key, []).append(value)

    @property
    @override
    def data(self) -> dict[str, Any]:
        return self._data

    @property
    @override
    def datalist(self) -> dict[str, list[Any]]:
        return self._datalist


class StarletteOAuth2Request(OAuth2Request):  # type: ignore[misc]
    """An authlib request built from an already-read Starlette request (form parsed)."""

    def __init__(self, request: Request, form: FormData | None) -> None:
        super().__init__(request.method, str(request.url), headers=request.headers)
        self._args = request.query_params
        self._form_data = form or FormData()
        self.payload = _Payload(self._form_data, self._args)

    @property
    @override
    def args(self) -> QueryParams:
        return self._args

    @property
    @override
    def form(self) -> FormData:
        return self._form_data


AuthlibResult = tuple[int, Any, list[tuple[str, str]]]


def _to_response(result: AuthlibResult) -> Response:
    status, body, headers = result
    header_map = dict(headers)
    if status == 302:
        return RedirectResponse(header_map["Location"], status_code=302)
    header_map.pop("Content-Type", None)
    return JSONResponse(body, status_code=status, headers=header_map)


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, provider: OidcProvider) -> None:
        super().__init__(scopes_supported=list(SCOPES_SUPPORTED))
        self.provider = provider

    @override
    def query_client(self, client_id: str) -> OAuthClient | None:
        return self.provider.clients.get(client_id)

    @override
    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        refresh = token.get("refresh_token")
        if not refresh:
            return
        previous: RefreshToken | None = request.refresh_token
        family = previous.family if previous is not None else secrets.token_urlsafe(8)
        self.provider.refresh_tokens[refresh] = RefreshToken(
            refresh,
            request.client.client_id,
            request.user,
            token.get("scope", ""),
            family,
            self.provider.clock() + REFRESH_LIFETIME,
        )

    @override
    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    @override
    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    @override
    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> AuthlibResult:
        return status, body, headers


class _Pkce(CodeChallenge):  # type: ignore[misc]
    """PKCE with S256 only; mandatory for public clients (RFC 9700 §2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 (authlib class attribute)
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    @override
    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if grant.request.client.is_public and not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'.")
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Unsupported 'code_challenge_method': use S256.")
        super().validate_code_challenge(grant, redirect_uri)


class _ClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 (authlib class attribute)

    @override
    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        provider: OidcProvider = self.server.provider
        data = request.payload.data
        provider.codes[code] = AuthCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=data.get("redirect_uri", ""),
            scope=request.scope or "",
            user=request.user,
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            nonce=data.get("nonce"),
            expires_at=provider.clock() + CODE_LIFETIME,
        )

    @override
    def query_authorization_code(self, code: str, client: OAuthClient) -> AuthCode | None:
        provider: OidcProvider = self.server.provider
        item = provider.codes.get(code)
        if item is None or item.client_id != client.client_id:
            return None
        if item.expires_at <= provider.clock():
            provider.codes.pop(code, None)
            return None
        return item

    @override
    def delete_authorization_code(self, authorization_code: AuthCode) -> None:
        self.server.provider.codes.pop(authorization_code.code, None)

    @override
    def authenticate_user(self, authorization_code: AuthCode) -> DemoUser:
        return authorization_code.user

    @override
    def save_token(self, token: dict[str, Any]) -> None:
        code: AuthCode = self.request.authorization_code
        if "openid" in scope_to_list(code.scope):
            token["id_token"] = self.server.provider.id_token(code.user, code.client_id, code.nonce)
        super().save_token(token)


class _RefreshGrant(RefreshTokenGrant):  # type: ignore[misc]
    """RFC 6749 §6: a confidential client authenticates as usual (its grant types decide
    whether it may refresh: ``unauthorized_client``); a token issued to another client is
    ``invalid_grant`` (§5.2), not an authentication failure."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"]  # noqa: RUF012
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: every refresh returns a new refresh token

    @override
    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        provider: OidcProvider = self.server.provider
        item = provider.refresh_tokens.get(refresh_token)
        if item is None:
            return None
        if item.revoked:
            # A rotated token came back: someone holds a copy. Revoke the whole family.
            for other in provider.refresh_tokens.values():
                if other.family == item.family:
                    other.revoked = True
            return None
        if item.expires_at <= provider.clock():
            return None
        return item

    @override
    def authenticate_user(self, refresh_token: RefreshToken) -> DemoUser:
        return refresh_token.user

    @override
    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        refresh_token.revoked = True


# --- the provider --------------------------------------------------------------------------


@dataclass
class OidcProvider:
    """Issues and verifies tokens for one sandbox server (one issuer, one signing key)."""

    issuer: str
    token_lifetime: int = 3600
    clock: Callable[[], float] = time.time
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, auto_kid=True))
    clients: dict[str, OAuthClient] = field(default_factory=_build_clients)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.issuer = self.issuer.rstrip("/")
        self.keys = KeySet([self.key])
        server = _Server(self)
        server.register_token_generator("default", self._generate_token)
        server.register_grant(_ClientCredentialsGrant)
        server.register_grant(_CodeGrant, [_Pkce(required=True)])
        server.register_grant(_RefreshGrant)
        self.server = server

    # -- client administration (what a POS admin does; tests do it mid-session) --

    def rotate_client_secret(self, client_id: str, secret: str) -> None:
        """The client's secret changes: the old one now gets ``invalid_client``."""
        self.clients[client_id] = replace(self.clients[client_id], secret_override=secret)

    def restrict_client(self, client_id: str, grant_types: frozenset[str] = frozenset()) -> None:
        """The client may use only ``grant_types`` (none: ``unauthorized_client`` for all)."""
        self.clients[client_id] = replace(self.clients[client_id], grant_types=grant_types)

    def reset_clients(self) -> None:
        """Every client back to its demo registration (tests reset after each use)."""
        self.clients = _build_clients()

    # -- tokens --

    def _now(self) -> int:
        return int(self.clock())

    def _generate_token(
        self,
        grant_type: str,
        client: OAuthClient,
        user: DemoUser | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        principal = user.principal(client.client_id) if user else self._client_principal(client)
        token: dict[str, Any] = {
            "access_token": self.access_token(principal),
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
        }
        if scope:
            token["scope"] = scope
        if include_refresh_token and user is not None:
            token["refresh_token"] = secrets.token_urlsafe(32)
        return token

    @staticmethod
    def _client_principal(client: OAuthClient) -> Principal:
        if client.demo is None:
            raise InvalidRequestError("This client cannot act on its own behalf.")
        return client.demo.principal()

    def access_token(self, principal: Principal, lifetime: int | None = None) -> str:
        """An RS256 JWT access token for ``principal`` (also used by tests and demo wiring)."""
        issued = self.clock()
        now = int(issued)
        # Expiry to the millisecond (NumericDate may be fractional): whole seconds would make a
        # token live up to a second more or less than ``expires_in`` says, and tests use 1-3 s.
        expires = round(issued + (self.token_lifetime if lifetime is None else lifetime), 3)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": API_AUDIENCE,
            "sub": principal.subject,
            "client_id": principal.client_id,
            "name": principal.name,
            "roles": list(principal.roles),
            "iat": now,
            "nbf": now,
            "exp": expires,
            "jti": secrets.token_urlsafe(12),
        }
        if principal.location_code:
            claims["location_code"] = principal.location_code
        return self._sign(claims, typ="at+jwt")  # RFC 9068 access token type

    def id_token(self, user: DemoUser, client_id: str, nonce: str | None) -> str:
        now = self._now()
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": client_id,
            "sub": user.username,
            "name": user.name,
            "preferred_username": user.username,
            "iat": now,
            "auth_time": now,
            "exp": now + self.token_lifetime,
        }
        if nonce:
            claims["nonce"] = nonce
        return self._sign(claims, typ="JWT")

    def _sign(self, claims: dict[str, Any], typ: str) -> str:
        header = {"alg": SIGNING_ALG, "typ": typ, "kid": self.key.kid}
        return jwt.encode(header, claims, self.key, algorithms=[SIGNING_ALG])

    def verify(self, token: str) -> Principal:
        """Check signature (RS256 only), issuer, audience, expiry; raise ``InvalidTokenError``."""
        try:
            decoded = jwt.decode(token, self.keys, algorithms=[SIGNING_ALG])
            registry = JWTClaimsRegistry(
                now=self.clock,  # type: ignore[arg-type]  # float: fractional "exp" is exact
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": API_AUDIENCE},
                exp={"essential": True},
                sub={"essential": True},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError, TypeError) as error:
            raise InvalidTokenError(f"invalid access token: {error}") from error
        claims = decoded.claims
        roles = tuple(str(r) for r in claims.get("roles") or ())
        return Principal(
            subject=str(claims["sub"]),
            client_id=str(claims.get("client_id", "")),
            name=str(claims.get("name", claims["sub"])),
            roles=roles,
            permissions=permissions_for(roles),
            location_code=claims.get("location_code"),
        )

    def principal_from_header(self, authorization: str | None) -> Principal | None:
        """``None`` without a bearer token; ``InvalidTokenError`` when one was sent but bad."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidTokenError("the Authorization header is not a bearer token")
        return self.verify(token.strip())

    # -- HTTP endpoints --

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + AUTHORIZE_PATH,
            "token_endpoint": self.issuer + TOKEN_PATH,
            "jwks_uri": self.issuer + JWKS_PATH,
            "userinfo_endpoint": self.issuer + USERINFO_PATH,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALG],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": list(SCOPES_SUPPORTED),
            "claims_supported": ["sub", "name", "preferred_username", "roles", "location_code"],
        }

    def routes(self) -> list[Route]:
        return [
            Route(DISCOVERY_PATH, self._discovery_endpoint, methods=["GET"]),
            Route(JWKS_PATH, self._jwks_endpoint, methods=["GET"]),
            Route(TOKEN_PATH, self._token_endpoint, methods=["POST"]),
            Route(AUTHORIZE_PATH, self._authorize_endpoint, methods=["GET", "POST"]),
            Route(USERINFO_PATH, self._userinfo_endpoint, methods=["GET", "POST"]),
        ]

    async def _discovery_endpoint(self, request: Request) -> Response:
        return JSONResponse(self.discovery())

    async def _jwks_endpoint(self, request: Request) -> Response:
        return JSONResponse(dict(self.keys.as_dict(private=False)))

    async def _token_endpoint(self, request: Request) -> Response:
        form = await request.form()
        try:
            oauth_request = StarletteOAuth2Request(request, form)
        except InsecureTransportError as error:
            return JSONResponse(dict(error.get_body()), status_code=400)
        return _to_response(self.server.create_token_response(oauth_request))

    async def _userinfo_endpoint(self, request: Request) -> Response:
        try:
            principal = self.principal_from_header(request.headers.get("authorization"))
        except InvalidTokenError:
            principal = None
        if principal is None:
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse(
            {
                "sub": principal.subject,
                "name": principal.name,
                "roles": list(principal.roles),
                "location_code": principal.location_code,
            }
        )

    async def _authorize_endpoint(self, request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        try:
            oauth_request = StarletteOAuth2Request(request, form)
        except InsecureTransportError as error:
            return _error_page(error)
        try:
            grant = self.server.get_consent_grant(oauth_request)
        except OAuth2Error as error:
            if error.redirect_uri:
                return _to_response(self.server.handle_error_response(oauth_request, error))
            return _error_page(error)
        if form is None:
            return _login_page(oauth_request.payload.data, None)
        if form.get("action") == "cancel":
            return _to_response(
                self.server.create_authorization_response(oauth_request, None, grant)
            )
        user = DEMO_USERS.get(str(form.get("username", "")))
        if user is None or not user.check_password(str(form.get("password", ""))):
            return _login_page(oauth_request.payload.data, "Wrong user name or password.")
        return _to_response(self.server.create_authorization_response(oauth_request, user, grant))


_LOGIN_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


def _login_page(params: Mapping[str, Any], error: str | None) -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(str(params[name]))}">'
        for name in _LOGIN_FIELDS
        if params.get(name) is not None
    )
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in — posdesk sandbox</title>
<style>body{{font-family:sans-serif;max-width:22rem;margin:4rem auto}}
label{{display:block;margin:.6rem 0}}input[type=text],input[type=password]{{width:100%}}
.error{{color:#b00020}}</style></head>
<body><h1>Sign in</h1><p>Kensium POS sandbox — demo users are listed in the README.</p>
{message}<form method="post" action="{AUTHORIZE_PATH}">{hidden}
<label>User name <input type="text" name="username" autocomplete="username" autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit" name="action" value="login">Sign in</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form></body></html>"""
    return HTMLResponse(page, status_code=401 if error else 200)


def _error_page(error: OAuth2Error) -> HTMLResponse:
    text = html.escape(f"{error.error}: {error.description or ''}")
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Sign-in error</title></head>"
        f"<body><h1>Cannot sign in</h1><p>{text}</p></body></html>"
    )
    return HTMLResponse(page, status_code=400)
