"""Gift cards: ``giftcard``, ``giftcardTrans`` (sandbox extension) and the mutations
``giftcardAdd``, ``giftcardEdit``, ``giftcardTransAdd``, ``giftcardTransCapture``,
``giftcardTransCancel``.

Each code kind needs its own permission (PHYSICAL, EXTERNAL, PERSONAL); personal codes are
masked without ``ViewUnmaskedGiftCardCodes``. Balance rules follow REFERENCE §9.3: a spending
authorization reserves at once, a top-up credits only at capture.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from ariadne import MutationType, QueryType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

from posdesk.sandbox.db import Database
from posdesk.sandbox.graphql_api.errors import not_authorized, pascal_case, validation
from posdesk.sandbox.graphql_api.paging import Query, offset_page, page_limits, row_id
from posdesk.sandbox.graphql_api.permissions import (
    CODE_PERMISSIONS,
    CREATE_GIFT_CARD,
    EDIT_GIFT_CARD,
    FIND_GIFT_CARD,
    LIST_GIFT_CARD_TRANS,
    LIST_GIFT_CARDS,
    TRANS_PERMISSIONS,
    VIEW_UNMASKED,
    principal_of,
    require,
)
from posdesk.sandbox.graphql_api.scalars import instant, money, to_cents, to_epoch
from posdesk.sandbox.security import Principal


def _trans(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "giftcard_id": str(row["giftcard_id"]),
        "balance": money(row["balance"]),
        "status": row["status"],
        "trans_type": row["trans_type"],
        "amount": money(row["amount"]),
        "source_id": row["source_id"],
        "ref_no": row["ref_no"],
        "created_on": instant(row["created_on"]),
        "completed_on": instant(row["completed_on"]),
        "cancelled_on": instant(row["cancelled_on"]),
    }


def mask_code(code: str) -> str:
    """Digital codes are shown with their last 4 characters only.

    The *server's* wire format (``************V6T``: one ``*`` per hidden character), as the
    real POS sends a masked personal code; deliberately not ``posdesk.domain.mask_code``
    (the app's display of a code), which the sandbox may import but must not imitate: the
    app recognises a server-masked code by its ``*`` (see ``display_code``)."""
    return "*" * max(len(code) - 4, 0) + code[-4:]


class _Resolvers:
    """Gift card resolvers bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _card_views(
        self, principal: Principal, card_rows: list[sqlite3.Row]
    ) -> tuple[list[dict[str, Any]], bool]:
        """Cards as the caller may see them: invisible code kinds dropped, personal masked."""
        if not card_rows:
            return [], False
        ids = [r["id"] for r in card_rows]
        codes: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        limited = False
        unmasked = principal.can(VIEW_UNMASKED)
        for row in self.db.query(
            f"SELECT * FROM giftcard_code WHERE giftcard_id IN ({','.join('?' * len(ids))}) "
            "AND revoked_on IS NULL ORDER BY id",
            ids,
        ):
            kind = row["code_type"]
            if not principal.can(CODE_PERMISSIONS[kind]):
                limited = True
                continue
            masked = kind == "PERSONAL" and not unmasked
            codes[row["giftcard_id"]].append(
                {
                    "id": str(row["id"]),
                    "code_type": kind,
                    "code": mask_code(row["code"]) if masked else row["code"],
                    "expires_on": instant(row["expires_on"]),
                    "is_masked": masked,
                    "has_pin": row["pin"] is not None,
                }
            )
        cards = [
            {
                "id": str(r["id"]),
                "member_id": r["member_id"],
                "balance": money(r["balance"]),
                "created_on": instant(r["created_on"]),
                "codes": codes[r["id"]],
            }
            for r in card_rows
        ]
        return cards, limited

    def giftcard(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal = principal_of(info)
        code = kw.get("code")
        if code is not None:
            if not (principal.can(FIND_GIFT_CARD) or principal.can(LIST_GIFT_CARDS)):
                raise not_authorized(FIND_GIFT_CARD)
        elif not principal.can(LIST_GIFT_CARDS):
            raise not_authorized(LIST_GIFT_CARDS)
        q = Query([], [])
        limited = False
        if code is not None:
            sql = (
                "SELECT giftcard_id, code_type FROM giftcard_code WHERE code = ? "
                "AND revoked_on IS NULL"
            )
            params: list[Any] = [code]
            if kw.get("code_type") is not None:
                sql += " AND code_type = ?"
                params.append(kw["code_type"])
            card_ids = []
            for row in self.db.query(sql, params):
                if principal.can(CODE_PERMISSIONS[row["code_type"]]):
                    card_ids.append(row["giftcard_id"])
                else:
                    limited = True
            q.add(f"id IN ({','.join('?' * len(card_ids)) or 'NULL'})", *card_ids)
        if kw.get("id") is not None:
            q.add("id = ?", row_id(kw["id"]))
        if kw.get("member_id") is not None:
            q.add("member_id = ?", kw["member_id"])
        offset, limit = page_limits(kw.get("skip"), kw.get("first"))
        rows = self.db.query(
            f"SELECT * FROM giftcard WHERE {q.sql} ORDER BY id LIMIT ? OFFSET ?",
            [*q.params, limit + 1, offset],
        )
        cards, hidden = self._card_views(principal, rows[:limit])
        return {
            "results": cards,
            "has_more_results": len(rows) > limit,
            "limited_by_permission": limited or hidden,
        }

    def giftcard_trans(self, _: Any, info: GraphQLResolveInfo, **kw: Any) -> dict[str, Any]:
        principal = principal_of(info)
        card_id = kw.get("giftcard_id")
        if not principal.can(LIST_GIFT_CARD_TRANS) and not (
            card_id is not None and principal.can(FIND_GIFT_CARD)
        ):
            raise not_authorized(LIST_GIFT_CARD_TRANS)
        q = Query([], [])
        if card_id is not None:
            q.add("giftcard_id = ?", row_id(card_id))
        if kw.get("ref_no") is not None:
            q.add("ref_no = ?", kw["ref_no"])
        if kw.get("source_id") is not None:
            q.add("source_id = ?", kw["source_id"])
        return offset_page(
            self.db,
            "SELECT * FROM giftcard_trans",
            q,
            "id",
            kw,
            _trans,
            key="id",
        )

    def _member_exists(self, member_id: str) -> bool:
        return (
            self.db.query_one("SELECT 1 FROM customer WHERE member_id = ?", (member_id,))
            is not None
        )

    def _check_unique(self, conn: sqlite3.Connection, kind: str, code: str, prop: str) -> None:
        if conn.execute(
            "SELECT 1 FROM giftcard_code WHERE code = ? AND code_type = ? AND revoked_on IS NULL",
            (code, kind),
        ).fetchone():
            raise validation("UniqueCodeValidator", prop, f"The {kind} code is already in use.")

    @staticmethod
    def _new_personal_code() -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(secrets.choice(alphabet) for _ in range(24))

    def _card_result(self, principal: Principal, card_id: int) -> dict[str, Any]:
        rows = self.db.query("SELECT * FROM giftcard WHERE id = ?", (card_id,))
        cards, _ = self._card_views(principal, rows)
        return cards[0]

    def giftcard_add(self, _: Any, info: GraphQLResolveInfo, giftcard: Any = None) -> Any:
        principal = require(info, CREATE_GIFT_CARD)
        g = giftcard or {}
        member = g.get("member_id") or None
        physical = g.get("physical_code") or None
        external = g.get("external_code") or None
        personal = bool(g.get("add_personal_code"))
        if g.get("physical_pin") and not physical:
            raise validation("NotEmptyValidator", "PhysicalCode", "A PIN needs a physical code.")
        if personal and not member:
            raise validation("NotEmptyValidator", "Member", "A personal code needs a member.")
        if not (physical or external or personal):
            raise validation("NotEmptyValidator", "PhysicalCode", "A card needs at least a code.")
        if member and not self._member_exists(member):
            raise validation("MemberValidator", "Member", "No member with that id.")
        expiry = {  # checked before anything is written
            kind: None if g.get(name) is None else to_epoch(g[name], pascal_case(name))
            for kind, name in (
                ("PHYSICAL", "physical_code_expires_on"),
                ("PERSONAL", "personal_code_expires_on"),
                ("EXTERNAL", "external_code_expires_on"),
            )
        }
        now = self.db.now_ts()
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO giftcard(member_id, balance, created_on) VALUES (?, 0, ?)",
                (member, now),
            )
            card_id = int(cur.lastrowid or 0)
            new_codes: list[tuple[str, str, str | None]] = []
            if physical:
                self._check_unique(conn, "PHYSICAL", physical, "PhysicalCode")
                new_codes.append(("PHYSICAL", physical, g.get("physical_pin") or None))
            if personal:
                new_codes.append(("PERSONAL", self._new_personal_code(), None))
            if external:
                self._check_unique(conn, "EXTERNAL", external, "ExternalCode")
                new_codes.append(("EXTERNAL", external, None))
            conn.executemany(
                "INSERT INTO giftcard_code(giftcard_id, code_type, code, pin, expires_on) "
                "VALUES (?, ?, ?, ?, ?)",
                [(card_id, kind, code, pin, expiry[kind]) for kind, code, pin in new_codes],
            )
        return self._card_result(principal, card_id)

    def giftcard_edit(self, _: Any, info: GraphQLResolveInfo, giftcard: Any = None) -> Any:
        principal = require(info, EDIT_GIFT_CARD)
        g = giftcard or {}
        raw_id = g.get("id")
        if not raw_id:
            raise validation("NotEmptyValidator", "Id", "The card id is required.")
        card = self.db.query_one("SELECT * FROM giftcard WHERE id = ?", (row_id(raw_id),))
        if card is None:
            raise validation("NotFoundValidator", "Id", "No gift card with that id.")
        member = g.get("member_id") or None
        if g.get("add_personal_code") and not member:
            raise validation("NotEmptyValidator", "Member", "A personal code needs the member.")
        if member is not None and card["member_id"] is not None and member != card["member_id"]:
            raise validation("OwnerValidator", "Member", "A card's owner cannot be changed.")
        if member is not None and card["member_id"] is None and not self._member_exists(member):
            raise validation("MemberValidator", "Member", "No member with that id.")
        now = self.db.now_ts()
        card_id = int(card["id"])

        def revoke(conn: sqlite3.Connection, kind: str) -> None:
            conn.execute(
                "UPDATE giftcard_code SET revoked_on = ? WHERE giftcard_id = ? AND code_type = ? "
                "AND revoked_on IS NULL",
                (now, card_id, kind),
            )

        def insert(conn: sqlite3.Connection, kind: str, code: str, pin: str | None) -> None:
            conn.execute(
                "INSERT INTO giftcard_code(giftcard_id, code_type, code, pin) VALUES (?,?,?,?)",
                (card_id, kind, code, pin),
            )

        with self.db.transaction() as conn:
            if member is not None and card["member_id"] is None:
                conn.execute("UPDATE giftcard SET member_id = ? WHERE id = ?", (member, card_id))
            for kind, flag in (
                ("PHYSICAL", "revoke_physical_code"),
                ("PERSONAL", "revoke_personal_code"),
                ("EXTERNAL", "revoke_external_code"),
            ):
                if g.get(flag):
                    revoke(conn, kind)  # revoking an absent code is a no-op
            if g.get("physical_code"):
                revoke(conn, "PHYSICAL")
                self._check_unique(conn, "PHYSICAL", g["physical_code"], "PhysicalCode")
                insert(conn, "PHYSICAL", g["physical_code"], g.get("physical_pin") or None)
            if g.get("external_code"):
                revoke(conn, "EXTERNAL")
                self._check_unique(conn, "EXTERNAL", g["external_code"], "ExternalCode")
                insert(conn, "EXTERNAL", g["external_code"], None)
            if g.get("add_personal_code"):
                revoke(conn, "PERSONAL")
                insert(conn, "PERSONAL", self._new_personal_code(), None)
        return self._card_result(principal, card_id)

    def _find_code(self, principal: Principal, t: dict[str, Any], cents: int) -> sqlite3.Row:
        """The code a transaction names, checked: visible kind, not expired, PIN.

        A code's PIN is needed to take funds off it (negative amounts); adding funds works
        without it (REFERENCE §8.12 tops up a PIN card without one). A PIN that is sent must
        always be right."""
        code = t.get("code")
        if not code:
            raise validation("NotEmptyValidator", "Code", "The card code is required.")
        sql = "SELECT * FROM giftcard_code WHERE code = ? AND revoked_on IS NULL"
        params: list[Any] = [code]
        if t.get("code_type") is not None:
            sql += " AND code_type = ?"
            params.append(t["code_type"])
        rows = self.db.query(sql, params)
        if not rows:
            raise validation("NotFoundValidator", "Code", "No gift card has that code.")
        visible = [r for r in rows if principal.can(CODE_PERMISSIONS[r["code_type"]])]
        if not visible:
            raise not_authorized(CODE_PERMISSIONS[rows[0]["code_type"]])
        if len(visible) > 1:
            raise validation(
                "AmbiguousCodeValidator",
                "CodeType",
                "The code exists in several code types: send codeType.",
            )
        row = visible[0]
        if row["expires_on"] is not None and row["expires_on"] <= self.db.now_ts():
            raise validation("ExpiredCodeValidator", "Code", "The code has expired.")
        pin = t.get("pin")
        if row["pin"] is not None:
            if not pin and cents < 0:
                raise validation("NotEmptyValidator", "Pin", "This card needs its PIN.")
            if pin and not secrets.compare_digest(str(pin), row["pin"]):
                raise validation("PinValidator", "Pin", "Wrong PIN.")
        return row

    def giftcard_trans_add(self, _: Any, info: GraphQLResolveInfo, trans: Any = None) -> Any:
        principal = principal_of(info)
        t = trans or {}
        kind = t.get("trans_type")
        if kind is None:
            raise validation("NotEmptyValidator", "TransType", "transType is required.")
        require(info, TRANS_PERMISSIONS[kind])
        if t.get("amount") is None:
            raise validation("NotEmptyValidator", "Amount", "amount is required.")
        cents = to_cents(t["amount"], "Amount")
        if kind == "ADD" and cents <= 0:
            raise validation("GreaterThanValidator", "Amount", "ADD amounts must be positive.")
        if kind == "USE" and cents >= 0:
            raise validation("LessThanValidator", "Amount", "USE amounts must be negative.")
        if cents == 0:
            raise validation("NotEqualValidator", "Amount", "The amount must not be zero.")
        code = self._find_code(principal, t, cents)
        authorize = bool(t.get("authorize"))
        now = self.db.now_ts()
        with self.db.transaction() as conn:
            balance = conn.execute(
                "SELECT balance FROM giftcard WHERE id = ?", (code["giftcard_id"],)
            ).fetchone()[0]
            if cents < 0 and balance + cents < 0:
                raise validation(
                    "InsufficientFundsValidator",
                    "Amount",
                    "The card's available balance is too low.",
                )
            # A spending authorization reserves at once; a top-up credits only at capture.
            new_balance = balance if authorize and cents > 0 else balance + cents
            conn.execute(
                "UPDATE giftcard SET balance = ? WHERE id = ?", (new_balance, code["giftcard_id"])
            )
            cur = conn.execute(
                "INSERT INTO giftcard_trans(giftcard_id, status, trans_type, amount, balance, "
                "source_id, ref_no, created_on, completed_on) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    code["giftcard_id"],
                    "AUTHORIZED" if authorize else "COMPLETED",
                    kind,
                    cents,
                    new_balance,
                    t.get("source_id"),
                    t.get("ref_no"),
                    now,
                    None if authorize else now,
                ),
            )
            trans_id = cur.lastrowid
        row = self.db.query_one("SELECT * FROM giftcard_trans WHERE id = ?", (trans_id,))
        assert row is not None
        return _trans(row)

    def _authorized_trans(self, info: GraphQLResolveInfo, raw_id: Any, verb: str) -> sqlite3.Row:
        principal_of(info)
        if not raw_id:
            raise validation("NotEmptyValidator", "Id", "The transaction id is required.")
        row = self.db.query_one(
            "SELECT * FROM giftcard_trans WHERE id = ?",
            (row_id(raw_id),),
        )
        if row is None:
            raise validation("NotFoundValidator", "Id", "No gift card transaction with that id.")
        require(info, TRANS_PERMISSIONS[row["trans_type"]])
        if row["status"] != "AUTHORIZED":
            raise validation(
                "TransStatusValidator",
                "Id",
                f"Only an authorized transaction can be {verb}; this one is {row['status']}.",
            )
        return row

    def _settle(self, info: GraphQLResolveInfo, raw_id: Any, capture: bool) -> Any:
        """Capture or cancel an authorization, with the balance rules of REFERENCE §9.3:
        capturing a top-up credits it now; cancelling a spend returns the reserved funds."""
        row = self._authorized_trans(info, raw_id, "captured" if capture else "cancelled")
        amount = row["amount"]
        delta = (amount if amount > 0 else 0) if capture else (-amount if amount < 0 else 0)
        status, stamp = ("COMPLETED", "completed_on") if capture else ("CANCELLED", "cancelled_on")
        with self.db.transaction() as conn:
            current = conn.execute(
                "SELECT status FROM giftcard_trans WHERE id = ?", (row["id"],)
            ).fetchone()[0]
            if current != "AUTHORIZED":  # lost a race with another capture/cancel
                raise validation("TransStatusValidator", "Id", "Already captured or cancelled.")
            conn.execute(
                "UPDATE giftcard SET balance = balance + ? WHERE id = ?",
                (delta, row["giftcard_id"]),
            )
            balance = conn.execute(
                "SELECT balance FROM giftcard WHERE id = ?", (row["giftcard_id"],)
            ).fetchone()[0]
            conn.execute(
                f"UPDATE giftcard_trans SET status = ?, {stamp} = ?, balance = ? WHERE id = ?",
                (status, self.db.now_ts(), balance, row["id"]),
            )
        updated = self.db.query_one("SELECT * FROM giftcard_trans WHERE id = ?", (row["id"],))
        assert updated is not None
        return _trans(updated)

    def giftcard_trans_capture(self, _: Any, info: GraphQLResolveInfo, id: Any = None) -> Any:
        return self._settle(info, id, capture=True)

    def giftcard_trans_cancel(self, _: Any, info: GraphQLResolveInfo, id: Any = None) -> Any:
        return self._settle(info, id, capture=False)


def bindables(db: Database) -> list[SchemaBindable]:
    """The gift card resolvers over ``db``."""
    api = _Resolvers(db)
    query = QueryType()
    query.set_field("giftcard", api.giftcard)
    query.set_field("giftcardTrans", api.giftcard_trans)
    mutation = MutationType()
    mutation.set_field("giftcardAdd", api.giftcard_add)
    mutation.set_field("giftcardEdit", api.giftcard_edit)
    mutation.set_field("giftcardTransAdd", api.giftcard_trans_add)
    mutation.set_field("giftcardTransCapture", api.giftcard_trans_capture)
    mutation.set_field("giftcardTransCancel", api.giftcard_trans_cancel)
    return [query, mutation]
