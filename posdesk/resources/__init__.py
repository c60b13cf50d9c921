"""Files shipped inside the package (icons), found via importlib.resources.

Why importlib.resources and not ``Path(__file__)``: the same call works from a source checkout,
an installed wheel and the PyInstaller bundle (where the files sit under ``_internal/``).
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

# Generated from resources/posdesk.svg by scripts/make_icons.py (keep the two lists equal).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def resource(name: str) -> Traversable:
    """A file inside posdesk/resources, e.g. ``resource("icons/posdesk-32.png")``."""
    return files(__name__).joinpath(name)


def icon_png(size: int) -> Traversable:
    """The application icon rendered at ``size`` pixels (one of ICON_SIZES)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; sizes are {ICON_SIZES}")
    return resource(f"icons/posdesk-{size}.png")


def app_icon() -> QIcon:
    """The window/taskbar icon with every size, so Qt never scales a bitmap up.

    Qt is imported here, not at module level, so non-GUI code may use this module.
    """
    from PySide6.QtGui import QIcon, QPixmap

    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        if not pixmap.loadFromData(icon_png(size).read_bytes(), "PNG"):
            raise RuntimeError(f"icon {size} px is not a readable PNG")
        icon.addPixmap(pixmap)
    return icon
