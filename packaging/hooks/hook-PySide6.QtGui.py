# Replaces PyInstaller's own hook for PySide6.QtGui (hooks in `hookspath` take precedence).
#
# Why: the stock hook collects every plugin of every type QtGui knows about. Some of them drag
# in large libraries posdesk never uses — above all the GTK3 platform theme, which pulls the
# host's GTK, cairo and pango into the Linux bundle, and the virtual keyboard, which pulls in
# QtQuick/QML. PyInstaller resolves a plugin's library dependencies inside Analysis, so a
# plugin has to be dropped here, before that, not from `a.binaries` afterwards.
import logging
import os

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

logger = logging.getLogger(__name__)

# Plugin file stems (without "lib" prefix and extension) posdesk does not need, on any OS.
UNUSED_PLUGINS = {
    "platformthemes": {"qgtk3"},  # GTK dialogs/theme: host GTK stack, ~30 MB
    "platforminputcontexts": {"qtvirtualkeyboardplugin"},  # QtQuick-based on-screen keyboard
    # Embedded/kiosk back ends; desktops use xcb, wayland, windows or cocoa (+ offscreen for tests).
    "platforms": {"qeglfs", "qlinuxfb", "qvnc", "qvkkhrdisplay", "qminimalegl", "qdirect2d"},
    "egldeviceintegrations": None,  # None = the whole type (only used by eglfs)
    "generic": None,  # evdev/tuio touch input for embedded devices
    "wayland-graphics-integration-server": None,  # compositor side; posdesk is a client
    # posdesk shows PNG (built into QtGui) and maybe SVG/ICO; not these formats.
    "imageformats": {"qpdf", "qtiff", "qwebp", "qtga", "qwbmp", "qicns"},
}


def _stem(path):
    name = os.path.basename(path).split(".")[0]
    return name[3:] if name.startswith("lib") else name


def _wanted(src, dest):
    plugin_type = os.path.basename(os.path.normpath(dest))
    if plugin_type not in UNUSED_PLUGINS:
        return True
    unused = UNUSED_PLUGINS[plugin_type]
    keep = unused is not None and _stem(src) not in unused
    if not keep:
        logger.info("posdesk: not bundling Qt plugin %s/%s", plugin_type, os.path.basename(src))
    return keep


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if _wanted(src, dest)]
