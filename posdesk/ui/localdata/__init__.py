"""Local data (View › Local data…): what the mirror holds on this PC, its sync, its scope.

A feature package: the shell knows ``open_local_data(context, parent)``,
``close_local_data(context)`` and ``bind_status(label, context)`` (the status bar line).
One panel per signed-in session, kept in ``context.extras["local_data_panel"]``.

objectNames (tests and accessibility; see docs/testing.md): ``localDataPanel`` (the dialog),
``localDataWhere``, ``localDataTable`` (one row per entity: data, rows, last synced, mode,
state/error), ``localDataMessage``, ``localDataSyncNow``, ``localDataPause`` (Pause ↔ Resume),
``localDataForget``, ``localDataStores`` (checkable stores), ``localDataMonths``,
``localDataApplyScope``, ``localDataRegisters`` (register → store table; its combos are
``localDataRegister:<code>``), ``localDataSaveRegisters``, ``localDataClose``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from posdesk.ui.shell.context import SessionContext

PANEL_KEY = "local_data_panel"
STATUS_KEY = "local_data_status"


def open_local_data(context: SessionContext, parent: QWidget | None = None) -> QWidget:
    """Show this session's Local data panel (created on first use, raised afterwards)."""
    from posdesk.ui.localdata.panel import LocalDataPanel

    panel = context.extras.get(PANEL_KEY)
    if not isinstance(panel, LocalDataPanel):
        panel = LocalDataPanel(context, parent)
        context.extras[PANEL_KEY] = panel
    panel.show()
    panel.raise_()
    panel.activateWindow()
    return panel


def close_local_data(context: SessionContext | None) -> None:
    """The session ends (sign-out, switch, quit): close its panel and status line."""
    if context is None:
        return
    panel = context.extras.pop(PANEL_KEY, None)
    if isinstance(panel, QWidget):
        from posdesk.ui.localdata.panel import LocalDataPanel

        if isinstance(panel, LocalDataPanel):
            panel.detach()
        panel.close()
        panel.deleteLater()
    status = context.extras.pop(STATUS_KEY, None)
    if status is not None:
        status.detach()


def bind_status(label: QLabel, context: SessionContext) -> None:
    """Make ``label`` follow the session's local data (nothing when there is none)."""
    if context.local_data is None:
        label.setText("")
        return
    from posdesk.ui.common.tables import session_zone
    from posdesk.ui.localdata.status import LocalDataStatus

    context.extras[STATUS_KEY] = LocalDataStatus(label, context.local_data, session_zone(context))
