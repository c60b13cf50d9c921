"""SessionContext.settings() honours the default (INI) format and path, like QSettings()."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from posdesk.domain import Environment, Viewer
from posdesk.models.tasks import TaskOwner
from posdesk.ui.shell.context import SessionContext
from posdesk.ui.shell.errors import ErrorReporter


def test_settings_stay_in_the_isolated_directory(isolated_qsettings: Path) -> None:
    context = SessionContext(
        client=None,  # type: ignore[arg-type]  # settings never touch the client
        viewer=Viewer(),
        environment=Environment(),
        profile_name="Demo (local)",
        tasks=TaskOwner(),
        reporter=ErrorReporter(show_dialogs=False),
    )
    settings = context.settings()
    assert Path(settings.fileName()).is_relative_to(isolated_qsettings)
    assert settings.format() == QSettings.defaultFormat()
    assert settings.group() == "profiles/Demo__local_/ui"
