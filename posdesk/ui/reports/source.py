"""Where the tab's reports come from: ``posdesk.reports`` (``REPORTS`` and ``run_report``,
computed on the mirror's reader thread). A protocol, so the tab renders any source of
``ReportResult`` the same way (tests hand it results they built)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from posdesk.reports.model import ReportFilters, ReportResult

if TYPE_CHECKING:
    from posdesk.mirror import Mirror


class ReportInfo(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def stores(self) -> bool: ...  # the store filter applies
    @property
    def registers(self) -> bool: ...  # the register filter applies
    @property
    def period(self) -> bool: ...  # the period applies (not for stock reports)
    @property
    def top_n(self) -> bool: ...
    @property
    def giftcard_options(self) -> bool: ...  # dormant months, open-authorization days
    @property
    def warehouse(self) -> bool: ...


class ReportSource(Protocol):
    @property
    def reports(self) -> Sequence[ReportInfo]: ...

    async def run(
        self, mirror: Mirror, key: str, filters: ReportFilters, tz: tzinfo
    ) -> ReportResult: ...


class PackageSource:
    """``posdesk.reports``: its ``REPORTS`` list and ``run_report``."""

    def __init__(self, module: Any) -> None:
        self.module = module

    @property
    def reports(self) -> Sequence[ReportInfo]:
        return tuple(getattr(self.module, "REPORTS", ()))

    async def run(
        self, mirror: Mirror, key: str, filters: ReportFilters, tz: tzinfo
    ) -> ReportResult:
        result: ReportResult = await self.module.run_report(mirror, key, filters, tz)
        return result


def default_source() -> ReportSource:
    return PackageSource(importlib.import_module("posdesk.reports"))
