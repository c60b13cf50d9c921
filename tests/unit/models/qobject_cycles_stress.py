"""The SIGSEGV of the Local data tests, reduced (run as a script; not a test module).

The main thread runs a Qt event loop that keeps making QObjects with Python slots, posting
them events and dropping them into reference cycles (what ``LocalData`` and its
``MirrorSync`` are once a session ends). A worker thread only allocates, as the sandbox's
workers and the mirror's writer do. ``anywhere`` (Python's default): the worker's allocations
trigger collections that delete those QObjects in C++ on the worker while the main thread
uses them: SIGSEGV within seconds (4 runs out of 4, Python 3.11 + PySide6 6.11.3).
``main-thread``: ``heap.collect_on_main_thread()``, exit 0.

    python -m tests.unit.models.qobject_cycles_stress main-thread|anywhere [seconds]
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal

from posdesk.models import heap


class InCycle(QObject):
    """A parentless QObject whose wrapper only the cyclic collector can free."""

    changed = Signal(object)

    def __init__(self, destroyed_on: Counter[str]) -> None:
        super().__init__()
        self.callback = self.on_changed  # bound method -> self: a reference cycle
        self.changed.connect(lambda value: None)
        self.destroyed.connect(  # direct: runs on the thread that deletes the C++ object
            lambda *_: destroyed_on.update([threading.current_thread().name]),
            Qt.ConnectionType.DirectConnection,
        )

    def on_changed(self, value: object) -> None:
        """Never called; it only closes the cycle."""


def main(policy: str, seconds: float) -> int:
    app = QCoreApplication([])
    if policy == "main-thread":
        heap.collect_on_main_thread()
    destroyed_on: Counter[str] = Counter()
    stop = threading.Event()

    def allocate() -> None:
        junk: list[object] = []
        while not stop.is_set():
            junk.append([{}])  # container allocations: what triggers automatic collections
            if len(junk) > 1000:
                junk.clear()
                time.sleep(0.001)

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    deadline = time.monotonic() + seconds

    def tick() -> None:
        for _ in range(50):
            obj = InCycle(destroyed_on)
            obj.changed.emit(1)
            QCoreApplication.postEvent(obj, QEvent(QEvent.Type.User))
            del obj
        if time.monotonic() > deadline:
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(0)
    app.exec()
    stop.set()
    worker.join()
    heap.collect_anywhere()
    print(dict(destroyed_on), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 3.0))
