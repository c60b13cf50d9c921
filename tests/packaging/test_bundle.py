"""The Linux app bundle: built from this tree by scripts/build_bundle.py, small, lean, and runs.

Slow (a PyInstaller build, ~30-90 s), so not in the default run:
    uv run --group packaging pytest -m slow tests/packaging
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import posdesk

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
MAX_BUNDLE_BYTES = 150_000_000
# Qt parts posdesk does not use: their presence means the spec or hook stopped excluding them.
UNUSED = re.compile(
    r"QtWebEngine|Qt6?3D|QtMultimedia|Qt6?Qml|Qt6?Quick|Qt6?Network|Qt6?Sql|Qt6?Pdf"
    r"|Qt6?VirtualKeyboard|platformthemes/libqgtk3|libgtk-3|libgdk-3|libcairo|libpango"
    r"|Qt/translations/|plugins/(generic|egldeviceintegrations)/|tkinter",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build once for the module into a temporary folder (never the developer's dist/)."""
    pytest.importorskip("PyInstaller", reason="needs `uv sync --group packaging`")
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("work")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "scripts/build_bundle.py", "--dist", str(dist), "--work", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    print(f"bundle built in {time.monotonic() - started:.0f} s")
    return dist / "posdesk"


def bundle_files(bundle: Path) -> list[str]:
    return [p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if not p.is_dir()]


def test_bundle_is_below_150_mb(bundle: Path) -> None:
    size = sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle size: {size / 1e6:.1f} MB")
    assert size < MAX_BUNDLE_BYTES


def test_bundle_leaves_out_unused_qt_modules(bundle: Path) -> None:
    files = bundle_files(bundle)
    assert any("libQt6Widgets" in name for name in files)  # the check looks at the right tree
    assert [name for name in files if UNUSED.search(name)] == []


def needed_libraries(binary: Path) -> set[str]:
    """The DT_NEEDED entries of an ELF file (what the dynamic loader will look for)."""
    dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True)
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic.stdout))


@pytest.mark.skipif(shutil.which("readelf") is None, reason="needs readelf (binutils)")
def test_only_the_print_plugin_uses_the_hosts_cups(bundle: Path) -> None:
    """The spec leaves libcups and its chain to the host; nothing but the CUPS plugin needs it."""
    host_printing = re.compile(r"^lib(cups|gnutls|krb5|gssapi_krb5|avahi-client)\.so")
    binaries = [p for p in bundle.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    assert not [p.name for p in binaries if host_printing.match(p.name)]
    users = {
        p.name for p in binaries if any(host_printing.match(name) for name in needed_libraries(p))
    }
    assert users == {"libcupsprintersupport.so"}


def test_bundle_carries_package_data(bundle: Path) -> None:
    data = bundle / "_internal" / "posdesk"
    assert (data / "sandbox" / "schema.graphql").is_file()
    assert len(list((data / "api" / "operations").glob("*.graphql"))) >= 10
    assert (data / "resources" / "icons" / "posdesk-256.png").is_file()


def test_bundled_binary_reports_its_version(bundle: Path) -> None:
    result = subprocess.run(
        [str(bundle / "posdesk"), "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"posdesk {posdesk.__version__}"


def test_bundled_app_runs_the_demo_and_quits_cleanly(bundle: Path, tmp_path: Path) -> None:
    """--demo starts the in-process sandbox, signs in and loads data; then quits with status 0."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # A throwaway profile: the smoke run must not touch the developer's settings.
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    logs = tmp_path / "logs"
    command = [str(bundle / "posdesk"), "--demo", "--quit-after", "15", "--log-dir", str(logs)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    # Printed by --quit-after from the live window: signed in to the sandbox, rows on screen.
    summary = re.search(r"quit-after: connection=(\w+) tab=(\w+) rows=(\d+)", result.stdout)
    assert summary, output[-4000:]
    assert summary.group(1) == "connected", summary.group(0)
    assert int(summary.group(3)) > 0, summary.group(0)
    log = (logs / "posdesk.log").read_text(encoding="utf-8")
    assert "stopped cleanly" in log, log[-4000:]
