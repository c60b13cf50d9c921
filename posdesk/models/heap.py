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

Only the app enables this (``enable()`` in ``posdesk.app``); library code and tests run
without freezing.

Where collections run: Python's automatic collector runs on whichever thread's allocation
crosses the threshold: the mirror's writer, the sandbox's workers, the client's parsing thread.
A QObject whose wrapper sits in a reference cycle (``LocalData`` and its ``MirrorSync``, a
closed tab and its ``SessionContext``) is deleted in C++ by that collection, so ``~QObject`` ran
on a worker thread while the loop thread delivered events to it: SIGSEGV (reduced in
tests/unit/models/qobject_cycles_stress.py). ``collect_on_main_thread()`` (the app at start,
the test suite for every test) turns automatic collection off and runs the collections that
are due from a timer on the Qt main thread instead. A full collection is due after ten middle
ones (CPython also waits until a quarter of the old objects are new: not visible from Python).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QTimer

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


_collector: QTimer | None = None
COLLECT_INTERVAL_MS = 50


def collect_due() -> None:
    """The collection CPython's own thresholds call for by now (none, young, middle or full)."""
    t0, t1, t2 = gc.get_threshold()
    c0, c1, c2 = gc.get_count()
    if t0 == 0 or c0 <= t0:
        return
    gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)


def collect_on_main_thread(interval_ms: int = COLLECT_INTERVAL_MS) -> bool:
    """Collect garbage only on this (the Qt main) thread, never on a worker: automatic
    collection off, ``collect_due()`` every ``interval_ms`` from a timer. Call once the
    QApplication exists. False: it already was (then leave ``collect_anywhere()`` to the
    caller that started it, e.g. the test suite around ``posdesk.app.run``)."""
    global _collector
    if _collector is not None:
        return False
    gc.disable()
    timer = QTimer()
    timer.setObjectName("main-thread garbage collector")
    timer.timeout.connect(collect_due)
    timer.start(interval_ms)
    _collector = timer
    return True


def collect_anywhere() -> None:
    """Back to Python's automatic collector (the app is shutting down)."""
    global _collector
    timer, _collector = _collector, None
    if timer is not None:
        timer.stop()
    gc.enable()


@contextmanager
def app_policy() -> Iterator[None]:
    """The app's whole policy (``posdesk.app.run``, and the benchmarks that measure the app):
    startup frozen, garbage collected on the main thread only; both undone on the way out."""
    enable()
    collecting = collect_on_main_thread()
    try:
        yield
    finally:
        disable()
        if collecting:
            collect_anywhere()
