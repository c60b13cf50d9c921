"""Garbage is collected on the Qt main thread only (posdesk/models/heap.py): a QObject in a
reference cycle collected on a worker thread is deleted in C++ there, and that crashed the
test suite with SIGSEGV "inside the garbage collector" during the Local data tests."""

from __future__ import annotations

import ast
import gc
import os
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication

from posdesk.models import heap

ROOT = Path(__file__).resolve().parents[3]


class Cyclic(QObject):
    """Parentless, and only the cyclic collector can free its wrapper (like ``LocalData``)."""

    def __init__(self) -> None:
        super().__init__()
        self.me = self


def allocate_on_a_worker() -> list[object]:
    """What a sandbox worker or the mirror's writer does: allocate (a page of rows), enough
    to cross Python's collection thresholds many times over."""
    rows: list[object] = []
    worker = threading.Thread(
        target=lambda: rows.extend([{}] for _ in range(100_000)), name="worker"
    )
    worker.start()
    worker.join()
    return rows


def test_a_qobject_in_a_cycle_is_deleted_on_the_main_thread_not_by_a_worker(
    qapp: QApplication,
) -> None:
    assert not gc.isenabled()  # the suite runs as the app does: see tests/conftest.py
    destroyed_on: list[str] = []
    obj = Cyclic()
    obj.destroyed.connect(  # direct: on the thread that deletes it (queued would lie)
        lambda *_: destroyed_on.append(threading.current_thread().name),
        Qt.ConnectionType.DirectConnection,
    )
    del obj
    rows = allocate_on_a_worker()
    assert destroyed_on == []  # with automatic collection: ["worker"], the crash's cause
    heap.collect_due()  # what the main thread's timer (or the end of the test) does
    assert destroyed_on == ["MainThread"]
    del rows


def collections() -> int:
    return sum(generation["collections"] for generation in gc.get_stats())


def test_collect_due_runs_what_the_thresholds_call_for() -> None:
    gc.collect()
    before = collections()
    heap.collect_due()  # nothing allocated since: nothing due
    assert collections() == before
    rows = [[i] for i in range(gc.get_threshold()[0] * 2)]  # past the young threshold
    heap.collect_due()
    assert collections() == before + 1
    assert gc.get_count()[0] < len(rows)  # the young generation was emptied
    del rows


def test_qobjects_dropped_in_cycles_while_a_worker_allocates_do_not_crash() -> None:
    """The reduced reproduction, in a child process: a crash must not take the suite down.
    With ``anywhere`` (Python's default collector) it dies with SIGSEGV within seconds."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.unit.models.qobject_cycles_stress", "main-thread", "2"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    destroyed_on = ast.literal_eval(done.stdout.strip().splitlines()[-1])  # {'MainThread': n}
    assert set(destroyed_on) == {"MainThread"}
    assert destroyed_on["MainThread"] > 1000
