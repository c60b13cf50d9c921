"""The Gift Cards tab: look a card up, issue, top up, redeem, adjust, capture/cancel, edit codes.

Every money action opens a dialog that validates, confirms (card, amount, resulting balance)
and then sends exactly once through ``posdesk.api`` (which journals it). Actions the role may
not perform stay visible but disabled, with the reason in plain words.

objectNames: `giftCardsTab`; look-up `giftCardCodeType`, `giftCardCode`, `giftCardPin`,
`giftCardLookup`, `giftCardMessage`; resume `giftCardResumeNotice`, `giftCardResume`; view
`giftCardView`, `giftCardBalance`, `giftCardOwner`, `giftCardId`, `giftCardCodes`,
`giftCardTransactions`; actions `giftCardIssue`, `giftCardTopUp`, `giftCardRedeem`,
`giftCardAdjust`, `giftCardCapture`, `giftCardCancelAuth`, `giftCardEditCodes`,
`giftCardPrintSlip`, `giftCardSlip`, `giftCardRefresh`, `giftCardWhyUnavailable`; panel
`pendingOperations`, `pendingOperationsTable`, `pendingOperationsSummary`, `reconcileNow`.
Dialogs: `issueCardDialog`, `giftCardDialogTopUp|Redeem|Adjust`, `giftCardDialogCapture|Cancel`,
`editCodesDialog`, `recordPurchaseDialog` (their fields are named in their modules).

The widgets are laid out in ``tab_layout.py``; this module is what they do.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QMessageBox,
    QPushButton,
    QWidget,
)
from typing_extensions import override

from posdesk.api.errors import NetworkError, PosError
from posdesk.domain import (
    GiftCard,
    GiftCardCode,
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransStatus,
    Viewer,
)
from posdesk.models.formatting import format_datetime, plural
from posdesk.store.issue_drafts import IssueDraft, IssueDraftStore
from posdesk.ui.common.amount import error_css
from posdesk.ui.common.local_note import is_offline, offline_reason
from posdesk.ui.common.operation_dialog import OperationDialog
from posdesk.ui.common.outcome import Outcome, explain
from posdesk.ui.common.runner import Runner
from posdesk.ui.giftcards.card_view import CODE_TYPE_LABELS
from posdesk.ui.giftcards.edit_codes import EDIT_PERMISSION, EditCodesDialog
from posdesk.ui.giftcards.issue import ISSUE_PERMISSIONS, IssueCardDialog, draft_story
from posdesk.ui.giftcards.money_dialogs import (
    ACTION_PERMISSION,
    TRANS_TYPE_PERMISSION,
    CardTarget,
    MoneyAction,
    SettleAction,
    SettleDialog,
    TransactionDialog,
)
from posdesk.ui.giftcards.slip import GiftCardSlip, print_slip, save_slip_as
from posdesk.ui.giftcards.tab_layout import LOOKUP_OFFLINE, OFFLINE_NEEDS, GiftCardsTabLayout
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.widgets.scanner import ScanDetector

if TYPE_CHECKING:  # the UI never imports the HTTP layer at run time
    from posdesk.api.client import PosClient

FIND_PERMISSION = "FindGiftCardByCode"
D = TypeVar("D", bound=OperationDialog)


def lacking(viewer: Viewer, *permissions: str) -> list[str]:
    """Permissions the signed-in role lacks (an empty permission set means "not told": the
    server then decides and the UI explains its refusal)."""
    if not viewer.permissions:
        return []
    return [p for p in permissions if not viewer.can(p)]


class GiftCardsTab(GiftCardsTabLayout):
    """Look-up bar, card view, action buttons, pending operations (laid out by the base)."""

    def __init__(
        self,
        context: SessionContext,
        parent: QWidget | None = None,
        *,
        drafts: IssueDraftStore | None = None,
    ) -> None:
        super().__init__(context, parent)
        self.context = context
        backend: PosClient = context.client
        self.backend = backend
        viewer = context.viewer
        self.viewer = viewer
        self.drafts = drafts or IssueDraftStore(drafts_path_for(context))
        self.store_code = viewer.location_code or context.extras.get("store_code")
        self.runner = Runner(self)
        self.dialog: Any = None
        self.target: CardTarget | None = None
        self.last_slip: GiftCardSlip | None = None
        self._shown_once = False
        self._refresh_failed = False

        self.code_edit.returnPressed.connect(self.lookup)
        self.code_edit.textEdited.connect(self._code_edited)
        self.lookup_button.clicked.connect(self.lookup)
        self.resume_button.clicked.connect(self.resume_issue)
        self.discard_button.clicked.connect(self.discard_issue)
        self.view.ownerActivated.connect(self._on_owner)
        self.view.trans_table.itemSelectionChanged.connect(self.update_actions)
        self.issue_button.clicked.connect(lambda: self.open_issue())
        self.top_up_button.clicked.connect(lambda: self.open_money(MoneyAction.TOP_UP))
        self.redeem_button.clicked.connect(lambda: self.open_money(MoneyAction.REDEEM))
        self.adjust_button.clicked.connect(lambda: self.open_money(MoneyAction.ADJUST))
        self.capture_button.clicked.connect(lambda: self.open_settle(SettleAction.CAPTURE))
        self.cancel_auth_button.clicked.connect(lambda: self.open_settle(SettleAction.CANCEL))
        self.edit_button.clicked.connect(self.open_edit)
        self.slip_button.clicked.connect(self.save_slip)
        self.print_slip_button.clicked.connect(self.print_slip)
        self.refresh_button.clicked.connect(self.refresh)
        self.pending.reconciled.connect(self._after_reconcile)
        self.pending.openCard.connect(self.open_card)

        self.scanner = ScanDetector(self)
        self.scanner.scanned.connect(self.on_scan)
        if context.local_data is not None:
            context.local_data.onlineChanged.connect(self.update_actions)  # bound: dies with us
        self.update_actions()
        self.update_resume()

    # ----------------------------------------------------------------- shell contract
    def focus_search(self) -> None:
        self.code_edit.setFocus()
        self.code_edit.selectAll()

    def reload(self) -> None:
        self.pending.refresh()
        self.update_resume()
        self.refresh()

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Operations left unsettled by an earlier run are checked before anything else.
            if self.pending.entries:
                self.pending.reconcile_now()

    # ----------------------------------------------------------------- messages
    def show_message(self, text: str | None, *, error: bool = False) -> None:
        self.message.setText(text or "")
        self.message.setStyleSheet(error_css(self, error))
        self.message.setVisible(bool(text))

    # ----------------------------------------------------------------- look-up
    def on_scan(self, code: str) -> None:
        """A scanner burst anywhere in the tab: look the scanned code up."""
        self.code_edit.setText(code.strip())
        self.lookup()

    def _code_edited(self, text: str) -> None:
        """A PIN belongs to one card: typing another code forgets it."""
        if self.target is not None and text.strip() != self.target.code.code:
            self.pin_edit.clear()

    def lookup(self) -> asyncio.Task[Any] | None:
        code = self.code_edit.text().strip()
        if not code:
            self.show_message("Type or scan a card code first.", error=True)
            self.code_edit.setFocus()
            return None
        code_type = GiftCardCodeType(self.code_type.currentData())
        return self._read(self._lookup(code, code_type))

    @property
    def task(self) -> asyncio.Task[Any] | None:
        """The latest task this tab started (tests await it)."""
        return self.runner.task

    def _read(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """A newer look-up wins: an older look-up, open or refresh still in flight is
        cancelled, so it cannot land after it and put the previous card back on screen."""
        return self.runner.start(coro, name="giftcard read", replace=True)

    async def _lookup(self, code: str, code_type: GiftCardCodeType) -> None:
        self.lookup_button.setEnabled(False)
        self.show_message("Looking up…")
        try:
            card = await self.backend.giftcard(code, code_type)
            transactions: list[GiftCardTransaction] = []
            if card is not None:
                transactions = await self._all_transactions(card.id)
        except PosError as exc:
            self._read_failed(exc)
            return
        finally:
            self.lookup_button.setEnabled(True)
        if card is None:
            self.set_card(None)
            self.show_message(
                f"No {CODE_TYPE_LABELS[code_type].lower()} gift card has the code you entered "
                "(or your role may not see it). Check the code and its type.",
                error=True,
            )
            return
        self.set_card(card, transactions, code=GiftCardCode(code_type, code))
        self.show_message(None)
        expired = [
            c
            for c in card.codes
            if c.code_type is code_type
            and c.expires_on is not None
            and c.expires_on <= datetime.now(UTC)
        ]
        if expired:
            self.show_message(
                "This code has expired: it can no longer be used for transactions.", error=True
            )

    def open_card(self, card_id: str) -> asyncio.Task[Any]:
        """Show a card by its id (one click from Pending operations)."""
        return self._read(self._open_card(card_id))

    async def _open_card(self, card_id: str) -> None:
        self.show_message("Looking up…")
        try:
            card = await self.backend.giftcard_by_id(card_id)
            transactions = await self._all_transactions(card_id) if card else []
        except PosError as exc:
            self._read_failed(exc)
            return
        if card is None or not card.codes:
            self.show_message(f"Gift card {card_id} is not visible to your role.", error=True)
            return
        code = card.codes[0]
        self.code_type.setCurrentIndex(self.code_type.findData(code.code_type.value))
        self.code_edit.setText(code.code)
        self.set_card(card, transactions, code=code)
        self.show_message(None)

    def _read_failed(self, exc: PosError) -> None:
        """Say why a look-up failed. The server gone is no fault of the code typed: with
        local data (offline now) say calmly that cards are read from the server only."""
        if isinstance(exc, NetworkError) and self.context.local_data is not None:
            self.context.local_data.observe(exc)
            self.show_message(LOOKUP_OFFLINE)
            return
        self.show_message(explain(exc), error=True)

    async def _all_transactions(self, card_id: str) -> list[GiftCardTransaction]:
        items: list[GiftCardTransaction] = []
        skip = 0
        while True:
            page = await self.backend.giftcard_transactions(
                giftcard_id=card_id, skip=skip, first=100
            )
            items.extend(page.items)
            if not page.has_more or not page.items:
                return items
            skip += len(page.items)

    def set_card(
        self,
        card: GiftCard | None,
        transactions: list[GiftCardTransaction] | None = None,
        *,
        code: GiftCardCode | None = None,
    ) -> None:
        if card is None:
            self.target = None
        else:
            chosen = code or (self.target.code if self.target else None) or card.codes[0]
            self.target = CardTarget(card, chosen)
        self.view.set_card(card, transactions or [])
        self.update_actions()

    def refresh(self) -> asyncio.Task[Any] | None:
        """Re-read the current card (after an operation or on request)."""
        if self.target is None:
            return None
        target = self.target
        return self._read(self._refresh(target))

    async def _refresh(self, target: CardTarget) -> None:
        try:
            card = await self.backend.giftcard(target.code.code, target.code.code_type)
            transactions = await self._all_transactions(card.id) if card else []
        except PosError as exc:
            self.show_message("Could not refresh the card: " + explain(exc), error=True)
            self._refresh_failed = True
            return
        if self._refresh_failed:
            self._refresh_failed = False
            self.show_message(None)
        self.set_card(card, transactions, code=target.code)

    # ----------------------------------------------------------------- actions
    def update_actions(self, *_: object) -> None:
        """Enable what the role and the selected card allow; say why the rest is off."""
        has_card = self.target is not None
        reasons: list[str] = []

        def allow(button: QPushButton, needs_card: bool, *permissions: str) -> None:
            missing = lacking(self.viewer, *permissions)
            if missing:
                why = f"Your role lacks the permission {', '.join(missing)}."
                button.setToolTip(why)
                reasons.append(f"{button.text().rstrip('…')}: {why}")
            elif needs_card and not has_card:
                button.setToolTip("Look a card up first.")
            else:
                button.setToolTip("")
            button.setEnabled(not missing and (has_card or not needs_card))

        allow(self.issue_button, False, *ISSUE_PERMISSIONS)
        for action, button in (
            (MoneyAction.TOP_UP, self.top_up_button),
            (MoneyAction.REDEEM, self.redeem_button),
            (MoneyAction.ADJUST, self.adjust_button),
        ):
            allow(button, True, ACTION_PERMISSION[action])
        selected = self.view.selected_transaction()
        authorized = selected is not None and selected.status is GiftCardTransStatus.AUTHORIZED
        settle_perm = (
            [TRANS_TYPE_PERMISSION[selected.trans_type]]
            if selected is not None and selected.trans_type is not None
            else []
        )
        for button in (self.capture_button, self.cancel_auth_button):
            allow(button, True, *settle_perm)
            if button.isEnabled() and not authorized:
                button.setEnabled(False)
                button.setToolTip("Select an Authorized transaction in the list first.")
        missing_edit = lacking(self.viewer, EDIT_PERMISSION)
        allow(self.edit_button, True, EDIT_PERMISSION)
        if missing_edit:
            reasons[-1] = (
                "Edit codes: your role lacks EditGiftCard. It is off by default because "
                "changing codes can move a card's funds; an administrator must grant it."
            )
            self.edit_button.setToolTip(reasons[-1])
        self.slip_button.setEnabled(has_card)
        self.print_slip_button.setEnabled(has_card)
        self.refresh_button.setEnabled(has_card)
        if is_offline(self.context):  # money needs the server: never from local data
            why = offline_reason(self.context, OFFLINE_NEEDS)
            reasons = [why]
            for button in self.money_buttons():
                button.setEnabled(False)
                button.setToolTip(why)
        self.why_label.setText("\n".join(reasons))
        self.why_label.setVisible(bool(reasons))

    def _wrote(self, *_: object) -> None:
        """posdesk changed something on the server: bring the local data up to date now."""
        if self.context.local_data is not None:
            self.context.local_data.sync_now()

    def _after_operation(self, outcome: Outcome) -> None:
        self._wrote()
        self.pin_edit.clear()  # a PIN is used for one operation and then forgotten
        self.pending.refresh()
        if self.target is not None:
            self.refresh()

    def _after_reconcile(self) -> None:
        if self.target is not None:
            self.refresh()

    def open_money(self, action: MoneyAction) -> TransactionDialog | None:
        if self.target is None:
            return None
        dialog = TransactionDialog(
            self.backend,
            self.target,
            action,
            pin=self.pin_edit.text(),
            parent=self,
            on_done=self._after_operation,
            formatter=self.formatter,
        )
        self.pin_edit.clear()
        dialog.finishedOperation.connect(lambda o, a=action: self._remember_slip(a, o))
        return self._show(dialog)

    def _remember_slip(self, action: MoneyAction, outcome: Outcome) -> None:
        tx = outcome.result
        if not outcome.done or self.target is None or action is not MoneyAction.TOP_UP:
            return
        self.last_slip = GiftCardSlip(
            title="Gift card top-up",
            code=self.target.code.code,
            balance=getattr(tx, "balance", None),
            amount=getattr(tx, "amount", None),
            when=datetime.now(UTC),
            store=self.store_code or "",
            currency=self.formatter.currency,
            reference=getattr(tx, "ref_no", None),
        )

    def open_settle(self, action: SettleAction) -> SettleDialog | None:
        selected = self.view.selected_transaction()
        if self.target is None or selected is None:
            return None
        dialog = SettleDialog(
            self.backend,
            self.target,
            selected,
            action,
            parent=self,
            on_done=self._after_operation,
            formatter=self.formatter,
        )
        return self._show(dialog)

    def open_edit(self) -> EditCodesDialog | None:
        if self.target is None:
            return None
        dialog = EditCodesDialog(self.backend, self.target.card, parent=self)
        dialog.edited.connect(self._after_edit)
        return self._show(dialog)

    def _after_edit(self, card: GiftCard | None) -> None:
        self._wrote()
        if card is not None:
            self.set_card(card, list(self.view.transactions))
        self.pending.refresh()
        self.refresh()

    def open_issue(self, draft: IssueDraft | None = None) -> IssueCardDialog:
        dialog = IssueCardDialog(
            self.backend,
            self.drafts,
            store_code=self.store_code,
            draft=draft,
            viewer=self.viewer,
            parent=self,
            formatter=self.formatter,
        )
        dialog.issued.connect(self._on_issued)
        dialog.paymentInDoubt.connect(lambda _ref: self.pending.refresh())
        dialog.finished.connect(lambda _r: self.update_resume())
        dialog.finished.connect(self._wrote)
        return self._show(dialog)

    def _show(self, dialog: D) -> D:
        """Open ``dialog``; while the server cannot be reached its send buttons are off
        with the tab's reason (a dialog already open when the connection goes, too)."""
        dialog.follow_connection(self.context, OFFLINE_NEEDS)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_issued(self, slip: GiftCardSlip, card: GiftCard, code: GiftCardCode) -> None:
        self.last_slip = slip
        self.set_card(card, [], code=code)
        self.code_type.setCurrentIndex(self.code_type.findData(code.code_type.value))
        self.code_edit.setText(code.code if not code.is_masked else "")
        self.update_resume()
        self.pending.refresh()
        self.refresh()

    def update_resume(self) -> None:
        """The oldest unfinished issue of this server + principal, told as it happened."""
        self._update_legacy()
        drafts = self.drafts.unfinished()
        if not drafts:
            self.resume_label.hide()
            self.resume_button.hide()
            self.discard_button.hide()
            return
        first = drafts[0]
        story = draft_story(first, self.backend.journal, self.formatter)
        self.resume_label.setText(
            f"<b>Unfinished card issue</b> {html.escape(self.context.where)}, started "
            f"{format_datetime(first.created_at, self.formatter.locale)}: "
            f"{first.code_type.value.lower()} card, {self.formatter.money(first.amount)}. "
            + story.text
            + (" Resume it, or discard it." if story.nothing_charged else "")
            + (f" ({len(drafts) - 1} more)" if len(drafts) > 1 else "")
        )
        self.resume_label.show()
        self.resume_button.show()
        self.discard_button.setVisible(story.nothing_charged)

    def _update_legacy(self) -> None:
        """Issues an older posdesk kept per PC: the server is unknown, so never resumed."""
        path = self.context.local.legacy_drafts if self.context.local is not None else None
        legacy = IssueDraftStore(path).unfinished() if path is not None else []
        self.legacy_label.setVisible(bool(legacy))
        if legacy:
            refs = ", ".join(d.fund_ref_no for d in legacy)
            self.legacy_label.setText(
                f"{plural(len(legacy), 'unfinished card issue')} from an older posdesk, server "
                f"unknown: not offered here, since resuming on the wrong server would fund a "
                f"card paid for elsewhere. Check them in the POS admin console ({refs})."
            )

    def discard_issue(self) -> QMessageBox | None:
        """Discard the shown draft after a confirmation — only when nothing was charged."""
        drafts = self.drafts.unfinished()
        if not drafts:
            return None
        draft = drafts[0]
        story = draft_story(draft, self.backend.journal, self.formatter)
        if not story.nothing_charged:
            self.update_resume()
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Discard unfinished issue",
            f"Discard the unfinished issue of a {self.formatter.money(draft.amount)} "
            f"{draft.code_type.value.lower()} card? Nothing was charged."
            + (
                f" The card created for it ({draft.card_id}) stays on the server with no funds."
                if draft.card_id
                else ""
            ),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("giftCardDiscardConfirm")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(button: QAbstractButton) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Discard:
                self.drafts.discard(draft.draft_id)
                self.show_message("The unfinished issue was discarded. Nothing was charged.")
            self.discard_box = None
            self.update_resume()

        box.buttonClicked.connect(answered)
        self.discard_box = box
        box.open()
        return box

    def resume_issue(self) -> IssueCardDialog | None:
        drafts = self.drafts.unfinished()
        if not drafts:
            return None
        return self.open_issue(drafts[0])

    def current_slip(self) -> GiftCardSlip | None:
        """The last issue/top-up slip of this card, else a balance slip for it."""
        if self.target is None:
            return None
        last = self.last_slip
        if last is not None and last.code == self.target.code.code:
            return last
        return GiftCardSlip(
            title="Gift card balance",
            code=self.target.code.code,
            balance=self.target.card.balance,
            when=datetime.now(UTC),
            store=self.store_code or "",
            currency=self.formatter.currency,
        )

    def save_slip(self) -> Path | None:
        slip = self.current_slip()
        path = save_slip_as(slip, self) if slip is not None else None
        if path is not None:
            self.show_message(f"Slip saved to {path}.")
        return path

    def print_slip(self) -> None:
        slip = self.current_slip()
        if slip is not None and print_slip(slip, self):
            self.show_message("Slip sent to the printer.")

    def _on_owner(self, member_id: str) -> None:
        """The owner link: the Customers tab, searched for this member."""
        if not self.context.navigator.open_customer(member_id=member_id):
            self.show_message(f"Owner: member {member_id} (the Customers tab is not available).")


def drafts_path_for(context: SessionContext) -> Path:
    """Issue drafts live in the server + principal's folder, next to its journal (never one
    file per PC: a draft resumed on another server would fund a card paid for elsewhere)."""
    explicit = context.extras.get("issue_drafts_path")
    if explicit:
        return Path(explicit)
    if context.local is not None:
        return context.local.drafts_path
    journal_path = getattr(getattr(context.client, "journal", None), "path", None)
    if isinstance(journal_path, Path) and str(journal_path) != ":memory:":
        return journal_path.with_name("issue_drafts.json")
    raise RuntimeError("no folder for this session's unfinished card issues")
