"""The icon files are what the SVG gives, and each container decodes to the right pictures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import QApplication

from posdesk.resources import ICON_SIZES, app_icon, icon_png, resource

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
from make_icons import images_match  # noqa: E402


def decode_all(path: Path) -> list[QImage]:
    reader = QImageReader(str(path))
    images = []
    for index in range(reader.imageCount()):
        assert reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        images.append(image.convertToFormat(QImage.Format.Format_ARGB32))
    return images


def packaged_png(size: int) -> QImage:
    image = QImage()
    assert image.loadFromData(icon_png(size).read_bytes(), "PNG")
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def test_committed_icons_are_reproducible_from_the_svg() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_icons.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_ico_holds_every_size_pixel_identical_to_the_pngs(qapp: QApplication) -> None:
    images = decode_all(ROOT / "packaging" / "windows" / "posdesk.ico")
    assert [image.width() for image in images] == list(ICON_SIZES)
    for image in images:
        # Catches flipped rows or swapped colour channels in the hand-written DIB entries.
        assert images_match(image, packaged_png(image.width()))


def test_icns_holds_standard_and_retina_sizes(qapp: QApplication) -> None:
    images = decode_all(ROOT / "packaging" / "macos" / "posdesk.icns")
    assert sorted({image.width() for image in images}) == [16, 32, 64, 128, 256, 512, 1024]
    for image in images:
        if image.width() in ICON_SIZES:
            assert images_match(image, packaged_png(image.width()))


def test_app_icon_offers_every_size(qapp: QApplication) -> None:
    sizes = app_icon().availableSizes()
    assert sizes == [QSize(size, size) for size in ICON_SIZES]
    assert resource("icons/posdesk-16.png").is_file()
