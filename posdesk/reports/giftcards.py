"""Gift card liability from the mirror's cards, codes and transactions.

Rules (docs/architecture.md, "Reports"): the outstanding balance is the mirror's current balance
of every card (cards counted when their balance is not zero); a card's code type is that of its
first code; ages count whole months from the card's issue date (in the store zone) to the
period's last day; a card is dormant when it has a balance, was issued before the cutoff
(last day − N months) and no transaction of it was made since; an authorization is open when its
status is still AUTHORIZED more than N days before the end of the period's last day; activity
counts COMPLETED transactions made in the period by type, and cards issued in it.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from posdesk.mirror import writes
from posdesk.reports.common import (
    Period,
    as_of,
    dates_text,
    iso_z,
    money0,
    months_before,
)
from posdesk.reports.model import (
    ChartKind,
    ChartSpec,
    ReportColumn,
    ReportFilters,
    ReportResult,
    ValueKind,
)

AGE_BUCKETS = ((0, 3, "0–3 months"), (3, 6, "3–6 months"), (6, 12, "6–12 months"))
AGE_OLDEST = "12+ months"
ACTIVITY = (
    (("ADD",), "Topped up"),
    (("USE",), "Redeemed"),
    (("ADJUST",), "Adjusted"),
    (("IMPORT", "EXTERNAL"), "Imported or external"),
)

_CARD_TYPE = (
    "coalesce((SELECT c.code_type FROM giftcard_code c WHERE c.giftcard_id = g.id "
    "ORDER BY c.seq LIMIT 1), '(no code)')"
)

ISSUED = "New cards (their first load is under Topped up)"


def _midnight(day: date, tz: tzinfo) -> str:
    """The UTC instant (mirror text) at which local ``day`` starts in ``tz``."""
    return iso_z(datetime.combine(day, time(0), tzinfo=tz))


def _has_transactions(conn: sqlite3.Connection) -> bool:
    s = writes.state(conn, "giftcard_transaction")
    return s.complete or writes.count(conn, "giftcard_transaction") > 0


def giftcard_liability(
    conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo
) -> ReportResult:
    ref = filters.last_day
    rows: list[tuple[object, ...]] = []
    notes: list[str] = []
    total = conn.execute(
        "SELECT count(CASE WHEN balance_e4 != 0 THEN 1 END), sum(balance_e4), count(*), "
        "count(balance_e4), count(created_on) FROM giftcard"
    ).fetchone()
    rows.append(("Outstanding", "All cards", int(total[0]), money0(total[1])))
    if total[3] < total[2]:
        notes.append(f"{total[2] - total[3]} of {total[2]} cards came without a balance.")
    for kind, cards, balance in conn.execute(
        f"SELECT {_CARD_TYPE} AS kind, count(CASE WHEN balance_e4 != 0 THEN 1 END), "
        "sum(balance_e4) FROM giftcard g GROUP BY kind ORDER BY kind"
    ):
        rows.append(("By code type", kind, int(cards), money0(balance)))

    # ages: cards with a balance, by whole months from issue (store zone) to the last day
    ages: list[tuple[str, int, int]] = []
    edges = [_midnight(months_before(ref, m) + timedelta(days=1), tz) for m in (3, 6, 12)]
    bounds = [("9999", edges[0]), (edges[0], edges[1]), (edges[1], edges[2])]
    for (_, _, label), (upper, lower) in zip(AGE_BUCKETS, bounds, strict=True):
        found = conn.execute(
            "SELECT count(*), sum(balance_e4) FROM giftcard WHERE balance_e4 != 0 "
            "AND created_on >= ? AND created_on < ?",
            (lower, upper),
        ).fetchone()
        ages.append((label, int(found[0]), int(found[1] or 0)))
    oldest = conn.execute(
        "SELECT count(*), sum(balance_e4) FROM giftcard WHERE balance_e4 != 0 AND created_on < ?",
        (edges[2],),
    ).fetchone()
    ages.append((AGE_OLDEST, int(oldest[0]), int(oldest[1] or 0)))
    for label, cards, balance in ages:
        rows.append(("Age since issue", label, cards, money0(balance)))
    undated = conn.execute(
        "SELECT count(*), sum(balance_e4) FROM giftcard WHERE balance_e4 != 0 "
        "AND created_on IS NULL"
    ).fetchone()
    if undated[0]:
        rows.append(("Age since issue", "Issue date unknown", int(undated[0]), money0(undated[1])))
        notes.append(
            f"The server sends no issue date for {undated[0]} cards with a balance, so they "
            "cannot be aged."
        )

    entities = ["giftcard"]
    if _has_transactions(conn):
        entities.append("giftcard_transaction")
        rows.extend(_transaction_rows(conn, filters, tz))
    else:
        notes.append(
            "The server offers no gift card transactions (only the documented API), so dormant "
            "cards, open authorizations and the period's activity cannot be shown."
        )
    return ReportResult(
        key="giftcard_liability",
        title="Gift card liability",
        filters_text=f"{dates_text(filters)} · balances as synced",
        columns=(
            ReportColumn("Section", ValueKind.TEXT, "section"),
            ReportColumn("Item", ValueKind.TEXT, "item"),
            ReportColumn("Cards", ValueKind.INTEGER, "cards"),
            ReportColumn("Amount", ValueKind.MONEY, "amount"),
        ),
        rows=tuple(rows),
        chart=ChartSpec(
            ChartKind.BAR,
            tuple(label for label, _, _ in ages),
            (("Outstanding balance", tuple(money0(b) for _, _, b in ages)),),
        ),
        as_of=as_of(conn, *entities),
        notes=tuple(notes),
        figures=(
            ("Outstanding balance", money0(total[1]), ValueKind.MONEY),
            ("Cards", total[0], ValueKind.INTEGER),
        ),
    )


def _transaction_rows(
    conn: sqlite3.Connection, filters: ReportFilters, tz: tzinfo
) -> list[tuple[object, ...]]:
    ref = filters.last_day
    out: list[tuple[object, ...]] = []
    cutoff = _midnight(months_before(ref, filters.dormant_months) + timedelta(days=1), tz)
    dormant = conn.execute(
        "SELECT count(*), sum(balance_e4) FROM giftcard g WHERE balance_e4 != 0 "
        "AND created_on < ? AND NOT EXISTS (SELECT 1 FROM giftcard_trans t "
        "WHERE t.giftcard_id = g.id AND t.created_on >= ?)",
        (cutoff, cutoff),
    ).fetchone()
    out.append(
        (
            "Dormant",
            f"No transaction for {filters.dormant_months} months",
            int(dormant[0]),
            money0(dormant[1]),
        )
    )
    end = datetime.combine(ref + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    held_before = iso_z(end - timedelta(days=filters.open_auth_days))
    held = conn.execute(
        "SELECT count(*), count(DISTINCT giftcard_id), sum(abs(amount_e4)) FROM giftcard_trans "
        "WHERE status = 'AUTHORIZED' AND created_on < ?",
        (held_before,),
    ).fetchone()
    out.append(
        (
            "Open authorizations",
            f"{held[0]} held more than {filters.open_auth_days} days",
            int(held[1]),
            money0(held[2]),
        )
    )
    first, last = Period(filters.first_day, filters.last_day).utc_bounds(tz)
    issued = conn.execute(
        "SELECT count(*) FROM giftcard WHERE created_on >= ? AND created_on < ?", (first, last)
    ).fetchone()
    # a card is issued empty and loaded with an ADD: its money is under "Topped up"
    out.append(("Activity in the period", ISSUED, int(issued[0]), None))
    for types, label in ACTIVITY:
        marks = ",".join("?" * len(types))
        found = conn.execute(
            "SELECT count(*), sum(amount_e4) FROM giftcard_trans WHERE status = 'COMPLETED' "
            f"AND trans_type IN ({marks}) AND created_on >= ? AND created_on < ?",
            (*types, first, last),
        ).fetchone()
        out.append(("Activity in the period", label, int(found[0]), money0(found[1])))
    return out
