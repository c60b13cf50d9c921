"""Which server and principal a piece of local state belongs to, and where it is kept.

Everything posdesk keeps on the PC about work done on a server — the operation journal,
unfinished card issues, the purchase guard (the journal), recent look-ups, "my store" and
per-tab settings — belongs to one server (its OIDC issuer) and one signed-in principal. A
draft or a recorded transaction id from a test server must never be resumed or refused on
the production server, and the demo must leave nothing a real profile shows.

Layout under the user data directory::

    servers/<key>/journal.sqlite3      the operation journal of this server + principal
    servers/<key>/issue_drafts.json    its unfinished card issues
    servers/<key>/scope.json           issuer and principal, for humans (no secrets)
    servers/<key>/mirror.sqlite3       the local mirror of this server's data (posdesk.mirror)
    legacy/issue_drafts.json           drafts from an older posdesk: server unknown

UI state lives in QSettings under ``scopes/<key>/…`` (the demo uses an INI file in a
throw-away folder instead).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from posdesk.store.journal import Journal

#: Columns of the first journal schema: what an older posdesk's journal is known to hold.
_LEGACY_COLUMNS = (
    "reference, profile, kind, state, request, summary, result, error, attempts, "
    "created_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class LocalScope:
    """One server (``issuer``) and one signed-in ``principal``; ``key`` names its folder.

    ``server_name`` and ``who`` are for people ("on Production as clerk@store"); only the
    issuer and the principal make the key, so renaming an environment keeps its state."""

    issuer: str
    principal: str
    server_name: str = ""
    who: str = ""

    @property
    def key(self) -> str:
        """Stable and filesystem-safe: a hash (URLs and user names hold any character)."""
        raw = f"{self.issuer.rstrip('/')}\n{self.principal}".encode()
        return hashlib.sha256(raw).hexdigest()[:24]

    @property
    def host(self) -> str:
        return urlsplit(self.issuer).netloc or self.issuer

    def describe(self) -> str:
        """ "on <environment name or host> as <principal>" — shown next to local state."""
        server = self.server_name or self.host
        if self.server_name and self.host and self.host not in self.server_name:
            server = f"{self.server_name} ({self.host})"
        return f"on {server} as {self.who or self.principal}"


def token_subject(token: str) -> str | None:
    """The ``sub`` claim of a JWT access token (not verified: used only as a folder name,
    the server checks the token). ``None`` when the token is opaque."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return sub if isinstance(sub, str) and sub else None


def data_root() -> Path:
    """The user's data directory (survives app updates)."""
    return Path(platformdirs.user_data_dir("posdesk", appauthor=False))


@dataclass(frozen=True, slots=True)
class ScopedData:
    """Where one scope's files are. ``demo``: a throw-away folder, settings in its own INI
    file (never the real QSettings)."""

    scope: LocalScope
    directory: Path
    demo: bool = False
    legacy_drafts: Path | None = None  # an older posdesk's per-PC drafts, server unknown

    @property
    def journal_path(self) -> Path:
        return self.directory / "journal.sqlite3"

    @property
    def drafts_path(self) -> Path:
        return self.directory / "issue_drafts.json"

    @property
    def settings_file(self) -> Path | None:
        """An INI file for UI state (demo only); ``None``: the app's QSettings."""
        return self.directory / "settings.ini" if self.demo else None

    @property
    def settings_group(self) -> str:
        return "ui" if self.demo else f"scopes/{self.scope.key}/ui"


def scope_folder(root: Path, key: str) -> Path:
    """Where the scope with ``key`` keeps its files (``root/servers/<key>``)."""
    return root / "servers" / key


def open_scope(root: Path, scope: LocalScope) -> ScopedData:
    """The scope's folder under ``root/servers`` (created), with a ``scope.json`` label."""
    directory = scope_folder(root, scope.key)
    directory.mkdir(parents=True, exist_ok=True)
    label = {"issuer": scope.issuer, "principal": scope.principal, "server": scope.server_name}
    (directory / "scope.json").write_text(json.dumps(label, indent=1), encoding="utf-8")
    return ScopedData(scope, directory, legacy_drafts=legacy_drafts_path(root))


def demo_scope(scope: LocalScope) -> ScopedData:
    """A throw-away folder for the demo's drafts and settings (remove it with
    :func:`remove_demo`)."""
    return ScopedData(scope, Path(tempfile.mkdtemp(prefix="posdesk-demo-")), demo=True)


def remove_demo(data: ScopedData) -> None:
    if data.demo:
        shutil.rmtree(data.directory, ignore_errors=True)


def legacy_journal_path(root: Path) -> Path:
    """Where posdesk kept one journal per PC before state was kept per server."""
    return root / "journal.sqlite3"


def legacy_drafts_path(root: Path) -> Path:
    """Unfinished issues of an older posdesk, moved out of every server's sight."""
    return root / "legacy" / "issue_drafts.json"


def adopt_legacy(root: Path, data: ScopedData, profile: str) -> int:
    """Move an older posdesk's per-PC state where it cannot be mistaken for this server's.

    Journal entries record the profile they were made under: those of ``profile`` move into
    this scope's journal (the first scope that connects under that profile name adopts them;
    they are reconciled against this server). The per-PC drafts file records neither server
    nor profile: it is moved to ``legacy/`` and never resumed (resuming on the wrong server
    would create a real card for a payment taken elsewhere). Returns the entries adopted."""
    old_drafts = root / "issue_drafts.json"
    if old_drafts.exists():
        target = legacy_drafts_path(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            old_drafts.replace(target)
    source = legacy_journal_path(root)
    if data.demo or not source.exists():
        return 0
    Journal(source).close()  # brings an old file to the current schema
    Journal(data.journal_path).close()
    db = sqlite3.connect(str(data.journal_path), isolation_level=None)
    try:
        db.execute("ATTACH DATABASE ? AS legacy", (str(source),))
        db.execute("BEGIN IMMEDIATE")
        moved = db.execute(
            f"INSERT OR IGNORE INTO main.operation ({_LEGACY_COLUMNS}) "
            f"SELECT {_LEGACY_COLUMNS} FROM legacy.operation WHERE profile = ?",
            (profile,),
        ).rowcount
        db.execute("DELETE FROM legacy.operation WHERE profile = ?", (profile,))
        db.execute("COMMIT")
        db.execute("DETACH DATABASE legacy")
    finally:
        db.close()
    return moved
