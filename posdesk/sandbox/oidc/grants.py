"""authlib's grant machinery adapted to Starlette: stored codes and refresh tokens, PKCE,
and the three grants (client credentials, authorization code, refresh token).

RFC 6749 §4.1.2: a code is redeemed once; when it comes back, every token issued from it is
revoked (``OidcProvider.revoke_code_tokens``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidRequestError,
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
from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from typing_extensions import override

from posdesk.sandbox.oidc.clients import SCOPES_SUPPORTED, OAuthClient
from posdesk.sandbox.security import (
    DemoUser,
)

CODE_LIFETIME = 120  # seconds an authorization code stays redeemable
REFRESH_LIFETIME = 30 * 24 * 3600


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


def to_response(result: AuthlibResult) -> Response:
    status, body, headers = result
    header_map = dict(headers)
    if status == 302:
        return RedirectResponse(header_map["Location"], status_code=302)
    header_map.pop("Content-Type", None)
    return JSONResponse(body, status_code=status, headers=header_map)


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, provider: Any) -> None:
        super().__init__(scopes_supported=list(SCOPES_SUPPORTED))
        self.provider = provider

    @override
    def query_client(self, client_id: str) -> OAuthClient | None:
        client: OAuthClient | None = self.provider.clients.get(client_id)
        return client

    @override
    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        previous: RefreshToken | None = getattr(request, "refresh_token", None)
        family = previous.family if previous is not None else secrets.token_urlsafe(8)
        code: AuthCode | None = getattr(request, "authorization_code", None)
        if request.user is not None:  # a user's tokens: remembered to revoke them on replay
            self.provider.issued(family, token["access_token"], code.code if code else None)
        refresh = token.get("refresh_token")
        if not refresh:
            return
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
        provider = self.server.provider
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
        provider = self.server.provider
        item: AuthCode | None = provider.codes.get(code)
        if item is None:
            provider.revoke_code_tokens(code)  # RFC 6749 §4.1.2: a replayed code
            return None
        if item.client_id != client.client_id:
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
        provider = self.server.provider
        item: RefreshToken | None = provider.refresh_tokens.get(refresh_token)
        if item is None:
            return None
        if item.revoked:
            # A rotated token came back: someone holds a copy. Revoke the whole family.
            provider.revoke_family(item.family)
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


def build_server(provider: Any, generate_token: Any) -> AuthorizationServer:
    """authlib's authorization server for ``provider`` with the sandbox's three grants."""
    server = _Server(provider)
    server.register_token_generator("default", generate_token)
    server.register_grant(_ClientCredentialsGrant)
    server.register_grant(_CodeGrant, [_Pkce(required=True)])
    server.register_grant(_RefreshGrant)
    return server
