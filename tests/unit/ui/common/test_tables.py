"""The zone sale dates are shown in, and the permission wording."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimeZone

from posdesk.domain import Viewer
from posdesk.ui.common.tables import TZ_EXTRA, lacks, permission_text, session_zone, system_zone
from posdesk.ui.shell.context import SessionContext
from tests.helpers.session import session_context


def context(**extras: object) -> SessionContext:
    return session_context(profile_name="t", extras=extras)  # nothing talks to the server


def test_system_zone_is_the_pcs_iana_zone() -> None:
    zone = system_zone()
    assert isinstance(zone, tzinfo)
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    if name in ("UTC", "Etc/UTC") or name.startswith(("Etc/", "America/", "Europe/")):
        assert isinstance(zone, ZoneInfo)
        assert zone.key == name
    now = datetime.now(UTC)
    assert now.astimezone(zone).utcoffset() is not None


def test_session_zone_prefers_the_context_override() -> None:
    chicago = ZoneInfo("America/Chicago")
    assert session_zone(context(**{TZ_EXTRA: chicago})) is chicago
    assert isinstance(session_zone(context()), tzinfo)
    assert isinstance(session_zone(context(**{TZ_EXTRA: "not a zone"})), tzinfo)


def test_permissions_are_only_denied_when_the_server_said_so() -> None:
    assert not lacks(Viewer(), "ViewSales")  # no permission list: ask the server
    assert lacks(Viewer(permissions=frozenset({"ViewCustomers"})), "ViewSales")
    assert not lacks(Viewer(permissions=frozenset({"ViewSales"})), "ViewSales")
    text = permission_text("ViewSales", "Sale history")
    assert "ViewSales" in text
    assert "administrator" in text
