"""`posdesk --demo --quit-after N`: the scripted smoke run the packaged app is tested with."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.timeout(180)
def test_quit_after_reports_loaded_rows_and_exits_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    # rows land ~3 s after start on a busy 2-core machine (imports, demo seed, connect,
    # introspection, first page); 12 s keeps a wide margin for a slow CI runner
    command = [sys.executable, "-m", "posdesk", "--demo", "--quit-after", "12"]
    command += ["--log-dir", str(tmp_path / "logs")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=150, env=env)
    assert result.returncode == 0, result.stderr[-4000:]
    summary = re.search(r"quit-after: connection=(\w+) tab=\w+ rows=(\d+)", result.stdout)
    assert summary, result.stdout + result.stderr[-4000:]
    assert summary.group(1) == "connected"
    assert int(summary.group(2)) > 0
    log = (tmp_path / "logs" / "posdesk.log").read_text(encoding="utf-8")
    assert "stopped cleanly" in log
