"""Which scanned codes the Inventory tab treats as barcodes first (GTIN check digit)."""

from __future__ import annotations

import pytest

from posdesk.ui.inventory_tab import looks_like_gtin


@pytest.mark.parametrize(
    "code",
    ["4006381333931", "012345678905", "96385074", "00012345600012", "0000000000000"],
)
def test_valid_gtins(code: str) -> None:
    assert looks_like_gtin(code)


@pytest.mark.parametrize(
    "code",
    ["4006381333932", "MINTS01", "12345", "01234567890", "４００６３８１３３３９３１", ""],
)
def test_not_gtins(code: str) -> None:
    assert not looks_like_gtin(code)
