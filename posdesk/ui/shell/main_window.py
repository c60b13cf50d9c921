"""The main window: the frame every tab lives in.

Tabs are registered in ONE list, ``TAB_FACTORIES``, as import paths, and imported only when
first shown (fast startup; a tab module that does not exist yet shows a placeholder). A tab
class is ``SomeTab(context: SessionContext, parent: QWidget | None = None)``, sets its own
``objectName``, and may define ``focus_search()``, ``reload()`` and ``save_state()``.
The window itself knows nothing about HTTP: the session controller (``posdesk.ui.session``)
hands it a ``SessionContext`` after sign-in and the connection state as it changes.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QStatusBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.domain import Environment, Viewer
from posdesk.ui.common.local_note import is_offline, offline_reason, offline_text
from posdesk.ui.shell.bars import EnvironmentBanner, SignInBar
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter
from posdesk.ui.shell.navigation import NoNavigator
from posdesk.ui.shell.tab_navigator import TabNavigator
from posdesk.ui.widgets.eliding_label import MIN_CHARACTERS, ElidingLabel

_log = logging.getLogger(__name__)

#: Offline, after "the POS server cannot be reached.": the status bar and Record purchase.
RECONNECTS = "posdesk reconnects by itself."
PURCHASE_NEEDS = "Recording a purchase needs it; posdesk reconnects by itself."


@dataclass(frozen=True, slots=True)
class TabSpec:
    title: str
    factory: str
    """``"package.module:ClassName"``, imported lazily."""
    key: str
    """Stable id: page objectName is ``{key}Page``; saved as the last tab."""


TAB_FACTORIES: list[TabSpec] = [
    TabSpec("&Customers", "posdesk.ui.customers.tab:CustomersTab", "customers"),
    TabSpec("&Inventory", "posdesk.ui.inventory.tab:InventoryTab", "inventory"),
    TabSpec("&Sales", "posdesk.ui.sales.tab:SalesTab", "sales"),
    TabSpec("&Gift Cards", "posdesk.ui.giftcards.tab:GiftCardsTab", "giftcards"),
    TabSpec("&Reports", "posdesk.ui.reports.tab:ReportsTab", "reports"),
]


def load_factory(spec: TabSpec) -> Callable[[SessionContext, QWidget | None], QWidget] | None:
    """The tab class, or ``None`` while its module has not been written yet."""
    module_name, _, attr = spec.factory.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    factory: Callable[[SessionContext, QWidget | None], QWidget] = getattr(module, attr)
    return factory


class PlaceholderTab(QWidget):
    """Stands in for a tab that is not available (not built yet, or failed to open)."""

    def __init__(self, spec: TabSpec, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{spec.key}Placeholder")
        layout = QVBoxLayout(self)
        label = QLabel(text, self)
        label.setObjectName(f"{spec.key}PlaceholderText")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        layout.addWidget(label)


class TabPage(QWidget):
    """Holds one tab's widget; the widget is created on first show."""

    def __init__(self, spec: TabSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"{spec.key}Page")
        self.content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 6, 6, 6)

    def build(self, context: SessionContext | None) -> QWidget:
        if self.content is not None:
            return self.content
        title = self.spec.title.replace("&", "")
        content: QWidget
        if context is None:
            content = PlaceholderTab(
                self.spec, "Not connected. Choose File › Connection profiles…", self
            )
        else:
            try:
                factory = load_factory(self.spec)
                if factory is None:
                    content = PlaceholderTab(self.spec, f"{title} is coming soon.", self)
                else:
                    content = factory(context, self)
            except Exception as exc:
                context.reporter.unexpected(exc)
                content = PlaceholderTab(self.spec, f"{title} could not be opened.", self)
        self.content = content
        self._layout.addWidget(content)
        return content

    def clear(self) -> None:
        if self.content is not None:
            save = getattr(self.content, "save_state", None)
            if callable(save):
                save()
            self.content.setParent(None)
            self.content.deleteLater()
            self.content = None


class MainWindow(QMainWindow):
    """Menus, tabs, status bar; sessions come and go without a restart."""

    profilesRequested = Signal()
    profileSwitchRequested = Signal(str)
    signInRequested = Signal()
    signInCancelRequested = Signal()
    signOutRequested = Signal()
    closed = Signal()

    def __init__(
        self,
        settings: QSettings | None = None,
        *,
        tabs: Sequence[TabSpec] | None = None,
        reporter: ErrorReporter | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("posdesk")
        self.settings = settings or QSettings("posdesk", "posdesk")
        self.reporter = reporter or ErrorReporter(self)
        if self.reporter.parent is None:
            self.reporter.parent = self
        self.context: SessionContext | None = None
        self.demo = False
        self.log_dir: Path | None = None
        self._specs = list(tabs if tabs is not None else TAB_FACTORIES)

        central = QWidget(self)
        central.setObjectName("centralWidget")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.environment_banner = EnvironmentBanner(central)
        self.sign_in_bar = SignInBar(central)
        self.sign_in_bar.signInRequested.connect(self.signInRequested)
        self.sign_in_bar.cancelRequested.connect(self.signInCancelRequested)
        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setAccessibleName("Sections")
        self.tabs.setDocumentMode(True)
        self.pages: list[TabPage] = []
        for spec in self._specs:
            page = TabPage(spec, self.tabs)
            self.pages.append(page)
            self.tabs.addTab(page, spec.title)
        self.tabs.currentChanged.connect(self._ensure_current_built)
        layout.addWidget(self.environment_banner)
        layout.addWidget(self.sign_in_bar)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        self._restore_window()
        self.set_connection_state("disconnected")

    # ------------------------------------------------------------ construction

    def _build_status_bar(self) -> None:
        bar = QStatusBar(self)
        bar.setObjectName("statusBar")
        self.setStatusBar(bar)

        def label(name: str, accessible: str, least: int = MIN_CHARACTERS) -> QLabel:
            if bar.findChildren(QLabel):
                separator = QFrame(bar)
                separator.setFrameShape(QFrame.Shape.VLine)
                separator.setFrameShadow(QFrame.Shadow.Sunken)
                bar.addPermanentWidget(separator)
            widget = ElidingLabel(bar, least=least)  # never widens the window past 1366 px
            widget.setObjectName(name)
            widget.setAccessibleName(accessible)
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            widget.setContentsMargins(4, 0, 4, 0)
            bar.addPermanentWidget(widget)
            return widget

        self.profile_label = label("statusProfile", "Connection profile")
        self.environment_label = label("statusEnvironment", "Server environment")
        self.user_label = label("statusUser", "Signed in as")
        # who and where give way first; the connection state and "Local data as of 10:48 PM"
        # stay whole (only a long first-sync line is shortened)
        self.connection_label = label("statusConnection", "Connection state", least=14)
        self.local_data_label = label("statusLocalData", "Local data", least=40)

    def _action(
        self,
        menu: QMenu,
        text: str,
        name: str,
        slot: Callable[[], object],
        *shortcuts: QKeySequence,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts(list(shortcuts))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_menus(self) -> None:
        """Long: every menu and shortcut of the window in menu order, one block per menu."""
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("fileMenu")
        self.profiles_action = self._action(
            file_menu,
            "Connection &profiles…",
            "profilesAction",
            self.profilesRequested.emit,
            QKeySequence("Ctrl+Shift+P"),
        )
        self.switch_menu = file_menu.addMenu("&Switch profile")
        self.switch_menu.setObjectName("switchProfileMenu")
        self.switch_group = QActionGroup(self)
        self.sign_in_action = self._action(
            file_menu, "Sign &in again", "signInAction", self.signInRequested.emit
        )
        self.sign_out_action = self._action(
            file_menu, "Sign &out", "signOutAction", self.signOutRequested.emit
        )
        file_menu.addSeparator()
        self.quit_action = self._action(
            file_menu,
            "&Quit",
            "quitAction",
            self.close,
            QKeySequence(QKeySequence.StandardKey.Quit),
        )
        if self.quit_action.shortcuts() == []:
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))

        view_menu = bar.addMenu("&View")
        view_menu.setObjectName("viewMenu")
        self.tab_actions: list[QAction] = []
        for number, spec in enumerate(self._specs, start=1):
            index = number - 1
            self.tab_actions.append(
                self._action(
                    view_menu,
                    spec.title.replace("&", ""),
                    f"{spec.key}TabAction",
                    lambda index=index: self.tabs.setCurrentIndex(index),  # type: ignore[misc]
                    QKeySequence(f"Ctrl+{number}"),
                )
            )
        view_menu.addSeparator()
        self.focus_search_action = self._action(
            view_menu,
            "&Find",
            "focusSearchAction",
            self.focus_search,
            QKeySequence(QKeySequence.StandardKey.Find),
            QKeySequence("F3"),
        )
        self.reload_action = self._action(
            view_menu,
            "&Reload",
            "reloadAction",
            self.reload_current,
            QKeySequence(QKeySequence.StandardKey.Refresh),
        )
        self.query_console_action = self._action(
            view_menu,
            "&Query console",
            "queryConsoleAction",
            self.query_console,
            QKeySequence("Ctrl+Shift+Q"),
        )
        self.local_data_action = self._action(
            view_menu, "&Local data…", "localDataAction", self.open_local_data
        )

        # Sales menu (gift cards room): Record purchase… opens posdesk.ui.sales.purchase.
        sales_menu = bar.addMenu("Sa&les")
        sales_menu.setObjectName("salesMenu")
        self.record_purchase_action = self._action(
            sales_menu, "&Record purchase…", "recordPurchaseAction", self.record_purchase
        )

        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("helpMenu")
        self.logs_action = self._action(
            help_menu, "Open &log folder", "openLogsAction", self.open_log_folder
        )
        self.about_action = self._action(help_menu, "&About posdesk", "aboutAction", self.about)

    def record_purchase(self) -> QWidget | None:
        """Sales › Record purchase…: needs a session (the dialog sends through its client)."""
        if self.context is None:
            self.show_status("Sign in first to record a purchase.")
            return None
        from posdesk.ui.sales.purchase import open_record_purchase

        dialog = open_record_purchase(self.context, self)
        dialog.follow_connection(self.context, PURCHASE_NEEDS)  # the menu item's words
        return dialog

    def query_console(self) -> QWidget | None:
        """View › Query console: one window per signed-in profile (posdesk.ui.console)."""
        if self.context is None:
            self.show_status("Sign in first to use the Query console.")
            return None
        from posdesk.ui.console import open_console

        return open_console(self.context, self)

    def open_local_data(self) -> QWidget | None:
        """View › Local data…: one panel per signed-in session (posdesk.ui.localdata)."""
        if self.context is None:
            self.show_status("Sign in first to see the local data.")
            return None
        from posdesk.ui.localdata import open_local_data

        return open_local_data(self.context, self)

    # ------------------------------------------------------------------ session

    def set_profiles(self, names: Sequence[str], current: str | None) -> None:
        """Fill File › Switch profile (checked = the active one)."""
        self.switch_menu.clear()
        for action in self.switch_group.actions():
            self.switch_group.removeAction(action)
        for name in names:
            action = QAction(name, self.switch_menu)
            action.setObjectName(f"switchProfile:{name}")
            action.setCheckable(True)
            action.setChecked(name == current)
            action.triggered.connect(lambda _c=False, n=name: self.profileSwitchRequested.emit(n))
            self.switch_group.addAction(action)
            self.switch_menu.addAction(action)
        self.switch_menu.setEnabled(bool(names))
        if current is not None:
            self.profile_label.setText(f"Profile: {current}")

    def set_session(self, context: SessionContext | None, *, demo: bool = False) -> None:
        """Show a new session (or none): tabs are rebuilt, status bar and banner updated."""
        for page in self.pages:
            page.clear()
        if self.context is not None:
            self.context.tasks.cancel_all()
            _close_console(self.context)
        self.context = context
        _bind_local_data(self.local_data_label, context)
        self.demo = demo
        if context is not None and isinstance(context.navigator, NoNavigator):
            context.navigator = TabNavigator(self.open_tab)
        self.sign_in_bar.hide()
        if context is None:
            self.environment_banner.hide()
            self.user_label.setText("")
            self.environment_label.setText("")
        else:
            self.profile_label.setText(f"Profile: {context.profile_name}")
            self.environment_label.setText(describe_environment(context.environment))
            self.user_label.setText(describe_viewer(context.viewer))
            self.environment_banner.show_for(context.environment, demo=demo)
            self.set_connection_state("connected")
            if context.local_data is not None:
                context.local_data.onlineChanged.connect(self._online_changed)
        self._online_changed()
        title = "posdesk" if context is None else f"posdesk — {context.profile_name}"
        self.setWindowTitle(title + (" (demo)" if demo else ""))
        self._ensure_current_built()

    def set_connection_state(self, state: str, detail: str | None = None) -> None:
        """``connecting`` / ``browser`` / ``connected`` / ``disconnected`` / ``expired`` /
        ``error``."""
        texts = {
            "connecting": "Connecting…",
            "browser": "Signing in…",
            "connected": "● Connected",
            "disconnected": "○ Not connected",
            "expired": "Sign-in expired",
            "error": "Connection problem",
        }
        self.connection_state = state
        self.connection_label.setText(texts.get(state, state))
        self.connection_label.setToolTip(detail or "")
        if state == "expired":
            self.sign_in_bar.prompt(detail or "Your sign-in has expired. Sign in again.")
        elif state == "error":
            self.sign_in_bar.prompt(
                f"Could not connect. {detail or ''}".strip(), button="Try again"
            )
        elif state == "browser":
            self.sign_in_bar.prompt(
                detail or "Finish signing in in your web browser, then come back here.",
                button="Cancel",
                action="cancel",
            )
        elif state in ("connected", "disconnected"):
            self.sign_in_bar.hide()

    def show_status(self, message: str, timeout_ms: int = 5000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    # ------------------------------------------------------------------- tabs

    def _ensure_current_built(self, *_: object) -> None:
        index = self.tabs.currentIndex()
        if 0 <= index < len(self.pages):
            self.pages[index].build(self.context)

    def open_tab(self, key: str) -> QWidget | None:
        """Switch to the tab with ``key`` and return its widget (built if needed).

        Features reach each other through ``context.navigator`` (a ``TabNavigator`` on this),
        e.g. the Customers tab opens a sale in the Sales tab; ``None`` if there is no such tab.
        """
        for index, page in enumerate(self.pages):
            if page.spec.key == key:
                self.tabs.setCurrentIndex(index)
                return page.build(self.context)
        return None

    def current_tab(self) -> QWidget | None:
        index = self.tabs.currentIndex()
        return self.pages[index].content if 0 <= index < len(self.pages) else None

    def focus_search(self) -> None:
        tab = self.current_tab()
        focus = getattr(tab, "focus_search", None)
        if callable(focus):
            focus()

    def _online_changed(self, *_: object) -> None:
        """Offline at the counter: say so in the status bar and turn money operations off."""
        context = self.context
        offline = context is not None and is_offline(context)
        if offline and context is not None:
            if self.statusBar().currentMessage().startswith("Connected to "):
                self.statusBar().clearMessage()  # no longer true, beside "○ Offline"
            self.connection_label.setText(f"○ {offline_text(context)}")
            self.connection_label.setToolTip(offline_reason(context, RECONNECTS))
        elif self.connection_state == "connected" and context is not None:
            self.set_connection_state("connected")
        self.record_purchase_action.setEnabled(not offline)
        self.record_purchase_action.setToolTip(
            offline_reason(context, PURCHASE_NEEDS) if offline and context is not None else ""
        )

    def reload_current(self) -> None:
        """F5: the current tab reloads and the local data syncs now."""
        if self.context is not None and self.context.local_data is not None:
            self.context.local_data.sync_now()
        tab = self.current_tab()
        reload = getattr(tab, "reload", None)
        if callable(reload):
            reload()

    def open_log_folder(self) -> None:
        """Support asks for the log: open its folder in the file manager."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if self.log_dir is None:
            self.show_status("Logging to a file is off.")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_dir)))

    def about(self) -> None:
        from posdesk.ui.shell.about import AboutDialog

        dialog = AboutDialog(self.context, self)
        dialog.open()

    # --------------------------------------------------------------- settings

    def _first_size(self) -> None:
        """First start: most of the screen (a back office works full screen; a laptop's
        1366×768 needs every pixel for the tables), centred; 1180×760 without a screen size."""
        area = self.screen().availableGeometry()
        if area.isEmpty():
            self.resize(1180, 760)
            return
        width = min(area.width(), max(1180, int(area.width() * 0.92)), 1680)
        height = min(area.height(), max(760, int(area.height() * 0.92)), 1050)
        self.resize(width, height)
        self.move(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2)

    def _restore_window(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._first_size()
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        last = self.settings.value("window/lastTab")
        for index, spec in enumerate(self._specs):
            if spec.key == last:
                self.tabs.setCurrentIndex(index)

    def save_window(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        index = self.tabs.currentIndex()
        if 0 <= index < len(self._specs):
            self.settings.setValue("window/lastTab", self._specs[index].key)
        self.settings.sync()

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window()
        for page in self.pages:
            page.clear()
        if self.context is not None:
            self.context.tasks.cancel_all()
            _close_console(self.context)
        super().closeEvent(event)
        self.closed.emit()


def _close_console(context: SessionContext) -> None:
    """A session's Query console and Local data panel end with it (its client is about to
    be closed)."""
    if "query_console" in context.extras:
        from posdesk.ui.console import close_console

        close_console(context)
    from posdesk.ui.localdata import close_local_data

    close_local_data(context)


def _bind_local_data(label: QLabel, context: SessionContext | None) -> None:
    """The status bar's local data line follows the new session (empty without one)."""
    if context is None:
        label.setText("")
        return
    from posdesk.ui.localdata import bind_status

    bind_status(label, context)


def describe_environment(environment: Environment) -> str:
    kind = (environment.kind or "").capitalize()
    name = environment.name or "unknown server"
    version = environment.version
    if version and version[0].isdigit():
        version = f"v{version}"
    parts = [p for p in (kind, name, version) if p]
    return " · ".join(parts)


def describe_viewer(viewer: Viewer) -> str:
    if viewer.name:
        return f"Signed in as {viewer.name}"
    if viewer.client_id:
        return f"Client {viewer.client_id}"
    return "Signed in"
