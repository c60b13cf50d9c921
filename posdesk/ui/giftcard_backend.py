"""What the Gift Cards tab and the purchase dialog need from ``posdesk.api``, and plain words.

The tab depends on this small structural interface instead of the whole client, so the
contract between the rooms is visible in one place. ``posdesk.api.PosClient`` satisfies it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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

    def resolve_by_hand(self, reference: str, *, happened: bool, note: str) -> None: ...


class GiftCardBackend(Protocol):
    """The subset of ``posdesk.api.PosClient`` these screens use (same signatures)."""

    @property
    def journal(self) -> JournalView: ...

    async def giftcard(
        self, code: str, code_type: GiftCardCodeType | None = None
    ) -> GiftCard | None: ...

    async def giftcard_by_id(self, id: str) -> GiftCard | None: ...

    async def giftcard_transactions(
        self,
        *,
        giftcard_id: str | None = None,
        ref_no: str | None = None,
        source_id: str | None = None,
        skip: int = 0,
        first: int = 50,
    ) -> Page[GiftCardTransaction]: ...

    async def giftcard_add(
        self,
        *,
        physical_code: str | None = None,
        physical_pin: str | None = None,
        external_code: str | None = None,
        add_personal_code: bool = False,
        member_id: str | None = None,
    ) -> GiftCard: ...

    async def giftcard_edit(
        self,
        id: str,
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
        code: str,
        code_type: GiftCardCodeType | None,
        trans_type: GiftCardTransType,
        amount: Decimal,
        *,
        pin: str | None = None,
        authorize: bool = False,
        ref_no: str | None = None,
        source_id: str = "posdesk",
        giftcard_id: str | None = None,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction: ...

    async def capture(
        self,
        transaction: GiftCardTransaction,
        *,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction: ...

    async def cancel(
        self,
        transaction: GiftCardTransaction,
        *,
        on_checking: Callable[[], object] | None = None,
    ) -> GiftCardTransaction: ...

    async def purchase_add(
        self, draft: PurchaseDraft, *, on_checking: Callable[[], object] | None = None
    ) -> Purchase: ...

    async def terminal_start(
        self,
        payment_type: TerminalPaymentType,
        amount: Decimal,
        terminal_id: str,
        *,
        ref_no: str | None = None,
    ) -> TerminalOutcome: ...

    async def terminal_continue(self, continuation_id: str) -> TerminalOutcome: ...

    async def terminal_capture(
        self, payment_id: str, amount: Decimal | None = None
    ) -> TerminalOutcome: ...

    async def terminal_cancel(self, continuation_id: str) -> TerminalOutcome: ...

    async def reconcile_pending(self) -> Sequence[Any]: ...
