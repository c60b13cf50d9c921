"""Tests carry the marker of their kind (gui / sandbox / e2e) from where they live and what
they ask for, so `pytest -m "not gui"` and friends select what docs/testing.md says."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import kinds_of

TESTS = Path(__file__).parents[1]


@pytest.mark.parametrize(
    ("path", "fixtures", "kinds"),
    [
        ("e2e/giftcards/test_tab.py", [], {"e2e", "gui", "sandbox"}),
        ("unit/ui/sales/test_filters.py", [], {"gui"}),
        ("unit/models/test_tasks.py", ["qtbot"], {"gui"}),
        ("api/test_reads.py", ["tmp_path"], {"sandbox"}),
        ("sandbox/test_giftcards.py", ["own_sandbox"], {"sandbox"}),
        ("mirror/test_sync.py", ["sandbox", "qapp"], {"gui", "sandbox"}),
        ("unit/store/test_journal.py", ["tmp_path"], set()),
        ("unit/api/test_adhoc.py", [], set()),
    ],
)
def test_kind_follows_directory_and_fixtures(
    path: str, fixtures: list[str], kinds: set[str]
) -> None:
    assert kinds_of(TESTS / path, fixtures) == kinds


def test_kinds_are_registered_markers() -> None:
    config = tomllib.loads((TESTS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    registered = {line.split(":")[0] for line in config["tool"]["pytest"]["ini_options"]["markers"]}
    assert {"gui", "sandbox", "e2e", "slow"} <= registered


def test_the_hook_marked_this_test(request: pytest.FixtureRequest, qtbot: QtBot) -> None:
    """The hook ran on this very session: asking for qtbot made this unit test a gui test."""
    markers = {mark.name for mark in request.node.iter_markers()}
    assert "gui" in markers
    assert markers.isdisjoint({"sandbox", "e2e"})
