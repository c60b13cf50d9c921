"""Edit a card's codes (``giftcardEdit``): add / replace / revoke physical, personal, external.

Only offered to roles with ``EditGiftCard``: changing codes can redirect a card's funds, so the
permission is off by default and every change is confirmed in words first. The edit is
journaled and its outcome handled like a money operation (``OperationDialog.send``): a lost
answer is never worded as "not changed", and the dialog never offers to send it again.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from posdesk.domain import GiftCard, GiftCardCodeType
from posdesk.ui.common.operation_dialog import OperationDialog
from posdesk.ui.common.outcome import Outcome, OutcomeKind, explain
from posdesk.ui.giftcards.card_view import mask_code

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

EDIT_PERMISSION = "EditGiftCard"


class EditCodesDialog(OperationDialog):
    """Pick the code changes, confirm them, send one ``giftcardEdit``."""

    edited = Signal(object)  # GiftCard, or None when confirmed by checking with the server

    def __init__(self, backend: PosClient, card: GiftCard, parent: QWidget | None = None) -> None:
        super().__init__(backend, parent)
        self.setObjectName("editCodesDialog")
        self.setWindowTitle("Edit gift card codes")
        self.card = card
        has = {c.code_type for c in card.codes}
        form = QFormLayout()
        self.new_physical = QLineEdit(self)
        self.new_physical.setObjectName("editPhysicalCode")
        self.new_physical.setAccessibleName("New physical code")
        self.new_physical.setPlaceholderText(
            "replaces the current physical code" if GiftCardCodeType.PHYSICAL in has else ""
        )
        self.new_pin = QLineEdit(self)
        self.new_pin.setObjectName("editPhysicalPin")
        self.new_pin.setAccessibleName("PIN for the new physical code")
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.revoke_physical = QCheckBox("Revoke the physical code", self)
        self.revoke_physical.setObjectName("editRevokePhysical")
        self.revoke_physical.setEnabled(GiftCardCodeType.PHYSICAL in has)
        self.add_personal = QCheckBox(
            "Add (or replace) the personal code" if card.member_id else "Add a personal code",
            self,
        )
        self.add_personal.setObjectName("editAddPersonal")
        self.add_personal.setEnabled(bool(card.member_id))
        if not card.member_id:
            self.add_personal.setToolTip("Personal codes need the card to belong to a member.")
        self.revoke_personal = QCheckBox("Revoke the personal code", self)
        self.revoke_personal.setObjectName("editRevokePersonal")
        self.revoke_personal.setEnabled(GiftCardCodeType.PERSONAL in has)
        self.new_external = QLineEdit(self)
        self.new_external.setObjectName("editExternalCode")
        self.new_external.setAccessibleName("New external code")
        self.revoke_external = QCheckBox("Revoke the external code", self)
        self.revoke_external.setObjectName("editRevokeExternal")
        self.revoke_external.setEnabled(GiftCardCodeType.EXTERNAL in has)
        form.addRow("New physical code:", self.new_physical)
        form.addRow("Its PIN:", self.new_pin)
        form.addRow("", self.revoke_physical)
        form.addRow("", self.add_personal)
        form.addRow("", self.revoke_personal)
        form.addRow("New external code:", self.new_external)
        form.addRow("", self.revoke_external)
        self.message = QLabel(self)
        self.message.setObjectName("editMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.apply_button = QPushButton("Review…", self)
        self.apply_button.setObjectName("editApply")
        self.apply_button.clicked.connect(self.apply)
        close = QPushButton("Close", self)
        close.setObjectName("editClose")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_send_buttons(self.apply_button))
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Card {html.escape(card.id)}", self))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.offline_note)
        layout.addLayout(buttons)
        self._confirming = False
        for widget in (self.new_physical, self.new_external):
            widget.textChanged.connect(self._changed)
        for box in (
            self.revoke_physical,
            self.add_personal,
            self.revoke_personal,
            self.revoke_external,
        ):
            box.toggled.connect(self._changed)

    def _changed(self) -> None:
        self._confirming = False
        self.apply_button.setText("Review…")
        if self.outcome is not None and self.outcome.kind in (
            OutcomeKind.UNKNOWN,
            OutcomeKind.NEEDS_REVIEW,
        ):
            # the last change may still go through: never invite sending it a second time
            self.apply_button.setEnabled(False)

    def changes(self) -> list[str]:
        words: list[str] = []
        if self.new_physical.text().strip():
            words.append(
                f"set the physical code to {mask_code(self.new_physical.text().strip())}"
                + (" with a PIN" if self.new_pin.text() else "")
            )
        if self.revoke_physical.isChecked():
            words.append("revoke the physical code")
        if self.add_personal.isChecked():
            words.append(f"add/replace the personal code of member {self.card.member_id}")
        if self.revoke_personal.isChecked():
            words.append("revoke the personal code")
        if self.new_external.text().strip():
            words.append(f"set the external code to {mask_code(self.new_external.text().strip())}")
        if self.revoke_external.isChecked():
            words.append("revoke the external code")
        return words

    def apply(self) -> None:
        """The one button: Review… first, then Apply."""
        if self._confirming:
            self.confirm()
        else:
            self.review()

    @override
    def review(self) -> None:
        words = self.changes()
        if not words:
            self.message.setText("Choose at least one change.")
            return
        self._confirming = True
        self.message.setText(
            "This will " + html.escape("; ".join(words)) + ". The old codes stop working. "
            "Press <b>Apply</b> to confirm."
        )
        self.apply_button.setText("Apply")

    @override
    def confirm(self) -> None:
        if not self.changes():
            self.review()
            return
        pin = self.new_pin.text() or None
        self.new_pin.clear()
        edit = self.backend.giftcard_edit
        card_id = self.card.id
        kwargs = {
            "member_id": self.card.member_id if self.add_personal.isChecked() else None,
            "add_personal_code": self.add_personal.isChecked(),
            "revoke_physical_code": self.revoke_physical.isChecked(),
            "revoke_personal_code": self.revoke_personal.isChecked(),
            "revoke_external_code": self.revoke_external.isChecked(),
            "physical_code": self.new_physical.text().strip() or None,
            "physical_pin": pin,
            "external_code": self.new_external.text().strip() or None,
            "on_checking": self.checking,
        }
        self.send(lambda: edit(card_id, **kwargs), describe=_describe_edit)  # type: ignore[arg-type]

    @override
    def set_sending(self, sending: bool) -> None:
        self.apply_button.setEnabled(not sending)

    @override
    def show_busy(self, text: str) -> None:
        self.message.setText(text)

    @override
    def show_outcome(self, outcome: Outcome) -> None:
        if outcome.kind is OutcomeKind.FAILED and outcome.error is not None:
            # refused by the server (or never sent): the card is as it was
            self.message.setText("<b>Not changed.</b> " + html.escape(explain(outcome.error)))
        else:
            self.message.setText(outcome.message)
        self._changed()
        if outcome.done:
            if isinstance(outcome.result, GiftCard):
                self.card = outcome.result
            self.edited.emit(outcome.result)


def _describe_edit(card: GiftCard | None) -> str:
    if card is None:
        return "<b>Done</b> (confirmed by checking the card on the server). The codes were changed."
    return "<b>Done.</b> The codes were changed."
