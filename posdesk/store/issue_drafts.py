"""Resumable "issue a gift card" flows: where each one stopped, kept across restarts.

Issuing a card is three server-side steps (create the card, take the payment, fund the card)
and the app can close between any two. A draft records how far a flow got, so the next start
offers to finish it instead of creating a second card or charging the customer twice.

PINs are never stored here (the PIN travels only in the create call). The money step itself
(the ``ADD`` transaction) goes through the operation journal with ``fund_ref_no`` as its
reference; this file only remembers the flow around it. One JSON file, rewritten atomically.
"""

from __future__ import annotations

import enum
import json
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from posdesk.domain import GiftCardCodeType


class IssueStep(enum.StrEnum):
    """How far a flow got. Each value means "this step is finished"."""

    STARTED = "STARTED"  # details entered, nothing sent yet
    CREATED = "CREATED"  # giftcardAdd succeeded: card_id known
    PAID = "PAID"  # payment taken (cash/other noted, or terminal payment captured)
    FUNDED = "FUNDED"  # ADD done: the flow is complete


class PaymentMethod(enum.StrEnum):
    CASH = "CASH"
    OTHER = "OTHER"
    TERMINAL = "TERMINAL"


@dataclass(frozen=True, slots=True)
class IssueDraft:
    draft_id: str
    created_at: datetime
    step: IssueStep
    code_type: GiftCardCodeType
    amount: Decimal
    payment_method: PaymentMethod
    fund_ref_no: str
    code: str | None = None
    member_id: str | None = None
    card_id: str | None = None
    payment_note: str | None = None
    terminal_id: str | None = None
    terminal_ref_no: str | None = None
    terminal_continuation_id: str | None = None
    terminal_payment_id: str | None = None
    store_code: str | None = None
    has_pin: bool = False
    balance: Decimal | None = None

    @classmethod
    def new(
        cls,
        *,
        code_type: GiftCardCodeType,
        amount: Decimal,
        payment_method: PaymentMethod,
        code: str | None = None,
        member_id: str | None = None,
        payment_note: str | None = None,
        terminal_id: str | None = None,
        store_code: str | None = None,
        has_pin: bool = False,
    ) -> IssueDraft:
        """A fresh draft with unique references for its money steps."""
        token = uuid.uuid4().hex[:12].upper()
        return cls(
            draft_id=token,
            created_at=datetime.now(UTC),
            step=IssueStep.STARTED,
            code_type=code_type,
            amount=amount,
            payment_method=payment_method,
            fund_ref_no=f"GCI-{token}",
            code=code,
            member_id=member_id,
            payment_note=payment_note,
            terminal_id=terminal_id,
            terminal_ref_no=f"GCI-{token}-PAY"
            if payment_method is PaymentMethod.TERMINAL
            else None,
            store_code=store_code,
            has_pin=has_pin,
        )

    def advance(self, step: IssueStep, **changes: Any) -> IssueDraft:
        return replace(self, step=step, **changes)

    @property
    def finished(self) -> bool:
        return self.step is IssueStep.FUNDED

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, Decimal):
                data[key] = str(value)
            elif isinstance(value, datetime):
                data[key] = value.isoformat()
            elif isinstance(value, enum.Enum):
                data[key] = value.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IssueDraft:
        values = dict(data)
        values["created_at"] = datetime.fromisoformat(values["created_at"])
        values["step"] = IssueStep(values["step"])
        values["code_type"] = GiftCardCodeType(values["code_type"])
        values["payment_method"] = PaymentMethod(values["payment_method"])
        values["amount"] = Decimal(values["amount"])
        if values.get("balance") is not None:
            values["balance"] = Decimal(values["balance"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


class IssueDraftStore:
    """Unfinished issue flows in one JSON file (``path``); finished ones are removed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, IssueDraft]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {d["draft_id"]: IssueDraft.from_json(d) for d in raw.get("drafts", [])}

    def _write(self, drafts: dict[str, IssueDraft]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": 1, "drafts": [d.to_json() for d in drafts.values()]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".drafts-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def save(self, draft: IssueDraft) -> IssueDraft:
        """Record ``draft`` (a finished one is dropped: nothing left to resume)."""
        drafts = self._read()
        if draft.finished:
            drafts.pop(draft.draft_id, None)
        else:
            drafts[draft.draft_id] = draft
        self._write(drafts)
        return draft

    def discard(self, draft_id: str) -> None:
        drafts = self._read()
        if drafts.pop(draft_id, None) is not None:
            self._write(drafts)

    def unfinished(self) -> list[IssueDraft]:
        return sorted(self._read().values(), key=lambda d: d.created_at)

    def get(self, draft_id: str) -> IssueDraft | None:
        return self._read().get(draft_id)
