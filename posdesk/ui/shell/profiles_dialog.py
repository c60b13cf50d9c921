"""The connection profiles dialog: add, edit, remove, test, and switch to a profile.

"Test connection" runs what connecting runs (discovery, a token, the schema check) through a
tester the app provides, and explains the answer in plain words, including which posdesk
features this server lacks. The secret field is write-only: it is never read back into the
dialog, and it is saved to the keychain, not to the settings file.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posdesk.api.compat import FeatureReport
from posdesk.api.errors import PosError
from posdesk.api.profile import DEFAULT_DESKTOP_CLIENT_ID, AuthFlow, ConnectionProfile
from posdesk.domain import Environment, Viewer
from posdesk.ui.common.runner import Runner
from posdesk.ui.shell.errors import user_sentence
from posdesk.ui.shell.profiles import ProfileStore

FEATURE_WORDS: dict[str, str] = {
    "customers": "customer lists",
    "customer_search": "customer search",
    "customer_sync": "customer sync",
    "sales": "sale history",
    "sale_search": "sale filters (dates, store, register)",
    "sale_detail": "sale details (lines and tenders)",
    "items": "inventory lists",
    "item_search": "item search and barcode look-up",
    "item_detail": "item details",
    "item_warehouses": "stock by warehouse",
    "serial_lots": "serial and lot numbers",
    "giftcard_lookup": "gift card look-up",
    "giftcards": "gift card lists",
    "giftcard_transactions": "gift card history",
    "giftcard_add": "issuing gift cards",
    "giftcard_trans_add": "gift card top-up and redeem",
    "giftcard_trans_cancel": "cancelling gift card transactions",
    "purchase_add": "recording purchases",
    "purchase_lookup": "checking recorded purchases",
    "viewer": "showing who is signed in",
    "environment": "server details",
}


def feature_words(feature: str) -> str:
    return FEATURE_WORDS.get(feature, feature.replace("_", " "))


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """What a successful connection test found out."""

    environment: Environment
    viewer: Viewer
    features: FeatureReport


Tester = Callable[[ConnectionProfile, str | None], Awaitable[ConnectionReport]]
#: ``forget(profile_name, removing)`` deletes that profile's local data files (the session
#: controller's ``forget_local_data``); awaits to the number of files deleted.
Forgetter = Callable[[str, bool], Awaitable[int]]


def describe_report(report: ConnectionReport) -> str:
    env = report.environment
    kind = (env.kind or "unknown kind").lower()
    who = report.viewer.name or report.viewer.client_id or "the configured client"
    lines = [
        f"Connected to {env.name or 'the POS server'}: a {kind} server"
        + (f", version {env.version}" if env.version else "")
        + f". Signed in as {who}."
    ]
    features = report.features
    if not features.verified:
        lines.append(
            "The server does not describe its schema, so posdesk cannot check in advance "
            "which features work; unsupported actions will say so when used."
        )
    missing = sorted(feature_words(f) for f in features.unavailable)
    if missing:
        lines.append("This server lacks: " + ", ".join(missing) + ".")
    elif features.verified:
        lines.append("Every posdesk feature is available on this server.")
    if features.reduced:
        lines.append(
            "Some details are not provided by this server: "
            + ", ".join(sorted(feature_words(f) for f in features.reduced))
            + "."
        )
    return "\n".join(lines)


FLOW_LABELS: list[tuple[AuthFlow, str]] = [
    ("interactive", "Sign in with the browser (recommended for store PCs)"),
    ("client_credentials", "Client ID and secret (trusted back-office PCs)"),
]


class ProfilesDialog(QDialog):
    """Manage connection profiles. Emits ``connectRequested(name)`` for "Connect"."""

    connectRequested = Signal(str)
    profilesChanged = Signal()

    def __init__(
        self,
        store: ProfileStore,
        tester: Tester | None = None,
        parent: QWidget | None = None,
        *,
        current: str | None = None,
        forget_local: Forgetter | None = None,
    ) -> None:
        """Long: builds the widget tree top to bottom, one block per row (splitting scatters it)."""
        super().__init__(parent)
        self.setObjectName("profilesDialog")
        self.setWindowTitle("Connection profiles")
        self.store = store
        self.tester = tester
        self.forget_local = forget_local
        self.runner = Runner(self)
        self.test_task: asyncio.Task[None] | None = None
        self._editing: str | None = None

        self.list = QListWidget(self)
        self.list.setObjectName("profilesList")
        self.list.setAccessibleName("Connection profiles")
        self.list.currentTextChanged.connect(self._load)
        self.add_button = self._button("Add", "addProfileButton", self._add)
        self.remove_button = self._button("Remove", "removeProfileButton", self._remove)
        self.forget_button = self._button(
            "Forget local data…", "forgetLocalDataButton", self._ask_forget
        )
        self.forget_button.setToolTip(
            "Delete the copy of this profile's server data kept on this PC"
        )
        self.forget_button.setVisible(forget_local is not None)

        self.name_edit = self._edit("profileNameEdit", "Profile name", "e.g. Austin store")
        self.url_edit = self._edit("profileUrlEdit", "POS address", "https://pos.example.com")
        self.flow_combo = QComboBox(self)
        self.flow_combo.setObjectName("profileFlowCombo")
        self.flow_combo.setAccessibleName("Sign-in method")
        for flow, label in FLOW_LABELS:
            self.flow_combo.addItem(label, flow)
        self.flow_combo.currentIndexChanged.connect(self._flow_changed)
        self.client_edit = self._edit("profileClientIdEdit", "Client ID", DEFAULT_DESKTOP_CLIENT_ID)
        self.secret_edit = self._edit("profileSecretEdit", "Client secret", "")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_edit = self._edit("profileCaEdit", "CA bundle", "optional: path to a .pem file")

        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("POS &address:", self.url_edit)
        form.addRow("Sign-in &method:", self.flow_combo)
        form.addRow("Client &ID:", self.client_edit)
        self.secret_label = QLabel("Client &secret:")
        self.secret_label.setBuddy(self.secret_edit)
        form.addRow(self.secret_label, self.secret_edit)
        form.addRow("&CA bundle:", self.ca_edit)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("profileTestResult")
        self.result_label.setAccessibleName("Connection test result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setMinimumHeight(60)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.save_button = self._button("Save", "saveProfileButton", self.save_current)
        self.test_button = self._button("Test connection", "testProfileButton", self.start_test)
        self.connect_button = self._button("Connect", "connectProfileButton", self._connect)
        self.connect_button.setDefault(True)

        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        left.addWidget(self.forget_button)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.result_label, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.test_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        actions.addWidget(self.connect_button)
        # Close sits with the other actions: a button box on a row of its own looked stray
        # (and drew the style's icon next to the word).
        self.close_button = self._button("Close", "profilesCloseButton", self.reject)
        actions.addWidget(self.close_button)
        right.addLayout(actions)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        self.resize(760, 420)

        self._refresh(select=current)
        if self.list.count() == 0:
            self._add()

    # -------------------------------------------------------------- helpers

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _c=False: slot())
        return button

    def _edit(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        return edit

    def _refresh(self, select: str | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(self.store.names())
        self.list.blockSignals(False)
        names = self.store.names()
        if names:
            self.list.setCurrentRow(names.index(select) if select in names else 0)
            self._load(self.list.currentItem().text())
        self.remove_button.setEnabled(bool(names))
        self.forget_button.setEnabled(bool(names))

    def _flow_changed(self) -> None:
        needs_secret = self.flow_combo.currentData() == "client_credentials"
        self.secret_edit.setEnabled(needs_secret)
        self.secret_label.setEnabled(needs_secret)

    def _load(self, name: str) -> None:
        profile = self.store.get(name) if name else None
        if profile is None:
            return
        self._editing = name
        self.name_edit.setText(profile.name)
        self.url_edit.setText(profile.base_url)
        self.flow_combo.setCurrentIndex(self.flow_combo.findData(profile.auth_flow))
        self.client_edit.setText(profile.client_id)
        self.secret_edit.clear()
        note = ""
        try:
            has_secret = profile.auth_flow == "client_credentials" and self.store.has_secret(name)
        except PosError as exc:  # no usable keychain on this machine
            has_secret, note = False, exc.user_message
        self.secret_edit.setPlaceholderText(
            "stored in the system keychain (type to replace)" if has_secret else ""
        )
        self.ca_edit.setText(profile.ca_bundle or "")
        self.result_label.setText(note)
        self._flow_changed()

    def _add(self) -> None:
        self.list.clearSelection()
        self._editing = None
        self.name_edit.setText("")
        self.url_edit.setText("https://")
        self.flow_combo.setCurrentIndex(0)
        self.client_edit.setText(DEFAULT_DESKTOP_CLIENT_ID)
        self.secret_edit.clear()
        self.secret_edit.setPlaceholderText("")
        self.ca_edit.clear()
        self.result_label.setText("New profile: fill in the address, then Test connection.")
        self._flow_changed()
        self.name_edit.setFocus()

    def form_profile(self) -> ConnectionProfile:
        """The profile as typed (raises PosError when the address is not acceptable)."""
        name = self.name_edit.text().strip()
        if not name:
            raise ValueError("Give the profile a name.")
        flow: AuthFlow = self.flow_combo.currentData()
        profile = ConnectionProfile(
            name=name,
            base_url=self.url_edit.text().strip().rstrip("/"),
            auth_flow=flow,
            client_id=self.client_edit.text().strip() or DEFAULT_DESKTOP_CLIENT_ID,
            ca_bundle=self.ca_edit.text().strip() or None,
        )
        profile.check_url()
        return profile

    def _form_error(self, exc: Exception) -> None:
        text = exc.user_message if isinstance(exc, PosError) else str(exc)
        self.result_label.setText(text)

    # -------------------------------------------------------------- actions

    def save_current(self) -> bool:
        try:
            profile = self.form_profile()
            secret = self.secret_edit.text() if profile.auth_flow == "client_credentials" else ""
            if (
                profile.auth_flow == "client_credentials"
                and not secret
                and not self.store.has_secret(self._editing or profile.name)
            ):
                raise ValueError("Enter the client secret (it is kept in the system keychain).")
            self.store.save(profile, secret=secret or None, previous_name=self._editing)
        except (PosError, ValueError) as exc:
            self._form_error(exc)
            return False
        self.secret_edit.clear()
        self._refresh(select=profile.name)
        self.result_label.setText(f"Saved {profile.name}.")
        self.profilesChanged.emit()
        return True

    def _remove(self) -> None:
        name = self._editing
        if not name:
            return
        answer = QMessageBox.question(
            self,
            "Remove profile",
            f"Remove the connection profile {name!r}, its stored secret and the copy of its "
            "server's data on this PC?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_profile(name)

    def remove_profile(self, name: str) -> asyncio.Task[None] | None:
        """Remove the profile, its secret and its local data files (the operation journal
        stays: it may hold unsettled money operations). Returns the file task, if any."""
        forget = self.forget_local(name, True) if self.forget_local is not None else None
        try:
            self.store.remove(name)
        except PosError as exc:
            self.result_label.setText(exc.user_message)
            if inspect.iscoroutine(forget):
                forget.close()  # nothing removed: the files stay
            return None
        self._editing = None
        self._refresh()
        if self.list.count() == 0:
            self._add()
        self.profilesChanged.emit()
        if forget is None:
            return None
        return self.runner.spawn(self._forgot(name, forget, removed=True), name="forget-local")

    def _ask_forget(self) -> None:
        name = self._editing
        if not name:
            return
        answer = QMessageBox.question(
            self,
            "Forget local data",
            f"Delete the copy of {name!r}'s server data kept on this PC? Nothing on the "
            "server changes; it is copied again at the next sign-in.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.forget_local_data(name)

    def forget_local_data(self, name: str) -> asyncio.Task[None] | None:
        """Delete the local data files of profile ``name`` (after the confirmation)."""
        if self.forget_local is None:
            return None
        forget = self.forget_local(name, False)
        return self.runner.spawn(self._forgot(name, forget, removed=False), name="forget-local")

    async def _forgot(self, name: str, forget: Awaitable[int], *, removed: bool) -> None:
        try:
            deleted = await forget
        except OSError as exc:
            self.result_label.setText(f"The local data of {name} could not be deleted: {exc}")
            return
        if removed:
            self.result_label.setText(
                f"Removed {name}" + (" and the copy of its data on this PC." if deleted else ".")
            )
        elif deleted:
            self.result_label.setText(f"Forgot the local data of {name}: the file was deleted.")
        else:
            self.result_label.setText(f"{name} keeps no local data on this PC.")

    def _connect(self) -> None:
        if self.save_current() and self._editing:
            self.connectRequested.emit(self._editing)
            self.accept()

    def start_test(self) -> asyncio.Task[None] | None:
        """Run the connection test in an owned task; the answer lands in the result label."""
        if self.tester is None:
            return None
        try:
            profile = self.form_profile()
        except (PosError, ValueError) as exc:
            self._form_error(exc)
            return None
        secret = self.secret_edit.text() or None
        tester = self.tester
        self.result_label.setText("Testing the connection…")
        self.test_button.setEnabled(False)

        async def run() -> None:
            try:
                report = await tester(profile, secret)
            except PosError as exc:
                self.result_label.setText("The connection test failed: " + user_sentence(exc))
            except Exception as exc:
                self.result_label.setText("The connection test failed unexpectedly.")
                raise exc
            else:
                self.result_label.setText(describe_report(report))
            finally:
                self.test_button.setEnabled(True)

        self.test_task = self.runner.start(run(), name="test-connection", replace=True)
        return self.test_task
