"""Build the posdesk app bundle (and, with --installer, the installer) for this OS.

The same steps run here (Linux) and in CI on Windows and macOS (.github/workflows/release.yml):

    uv sync --frozen --group packaging
    uv run --frozen --group packaging python scripts/build_bundle.py [--installer] [--smoke-demo]

1. check the icon files are what resources/posdesk.svg gives (scripts/make_icons.py --check;
   a warning only, see check_icons);
2. PyInstaller with packaging/posdesk.spec -> dist/posdesk/ (+ dist/posdesk.app on macOS);
3. smoke test: the bundled executable answers ``--version`` with the package version, and
   with --smoke-demo runs ``--demo`` offscreen until it has signed in and shown rows;
4. --installer: Linux .tar.gz, Windows Inno Setup .exe, macOS .dmg, all in dist/.

Prints the bundle's size and the build time. Exit status is non-zero on any failure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "posdesk.spec"


def package_version() -> str:
    """posdesk.__version__, read without importing the package (no Qt needed for this)."""
    text = (ROOT / "posdesk" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("no __version__ in posdesk/__init__.py")
    return match.group(1)


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def check_icons() -> None:
    """Warn (not fail) when the committed icons differ from this machine's rendering of the SVG.

    tests/unit/resources/test_icons.py enforces reproducibility on the Linux CI; a Mac or
    Windows runner may antialias a few edge pixels differently (other CPU, other SIMD path), and the
    committed files are what gets bundled anyway.
    """
    command = [sys.executable, str(ROOT / "scripts" / "make_icons.py"), "--check"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(f"warning: icons: {result.stderr.strip()}", flush=True)


def tree_size(path: Path) -> int:
    """Bytes in all files under path (symlinks not followed): the uncompressed bundle size."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def executable(dist: Path) -> Path:
    if sys.platform == "darwin":
        return dist / "posdesk.app" / "Contents" / "MacOS" / "posdesk"
    return dist / "posdesk" / ("posdesk.exe" if sys.platform == "win32" else "posdesk")


def smoke_test(exe: Path, version: str) -> None:
    """The frozen app starts, finds its modules, and reports the version it was built from."""
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=120)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise SystemExit(f"{exe} --version failed ({result.returncode}): {output}")
    if version not in output:
        # A windowed Windows .exe may have no usable stdout; the exit status still proves it ran.
        if sys.platform != "win32":
            raise SystemExit(f"{exe} --version printed {output!r}, expected {version}")
        print(f"note: {exe.name} --version printed nothing (windowed exe); exit status 0")
    print(f"smoke test: {exe.name} --version -> {output or '(exit 0)'}")


def smoke_demo(exe: Path, seconds: int = 15) -> None:
    """The frozen app runs --demo offscreen: sandbox up, signed in, rows on screen, clean exit.

    Checked through the log file, not stdout: a windowed Windows .exe may have no stdout.
    """
    with tempfile.TemporaryDirectory() as home:
        logs = Path(home) / "logs"
        # A throwaway profile on Linux (CI machines are throwaway anyway).
        xdg = {f"XDG_{kind}_HOME": str(Path(home) / kind) for kind in ("CONFIG", "DATA", "STATE")}
        env = {**os.environ, **xdg, "QT_QPA_PLATFORM": "offscreen"}
        command = [str(exe), "--demo", "--quit-after", str(seconds), "--log-dir", str(logs)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        log_file = logs / "posdesk.log"
        log = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    summary = re.search(r"--quit-after: connection=(\w+) tab=(\w+) rows=(\d+)", log)
    ok = (
        result.returncode == 0
        and summary is not None
        and summary.group(1) == "connected"
        and int(summary.group(3)) > 0
        and "stopped cleanly" in log
    )
    if not ok:
        raise SystemExit(
            f"--demo smoke run failed (exit {result.returncode}):\n{log[-3000:]}\n"
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    print(f"smoke test: {exe.name} --demo -> {summary.group(0) if summary else ''}")


def numeric_version(version: str) -> str:
    numbers = [*re.findall(r"\d+", version.split("+")[0])[:4], "0", "0", "0", "0"]
    return ".".join(numbers[:4])


def find_iscc() -> str:
    candidates = [
        os.environ.get("ISCC", ""),
        shutil.which("iscc") or "",
        r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe",
        r"C:\Program Files\Inno Setup 6\ISCC.exe",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("Inno Setup's ISCC.exe not found: install Inno Setup 6 or set ISCC")


def make_installer(dist: Path, version: str) -> Path:
    if sys.platform == "win32":
        run(
            [
                find_iscc(),
                f"/DAppVersion={version}",
                f"/DNumericVersion={numeric_version(version)}",
                f"/DBundleDir={dist / 'posdesk'}",
                f"/DOutputDir={dist}",
                str(ROOT / "packaging" / "windows" / "posdesk.iss"),
            ]
        )
        return dist / f"posdesk-{version}-windows-setup.exe"
    if sys.platform == "darwin":
        machine = os.uname().machine
        dmg = dist / f"posdesk-{version}-macos-{machine}.dmg"
        run(["bash", str(ROOT / "packaging" / "macos" / "make_dmg.sh"),
             str(dist / "posdesk.app"), str(dmg)])  # fmt: skip
        return dmg
    archive = dist / f"posdesk-{version}-linux-{os.uname().machine}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(dist / "posdesk", arcname=f"posdesk-{version}")
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the posdesk bundle for this OS.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument("--installer", action="store_true", help="also build the installer")
    parser.add_argument(
        "--smoke-demo",
        action="store_true",
        help="also run the bundled app with --demo offscreen until it has loaded data",
    )
    args = parser.parse_args(argv)
    dist: Path = args.dist.resolve()
    version = package_version()
    started = time.monotonic()

    check_icons()
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit("PyInstaller missing: run via `uv run --group packaging ...`") from None
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(args.work.resolve()), str(SPEC)])  # fmt: skip
    built = time.monotonic() - started

    smoke_test(executable(dist), version)
    if args.smoke_demo:
        smoke_demo(executable(dist))
    bundle = dist / ("posdesk.app" if sys.platform == "darwin" else "posdesk")
    print(f"bundle: {bundle} — {tree_size(bundle) / 1e6:.1f} MB uncompressed, "
          f"built in {built:.0f} s (posdesk {version})")  # fmt: skip
    if args.installer:
        artefact = make_installer(dist, version)
        print(f"installer: {artefact} — {artefact.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
