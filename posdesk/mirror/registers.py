"""Registers → stores: which store a register belongs to, for servers whose sales lack one.

The documented ``Sale`` carries a register code but no ``locationCode`` (and the documented
``Location`` no registers), so on such a server the mirror cannot tell a store's sales apart.
The ``register_store`` table answers it: filled by the sync from what an extended server says
(a location's registers, a sale that carries both codes: ``source = 'server'``) and, on a
documented server, by a manager in the Local data panel (``source = 'manager'``). A
suggestion (a register code that starts with the first 3 letters of exactly one store code:
``AUS-1`` → ``AUSTIN``) is only shown, never used, until the manager confirms it.

Every function taking ``conn`` runs on one of the mirror's threads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from posdesk.domain import Location, Sale

SERVER = "server"
MANAGER = "manager"
SUGGESTED = "suggested"


@dataclass(frozen=True, slots=True)
class RegisterStore:
    """One register and the store it belongs to (``None``: not known yet)."""

    register_code: str
    location_code: str | None
    source: str  # 'server' | 'manager' | 'suggested' | '' (unknown)


def suggest(register_code: str, store_codes: Iterable[str]) -> str | None:
    """The store whose code's first 3 letters start the register code, if exactly one does."""
    prefix = register_code[:3].casefold()
    matches = [c for c in store_codes if len(c) >= 3 and c[:3].casefold() == prefix]
    return matches[0] if len(matches) == 1 else None


def learn(conn: sqlite3.Connection, pairs: Iterable[tuple[str | None, str | None]]) -> None:
    """Record (register, store) pairs the server sent (a manager's choice is kept)."""
    known = {(r, s) for r, s in pairs if r and s}
    conn.executemany(
        "INSERT INTO register_store(register_code, location_code, source) VALUES (?, ?, ?) "
        "ON CONFLICT(register_code) DO UPDATE SET location_code = excluded.location_code, "
        "source = excluded.source WHERE register_store.source != 'manager'",
        [(r, s, SERVER) for r, s in sorted(known)],
    )


def learn_from_sales(conn: sqlite3.Connection, sales: Sequence[Sale]) -> None:
    learn(conn, ((s.register_code, s.location_code) for s in sales if s.location_code))


def learn_from_locations(conn: sqlite3.Connection, locations: Sequence[Location]) -> None:
    learn(conn, ((r, loc.code) for loc in locations for r in loc.registers))


def mapping(conn: sqlite3.Connection) -> dict[str, str]:
    """register → store, as used (server-sent and confirmed; never suggestions)."""
    return dict(conn.execute("SELECT register_code, location_code FROM register_store"))


def table(conn: sqlite3.Connection) -> list[RegisterStore]:
    """Every register the mirror knows (mapped, or seen on a sale), with its store or a
    suggestion, by register code."""
    stores = [r[0] for r in conn.execute("SELECT code FROM location WHERE kind IS NOT 'WAREHOUSE'")]
    known = {
        r: RegisterStore(r, s, src)
        for r, s, src in conn.execute(
            "SELECT register_code, location_code, source FROM register_store"
        )
    }
    seen = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT register_code FROM sale WHERE register_code IS NOT NULL"
        )
    ]
    result = dict(known)
    for register in seen:
        if register not in result:
            guess = suggest(register, stores)
            result[register] = RegisterStore(register, guess, SUGGESTED if guess else "")
    return [result[r] for r in sorted(result)]


def assign(conn: sqlite3.Connection, register_code: str, location_code: str | None) -> None:
    """A manager's choice (``None`` removes the register's mapping)."""
    if location_code is None:
        conn.execute("DELETE FROM register_store WHERE register_code = ?", (register_code,))
        return
    conn.execute(
        "INSERT INTO register_store(register_code, location_code, source) VALUES (?, ?, ?) "
        "ON CONFLICT(register_code) DO UPDATE SET location_code = excluded.location_code, "
        "source = excluded.source",
        (register_code, location_code, MANAGER),
    )
