"""Generate every icon file from the one source drawing, resources/posdesk.svg.

Writes PNGs into the package (the window icon, found via importlib.resources), a Windows .ico
and a macOS .icns. The containers are written here, not by a third-party tool, so the only
input is the SVG and the output is byte-for-byte reproducible with the locked Qt version.

Usage: ``uv run python scripts/make_icons.py`` (write) or ``... --check`` (exit 1 if any
committed file differs from what the SVG gives — run by tests/unit/resources/test_icons.py).
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageReader, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "posdesk.svg"
PACKAGE_ICONS = ROOT / "posdesk" / "resources" / "icons"
ICO = ROOT / "packaging" / "windows" / "posdesk.ico"
ICNS = ROOT / "packaging" / "macos" / "posdesk.icns"

# Sizes the running app offers Qt for window/taskbar icons (posdesk.resources.ICON_SIZES).
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Windows picks from these for title bar, taskbar, Explorer views and the installer.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, with their pixel size (the @2x ones are Retina variants).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"icp6", 64),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),
    (b"ic09", 512),
    (b"ic14", 512),
    (b"ic10", 1024),
)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """Rasterise the SVG at exactly size×size (not scaled down from a big bitmap: crisper)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def dib_bytes(image: QImage) -> bytes:
    """An ICO image entry as a 32-bit DIB: the form every Windows version reads for small sizes.

    BITMAPINFOHEADER (height doubled: colour rows then AND-mask rows), BGRA rows bottom-up,
    then a 1-bit AND mask (1 = transparent) with rows padded to 32 bits.
    """
    width, height = image.width(), image.height()
    header = struct.pack("<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    stride = image.bytesPerLine()
    raw = bytes(image.constBits())  # Format_ARGB32 is B, G, R, A in memory (little endian)
    rows = [raw[y * stride : y * stride + width * 4] for y in range(height)]
    mask_stride = ((width + 31) // 32) * 4
    mask_rows = []
    for row in rows:
        bits = bytearray(mask_stride)
        for x in range(width):
            if row[x * 4 + 3] == 0:
                bits[x // 8] |= 0x80 >> (x % 8)
        mask_rows.append(bytes(bits))
    return header + b"".join(reversed(rows)) + b"".join(reversed(mask_rows))


def ico_bytes(images: dict[int, QImage]) -> bytes:
    """ICONDIR + ICONDIRENTRYs + image data; 256 px as PNG (Vista+), smaller ones as DIBs."""
    entries = [(size, png_bytes(images[size]) if size >= 256 else dib_bytes(images[size]))
               for size in ICO_SIZES]  # fmt: skip
    out = bytearray(struct.pack("<HHH", 0, 1, len(entries)))
    offset = 6 + 16 * len(entries)
    for size, data in entries:
        dim = 0 if size >= 256 else size  # 0 means 256 in the one-byte fields
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    for _, data in entries:
        out += data
    return bytes(out)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """'icns' + total length, then (type, length incl. 8-byte header, PNG data) elements."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def build() -> dict[Path, bytes]:
    """Every generated file and its exact contents."""
    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise RuntimeError(f"{SOURCE} is not a valid SVG")
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    images = {size: render(renderer, size) for size in sizes}
    pngs = {size: png_bytes(image) for size, image in images.items()}
    outputs = {PACKAGE_ICONS / f"posdesk-{size}.png": pngs[size] for size in PNG_SIZES}
    outputs[ICO] = ico_bytes(images)
    outputs[ICNS] = icns_bytes(pngs)
    return outputs


#: Qt's raster engine rounds anti-aliased edges differently on different CPUs (SIMD paths):
#: the same SVG gives pixels one step apart. More than this is a real change of the picture.
PIXEL_TOLERANCE = 2


def decode_container(data: bytes) -> list[QImage]:
    """Every picture in a PNG / ICO / ICNS file, as ARGB32."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    images = []
    for index in range(max(1, reader.imageCount())):
        reader.jumpToImage(index)
        images.append(reader.read().convertToFormat(QImage.Format.Format_ARGB32))
    return images


def images_match(a: QImage, b: QImage) -> bool:
    """Same size and every channel within ``PIXEL_TOLERANCE`` (both as ARGB32)."""
    if a.isNull() or b.isNull() or a.size() != b.size():
        return False
    a = a.convertToFormat(QImage.Format.Format_ARGB32)
    b = b.convertToFormat(QImage.Format.Format_ARGB32)
    pairs = zip(bytes(a.constBits()), bytes(b.constBits()), strict=True)
    return max((abs(p - q) for p, q in pairs), default=0) <= PIXEL_TOLERANCE


def same_pictures(committed: bytes, fresh: bytes) -> bool:
    """Byte-identical, or the same pictures within ``PIXEL_TOLERANCE`` per channel (so the
    check holds on every CPU, not only the one that wrote the files)."""
    if committed == fresh:
        return True
    old, new = decode_container(committed), decode_container(fresh)
    if len(old) != len(new):
        return False
    return all(images_match(a, b) for a, b in zip(old, new, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for path, data in build().items():
        if args.check:
            if not path.exists() or not same_pictures(path.read_bytes(), data):
                stale.append(path.relative_to(ROOT))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")
    if stale:
        names = ", ".join(str(path) for path in stale)
        print(f"out of date with {SOURCE.relative_to(ROOT)}: {names}", file=sys.stderr)
        print("run: uv run python scripts/make_icons.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
