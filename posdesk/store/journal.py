"""The operation journal: money-moving calls are written down before they are sent.

Every gift card transaction, capture, cancel and purchase gets a row keyed by its unique
reference (``refNo`` / ``transactionId`` / ``capture:<id>``) *before* the request leaves
the machine, and its outcome after. A row whose outcome is unknown (timeout, dropped
connection, crash) survives restarts and is reconciled by looking the reference up on the
server — never by sending again. SQLite in WAL mode with full sync: the intent is on disk
before the network sees the request.

Sent means unknown: once a request has left, "not found on the server right now" proves
nothing (a slow server may still commit it). Such an entry stays unresolved until a grace
period after it was sent (``sent_at``); only then may it become ``not_found`` — and it stays
*watched*: if its reference ever shows up on the server, it becomes ``late``.
"""

from __future__ import annotations

import enum
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import platformdirs

SCHEMA_VERSION = 2


class JournalState(enum.StrEnum):
    PENDING = "pending"  # written, not yet sent
    SENT = "sent"  # request in flight
    DONE = "done"  # confirmed by the server (answer or reconciliation)
    FAILED = "failed"  # confirmed not to have happened
    UNKNOWN = "unknown"  # sent, no answer: must be reconciled before anything else
    NEEDS_REVIEW = "needs_review"  # cannot be checked automatically: a manager must look
    NOT_FOUND = "not_found"  # sent, still not on the server after the grace period: watched
    LATE = "late"  # was not_found, then appeared on the server: it went through late


class JournalKind(enum.StrEnum):
    """What a journal entry records; each kind has its own way to be looked up on the server
    (the reconcile table in ``posdesk.api.client``). Stored as its string value."""

    GIFTCARD_TRANS = "giftcard_trans"  # giftcardTransAdd under a refNo
    GIFTCARD_CAPTURE = "giftcard_capture"  # capture of a gift card authorization
    GIFTCARD_CANCEL = "giftcard_cancel"  # cancel of a gift card authorization
    GIFTCARD_ADD = "giftcard_add"  # a new gift card
    GIFTCARD_EDIT = "giftcard_edit"  # a change to a gift card's codes or owner
    PURCHASE_ADD = "purchase_add"  # a purchase under its transactionId
    TERMINAL_PAYMENT = "terminal_payment"  # a card-present payment started on a terminal
    TERMINAL_CAPTURE = "terminal_capture"  # capture of a terminal authorization


UNRESOLVED = (JournalState.PENDING, JournalState.SENT, JournalState.UNKNOWN)
#: Sent, given up on after the grace period, but still looked up: it may yet appear.
WATCHED = (JournalState.NOT_FOUND,)
#: A manager must look: it cannot be checked automatically, or it went through after all
#: once it had been given up on.
FOR_REVIEW = (JournalState.NEEDS_REVIEW, JournalState.LATE)


class DuplicateReferenceError(Exception):
    """The reference is already journaled (and not a confirmed failure)."""

    def __init__(self, reference: str, state: JournalState) -> None:
        super().__init__(f"reference {reference} already recorded ({state})")
        self.reference = reference
        self.state = state


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journaled operation. ``summary`` is a technical line for logs; the structured
    fields below (read from the request) are what screens turn into plain words."""

    reference: str
    profile: str
    kind: JournalKind | str  # a str only for a kind this version does not know
    state: JournalState
    request: Mapping[str, Any]
    summary: str
    result: Mapping[str, Any] | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    amount: Decimal | None = None  # signed, as sent (a USE is negative)
    card_last4: str | None = None  # last four characters of the gift card code, if known
    store: str | None = None  # store (location) code, for purchases
    trans_type: str | None = None  # gift card trans type, or terminal payment type
    terminal: str | None = None  # terminal id, for terminal payments
    authorize: bool = False  # a gift card hold (authorization), not a final transaction
    external_ref: str | None = None  # refNo / transactionId / payment id the server knows
    card_id: str | None = None  # the gift card's id, when known
    member_id: str | None = None  # the customer's member id, for personal cards
    sent_at: datetime | None = None  # when the request was handed to the network (if it was)


#: Journal kinds of card-present terminal payments (start, then capture of an authorization).
TERMINAL_KINDS = (JournalKind.TERMINAL_PAYMENT, JournalKind.TERMINAL_CAPTURE)


def terminal_reference(ref_no: str) -> str:
    """The journal reference of the terminal payment started under ``ref_no`` (namespaced:
    the same refNo may also be the reference of the gift card ADD it pays for)."""
    return f"terminal:{ref_no}"


def capture_reference(payment_id: str) -> str:
    """The journal reference of the capture of terminal authorization ``payment_id``."""
    return f"terminal-capture:{payment_id}"


def default_path() -> Path:
    """The journal lives in the user's data directory (survives app updates)."""
    return Path(platformdirs.user_data_dir("posdesk", appauthor=False)) / "journal.sqlite3"


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Journal:
    """SQLite-backed journal. Thread-safe; calls are short and synchronous by design."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # Outcomes commit without fsync (WAL + NORMAL survives an app crash; a power cut can
        # only lose outcomes, and a lost outcome falls back to "unresolved" → reconciled by
        # look-up). The intent is the one write that must be on disk before the request
        # leaves: record_intent commits with synchronous=FULL.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version < 1:
            with self._tx():
                self._db.execute(
                    """CREATE TABLE IF NOT EXISTS operation (
                        reference  TEXT PRIMARY KEY,
                        profile    TEXT NOT NULL,
                        kind       TEXT NOT NULL,
                        state      TEXT NOT NULL,
                        request    TEXT NOT NULL,
                        summary    TEXT NOT NULL,
                        result     TEXT,
                        error      TEXT,
                        attempts   INTEGER NOT NULL DEFAULT 1,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    )"""
                )
                self._db.execute("CREATE INDEX IF NOT EXISTS operation_state ON operation(state)")
                self._db.execute("PRAGMA user_version=1")
        if version < 2:
            # v2: when a request left (the grace period counts from it). Rows of older
            # versions that got past "pending" were sent at about their creation time.
            with self._tx():
                self._db.execute("ALTER TABLE operation ADD COLUMN sent_at TEXT")
                self._db.execute(
                    "UPDATE operation SET sent_at = created_at WHERE state != ?",
                    (JournalState.PENDING,),
                )
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def _tx(self, *, durable: bool = False) -> Iterator[None]:
        with self._lock:
            if durable:
                self._db.execute("PRAGMA synchronous=FULL")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                if durable:
                    self._db.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record_intent(
        self,
        reference: str,
        *,
        profile: str,
        kind: str,
        request: Mapping[str, Any],
        summary: str,
    ) -> JournalEntry:
        """Write the intent (state pending). A reference seen before is refused unless its
        earlier attempt is a confirmed failure (then it may be tried again)."""
        now = _now()
        payload = json.dumps(dict(request), sort_keys=True, default=str)
        with self._tx(durable=True):
            row = self._db.execute(
                "SELECT state FROM operation WHERE reference = ?", (reference,)
            ).fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO operation (reference, profile, kind, state, request, summary,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (reference, profile, kind, JournalState.PENDING, payload, summary, now, now),
                )
            elif row["state"] == JournalState.FAILED:
                self._db.execute(
                    "UPDATE operation SET state = ?, request = ?, summary = ?, result = NULL,"
                    " error = NULL, attempts = attempts + 1, updated_at = ? WHERE reference = ?",
                    (JournalState.PENDING, payload, summary, now, reference),
                )
            else:
                raise DuplicateReferenceError(reference, JournalState(row["state"]))
        entry = self.get(reference)
        assert entry is not None
        return entry

    def _set(
        self,
        reference: str,
        state: JournalState,
        *,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        with self._tx():
            cursor = self._db.execute(
                "UPDATE operation SET state = ?, result = COALESCE(?, result), error = ?,"
                " updated_at = ? WHERE reference = ?",
                (
                    state,
                    None if result is None else json.dumps(dict(result), default=str),
                    error,
                    _now(),
                    reference,
                ),
            )
            if cursor.rowcount != 1:
                raise KeyError(reference)

    def mark_sent(self, reference: str) -> None:
        """About to hand the request to the network: from now on its outcome is unknown
        until the server says (the grace period counts from here)."""
        with self._tx():
            cursor = self._db.execute(
                "UPDATE operation SET state = ?, sent_at = ?, updated_at = ? WHERE reference = ?",
                (JournalState.SENT, _now(), _now(), reference),
            )
            if cursor.rowcount != 1:
                raise KeyError(reference)

    def mark_waiting(self, reference: str, progress: Mapping[str, Any]) -> None:
        """Sent and answered "not finished yet" (a terminal continuation): stays unresolved,
        with what is needed to ask again (the continuation id) kept as its result."""
        self._set(reference, JournalState.SENT, result=progress)

    def mark_done(self, reference: str, result: Mapping[str, Any]) -> None:
        self._set(reference, JournalState.DONE, result=result)

    def mark_failed(self, reference: str, error: str) -> None:
        self._set(reference, JournalState.FAILED, error=error)

    def mark_unknown(self, reference: str, error: str) -> None:
        self._set(reference, JournalState.UNKNOWN, error=error)

    def mark_needs_review(self, reference: str, reason: str) -> None:
        self._set(reference, JournalState.NEEDS_REVIEW, error=reason)

    def mark_not_found(self, reference: str, reason: str) -> None:
        """Still not on the server after the grace period: the user may do it again (with a
        new reference); this one stays watched."""
        self._set(reference, JournalState.NOT_FOUND, error=reason)

    def mark_late(self, reference: str, result: Mapping[str, Any]) -> None:
        """A not-found entry appeared on the server after all: it went through late."""
        self._set(reference, JournalState.LATE, result=result, error="went through late")

    def resolve_by_hand(self, reference: str, *, happened: bool, note: str) -> None:
        """A manager checked a needs-review (or late) entry in the admin console."""
        if happened:
            self._set(reference, JournalState.DONE, result={"resolved_by_hand": note})
        else:
            self._set(reference, JournalState.FAILED, error=f"resolved by hand: {note}")

    def get(self, reference: str) -> JournalEntry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM operation WHERE reference = ?", (reference,)
            ).fetchone()
        return None if row is None else _entry(row)

    def entries(
        self, *states: JournalState, profile: str | None = None, kind: str | None = None
    ) -> list[JournalEntry]:
        """Entries (oldest first), optionally filtered by state, profile and kind."""
        sql = "SELECT * FROM operation WHERE 1 = 1"
        args: list[Any] = []
        if states:
            sql += f" AND state IN ({', '.join('?' * len(states))})"
            args.extend(states)
        if profile is not None:
            sql += " AND profile = ?"
            args.append(profile)
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created_at, reference", args).fetchall()
        return [_entry(r) for r in rows]

    def unresolved(self, profile: str | None = None) -> list[JournalEntry]:
        """Entries whose outcome is not known yet (reconcile them on start)."""
        return self.entries(*UNRESOLVED, profile=profile)

    def needs_review(self, profile: str | None = None) -> list[JournalEntry]:
        return self.entries(JournalState.NEEDS_REVIEW, profile=profile)

    def watched(self, profile: str | None = None, *, since: datetime) -> list[JournalEntry]:
        """Not-found entries sent after ``since``: still looked up in case they went through
        late (a slow server, a queue replayed days later)."""
        return [
            e
            for e in self.entries(*WATCHED, profile=profile)
            if (e.sent_at or e.created_at) >= since
        ]


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except ArithmeticError:
        return None


def _facts(request: Mapping[str, Any]) -> dict[str, Any]:
    """Structured fields from a journaled request (gift card transaction, capture / cancel,
    purchase, terminal payment / capture): the request holds only masked codes."""
    code = request.get("code")
    last4 = code[-4:] if isinstance(code, str) and len(code) >= 4 else None
    return {
        "amount": _decimal(request.get("amount", request.get("payAmount"))),
        "card_last4": last4,
        "store": request.get("storeCode") or request.get("store_code"),
        "trans_type": request.get("trans_type") or request.get("payment_type"),
        "terminal": request.get("terminal_id"),
        "authorize": bool(request.get("authorize")),
        "external_ref": request.get("ref_no")
        or request.get("transactionId")
        or request.get("payment_id"),
        "card_id": request.get("giftcard_id"),
        "member_id": request.get("member_id"),
    }


def _kind(value: str) -> JournalKind | str:
    """A stored kind as its enum; a kind written by a newer version stays a string (it is
    then reconciled as needing review, never a crash)."""
    try:
        return JournalKind(value)
    except ValueError:
        return value


def _entry(row: sqlite3.Row) -> JournalEntry:
    request = json.loads(row["request"])
    return JournalEntry(
        reference=row["reference"],
        profile=row["profile"],
        kind=_kind(row["kind"]),
        state=JournalState(row["state"]),
        request=request,
        summary=row["summary"],
        result=None if row["result"] is None else json.loads(row["result"]),
        error=row["error"],
        attempts=row["attempts"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        sent_at=datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None,
        **_facts(request),
    )
