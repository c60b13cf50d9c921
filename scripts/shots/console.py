"""Scenes of the Query console: a customer list as a grid with the documentation pane, and
a mutation refused before sending (naming the tab that does it)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from posdesk.ui.console.window import ConsoleWindow
from shots import Scene, ShotContext

MEMBERS = """query StoreMembers {
  customer(first: 50) {
    hasMoreResults
    results {
      memberId
      fullName
      email
      homeLocationCode
      phone {
        raw
      }
      status
    }
  }
}
"""

TOP_UP = """mutation TopUp {
  giftcardTransAdd(
    trans: {code: "GC10001", codeType: PHYSICAL, transType: ADD, amount: "25.00"}
  ) {
    id
    status
  }
}
"""


async def _run(ctx: ShotContext, size: tuple[int, int], query: str) -> ConsoleWindow:
    """The session's console at ``size``, having run ``query``."""
    window = ctx.window.query_console()
    assert isinstance(window, ConsoleWindow)
    window.resize(*size)
    await window.schema_task
    window.set_query(query, "")
    task = window.run()
    assert task is not None
    await task
    return window


async def members(ctx: ShotContext) -> QWidget | None:
    window = await _run(ctx, (1440, 820), MEMBERS)
    cursor = window.editor.textCursor()
    cursor.setPosition(MEMBERS.index("customer") + 3)
    window.editor.setTextCursor(cursor)
    window.editor.describe_cursor()
    await ctx.settle(0.5)
    return window


async def refused(ctx: ShotContext) -> QWidget | None:
    window = await _run(ctx, (1280, 640), TOP_UP)
    window.raw_error_button.setChecked(True)
    await ctx.settle(0.3)
    return window


SCENES = [
    Scene("query-console", members, (1440, 820)),
    Scene("query-console-refused", refused, (1280, 640)),
]
