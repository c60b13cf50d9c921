"""The GC policy freezes long-lived rows so full collections stay short."""

from __future__ import annotations

import gc

from posdesk.models import heap


def tracked_young(obj: object) -> bool:
    """``obj`` is in a collected generation (gc.get_objects() leaves frozen objects out)."""
    return any(candidate is obj for candidate in gc.get_objects())


def test_settle_freezes_new_objects_only_when_enabled() -> None:
    assert not heap.enabled()
    heap.settle()
    assert gc.get_freeze_count() == 0
    try:
        heap.enable()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        rows = [[i] for i in range(1000)]  # lists are always tracked by the collector
        assert tracked_young(rows)
        heap.settle()
        # not a freeze-count difference: frozen objects of earlier tests may die meanwhile
        assert not tracked_young(rows)
        assert not any(tracked_young(row) for row in rows[::100])
        heap.release()
        assert gc.get_freeze_count() > 0
    finally:
        heap.disable()
    assert gc.get_freeze_count() == 0
    assert not heap.enabled()
