"""CSV export of a paged model: the rows loaded so far, or every row (paging to the end).

"All rows" can mean 100k rows from the server, so it shows a progress dialog with Cancel and
keeps the event loop responsive (paging is async, writing yields every few thousand rows).
Values are written machine-readable (exact decimals, ISO dates) with a UTF-8 BOM so
spreadsheet programs open the file with the right encoding.
"""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from posdesk.models.formatting import plural
from posdesk.models.paged import PagedTableModel

YIELD_EVERY = 2000


async def write_csv(model: PagedTableModel[Any], path: Path) -> int:
    """Write the loaded rows of ``model`` to ``path``; returns the number of rows written."""
    rows = model.rowCount()
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.title for c in model.columns])
        for row in range(rows):
            writer.writerow(model.export_row(row))
            if row % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)
    return rows


async def export_csv(
    model: PagedTableModel[Any],
    path: Path,
    *,
    all_rows: bool,
    parent: QWidget | None = None,
) -> int | None:
    """Export to CSV; ``None`` when the user cancelled while the remaining pages loaded.

    Load errors propagate (the caller reports them as a sentence).
    """
    if all_rows and (model.has_more or model.loading):
        dialog = QProgressDialog("Loading all rows from the server…", "Cancel", 0, 0, parent)
        dialog.setObjectName("exportProgressDialog")
        dialog.setAccessibleName("Export progress")
        dialog.setWindowTitle("Export to CSV")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        loader = asyncio.ensure_future(
            model.fetch_all(lambda n: dialog.setLabelText(f"Loaded {plural(n, 'row')}…"))
        )
        dialog.canceled.connect(loader.cancel)
        dialog.show()
        try:
            await loader
        except asyncio.CancelledError:
            if loader.cancelled() and not _current_cancelling():
                return None
            raise
        finally:
            dialog.canceled.disconnect()
            dialog.close()
            dialog.deleteLater()
    return await write_csv(model, path)


def _current_cancelling() -> bool:
    """True when the task running the export was itself cancelled (then propagate)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
