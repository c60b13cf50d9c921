"""A simulated card terminal and the ``terminalPayment`` mutations (start, continue, capture,
cancel) over it; see the TERMINAL_* constants for the magic values UI tests use.

One simulator per schema, in memory: a restart forgets interactions, as a real lane would.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from ariadne import MutationType, ObjectType
from ariadne.types import SchemaBindable
from graphql import GraphQLResolveInfo

from posdesk.sandbox.graphql_api.errors import validation
from posdesk.sandbox.graphql_api.permissions import (
    TERMINAL_AUTH,
    TERMINAL_PERMISSIONS,
    principal_of,
    require,
)
from posdesk.sandbox.graphql_api.scalars import money, to_cents

TERMINAL_WAIT_MS = 300
"""Every continuation asks the client to wait this long before calling ``continue``."""
TERMINAL_FAST = "LANE-FAST"
"""A terminal id that answers within ``start`` (payment outcome straight away)."""
TERMINAL_TIMEOUT = "LANE-TIMEOUT"
"""A terminal id that never answers: ``continue`` returns continuations until ``cancel``."""
TERMINAL_DECLINE_CENTS = 13
"""Amounts ending in .13 are declined (error outcome ``DECLINED``) after one wait."""


@dataclass
class _TerminalPayment:
    id: str
    payment_type: str
    amount: int
    status: str
    ref_no: str | None
    card_label: str
    auth_code: str
    capturing: str | None = None
    """The capture interaction under way: an authorization is captured exactly once."""


@dataclass
class _Interaction:
    id: str
    payment_type: str
    amount: int
    terminal_id: str
    ref_no: str | None
    ready_at: float
    capture_of: str | None = None
    result: dict[str, Any] | None = None


class TerminalSimulator:
    """In-memory card terminal; see the TERMINAL_* constants for the magic values."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.interactions: dict[str, _Interaction] = {}
        self.payments: dict[str, _TerminalPayment] = {}

    @staticmethod
    def _continuation(interaction: _Interaction, message: str) -> dict[str, Any]:
        wait = max(int((interaction.ready_at - time.monotonic()) * 1000), 1)
        if interaction.terminal_id == TERMINAL_TIMEOUT:
            wait = TERMINAL_WAIT_MS
        return {
            "continuation": {"id": interaction.id, "wait_milliseconds": wait, "message": message}
        }

    @staticmethod
    def _error(code: str, message: str) -> dict[str, Any]:
        return {"error": {"code": code, "message": message}}

    @staticmethod
    def _payment(payment: _TerminalPayment) -> dict[str, Any]:
        return {
            "payment": {
                "id": payment.id,
                "payment_type": payment.payment_type,
                "amount": money(payment.amount),
                "status": payment.status,
                "ref_no": payment.ref_no,
                "card_label": payment.card_label,
                "auth_code": payment.auth_code,
            }
        }

    def start(self, payment_type: str, amount: int, terminal_id: str, ref_no: str | None) -> Any:
        if amount <= 0:
            return self._error("INVALID_AMOUNT", "The amount must be greater than zero.")
        with self.lock:
            interaction = _Interaction(
                id=f"tc-{uuid.uuid4().hex[:12]}",
                payment_type=payment_type,
                amount=amount,
                terminal_id=terminal_id,
                ref_no=ref_no,
                ready_at=time.monotonic() + TERMINAL_WAIT_MS / 1000,
            )
            self.interactions[interaction.id] = interaction
            if terminal_id == TERMINAL_FAST:
                return self._finish(interaction)
            return self._continuation(interaction, "Present card")

    def _finish(self, interaction: _Interaction) -> dict[str, Any]:
        if interaction.capture_of is not None:
            payment = self.payments[interaction.capture_of]
            payment.status = "CAPTURED"
            payment.amount = interaction.amount
            interaction.result = self._payment(payment)
        elif interaction.amount % 100 == TERMINAL_DECLINE_CENTS:
            interaction.result = self._error("DECLINED", "The card was declined.")
        else:
            status = {"SALE": "APPROVED", "REFUND": "REFUNDED", "AUTH": "AUTHORIZED"}
            payment = _TerminalPayment(
                id=f"tp-{uuid.uuid4().hex[:12]}",
                payment_type=interaction.payment_type,
                amount=interaction.amount,
                status=status[interaction.payment_type],
                ref_no=interaction.ref_no,
                card_label="Visa ****4242",
                auth_code=f"{secrets.randbelow(10**6):06d}",
            )
            self.payments[payment.id] = payment
            interaction.result = self._payment(payment)
        return interaction.result

    def interaction(self, continuation_id: str | None) -> _Interaction | None:
        return self.interactions.get(continuation_id or "")

    def resume(self, interaction: _Interaction) -> Any:
        with self.lock:
            if interaction.result is not None:
                return interaction.result  # idempotent: a client may resume after a restart
            if interaction.terminal_id == TERMINAL_TIMEOUT:
                return self._continuation(interaction, "Waiting for the terminal")
            if time.monotonic() < interaction.ready_at:
                return self._continuation(interaction, "Processing")
            return self._finish(interaction)

    def cancel(self, interaction: _Interaction) -> Any:
        with self.lock:
            if interaction.result is not None:
                return self._error("ALREADY_COMPLETED", "The interaction already finished.")
            interaction.result = self._error("CANCELLED", "Cancelled by the operator.")
            if interaction.capture_of is not None:  # the authorization may be captured again
                self.payments[interaction.capture_of].capturing = None
            return interaction.result

    def capture(self, payment_id: str, amount: int | None) -> Any:
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                return self._error("UNKNOWN_PAYMENT", "No such payment.")
            if payment.payment_type != "AUTH":
                return self._error("NOT_AN_AUTHORIZATION", "Only AUTH payments are captured.")
            pending = self.interactions.get(payment.capturing or "")
            if (
                pending is not None
                and pending.result is None
                and time.monotonic() >= pending.ready_at
            ):
                self._finish(pending)  # a capture completes on the lane, polled or not
            if payment.status != "AUTHORIZED" or payment.capturing is not None:
                # captured, or a capture is processing: never a second continuation
                return self._error("ALREADY_CAPTURED", "The authorization was already captured.")
            amount = payment.amount if amount is None else amount
            if amount <= 0 or amount > payment.amount:
                return self._error(
                    "AMOUNT_EXCEEDS_AUTHORIZATION",
                    "The capture amount must be positive and at most the authorized amount.",
                )
            interaction = _Interaction(
                id=f"tc-{uuid.uuid4().hex[:12]}",
                payment_type="AUTH",
                amount=amount,
                terminal_id="capture",
                ref_no=payment.ref_no,
                ready_at=time.monotonic() + TERMINAL_WAIT_MS / 1000,
                capture_of=payment.id,
            )
            self.interactions[interaction.id] = interaction
            payment.capturing = interaction.id
            return self._continuation(interaction, "Capturing")


class _Resolvers:
    """Terminal resolvers bound to one simulator."""

    def __init__(self, terminal: TerminalSimulator) -> None:
        self.terminal = terminal

    def terminal_root(self, _: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
        principal_of(info)
        return {}

    def terminal_start(self, _: Any, info: GraphQLResolveInfo, input: Any = None) -> Any:
        principal_of(info)
        i = input or {}
        kind = i.get("payment_type")
        if kind is None:
            raise validation("NotEmptyValidator", "PaymentType", "paymentType is required.")
        require(info, TERMINAL_PERMISSIONS[kind])
        if i.get("amount") is None:
            raise validation("NotEmptyValidator", "Amount", "amount is required.")
        if not i.get("terminal_id"):
            raise validation("NotEmptyValidator", "TerminalId", "terminalId is required.")
        cents = to_cents(i["amount"], "Amount")
        return self.terminal.start(kind, cents, i["terminal_id"], i.get("ref_no"))

    def terminal_continue(
        self, _: Any, info: GraphQLResolveInfo, continuation_id: Any = None
    ) -> Any:
        principal_of(info)
        interaction = self.terminal.interaction(continuation_id)
        if interaction is None:
            return TerminalSimulator._error("UNKNOWN_CONTINUATION", "No such continuation.")
        require(info, TERMINAL_PERMISSIONS[interaction.payment_type])
        return self.terminal.resume(interaction)

    def terminal_cancel(self, _: Any, info: GraphQLResolveInfo, continuation_id: Any = None) -> Any:
        principal_of(info)
        interaction = self.terminal.interaction(continuation_id)
        if interaction is None:
            return TerminalSimulator._error("UNKNOWN_CONTINUATION", "No such continuation.")
        require(info, TERMINAL_PERMISSIONS[interaction.payment_type])
        return self.terminal.cancel(interaction)

    def terminal_capture(
        self, _: Any, info: GraphQLResolveInfo, payment_id: Any = None, amount: Any = None
    ) -> Any:
        require(info, TERMINAL_AUTH)
        cents = None if amount is None else to_cents(amount, "Amount")
        return self.terminal.capture(str(payment_id or ""), cents)


def bindables() -> list[SchemaBindable]:
    """The terminal mutations over a new simulator."""
    api = _Resolvers(TerminalSimulator())
    mutation = MutationType()
    mutation.set_field("terminalPayment", api.terminal_root)
    terminal = ObjectType("TerminalPaymentMutation")
    terminal.set_field("start", api.terminal_start)
    terminal.set_field("continue", api.terminal_continue)
    terminal.set_field("capture", api.terminal_capture)
    terminal.set_field("cancel", api.terminal_cancel)
    return [mutation, terminal]
