"""Screenshots of posdesk on the demo sandbox, in the light and the dark palette.

Run under a real X server (the offscreen platform renders fonts differently):

    xvfb-run -a -s '-screen 0 1440x900x24' uv run python scripts/screenshots.py
    ... scripts/screenshots.py --only main-window --theme dark --out /tmp/shots
    ... scripts/screenshots.py --tz Europe/Berlin --locale de_DE   (another store's view)
    ... scripts/screenshots.py --size 1366x768    (every scene at a back-office laptop's size)

Scenes come from every module in ``scripts/shots/`` (see its ``__init__``), so each tab adds
its own without editing this file. Output: ``docs/screenshots/<scene>-<theme>.png``
(``<scene>-<W>x<H>-<theme>.png`` with ``--size``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import pkgutil
import sys
import tempfile
import time
from pathlib import Path

import keyring
import keyring.backend

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Secrets of the screenshot run stay in this process (never the user's keychain)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def discover_scenes() -> list:  # type: ignore[type-arg]
    import shots

    scenes = []
    for info in sorted(pkgutil.iter_modules(shots.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"shots.{info.name}")
        scenes.extend(getattr(module, "SCENES", []))
    # The shell's overview first, then the rest in module order.
    scenes.sort(key=lambda s: s.name != "main-window")
    return scenes


async def shoot(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from shots import ShotContext
    from shots.offline import back_online

    from posdesk.app.demo import start_demo
    from posdesk.app.session import SessionController
    from posdesk.sandbox.seed import REFERENCE_DATE
    from posdesk.ui.shell.errors import ErrorReporter
    from posdesk.ui.shell.main_window import MainWindow
    from posdesk.ui.shell.profiles import ProfileStore
    from posdesk.ui.shell.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    scenes = [s for s in discover_scenes() if not args.only or s.name in args.only]
    out = Path(args.out)
    demo = await start_demo(args.seed, reference=REFERENCE_DATE)  # reproducible shots
    written = []
    try:
        for theme in args.theme:
            apply_theme(app, theme)
            reporter = ErrorReporter()
            window = MainWindow(QSettings(), reporter=reporter)
            controller = SessionController(
                window, ProfileStore(QSettings()), reporter=reporter, demo=demo
            )
            window.show()
            controller.demo_url = demo.profile.base_url  # type: ignore[attr-defined]
            await controller.connect(demo.profile)
            ctx = ShotContext(app, window, controller, theme)
            for scene in scenes:
                back_online(ctx)  # an offline scene just before must not darken this one
                window.resize(*(args.size or scene.size))
                window.tabs.setCurrentIndex(0)
                try:
                    widget = await scene.run(ctx)
                except Exception as exc:  # a broken scene must not hide the others
                    print(f"scene {scene.name} ({theme}) failed: {exc!r}", file=sys.stderr)
                    continue
                target = widget or window
                # the status bar's local data line during the first sync ("Copying the store's
                # data to this PC: 44% — …", ~600 px) widens the window past 1366 px: back to
                # the size asked for before the picture
                window.resize(*(args.size or scene.size))
                # the loop runs Qt's events while it sleeps; processEvents() inside this task
                # would re-enter qasync and break other tasks (the local data's sync lanes)
                await asyncio.sleep(0.2)
                size = f"-{args.size[0]}x{args.size[1]}" if args.size else ""
                path = out / f"{scene.name}{size}-{theme}.png"
                target.grab().save(str(path))
                written.append(path)
                if widget is not None and widget is not window:
                    widget.close()
            controller.demo = None  # the demo server is shared by both themes
            await controller.aclose()
            window.close()
            window.deleteLater()
    finally:
        await asyncio.to_thread(demo.stop)
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0 if written else 1


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    try:
        return int(width), int(height)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not WxH: {text!r}") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", nargs="*", help="scene names to shoot (default: all)")
    parser.add_argument("--theme", nargs="*", default=["light", "dark"])
    parser.add_argument("--seed", default="demo")
    parser.add_argument(
        "--size",
        type=_size,
        help="window size WxH for every scene, e.g. 1366x768 (default: each scene's own); "
        "the size goes into the file name",
    )
    parser.add_argument(
        "--tz",
        default="America/Chicago",
        help="time zone the pictures are taken in (default: the demo's Austin store); the "
        "machine's own zone (often UTC) would show a US store's day sales at 01:23",
    )
    parser.add_argument(
        "--locale",
        default="en_US",
        help="locale for numbers and dates (default en_US, the demo stores' country)",
    )
    args = parser.parse_args()
    # Before Qt or any datetime conversion runs: the app shows times in the PC's zone.
    os.environ["TZ"] = args.tz
    time.tzset()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    import qasync
    from PySide6.QtCore import QSettings

    from posdesk.app import create_application

    # Screenshots never read or write the user's real settings or keychain.
    keyring.set_keyring(MemoryKeyring())
    settings_dir = tempfile.mkdtemp(prefix="posdesk-shots-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    from PySide6.QtCore import QLocale

    QLocale.setDefault(QLocale(args.locale))
    app = create_application("light")
    app.setQuitOnLastWindowClosed(False)
    result: int = qasync.run(shoot(args))
    return result


if __name__ == "__main__":
    sys.exit(main())
