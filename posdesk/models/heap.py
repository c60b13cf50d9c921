"""Short garbage-collection pauses while tables hold 100k long-lived rows.

CPython's full (generation 2) collection walks every tracked object. With 100k customers
loaded (~600k objects) one such pass freezes the event loop for 0.3-0.5 s, at moments the
allocator chooses (measured in tests/perf/bench_shell.py). Rows are immutable and live until
the next search, so the app *freezes* them instead: after each page lands, a collection of the
objects created since the last freeze (a page's worth: well under a millisecond) is followed by
``gc.freeze()``, which moves the survivors out of the collector's sight.

The price: a reference cycle that becomes garbage after being frozen is not collected until
``release()`` (called when a session ends, when a short pause is expected anyway). Rows are
frozen dataclasses without cycles and are freed by reference counting as usual.

Only the app enables this (``enable()`` in ``posdesk.app``); library code and tests run with
Python's default collector.
"""

from __future__ import annotations

import gc

_enabled = False


def enable() -> None:
    """Start the policy: collect once, then freeze what startup created (imports, widgets)."""
    global _enabled
    gc.collect()
    gc.freeze()
    _enabled = True


def disable() -> None:
    global _enabled
    _enabled = False
    gc.unfreeze()


def enabled() -> bool:
    return _enabled


def settle() -> None:
    """A batch of long-lived objects (a page of rows) just landed: freeze it."""
    if _enabled:
        gc.collect()
        gc.freeze()


def release() -> None:
    """Hand everything back to the collector (end of a session) and freeze again."""
    if _enabled:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
