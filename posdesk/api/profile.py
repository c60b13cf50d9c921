"""Connection profiles: where the POS is and how to sign in. Pure data, no secrets."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from posdesk.api.errors import InsecureUrlError

AuthFlow = Literal["client_credentials", "interactive"]

#: The public desktop client registered on the POS for interactive (PKCE) sign-in.
DEFAULT_DESKTOP_CLIENT_ID = "posdesk-desktop"


@dataclass(frozen=True, slots=True)
class ConnectionProfile:
    """One POS server and sign-in method. Secrets live in the keyring, keyed by ``name``."""

    name: str
    base_url: str
    auth_flow: AuthFlow = "client_credentials"
    client_id: str = DEFAULT_DESKTOP_CLIENT_ID
    ca_bundle: str | None = None
    timeout: float = 30.0

    @property
    def issuer(self) -> str:
        """The OIDC issuer is the POS base URL (discovery lives under it)."""
        return self.base_url.rstrip("/")

    @property
    def graphql_url(self) -> str:
        return f"{self.issuer}/graphql"

    def check_url(self) -> None:
        """Refuse plain http except to loopback hosts, before anything is sent."""
        require_secure_url(self.base_url)


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str) -> None:
    """HTTPS everywhere; plain HTTP only for loopback (the local sandbox)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        return
    raise InsecureUrlError(details=f"refused URL {parts.scheme}://{parts.hostname or ''}")
