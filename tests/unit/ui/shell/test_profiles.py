"""Connection profiles: secrets only in the keychain, never in settings files or logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from posdesk.api.profile import ConnectionProfile
from posdesk.logging_setup import setup_logging, teardown_logging
from posdesk.ui.shell.profiles import ProfileStore
from posdesk.ui.shell.profiles_dialog import ProfilesDialog
from tests.conftest import MemoryKeyring
from tests.helpers.scan import files_text

SECRET = "s3cr3t-client-secret-value"


def test_store_round_trip_keeps_the_secret_in_the_keychain(
    memory_keyring: MemoryKeyring, isolated_qsettings: Path
) -> None:
    store = ProfileStore(QSettings())
    profile = ConnectionProfile(
        "Austin / Main", "https://pos.example.com", "client_credentials", "backoffice"
    )
    store.save(profile, secret=SECRET)
    assert store.names() == ["Austin / Main"]
    assert store.get("Austin / Main") == profile
    assert memory_keyring.secrets[("posdesk", "Austin / Main:client_secret")] == SECRET
    assert "backoffice" in files_text(isolated_qsettings)
    assert SECRET not in files_text(isolated_qsettings)
    renamed = store.rename(profile, "Austin")
    assert store.names() == ["Austin"]
    assert store.has_secret("Austin")
    assert not store.has_secret("Austin / Main")
    store.remove(renamed.name)
    assert store.names() == []
    assert memory_keyring.secrets == {}


def test_store_refuses_plain_http_to_a_remote_host() -> None:
    from posdesk.api.errors import InsecureUrlError

    store = ProfileStore(QSettings())
    with pytest.raises(InsecureUrlError):
        store.save(ConnectionProfile("x", "http://pos.example.com"))
    assert store.names() == []


def test_dialog_add_edit_remove_and_nothing_secret_on_disk(
    qtbot: QtBot,
    memory_keyring: MemoryKeyring,
    isolated_qsettings: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    log_path = setup_logging("DEBUG", tmp_path / "logs", stderr=False)
    request.addfinalizer(teardown_logging)
    store = ProfileStore(QSettings())
    dialog = ProfilesDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    # A new (empty) store starts with a blank form.
    dialog.name_edit.setText("Store 12")
    dialog.url_edit.setText("https://pos.example.com/")
    dialog.flow_combo.setCurrentIndex(dialog.flow_combo.findData("client_credentials"))
    dialog.client_edit.setText("backoffice")
    assert not dialog.save_current()  # no secret yet: refused with a sentence
    assert "client secret" in dialog.result_label.text()
    dialog.secret_edit.setText(SECRET)
    assert dialog.save_current()
    assert dialog.secret_edit.text() == ""  # never kept in the widget after saving
    assert "system keychain" in dialog.secret_edit.placeholderText()
    assert store.get("Store 12") == ConnectionProfile(
        "Store 12", "https://pos.example.com", "client_credentials", "backoffice"
    )
    # Edit without retyping the secret keeps it.
    dialog.url_edit.setText("https://pos2.example.com")
    assert dialog.save_current()
    assert store.has_secret("Store 12")
    # An insecure address is refused in plain words.
    dialog.url_edit.setText("http://pos.example.com")
    assert not dialog.save_current()
    assert "https" in dialog.result_label.text()
    # A second, interactive profile needs no secret.
    dialog.add_button.click()
    dialog.name_edit.setText("Laptop")
    dialog.url_edit.setText("https://pos.example.com")
    assert dialog.save_current()
    assert store.names() == ["Laptop", "Store 12"]
    assert dialog.list.count() == 2
    dialog.remove_profile("Store 12")
    assert store.names() == ["Laptop"]
    assert memory_keyring.secrets == {}
    logging.getLogger("posdesk").info("dialog test done")
    for handler in logging.getLogger().handlers:
        handler.flush()
    # The scan: no settings file and no log line contains the secret.
    QSettings().sync()
    assert "pos.example.com" in files_text(isolated_qsettings)  # the scan sees the file
    assert SECRET not in files_text(isolated_qsettings)
    assert SECRET not in log_path.read_text(encoding="utf-8")


def test_report_names_the_features_the_server_lacks() -> None:
    from posdesk.api.compat import FeatureReport
    from posdesk.domain import Environment, Viewer
    from posdesk.ui.shell.profiles_dialog import ConnectionReport, describe_report

    report = ConnectionReport(
        Environment(name="Austin POS", kind="PRODUCTION", version="24.1"),
        Viewer(client_id="backoffice"),
        FeatureReport(
            frozenset({"customers"}),
            {"customer_search": "no search argument", "sale_search": "no fromTime"},
            {"sale_detail": ("Sale.tenders",)},
        ),
    )
    text = describe_report(report)
    assert text.splitlines()[0] == (
        "Connected to Austin POS: a production server, version 24.1. Signed in as backoffice."
    )
    assert "This server lacks: customer search, sale filters (dates, store, register)." in text
    assert "Some details are not provided by this server: sale details" in text
    unverified = ConnectionReport(Environment(), Viewer(), FeatureReport(verified=False))
    assert "cannot check in advance" in describe_report(unverified)


def test_without_a_keychain_the_dialog_explains_instead_of_crashing(qtbot: QtBot) -> None:
    import keyring
    import keyring.backends.fail

    store = ProfileStore(QSettings())
    store.save(ConnectionProfile("Laptop", "https://pos.example.com", "interactive"))
    store.settings.setValue("connections/Laptop/auth_flow", "client_credentials")
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    dialog = ProfilesDialog(store)
    qtbot.addWidget(dialog)
    assert "No system keychain" in dialog.result_label.text()
    dialog.secret_edit.setText(SECRET)
    assert not dialog.save_current()
    assert "No system keychain" in dialog.result_label.text()
    dialog.remove_profile("Laptop")
    assert "No system keychain" in dialog.result_label.text()
    assert store.names() == ["Laptop"]  # nothing half-deleted


def test_a_profile_remembers_its_local_scopes_across_a_rename(
    memory_keyring: MemoryKeyring, isolated_qsettings: Path
) -> None:
    """Forget local data / removal find a profile's mirror files by the scope keys it
    recorded when it connected; a rename keeps them, garbage in the settings is ignored."""
    store = ProfileStore(QSettings())
    profile = ConnectionProfile("Austin", "https://pos.example.com", "interactive", "desk")
    store.save(profile)
    store.record_scope("Austin", "0123abcd")
    store.record_scope("Austin", "0123abcd")
    store.record_scope("Austin", "4567ef01")
    store.record_scope("Nobody", "89ab")  # no such profile: nothing recorded
    assert store.scope_keys("Austin") == ["0123abcd", "4567ef01"]
    assert store.scope_keys("Nobody") == []
    store.rename(profile, "Austin South")
    assert store.scope_keys("Austin South") == ["0123abcd", "4567ef01"]
    store.settings.setValue("connections/Austin%20South/scopes", '["../etc", 5, "ok1"]')
    assert store.scope_keys("Austin South") == ["ok1"]  # never a path outside servers/
    store.settings.setValue("connections/Austin%20South/scopes", "{not json")
    assert store.scope_keys("Austin South") == []
