"""What a tab receives from the shell: one signed-in session and the services around it.

Tabs never reach for globals: the client, who is signed in, which server, where to keep their
settings, how to tell the user something and how to reach another feature all come from here. A new
``SessionContext`` is made for every sign-in (switching profiles rebuilds the tabs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from posdesk.domain import Environment, Viewer
from posdesk.models.formatting import Formatter, app_locale
from posdesk.models.tasks import TaskOwner
from posdesk.store.scope import ScopedData
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.navigation import Navigator, NoNavigator

if TYPE_CHECKING:
    from posdesk.api.client import PosClient
    from posdesk.models.local_data import LocalData

StatusFn = Callable[[str, int], None]


def _no_status(message: str, timeout_ms: int) -> None:
    return None


@dataclass
class SessionContext:
    """The session a tab works in (see docs/architecture.md, "UI")."""

    client: PosClient
    """The connected ``posdesk.api`` client. Owned by the shell: never closed by a tab."""
    viewer: Viewer
    environment: Environment
    profile_name: str
    tasks: TaskOwner
    reporter: ErrorReporter
    status: StatusFn = _no_status
    settings_org: tuple[str, str] = ("posdesk", "posdesk")
    extras: dict[str, Any] = field(default_factory=dict)
    """Test and benchmark knobs only (``time_zone``, ``store_code``, ``issue_drafts_path``)."""
    navigator: Navigator = field(default_factory=NoNavigator)
    """Typed calls to other features (the main window sets its own when it shows us)."""
    local: ScopedData | None = None
    """Where this server + principal's local state lives (the shell always sets it)."""
    local_data: LocalData | None = None
    """The local mirror and its sync (the shell sets it after sign-in; None in tests that
    build a context by hand). A cache: never the truth for money or stock."""

    @cached_property
    def formatter(self) -> Formatter:
        """How every tab shows money and dates: the PC's locale, the *server's* currency."""
        return Formatter(app_locale(), self.environment.currency)

    @property
    def where(self) -> str:
        """ "on <server> as <principal>": said next to anything kept locally."""
        if self.local is not None:
            return self.local.scope.describe()
        return f"on the connection {self.profile_name}"

    @property
    def settings_group(self) -> str:
        """QSettings group for this server + principal's UI state (column widths, recent
        look-ups, "my store"...); per profile only when no scope is known (tests)."""
        if self.local is not None:
            return self.local.settings_group
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.profile_name)
        return f"profiles/{safe}/ui"

    def settings(self) -> QSettings:
        """A QSettings already inside this profile's group. Never put secrets in it."""
        # QSettings(org, app) always means NativeFormat; name the default format so the
        # app's (and the tests' isolated) INI location is honoured.
        demo_file = self.local.settings_file if self.local is not None else None
        if demo_file is not None:  # the demo's throw-away folder, never the real settings
            settings = QSettings(str(demo_file), QSettings.Format.IniFormat)
        else:
            settings = QSettings(
                QSettings.defaultFormat(), QSettings.Scope.UserScope, *self.settings_org
            )
        settings.beginGroup(self.settings_group)
        return settings

    def show_status(self, message: str, timeout_ms: int = 5000) -> None:
        """A transient message in the status bar."""
        self.status(message, timeout_ms)

    def report(self, exc: BaseException, what: str | None = None) -> None:
        """Expected API errors: a plain sentence; anything else: the crash dialog + log."""
        self.reporter.report(exc, what)
