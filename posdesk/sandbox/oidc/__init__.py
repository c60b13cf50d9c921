"""The sandbox's OpenID Connect provider, in rooms: :mod:`.provider` (tokens, verification,
endpoints), :mod:`.grants` (authlib's grants, stored codes and refresh tokens), :mod:`.clients`
(the registered clients) and :mod:`.login` (the sign-in page, CSRF, back-off)."""

from posdesk.sandbox.oidc.clients import OAuthClient, is_loopback_redirect_uri
from posdesk.sandbox.oidc.grants import AuthCode, RefreshToken
from posdesk.sandbox.oidc.provider import (
    API_AUDIENCE,
    AUTHORIZE_PATH,
    DISCOVERY_PATH,
    JWKS_PATH,
    SIGNING_ALG,
    TOKEN_PATH,
    USERINFO_PATH,
    InvalidTokenError,
    OidcProvider,
)

__all__ = [
    "API_AUDIENCE",
    "AUTHORIZE_PATH",
    "DISCOVERY_PATH",
    "JWKS_PATH",
    "SIGNING_ALG",
    "TOKEN_PATH",
    "USERINFO_PATH",
    "AuthCode",
    "InvalidTokenError",
    "OAuthClient",
    "OidcProvider",
    "RefreshToken",
    "is_loopback_redirect_uri",
]
