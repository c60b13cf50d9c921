"""SessionContext.settings() honours the default (INI) format and path, like QSettings()."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from tests.helpers.session import session_context


def test_settings_stay_in_the_isolated_directory(isolated_qsettings: Path) -> None:
    context = session_context(profile_name="Demo (local)")  # settings never touch the client
    settings = context.settings()
    assert Path(settings.fileName()).is_relative_to(isolated_qsettings)
    assert settings.format() == QSettings.defaultFormat()
    assert settings.group() == "profiles/Demo__local_/ui"
