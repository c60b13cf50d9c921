"""Edit codes dialog end to end: every kind of change through the real widgets, each checked
against the sandbox afterwards (the replace-physical case lives in test_tab.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from posdesk.domain import GiftCard, GiftCardCodeType
from posdesk.sandbox.seed import FIXTURES
from posdesk.sandbox.server import SandboxServer
from posdesk.ui.common.outcome import CHECKING
from posdesk.ui.giftcards.edit_codes import EditCodesDialog
from posdesk.ui.giftcards.tab import GiftCardsTab
from posdesk.ui.shell.context import SessionContext
from tests.helpers.giftcards import look_up, unique_code
from tests.helpers.session import signed_in
from tests.helpers.waiting import settle

pytestmark = pytest.mark.asyncio


async def full_card(ctx: SessionContext) -> tuple[GiftCard, str, str]:
    """A card of our own with a physical, an external and a personal code (owned by a member)."""
    physical, external = unique_code("GE"), unique_code("EX")
    card = await ctx.client.giftcard_add(
        physical_code=physical,
        external_code=external,
        add_personal_code=True,
        member_id=FIXTURES.card_owner_member_id,
    )
    return card, physical, external


async def edit_dialog(qtbot: QtBot, ctx: SessionContext, physical: str) -> EditCodesDialog:
    """Look the card up in the Gift Cards tab and open Edit codes, as a user would."""
    tab = GiftCardsTab(ctx)
    qtbot.addWidget(tab)
    await look_up(tab, physical, GiftCardCodeType.PHYSICAL)
    assert tab.edit_button.isEnabled()
    dialog = tab.open_edit()
    assert dialog is not None
    return dialog


async def review_and_apply(dialog: EditCodesDialog) -> str:
    dialog.apply_button.click()
    assert "old codes stop working" in dialog.message.text()  # confirmed in words first
    dialog.apply_button.click()
    await settle(dialog)
    return dialog.message.text()


def kinds(card: GiftCard) -> dict[GiftCardCodeType, str]:
    return {c.code_type: c.code for c in card.codes}


async def test_revoke_each_code_kind(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        card, physical, external = await full_card(ctx)
        assert set(kinds(card)) == set(GiftCardCodeType)
        dialog = await edit_dialog(qtbot, ctx, physical)
        assert dialog.revoke_physical.isEnabled()
        assert dialog.revoke_personal.isEnabled()
        assert dialog.revoke_external.isEnabled()

        dialog.revoke_external.setChecked(True)
        assert "Done" in await review_and_apply(dialog), dialog.message.text()
        assert await ctx.client.giftcard(external, GiftCardCodeType.EXTERNAL) is None
        after = await ctx.client.giftcard_by_id(card.id)
        assert after is not None
        assert set(kinds(after)) == {GiftCardCodeType.PHYSICAL, GiftCardCodeType.PERSONAL}
        dialog.revoke_external.setChecked(False)

        dialog.revoke_personal.setChecked(True)
        assert "Done" in await review_and_apply(dialog), dialog.message.text()
        after = await ctx.client.giftcard_by_id(card.id)
        assert after is not None
        assert set(kinds(after)) == {GiftCardCodeType.PHYSICAL}
        assert after.member_id == FIXTURES.card_owner_member_id  # the owner stays
        dialog.revoke_personal.setChecked(False)

        dialog.revoke_physical.setChecked(True)
        assert "Done" in await review_and_apply(dialog), dialog.message.text()
        assert await ctx.client.giftcard(physical, GiftCardCodeType.PHYSICAL) is None
        after = await ctx.client.giftcard_by_id(card.id)
        assert after is not None
        assert kinds(after) == {}
        dialog.close()


async def test_add_personal_and_external(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        physical = unique_code("GE")
        card = await ctx.client.giftcard_add(
            physical_code=physical, member_id=FIXTURES.card_owner_member_id
        )
        assert set(kinds(card)) == {GiftCardCodeType.PHYSICAL}
        dialog = await edit_dialog(qtbot, ctx, physical)
        assert not dialog.revoke_personal.isEnabled()  # nothing to revoke yet
        assert not dialog.revoke_external.isEnabled()
        assert dialog.add_personal.isEnabled()

        dialog.add_personal.setChecked(True)
        external = unique_code("EX")
        dialog.new_external.setText(external)
        dialog.apply_button.click()
        text = dialog.message.text()
        assert FIXTURES.card_owner_member_id in text  # whose personal code, in words
        assert "external code" in text
        assert external not in text  # the new code is shown masked
        dialog.apply_button.click()
        await settle(dialog)
        assert "Done" in dialog.message.text(), dialog.message.text()

        after = await ctx.client.giftcard_by_id(card.id)
        assert after is not None
        codes = kinds(after)
        assert codes[GiftCardCodeType.EXTERNAL] == external
        assert GiftCardCodeType.PERSONAL in codes
        assert after.member_id == FIXTURES.card_owner_member_id
        found = await ctx.client.giftcard(external, GiftCardCodeType.EXTERNAL)
        assert found is not None
        assert found.id == card.id
        dialog.close()


async def test_add_personal_needs_the_current_owner(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with signed_in(sandbox, tmp_path) as ctx:
        # No owner: the dialog does not offer a personal code at all, and says why.
        physical = unique_code("GE")
        ownerless = await ctx.client.giftcard_add(physical_code=physical)
        dialog = await edit_dialog(qtbot, ctx, physical)
        assert not dialog.add_personal.isEnabled()
        assert "member" in dialog.add_personal.toolTip()
        dialog.close()

        # A card shown with another member than its owner (e.g. changed meanwhile elsewhere):
        # the server refuses to move the card, the dialog says so and nothing changes.
        card, _physical, _external = await full_card(ctx)
        stale = dataclasses.replace(card, member_id=FIXTURES.customer_with_sales_member_id)
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        other = EditCodesDialog(tab.backend, stale, parent=tab)
        other.add_personal.setChecked(True)
        message = await review_and_apply(other)
        assert "Not changed" in message, message
        assert "owner" in message.lower(), message
        after = await ctx.client.giftcard_by_id(card.id)
        assert after is not None
        assert after.member_id == FIXTURES.card_owner_member_id
        assert kinds(after) == kinds(card)  # the personal code was not replaced
        still = await ctx.client.giftcard_by_id(ownerless.id)
        assert still is not None
        assert still.member_id is None
        other.close()


async def test_lost_answer_is_truthful_and_reconciled(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Issue 11: the server revokes the code but the answer is lost. The dialog must not say
    "Not changed.": the edit is settled by re-reading the card (done, changed once)."""
    async with signed_in(sandbox, tmp_path) as ctx:
        card, physical, external = await full_card(ctx)
        dialog = await edit_dialog(qtbot, ctx, physical)
        dialog.revoke_external.setChecked(True)
        sandbox.faults.drop_next_mutations = 1
        message = await review_and_apply(dialog)
        assert sandbox.faults.dropped == 1
        assert "Not changed" not in message
        assert "Done" in message, message
        [entry] = ctx.client.journal.entries(kind="giftcard_edit")
        assert str(entry.state) == "done"
        assert entry.attempts == 1
        on_server = await ctx.client.giftcard_by_id(card.id)
        assert on_server is not None
        assert GiftCardCodeType.EXTERNAL not in kinds(on_server)
        assert await ctx.client.giftcard(external, GiftCardCodeType.EXTERNAL) is None


async def test_unconfirmed_edit_goes_to_pending_and_is_not_offered_again(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The answer is lost and the server cannot be asked right away: the dialog says it could
    not confirm, the edit waits in Pending operations, and Apply is off (no second attempt)."""
    async with signed_in(sandbox, tmp_path) as ctx:
        card, physical, _external = await full_card(ctx)
        dialog = await edit_dialog(qtbot, ctx, physical)
        dialog.revoke_personal.setChecked(True)
        sandbox.faults.drop_next_mutations = 1
        original = dialog.message.setText

        def server_goes_down(text: str) -> None:  # the look-up after the lost answer fails
            if text == CHECKING:
                sandbox.faults.error_rate = 1.0
            original(text)

        dialog.message.setText = server_goes_down  # type: ignore[method-assign]
        message = await review_and_apply(dialog)
        sandbox.faults.reset()
        assert "could not confirm whether" in message, message
        assert "Pending operations" in message
        assert "Not changed" not in message
        assert not dialog.apply_button.isEnabled()
        [entry] = ctx.client.journal.entries(kind="giftcard_edit")
        assert str(entry.state) == "unknown"
        tab = GiftCardsTab(ctx)
        qtbot.addWidget(tab)
        assert [e.reference for e in tab.pending.entries] == [entry.reference]
        tab.pending.reconcile_button.click()
        await settle(tab.pending)
        assert str(ctx.client.journal.get(entry.reference).state) == "done"  # type: ignore[union-attr]
        on_server = await ctx.client.giftcard_by_id(card.id)
        assert on_server is not None
        assert GiftCardCodeType.PERSONAL not in kinds(on_server)
