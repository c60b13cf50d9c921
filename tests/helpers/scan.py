"""Read every settings/log file under a directory, to prove no secret was written."""

from __future__ import annotations

from pathlib import Path


def files_text(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())
