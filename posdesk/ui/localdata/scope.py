"""The scope setting (which stores' sales, how many months), kept per server + principal in
``context.settings()`` and handed to the mirror as ``MirrorSettings``."""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from posdesk.mirror import MirrorSettings

STORES_KEY = "localData/saleStores"  # JSON list of store codes; absent: every store
MONTHS_KEY = "localData/saleMonths"  # whole months back; 0 or absent: all


def load_scope(settings: QSettings) -> MirrorSettings:
    """The saved scope (all stores, all months when nothing or garbage is saved)."""
    stores: frozenset[str] | None = None
    raw = settings.value(STORES_KEY)
    if isinstance(raw, str) and raw:
        try:
            codes = json.loads(raw)
        except ValueError:
            codes = None
        if isinstance(codes, list) and all(isinstance(c, str) for c in codes):
            stores = frozenset(codes)
    months_raw = settings.value(MONTHS_KEY, 0)
    try:
        months = int(months_raw) if isinstance(months_raw, int | str) else 0
    except ValueError:
        months = 0
    return MirrorSettings(sale_locations=stores, sale_months=months if months > 0 else None)


def save_scope(settings: QSettings, scope: MirrorSettings) -> None:
    if scope.sale_locations is None:
        settings.remove(STORES_KEY)
    else:
        settings.setValue(STORES_KEY, json.dumps(sorted(scope.sale_locations)))
    settings.setValue(MONTHS_KEY, scope.sale_months or 0)
    settings.sync()
