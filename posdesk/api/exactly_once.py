"""Exactly once: every money-moving (or card-creating) write is journaled before it is sent,
sent once, and settled from its answer — or, when the answer is lost, by looking its
reference up on the server. Never resent blindly: sent means unknown.

One send path (:meth:`ExactlyOnce._send_once`) journals what is certain for every journaled
write (gift cards, purchases, terminal); each concern says how its answer is checked and how
a lost answer is settled. Reconciliation finds an entry's server record through a table
``JournalKind → look-up`` (``_lookups``) that ``PosClient`` fills from each concern's module;
kinds with their own protocol (terminal payments) are in ``_reconcilers``.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from posdesk.api.connection import Connection
from posdesk.api.errors import (
    DuplicateReference,
    FeatureUnavailable,
    InvalidResponseError,
    NeedsReview,
    NotAuthenticated,
    NotAuthorized,
    PosError,
    UnknownOutcome,
    ValidationError,
)
from posdesk.api.transport import NotSent
from posdesk.store.journal import (
    UNRESOLVED,
    WATCHED,
    DuplicateReferenceError,
    Journal,
    JournalEntry,
    JournalKind,
    JournalState,
)

T = TypeVar("T")
R = TypeVar("R")

#: How long a write given up on after its grace period is still looked up (it may go through
#: late: a server's queue replayed after an outage).
WATCH_PERIOD = 7 * 24 * 3600.0

#: The server's record of a journal entry (a wire dict), or None when it has none (yet).
Lookup = Callable[[JournalEntry], Awaitable[Mapping[str, Any] | None]]
#: Settles an entry of a kind with its own protocol (asks the terminal, never a look-up).
Reconciler = Callable[[JournalEntry], Awaitable[object]]

#: Answers that prove the server refused the write: it did not happen.
REFUSED = (ValidationError, NotAuthenticated, NotAuthorized, FeatureUnavailable)


def new_reference(prefix: str = "PD") -> str:
    """A unique external reference (refNo / transactionId) for a money-moving call."""
    return f"{prefix}-{uuid.uuid4().hex[:20].upper()}"


class UndecidableError(Exception):
    """The server's record cannot tell whether a journaled change happened."""


class ExactlyOnce(Connection):
    """The journal, the one send path and reconciliation (a base of ``PosClient``)."""

    def __init__(
        self,
        *args: Any,
        journal: Journal | None,
        settle_delay: float,
        grace_period: float,
        watch_period: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._journal = journal
        self.settle_delay = settle_delay
        self.grace_period = grace_period
        self.watch_period = watch_period
        # look-ups that need what the journal must not keep (a new card's code): this run only
        self._card_lookups: dict[str, Callable[[], Awaitable[Any]]] = {}
        self._in_flight: set[str] = set()  # journaled references being sent right now
        self._reconciling = asyncio.Lock()  # one reconciliation pass at a time
        self._lookups: Mapping[JournalKind, Lookup] = {}
        self._reconcilers: Mapping[JournalKind, Reconciler] = {}

    def attach_journal(self, journal: Journal) -> None:
        """Use ``journal`` from now on: the shell opens the server's own journal once the
        issuer and the signed-in principal are known (after connect, before any write)."""
        self._journal = journal

    @property
    def journal(self) -> Journal:
        """The journal given to ``connect``/``attach_journal``; without one, an in-memory
        journal (never a per-PC file: local state belongs to one server and principal)."""
        if self._journal is None:
            self._journal = Journal(":memory:")
        return self._journal

    async def _intent(
        self, reference: str, kind: str, request: Mapping[str, Any], summary: str
    ) -> JournalEntry:
        """Write the intent durably (fsync) on a worker thread: the UI loop never waits on
        the disk, yet nothing is sent before the intent is on it."""
        journal = self.journal
        try:
            return await asyncio.to_thread(
                functools.partial(
                    journal.record_intent,
                    reference,
                    profile=self.profile.name,
                    kind=kind,
                    request=request,
                    summary=summary,
                )
            )
        except DuplicateReferenceError:
            raise DuplicateReference(reference) from None

    async def _send_once(
        self,
        entry: JournalEntry,
        feature: str,
        variables: Mapping[str, Any],
        *,
        check: Callable[[Any], T],
        answered: Callable[[JournalEntry, T], R],
        unsettled: Callable[[JournalEntry, PosError], Awaitable[R]],
    ) -> R:
        """Send one journaled write once and journal what is certain; the one path of every
        journaled write. ``check`` validates the answer (a malformed one is a lost answer);
        ``answered`` settles the entry from it; ``unsettled`` settles a lost answer (the
        entry is then journaled unknown) and must never send the write again.

        Not sent, or refused by the server, is a failure (raised as is); cancelled mid-flight
        is unknown (re-raised). An entry already sent (a terminal payment asked again about
        its continuation) is never marked failed: its payment may still go through."""
        ref = entry.reference
        journal = self.journal
        first = entry.state is JournalState.PENDING
        try:
            self._op(feature)
        except FeatureUnavailable as exc:
            if first:
                journal.mark_failed(ref, exc.details or exc.user_message)
            raise
        self._in_flight.add(ref)
        try:
            if first:
                journal.mark_sent(ref)
            try:
                result = check(await self._write(feature, variables))
            except asyncio.CancelledError:
                # the caller went away mid-flight: the outcome is unknown, reconcile later
                journal.mark_unknown(ref, f"{feature}: cancelled while in flight")
                raise
            except NotSent as exc:
                if first:
                    journal.mark_failed(ref, f"not sent: {exc.original.details}")
                raise exc.original from None
            except REFUSED as exc:
                if first:
                    journal.mark_failed(ref, f"{type(exc).__name__}: {exc.details}")
                raise
            except PosError as exc:
                journal.mark_unknown(ref, f"{feature}: {type(exc).__name__}: {exc.details}")
                return await unsettled(journal.get(ref) or entry, exc)
            return answered(entry, result)
        finally:
            self._in_flight.discard(ref)

    async def _journaled(
        self,
        entry: JournalEntry,
        feature: str,
        variables: Mapping[str, Any],
        on_checking: Callable[[], object] | None,
    ) -> Any:
        """Send a journaled mutation once and settle its journal entry; the server's answer,
        or the record found by reconciliation."""
        result, _ = await self._journaled_answer(entry, feature, variables, on_checking)
        return result

    async def _journaled_answer(
        self,
        entry: JournalEntry,
        feature: str,
        variables: Mapping[str, Any],
        on_checking: Callable[[], object] | None,
        keep: Callable[[Mapping[str, Any]], Mapping[str, Any]] = dict,
    ) -> tuple[Any, bool]:
        """Send a journaled mutation once and settle its journal entry: (result, answered).
        ``answered`` is False when the result is the journal's record found by reconciliation;
        ``keep`` picks what of an answer the journal may store.

        Server refusals (validation, permission) are failures; a failure to connect means
        nothing was sent; anything else (timeout, dropped connection, 5xx, garbage) is an
        unknown outcome: looked up by reference at once, and if not found it stays unknown
        (``UnknownOutcome``) — never "failed": the server may still commit it."""

        def answered(entry: JournalEntry, result: Any) -> tuple[Any, bool]:
            if not isinstance(result, dict):
                self.journal.mark_unknown(entry.reference, "empty mutation result")
                raise UnknownOutcome(
                    entry.reference, details=f"{feature}: server returned {type(result).__name__}"
                )
            self.journal.mark_done(entry.reference, keep(result))
            return result, True

        async def unsettled(current: JournalEntry, exc: PosError) -> tuple[Any, bool]:
            if on_checking is not None:
                on_checking()
            ref = current.reference
            state = await self._reconcile_entry(current, settle=True)
            if state is JournalState.DONE:
                return (self.journal.get(ref) or current).result, False
            if state is JournalState.NEEDS_REVIEW:
                raise NeedsReview(ref, details=exc.details) from exc
            # not found yet (or not found after a zero grace period): sent means unknown
            raise UnknownOutcome(ref, details=exc.details) from exc

        return await self._send_once(
            entry, feature, variables, check=_as_is, answered=answered, unsettled=unsettled
        )

    # ---------------------------------------------------------------- reconciliation

    def _watch_since(self) -> datetime:
        return datetime.now(UTC) - timedelta(seconds=self.watch_period)

    def reconcile_due(self) -> bool:
        """Whether this profile has entries a reconciliation pass would look up (unresolved,
        or given up on after the grace period but still watched)."""
        journal = self.journal
        name = self.profile.name
        unresolved = [e for e in journal.unresolved(name) if e.reference not in self._in_flight]
        return bool(unresolved or journal.watched(name, since=self._watch_since()))

    async def reconcile_pending(self) -> list[JournalEntry]:
        """Look up this profile's unresolved and watched journal entries (on start, and
        periodically while the app runs).

        Returns the entries after reconciliation. Found → done (or ``late`` when it had been
        given up on); not found → a request that never left is failed, a sent one stays
        unknown until its grace period is over, then ``not_found`` (and stays watched).
        Entries whose look-up this server lacks become ``needs_review``; entries the server
        cannot be asked about now stay as they are."""
        async with self._reconciling:
            return await self._reconcile_pass()

    async def _reconcile_pass(self) -> list[JournalEntry]:
        journal = self.journal
        name = self.profile.name
        entries = journal.unresolved(name) + journal.watched(name, since=self._watch_since())
        settled: list[JournalEntry] = []
        for entry in entries:
            if entry.reference in self._in_flight:
                continue  # still being sent by this client: its own call settles it
            own = self._reconcilers.get(entry.kind) if isinstance(entry.kind, JournalKind) else None
            if own is not None:
                if entry.state in UNRESOLVED:
                    await own(entry)
            else:
                await self._reconcile_entry(entry, settle=False)
            updated = journal.get(entry.reference)
            if updated is not None:
                settled.append(updated)
        return settled

    def _grace_over(self, entry: JournalEntry) -> bool:
        sent = entry.sent_at or entry.created_at
        return datetime.now(UTC) - sent >= timedelta(seconds=self.grace_period)

    async def _reconcile_entry(self, entry: JournalEntry, *, settle: bool) -> JournalState:
        """Look the reference up and journal what that proves (see ``reconcile_pending``).
        On look-up failure the entry stays as it is (sent ones: unknown)."""
        journal = self.journal
        ref = entry.reference
        state = entry.state
        never_sent = state is JournalState.PENDING  # marked sent before any byte leaves
        try:
            found = await self._lookup(entry)
            if found is None and settle and self.settle_delay > 0:
                # a slow server may still be committing: look once more before going on
                await asyncio.sleep(self.settle_delay)
                found = await self._lookup(entry)
        except (FeatureUnavailable, NotAuthorized, UndecidableError) as exc:
            if never_sent:
                journal.mark_failed(ref, "never sent: posdesk stopped before sending it")
                return JournalState.FAILED
            if state in WATCHED:
                return state  # it could be looked up before; keep it as it is
            journal.mark_needs_review(ref, _undecidable_reason(exc))
            self._card_lookups.pop(ref, None)
            return JournalState.NEEDS_REVIEW
        except PosError as exc:
            if state in (JournalState.SENT, JournalState.UNKNOWN):
                journal.mark_unknown(ref, f"look-up failed: {exc.details}")
                return JournalState.UNKNOWN
            return state
        if found is not None:
            self._card_lookups.pop(ref, None)
            if state in WATCHED:
                journal.mark_late(ref, found)
                return JournalState.LATE
            journal.mark_done(ref, found)
            return JournalState.DONE
        if never_sent:
            journal.mark_failed(ref, "never sent: posdesk stopped before sending it")
            return JournalState.FAILED
        if state in WATCHED:
            return state
        if self._grace_over(entry):
            journal.mark_not_found(
                ref,
                f"not on the server {self.grace_period:g} s after it was sent; "
                "still watched in case it goes through late",
            )
            return JournalState.NOT_FOUND
        journal.mark_unknown(
            ref, "not on the server yet: a slow server may still commit it (grace period)"
        )
        return JournalState.UNKNOWN

    async def _lookup(self, entry: JournalEntry) -> Mapping[str, Any] | None:
        """The server's record for a journal entry, as a wire dict, or None if absent."""
        lookup = self._lookups.get(entry.kind) if isinstance(entry.kind, JournalKind) else None
        if lookup is None:
            raise FeatureUnavailable(f"reconciliation of {entry.kind}")
        return await lookup(entry)


def _as_is(result: Any) -> Any:
    return result


def lookup_rows(envelope: Any, what: str) -> list[Mapping[str, Any]]:
    """The raw result rows of a look-up page (reconciliation keeps the wire dicts): a page
    that is not an object with a list of objects is an invalid answer, never a crash."""
    if envelope is None:
        return []
    results = envelope.get("results") if isinstance(envelope, dict) else ()
    if results is None:
        return []
    if not isinstance(results, list) or not all(r is None or isinstance(r, dict) for r in results):
        raise InvalidResponseError(details=f"{what}: results is not a list of objects")
    return [r for r in results if r]


def _undecidable_reason(exc: Exception) -> str:
    if isinstance(exc, FeatureUnavailable):
        return f"look-up unavailable on this server: {exc.feature}"
    if isinstance(exc, NotAuthorized):
        return f"this role may not look the outcome up (needs {exc.permission or '?'})"
    return f"the server's record cannot settle it: {exc}"
