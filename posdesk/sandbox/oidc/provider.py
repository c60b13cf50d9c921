"""The sandbox's OpenID Connect provider: discovery, JWKS, token and authorization endpoints.

Grant logic (client authentication, authorization code, PKCE, refresh) is authlib's server
machinery (:mod:`.grants`); signing and verifying JWTs is joserfc. This module issues and
verifies tokens and serves the endpoints; the login page, its CSRF tokens and the back-off
after failed attempts live in :mod:`.login`.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from authlib.oauth2.rfc6749 import (
    InsecureTransportError,
    InvalidRequestError,
    OAuth2Error,
)
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from posdesk.sandbox.oidc.clients import SCOPES_SUPPORTED, OAuthClient, build_clients
from posdesk.sandbox.oidc.grants import (
    AuthCode,
    RefreshToken,
    StarletteOAuth2Request,
    build_server,
    to_response,
)
from posdesk.sandbox.oidc.login import (
    CSRF_FIELD,
    Backoff,
    CsrfTokens,
    error_page,
    login_page,
    retry_seconds,
    same_origin,
)
from posdesk.sandbox.security import (
    DEMO_USERS,
    DemoUser,
    Principal,
    permissions_for,
)

API_AUDIENCE = "kensium-pos-api"
"""The ``aud`` of every access token; the GraphQL endpoint accepts nothing else."""

SIGNING_ALG = "RS256"
AUTHORIZE_PATH = "/authorize"
TOKEN_PATH = "/token"
JWKS_PATH = "/jwks.json"
USERINFO_PATH = "/userinfo"
DISCOVERY_PATH = "/.well-known/openid-configuration"


class InvalidTokenError(Exception):
    """A bearer token that must not be trusted (bad signature, wrong iss/aud, expired, ...)."""


# --- the provider --------------------------------------------------------------------------


@dataclass
class OidcProvider:
    """Issues and verifies tokens for one sandbox server (one issuer, one signing key)."""

    issuer: str
    token_lifetime: int = 3600
    clock: Callable[[], float] = time.time
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, auto_kid=True))
    clients: dict[str, OAuthClient] = field(default_factory=build_clients)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    code_families: dict[str, str] = field(default_factory=dict)
    """Redeemed code → the token family issued from it (to revoke on replay)."""
    family_tokens: dict[str, set[str]] = field(default_factory=dict)
    """Token family → ``jti`` of every access token issued in it."""
    revoked_jtis: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.issuer = self.issuer.rstrip("/")
        self.keys = KeySet([self.key])
        self.server = build_server(self, self._generate_token)
        self.csrf = CsrfTokens()
        self.backoff = Backoff()

    # -- client administration (what a POS admin does; tests do it mid-session) --

    def rotate_client_secret(self, client_id: str, secret: str) -> None:
        """The client's secret changes: the old one now gets ``invalid_client``."""
        self.clients[client_id] = replace(self.clients[client_id], secret_override=secret)

    def restrict_client(self, client_id: str, grant_types: frozenset[str] = frozenset()) -> None:
        """The client may use only ``grant_types`` (none: ``unauthorized_client`` for all)."""
        self.clients[client_id] = replace(self.clients[client_id], grant_types=grant_types)

    def reset_clients(self) -> None:
        """Every client back to its demo registration (tests reset after each use)."""
        self.clients = build_clients()

    def reset_backoff(self) -> None:
        """Forget failed attempts (tests reset after each use, like the faults)."""
        self.backoff.reset()

    # -- revocation (RFC 6749 §4.1.2: a replayed code revokes what it issued) --

    def issued(self, family: str, access_token: str, code: str | None) -> None:
        """Remember an access token issued to a user (and the code it came from)."""
        claims = jwt.decode(access_token, self.keys, algorithms=[SIGNING_ALG]).claims
        self.family_tokens.setdefault(family, set()).add(str(claims["jti"]))
        if code is not None:
            self.code_families[code] = family

    def revoke_family(self, family: str) -> None:
        """Revoke every refresh and access token of one sign-in."""
        for token in self.refresh_tokens.values():
            if token.family == family:
                token.revoked = True
        self.revoked_jtis |= self.family_tokens.get(family, set())

    def revoke_code_tokens(self, code: str) -> None:
        """``code`` came back after it was redeemed: revoke everything issued from it."""
        family = self.code_families.get(code)
        if family is not None:
            self.revoke_family(family)

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
        if claims.get("jti") in self.revoked_jtis:
            raise InvalidTokenError("invalid access token: revoked")
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
        """RFC 6749 token endpoint; a malformed request is a 400 OAuth error, never a 500, and
        a client id that keeps failing to authenticate must wait (429 + ``Retry-After``)."""
        try:
            form = await request.form()
            oauth_request = StarletteOAuth2Request(request, form)
        except InsecureTransportError as error:
            return JSONResponse(dict(error.get_body()), status_code=400)
        except Exception:
            return _oauth_error(400, "invalid_request", "The request body cannot be read.")
        key = "client:" + _client_id(request, form)
        wait = self.backoff.retry_after(key)
        if wait > 0:
            return _oauth_error(
                429,
                "slow_down",
                "Too many failed attempts for this client; retry later.",
                {"Retry-After": retry_seconds(wait)},
            )
        try:
            result = self.server.create_token_response(oauth_request)
        except Exception:
            return _oauth_error(400, "invalid_request", "Malformed token request.")
        status, body = result[0], result[1]
        if isinstance(body, dict) and body.get("error") == "invalid_client":
            self.backoff.failed(key)
        elif status == 200:
            self.backoff.succeeded(key)
        return to_response(result)

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
        """The browser sign-in; a malformed request is a 400 error page, never a 500."""
        try:
            return await self._authorize(request)
        except OAuth2Error as error:
            return error_page(error)
        except Exception:
            return error_page("invalid_request", "Malformed authorization request.")

    async def _authorize(self, request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        try:
            oauth_request = StarletteOAuth2Request(request, form)
        except InsecureTransportError as error:
            return error_page(error)
        try:
            grant = self.server.get_consent_grant(oauth_request)
        except OAuth2Error as error:
            if error.redirect_uri:
                return to_response(self.server.handle_error_response(oauth_request, error))
            return error_page(error)
        params = oauth_request.payload.data
        if form is None:
            return login_page(params, None, self.csrf.issue())
        if not same_origin(request, self.issuer):
            return error_page("access_denied", "The sign-in form was sent from another site.", 403)
        if not self.csrf.consume(str(form.get(CSRF_FIELD, ""))):
            message = "The sign-in form expired or was not sent by this page; sign in again."
            return login_page(params, message, self.csrf.issue(), status=403)
        if form.get("action") == "cancel":
            return to_response(
                self.server.create_authorization_response(oauth_request, None, grant)
            )
        username = str(form.get("username", ""))
        key = "user:" + username
        wait = self.backoff.retry_after(key)
        if wait > 0:
            message = f"Too many failed attempts: try again in {retry_seconds(wait)} s."
            return login_page(params, message, self.csrf.issue(), status=429)
        user = DEMO_USERS.get(username)
        if user is None or not user.check_password(str(form.get("password", ""))):
            self.backoff.failed(key)
            return login_page(params, "Wrong user name or password.", self.csrf.issue())
        self.backoff.succeeded(key)
        return to_response(self.server.create_authorization_response(oauth_request, user, grant))


def _oauth_error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": error, "error_description": description}
    return JSONResponse(
        body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})}
    )


def _client_id(request: Request, form: Any) -> str:
    """The client id a token request names (Basic auth or form), for the back-off only."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            return unquote(base64.b64decode(value).decode().partition(":")[0])
        except (ValueError, UnicodeDecodeError):
            return ""
    return str(form.get("client_id", ""))
