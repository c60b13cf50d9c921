"""The Gift Cards tab's widgets, laid out: look-up bar, resume notice, card view with its
action column, pending operations. ``GiftCardsTab`` (``tab.py``) wires them to behaviour;
the objectNames are listed there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posdesk.domain import GiftCardCodeType
from posdesk.ui.giftcards.card_view import CODE_TYPE_LABELS, VIEW_UNMASKED, GiftCardView
from posdesk.ui.giftcards.pending import PendingOperationsPanel
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.splitter import QuietSplitter

#: What the tab and its open dialogs say (after "the POS server cannot be reached.") offline.
OFFLINE_NEEDS = (
    "Gift card operations are off until it answers again (posdesk reconnects by itself)."
)
#: A look-up while the server cannot be reached (cards are never read from local data).
LOOKUP_OFFLINE = (
    "Gift cards are looked up on the POS server only (a balance must be the server's), and "
    "it cannot be reached right now. Try again once posdesk reconnects (by itself)."
)


class GiftCardsTabLayout(QWidget):
    """The widget tree only (no signal is connected here)."""

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("giftCardsTab")
        self.formatter = context.formatter
        bar = self._build_lookup_bar()
        resume_row = self._build_resume_row()
        card_area = self._build_card_area(can_unmask=context.viewer.can(VIEW_UNMASKED))
        self.pending = PendingOperationsPanel(
            context.client, self, formatter=self.formatter, where=context.where
        )
        splitter = QuietSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(card_area)
        splitter.addWidget(self.pending)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addLayout(resume_row)
        layout.addWidget(self.legacy_label)
        layout.addWidget(splitter, 1)

    def _build_lookup_bar(self) -> QHBoxLayout:
        self.code_type = QComboBox(self)
        self.code_type.setObjectName("giftCardCodeType")
        self.code_type.setAccessibleName("Code type")
        for code_type in GiftCardCodeType:
            self.code_type.addItem(CODE_TYPE_LABELS[code_type], code_type.value)
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("giftCardCode")
        self.code_edit.setAccessibleName("Gift card code")
        self.code_edit.setPlaceholderText("Scan or type the card code")
        self.code_edit.setClearButtonEnabled(True)
        self.pin_edit = QLineEdit(self)
        self.pin_edit.setObjectName("giftCardPin")
        self.pin_edit.setAccessibleName("Card PIN")
        self.pin_edit.setPlaceholderText("PIN (if any)")
        self.pin_edit.setToolTip("The card's PIN, if it has one. Used once, then cleared.")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaximumWidth(130)
        self.lookup_button = QPushButton("Look up", self)
        self.lookup_button.setObjectName("giftCardLookup")
        self.lookup_button.setDefault(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Code:", self))
        bar.addWidget(self.code_type)
        bar.addWidget(self.code_edit, 1)
        bar.addWidget(self.pin_edit)
        bar.addWidget(self.lookup_button)
        return bar

    def _build_resume_row(self) -> QHBoxLayout:
        """The message line, the unfinished-issue notice and the older drafts' note."""
        self.message = QLabel(self)
        self.message.setObjectName("giftCardMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.hide()

        self.resume_label = QLabel(self)
        self.resume_label.setObjectName("giftCardResumeNotice")
        self.resume_label.setWordWrap(True)
        self.resume_button = QPushButton("Resume…", self)
        self.resume_button.setObjectName("giftCardResume")
        self.discard_button = QPushButton("Discard…", self)
        self.discard_button.setObjectName("giftCardDiscardIssue")
        self.discard_button.setToolTip("Nothing was charged: remove this unfinished issue.")
        self.discard_box: QMessageBox | None = None
        resume_row = QHBoxLayout()
        resume_row.addWidget(self.resume_label, 1)
        resume_row.addWidget(self.resume_button)
        resume_row.addWidget(self.discard_button)
        self.legacy_label = QLabel(self)
        self.legacy_label.setObjectName("giftCardLegacyDrafts")
        self.legacy_label.setWordWrap(True)
        self.legacy_label.hide()
        return resume_row

    def _build_card_area(self, *, can_unmask: bool) -> QWidget:
        """The card view and its action column (ten buttons and why some are off)."""
        self.view = GiftCardView(self, can_unmask=can_unmask, formatter=self.formatter)

        self.issue_button = QPushButton("Issue a card…", self)
        self.issue_button.setObjectName("giftCardIssue")
        self.top_up_button = QPushButton("Top up…", self)
        self.top_up_button.setObjectName("giftCardTopUp")
        self.redeem_button = QPushButton("Redeem…", self)
        self.redeem_button.setObjectName("giftCardRedeem")
        self.adjust_button = QPushButton("Adjust…", self)
        self.adjust_button.setObjectName("giftCardAdjust")
        self.capture_button = QPushButton("Capture", self)
        self.capture_button.setObjectName("giftCardCapture")
        self.cancel_auth_button = QPushButton("Cancel authorization", self)
        self.cancel_auth_button.setObjectName("giftCardCancelAuth")
        self.edit_button = QPushButton("Edit codes…", self)
        self.edit_button.setObjectName("giftCardEditCodes")
        self.print_slip_button = QPushButton("Print slip…", self)
        self.print_slip_button.setObjectName("giftCardPrintSlip")
        self.slip_button = QPushButton("Save slip as PDF…", self)
        self.slip_button.setObjectName("giftCardSlip")
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("giftCardRefresh")
        self.why_label = QLabel(self)
        self.why_label.setObjectName("giftCardWhyUnavailable")
        self.why_label.setWordWrap(True)
        self.why_label.setMaximumWidth(260)
        self.why_label.setStyleSheet("color: palette(placeholder-text);")

        actions = QVBoxLayout()
        for button in (
            self.issue_button,
            self.top_up_button,
            self.redeem_button,
            self.adjust_button,
            self.capture_button,
            self.cancel_auth_button,
            self.edit_button,
            self.print_slip_button,
            self.slip_button,
            self.refresh_button,
        ):
            actions.addWidget(button)
        actions.addWidget(self.why_label)
        actions.addStretch(1)
        card_row = QHBoxLayout()
        card_row.addWidget(self.view, 1)
        card_row.addLayout(actions)
        card_area = QWidget(self)
        card_area.setLayout(card_row)
        return card_area

    def money_buttons(self) -> tuple[QPushButton, ...]:
        """Everything that writes to the server (off while offline)."""
        return (
            self.issue_button,
            self.top_up_button,
            self.redeem_button,
            self.adjust_button,
            self.capture_button,
            self.cancel_auth_button,
            self.edit_button,
            self.resume_button,
        )
