"""Connection profiles: everything but the secret in QSettings, the secret in the keychain.

QSettings files are plain text on every platform (INI, plist, registry), readable by any
process of the user and often backed up. So a profile's client secret and refresh token go
through ``posdesk.api.credentials.Credentials`` (the OS keychain) and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import quote, unquote

from PySide6.QtCore import QSettings

from posdesk.api.credentials import Credentials
from posdesk.api.profile import DEFAULT_DESKTOP_CLIENT_ID, AuthFlow, ConnectionProfile

ROOT = "connections"


def _key(name: str) -> str:
    # QSettings treats "/" and "\\" as separators; percent-encode everything unusual.
    return quote(name, safe="")


class ProfileStore:
    """Saved connection profiles (QSettings) and their secrets (keychain)."""

    def __init__(
        self, settings: QSettings | None = None, credentials: Credentials | None = None
    ) -> None:
        self.settings = settings or QSettings("posdesk", "posdesk")
        self.credentials = credentials or Credentials()

    @contextmanager
    def _group(self, *parts: str) -> Iterator[QSettings]:
        group = "/".join((ROOT, *parts))
        self.settings.beginGroup(group)
        try:
            yield self.settings
        finally:
            self.settings.endGroup()

    def names(self) -> list[str]:
        with self._group() as s:
            return sorted((unquote(g) for g in s.childGroups()), key=str.casefold)

    def get(self, name: str) -> ConnectionProfile | None:
        if name not in self.names():
            return None
        with self._group(_key(name)) as s:
            flow = str(s.value("auth_flow", "interactive"))
            auth_flow: AuthFlow = (
                "client_credentials" if flow == "client_credentials" else ("interactive")
            )
            ca_bundle = s.value("ca_bundle", "")
            timeout = s.value("timeout", 30.0)
            return ConnectionProfile(
                name=name,
                base_url=str(s.value("base_url", "")),
                auth_flow=auth_flow,
                client_id=str(s.value("client_id", DEFAULT_DESKTOP_CLIENT_ID)),
                ca_bundle=str(ca_bundle) if ca_bundle else None,
                timeout=float(timeout) if isinstance(timeout, int | float | str) else 30.0,
            )

    def profiles(self) -> list[ConnectionProfile]:
        return [p for p in (self.get(n) for n in self.names()) if p is not None]

    def save(
        self,
        profile: ConnectionProfile,
        *,
        secret: str | None = None,
        previous_name: str | None = None,
    ) -> None:
        """Save ``profile``; a non-empty ``secret`` goes to the keychain (never to QSettings).

        Renaming (``previous_name``) moves the stored secret to the new name.
        """
        profile.check_url()
        scopes: list[str] = []
        if previous_name and previous_name != profile.name:
            old_secret = self.credentials.client_secret(previous_name)
            if old_secret and not secret:
                secret = old_secret
            scopes = self.scope_keys(previous_name)  # a renamed profile keeps its local data
            self.remove(previous_name)
        if secret:
            self.credentials.set_client_secret(profile.name, secret)
        with self._group(_key(profile.name)) as s:
            s.setValue("base_url", profile.base_url)
            s.setValue("auth_flow", profile.auth_flow)
            s.setValue("client_id", profile.client_id)
            s.setValue("ca_bundle", profile.ca_bundle or "")
            s.setValue("timeout", profile.timeout)
        for key in scopes:
            self.record_scope(profile.name, key)
        self.settings.sync()

    def scope_keys(self, name: str) -> list[str]:
        """The local scopes (server + principal folders under ``servers/``) this profile
        has connected to: where its local data is, for Forget local data and removal."""
        with self._group(_key(name)) as s:
            raw = s.value("scopes", "")
        try:
            keys = json.loads(raw) if isinstance(raw, str) and raw else []
        except ValueError:
            keys = []
        return (
            [k for k in keys if isinstance(k, str) and k.isalnum()]
            if isinstance(keys, list)
            else []
        )

    def record_scope(self, name: str, key: str) -> None:
        """Remember that ``name`` connected to scope ``key`` (once, on every connect)."""
        keys = self.scope_keys(name)
        if key in keys or name not in self.names():
            return
        with self._group(_key(name)) as s:
            s.setValue("scopes", json.dumps([*keys, key]))
        self.settings.sync()

    def has_secret(self, name: str) -> bool:
        return bool(self.credentials.client_secret(name))

    def remove(self, name: str) -> None:
        """Delete the profile and every secret stored for it."""
        self.credentials.forget(name)
        with self._group() as s:
            s.remove(_key(name))
        if self.last_used == name:
            self.settings.remove("session/lastProfile")
        self.settings.sync()

    @property
    def last_used(self) -> str | None:
        value = self.settings.value("session/lastProfile")
        return str(value) if value else None

    @last_used.setter
    def last_used(self, name: str | None) -> None:
        if name:
            self.settings.setValue("session/lastProfile", name)
        else:
            self.settings.remove("session/lastProfile")

    def rename(self, profile: ConnectionProfile, new_name: str) -> ConnectionProfile:
        renamed = replace(profile, name=new_name)
        self.save(renamed, previous_name=profile.name)
        return renamed
