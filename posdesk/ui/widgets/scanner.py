"""Keyboard-wedge barcode scanner detection, usable by any tab.

A USB/Bluetooth barcode scanner in "keyboard wedge" mode types the code as key presses,
a few milliseconds apart, and ends with Enter. Back offices lose that input when the focus
happens to be in some other field (the code lands in a quantity box as garbage). The
:class:`ScanDetector` watches key presses application-wide while its *scope* widget is
visible and tells a fast burst of printable keys ending in Enter (a scan) from human typing.

How keystrokes are kept from leaking: printable key presses are *held back* (swallowed)
while a burst may still be a scan. The next key decides: within ``max_gap_ms`` the burst goes
on; after a longer pause, or on a non-printable key, the held keys are replayed, in order, to
the widget they were meant for (so human typing reaches its field at most ``max_gap_ms``
late, which nobody notices). A terminator (Enter) that ends a fast burst of at least
``min_length`` characters emits :attr:`ScanDetector.scanned` and nothing reaches the focused
widget.

Reuse: ``detector = ScanDetector(tab); detector.scanned.connect(tab.on_scan)``. The detector
installs itself on the application when ``tab`` is shown and removes itself when hidden; only
key events meant for a widget in ``tab``'s window count (dialogs and popups are left alone).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget
from typing_extensions import override

DEFAULT_MAX_GAP_MS = 50
"""Longest pause between two keys of a scan. Scanners send keys 2-20 ms apart; people type
80-250 ms apart even when fast. 50 ms leaves room for a busy event loop."""

DEFAULT_MIN_LENGTH = 4
"""Shortest code that counts as a scan (EAN-8 is the shortest common barcode; 4 keeps short
internal SKUs). Shorter fast bursts are replayed as typing."""

_TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_KEY_PRESS = QEvent.Type.KeyPress
_KEY_RELEASE = QEvent.Type.KeyRelease
_BLOCKING_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


@dataclass(frozen=True, slots=True)
class _HeldKey:
    """A copy of a swallowed key event (Qt reuses the original), with where it was going."""

    target: weakref.ref[QWidget]
    type: QEvent.Type
    key: int
    modifiers: Qt.KeyboardModifier
    text: str
    auto_repeat: bool

    def replay(self) -> None:
        widget = self.target()
        if widget is None or not shiboken6.isValid(widget):
            return
        event = QKeyEvent(self.type, self.key, self.modifiers, self.text, self.auto_repeat)
        QCoreApplication.sendEvent(widget, event)


def event_time_ms(event: QKeyEvent) -> float:
    """The time the key was pressed: the window system's timestamp when it gives one (so a
    stalled event loop does not make slow typing look fast), else the monotonic clock."""
    stamp = event.timestamp()
    return float(stamp) if stamp else time.monotonic() * 1000.0


class _VisibilityWatcher(QObject):
    """Turns the detector on when its scope is shown and off when hidden (the application
    filter itself is only installed meanwhile, so it costs nothing while the tab is away)."""

    def __init__(self, detector: ScanDetector, scope: QWidget) -> None:
        super().__init__(detector)
        self._detector = detector
        scope.installEventFilter(self)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        etype = event.type()
        if etype is QEvent.Type.Show:
            self._detector._install()
        elif etype is QEvent.Type.Hide:
            self._detector._uninstall()
        return False


class ScanDetector(QObject):
    """Recognises keyboard-wedge scans anywhere in ``scope``'s window while ``scope`` is shown.

    ``clock`` gives a key event's time in milliseconds; tests pass a fake one to control
    the timing of each key.
    """

    scanned = Signal(str)
    """The scanned code, without the terminator."""

    def __init__(
        self,
        scope: QWidget,
        *,
        max_gap_ms: float = DEFAULT_MAX_GAP_MS,
        min_length: int = DEFAULT_MIN_LENGTH,
        clock: Callable[[QKeyEvent], float] = event_time_ms,
    ) -> None:
        super().__init__(scope)
        self._scope = scope
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self._clock = clock
        self._held: list[_HeldKey] = []
        self._code: list[str] = []
        self._last_press_ms = 0.0
        self._replaying = False
        self._installed = False
        self._swallow_release: int | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self.flush)
        self._watcher = _VisibilityWatcher(self, scope)
        if scope.isVisible():
            self._install()

    def is_active(self) -> bool:
        """True while the detector listens (its scope is shown)."""
        return self._installed

    def _install(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def _uninstall(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
        self.flush()

    def flush(self) -> None:
        """Give held keys back to their widgets: what was held was typing, not a scan."""
        self._flush_timer.stop()
        held, self._held, self._code = self._held, [], []
        self._replaying = True
        try:
            for key in held:
                key.replay()
        finally:
            self._replaying = False

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Sees every event of the application while active: the first test must be cheap."""
        etype = event.type()
        if etype is not _KEY_PRESS and etype is not _KEY_RELEASE:
            return False
        if self._replaying or "_scope" not in self.__dict__:  # replaying; or torn down
            return False
        if not isinstance(watched, QWidget) or not self._first_receiver(watched):
            return False
        assert isinstance(event, QKeyEvent)
        if etype is _KEY_RELEASE:
            return self._on_release(watched, event)
        return self._on_press(watched, event)

    def _first_receiver(self, widget: QWidget) -> bool:
        """True for the first delivery of a key event inside the scope's window.

        Qt sends a key event to the focus widget, then to its parents while it is ignored;
        only the first delivery counts. Popups and dialogs are other windows: left alone.
        """
        window = widget.window()
        if window is not self._scope.window() or not self._scope.isVisible():
            return False
        focus: QWidget | None = window.focusWidget()  # None when nothing has focus yet
        return widget is focus if focus is not None else widget is window

    def _on_press(self, widget: QWidget, event: QKeyEvent) -> bool:
        now = self._clock(event)
        in_burst = bool(self._held) and now - self._last_press_ms <= self.max_gap_ms
        if self._held and not in_burst:
            self.flush()
        key = event.key()
        terminator = key in _TERMINATORS or event.text() in ("\r", "\n")  # Enter, or LF suffix
        if terminator and in_burst:
            code = "".join(self._code)
            if len(code) >= self.min_length:
                self._flush_timer.stop()
                self._held, self._code = [], []
                self._swallow_release = key
                self.scanned.emit(code)
                return True
            self.flush()
            return False
        text = event.text()
        printable = (
            len(text) == 1
            and text.isprintable()
            and not (event.modifiers() & _BLOCKING_MODIFIERS)
            and not event.isAutoRepeat()
        )
        if not printable:
            self.flush()
            return False
        self._hold(widget, event)
        self._code.append(text)
        self._last_press_ms = now
        self._flush_timer.start(max(1, round(self.max_gap_ms)))
        return True

    def _on_release(self, widget: QWidget, event: QKeyEvent) -> bool:
        if self._held:
            # Keep press/release pairs together so widgets never see a release first.
            self._hold(widget, event)
            return True
        if self._swallow_release == event.key():
            self._swallow_release = None
            return True
        return False

    def _hold(self, widget: QWidget, event: QKeyEvent) -> None:
        self._held.append(
            _HeldKey(
                weakref.ref(widget),
                event.type(),
                event.key(),
                event.modifiers(),
                event.text(),
                event.isAutoRepeat(),
            )
        )
