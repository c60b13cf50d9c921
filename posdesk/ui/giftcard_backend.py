"""What the Gift Cards tab and the purchase dialog need from ``posdesk.api``, and plain words.

The tab depends on this small structural interface instead of the whole client, so the
contract between the rooms is visible in one place. ``posdesk.api.PosClient`` satisfies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from posdesk.domain import (
    GiftCard,
    GiftCardCodeType,
    GiftCardTransaction,
    GiftCardTransType,
    Page,
    Purchase,
    PurchaseDraft,
    TerminalOutcome,
    TerminalPaymentType,
)


class JournalView(Protocol):
    """The read side of ``posdesk.store.journal.Journal`` the UI uses."""

    def get(self, reference: str) -> Any: ...

    def entries(self, *states: Any, profile: str | None = None) -> Sequence[Any]: ...


class GiftCardBackend(Protocol):
    @property
    def journal(self) -> JournalView: ...

    async def giftcard(self, code: str, code_type: GiftCardCodeType) -> GiftCard | None: ...

    async def giftcard_transactions(
        self, giftcard_id: str, *, skip: int = 0, first: int = 100
    ) -> Page[GiftCardTransaction]: ...

    async def giftcard_add(
        self,
        *,
        physical_code: str | None = None,
        physical_pin: str | None = None,
        member_id: str | None = None,
        add_personal_code: bool = False,
        external_code: str | None = None,
    ) -> GiftCard: ...

    async def giftcard_edit(
        self,
        giftcard_id: str,
        *,
        member_id: str | None = None,
        add_personal_code: bool = False,
        revoke_physical_code: bool = False,
        revoke_personal_code: bool = False,
        revoke_external_code: bool = False,
        physical_code: str | None = None,
        physical_pin: str | None = None,
        external_code: str | None = None,
    ) -> GiftCard: ...

    async def giftcard_transaction(
        self,
        *,
        code: str,
        code_type: GiftCardCodeType,
        trans_type: GiftCardTransType,
        amount: Decimal,
        ref_no: str,
        source_id: str,
        pin: str | None = None,
        authorize: bool = False,
    ) -> GiftCardTransaction: ...

    async def giftcard_capture(self, transaction_id: str) -> GiftCardTransaction: ...

    async def giftcard_cancel(self, transaction_id: str) -> GiftCardTransaction: ...

    async def purchase_add(self, draft: PurchaseDraft) -> Purchase: ...

    async def terminal_start(
        self,
        *,
        payment_type: TerminalPaymentType,
        amount: Decimal,
        terminal_id: str,
        ref_no: str,
    ) -> TerminalOutcome: ...

    async def terminal_continue(self, continuation_id: str) -> TerminalOutcome: ...

    async def terminal_capture(self, payment_id: str, amount: Decimal) -> TerminalOutcome: ...

    async def terminal_cancel(self, continuation_id: str) -> TerminalOutcome: ...

    async def reconcile_pending(self) -> Sequence[object]: ...
