"""Secrets per connection profile in the OS keychain (service ``posdesk``).

Client secrets and refresh tokens go here and nowhere else; access tokens stay in memory.
A machine without a keychain (headless Linux) gets a clear ConfigurationError, never a
silent fallback to a file.
"""

from __future__ import annotations

import keyring
import keyring.errors

from posdesk.api.errors import ConfigurationError

SERVICE = "posdesk"

_NO_KEYRING = (
    "No system keychain is available to store the POS sign-in secret. "
    "Install or unlock one (e.g. GNOME Keyring / KWallet on Linux) and try again."
)


class Credentials:
    """Keyring-backed secrets; one entry per (profile, kind)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    @staticmethod
    def _key(profile_name: str, kind: str) -> str:
        return f"{profile_name}:{kind}"

    def _get(self, profile_name: str, kind: str) -> str | None:
        try:
            value = keyring.get_password(self.service, self._key(profile_name, kind))
        except keyring.errors.NoKeyringError as exc:
            raise ConfigurationError(_NO_KEYRING, details=type(exc).__name__) from exc
        except keyring.errors.KeyringError as exc:
            raise ConfigurationError(
                "The system keychain refused access to the POS sign-in secret.",
                details=type(exc).__name__,
            ) from exc
        return value

    def _set(self, profile_name: str, kind: str, value: str) -> None:
        try:
            keyring.set_password(self.service, self._key(profile_name, kind), value)
        except keyring.errors.NoKeyringError as exc:
            raise ConfigurationError(_NO_KEYRING, details=type(exc).__name__) from exc
        except keyring.errors.KeyringError as exc:
            raise ConfigurationError(
                "The system keychain could not save the POS sign-in secret.",
                details=type(exc).__name__,
            ) from exc

    def _delete(self, profile_name: str, kind: str) -> None:
        try:
            keyring.delete_password(self.service, self._key(profile_name, kind))
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.NoKeyringError as exc:
            raise ConfigurationError(_NO_KEYRING, details=type(exc).__name__) from exc

    def client_secret(self, profile_name: str) -> str | None:
        return self._get(profile_name, "client_secret")

    def set_client_secret(self, profile_name: str, secret: str) -> None:
        self._set(profile_name, "client_secret", secret)

    def refresh_token(self, profile_name: str) -> str | None:
        return self._get(profile_name, "refresh_token")

    def set_refresh_token(self, profile_name: str, token: str | None) -> None:
        if token:
            self._set(profile_name, "refresh_token", token)
        else:
            self._delete(profile_name, "refresh_token")

    def forget(self, profile_name: str) -> None:
        """Remove every secret of a profile (sign out / delete profile)."""
        self._delete(profile_name, "client_secret")
        self._delete(profile_name, "refresh_token")
