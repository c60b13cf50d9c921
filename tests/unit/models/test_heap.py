"""The GC policy freezes long-lived rows so full collections stay short."""

from __future__ import annotations

import gc

from posdesk.models import heap


def test_settle_freezes_new_objects_only_when_enabled() -> None:
    assert not heap.enabled()
    heap.settle()
    assert gc.get_freeze_count() == 0
    try:
        heap.enable()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        rows = [[i] for i in range(1000)]  # lists are always tracked by the collector
        heap.settle()
        assert gc.get_freeze_count() >= frozen + len(rows)
        heap.release()
        assert gc.get_freeze_count() > 0
    finally:
        heap.disable()
    assert gc.get_freeze_count() == 0
    assert not heap.enabled()
