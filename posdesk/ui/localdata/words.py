"""What the Local data panel and the status bar say, as plain functions (no widgets).

The POS API gives no totals, so the first sync's percentage counts the kinds of data already
copied (9 kinds: stores, customers, items, …), and the kind being copied shows its rows so far.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from posdesk.mirror import ENTITIES, SyncProgress
from posdesk.models.formatting import app_locale, format_clock

#: Entity → what a manager calls it (rows of the panel, the status bar).
ENTITY_NAMES: dict[str, str] = {
    "location": "stores and warehouses",
    "customer": "customers",
    "item": "items",
    "item_warehouse": "stock by warehouse",
    "serial_lot": "serial and lot numbers",
    "sale": "sales",
    "product": "product catalogue",
    "giftcard": "gift cards",
    "giftcard_transaction": "gift card history",
}

MODE_WORDS: dict[str, str] = {
    "since": "changes only",
    "refresh": "full copy every 15 min",
    "off": "off: not offered by this server",
    "": "not synced yet",
}


def entity_name(entity: str) -> str:
    return ENTITY_NAMES.get(entity, entity.replace("_", " "))


def clock(value: datetime, tz: tzinfo, now: datetime | None = None) -> str:
    """ "10:42 PM" today, "Dec 5, 2026 10:42 PM" another day (the PC's locale, as every other
    time the app shows: the Reports tab's "as of" line beside it must read the same)."""
    return format_clock(value, app_locale(), tz, now)


def _tried(p: SyncProgress) -> bool:
    """Copied once, or ended with a reason it can't be (not permitted, not offered)."""
    return p.last_synced is not None or p.mode == "off" or (p.error is not None and not p.running)


def first_sync_done(progress: Mapping[str, SyncProgress]) -> bool:
    """Every entity was copied once or said why it can't be (the panel shows the error)."""
    return all(_tried(p) for p in progress.values())


def first_sync_text(progress: Mapping[str, SyncProgress]) -> str:
    """ "Copying the store's data to this PC: 45% — sales 12,500 so far…" """
    wanted = [e for e in ENTITIES if e in progress and progress[e].mode != "off"]
    done = sum(_tried(progress[e]) for e in wanted)
    percent = round(100 * done / len(wanted)) if wanted else 0
    running = [progress[e] for e in wanted if progress[e].running]
    now = ", ".join(f"{entity_name(p.entity)} {p.fetched:,} so far" for p in running)
    return f"Copying the store's data to this PC: {percent}%" + (f" — {now}…" if now else "…")


def as_of_text(progress: Mapping[str, SyncProgress], tz: tzinfo) -> str:
    """ "Local data as of 10:42": the oldest copy (what every search can rely on)."""
    times = [p.last_synced for p in progress.values() if p.last_synced is not None]
    return f"Local data as of {clock(min(times), tz)}" if times else "No local data yet"


def status_text(
    progress: Mapping[str, SyncProgress], tz: tzinfo, *, paused: bool, forgotten: bool
) -> str:
    """The status bar's quiet line: progress during the first sync, then "as of"."""
    if forgotten:
        return "Local data forgotten (Sync now in View › Local data… copies it again)"
    if paused:
        return "Local data paused"
    if not first_sync_done(progress):
        return first_sync_text(progress)
    return as_of_text(progress, tz)


def state_text(progress: SyncProgress, *, paused: bool) -> str:
    """One entity's state column: copying / paused / its error in plain words / up to date."""
    if progress.error:
        return progress.error
    if progress.running:
        if paused:
            return f"paused after {progress.fetched:,} received"
        return f"copying… {progress.fetched:,} received"
    if progress.last_synced is not None:
        return "up to date"
    return "waiting"
