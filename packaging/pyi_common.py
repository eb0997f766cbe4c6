"""What both specs share, so the app and the one-window baseline are frozen the same way.

Imported by packaging/mountsea.spec and packaging/baseline/one_window.spec. The point of
this module is the Qt trimming: PyInstaller's Qt hooks collect every plugin of every
plugin type a Qt module declares (eglfs, VNC, evdev, GTK theme with all of GTK, ...) and
all ~100 Qt translation catalogues. We drop what a desktop widgets app never loads.

Two layers:
1. Before analysis, plugins on PLUGIN_EXCLUDES are never collected, so their private
   dependencies (libgtk-3 and friends, EGLFS device libraries, ...) are never pulled in.
2. After analysis, leaf files (Qt translations we don't ship, the Windows software OpenGL
   renderer and D3D shader compiler) are filtered out of the TOCs.

Set MOUNTSEA_PYI_NO_TRIM=1 to build without either layer (to measure what trimming saves).
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TRIM = os.environ.get("MOUNTSEA_PYI_NO_TRIM", "") in ("", "0")

# Strip debug symbols from ELF binaries on Linux (the wheels ship libpython, cryptography's
# Rust module and Pillow's extensions unstripped: ~25 MB of symbols). Not on macOS (it would
# invalidate the wheels' signatures) nor Windows (PE files carry no such symbols).
STRIP = TRIM and sys.platform.startswith("linux")

# "<plugin type>/<plugin name>" globs; the name is the file name without "lib" prefix and
# extension, so one entry covers qgtk3.dll / libqgtk3.so / libqgtk3.dylib.
PLUGIN_EXCLUDES = (
    # Embedded / kiosk platforms: a desktop app runs on xcb, wayland, windows or cocoa
    # (offscreen and minimal stay: headless smoke tests and CI use them).
    "platforms/qeglfs",
    "platforms/qlinuxfb",
    "platforms/qminimalegl",
    "platforms/qvnc",
    "platforms/qvkkhrdisplay",
    "platforms/qdirect2d",
    "egldeviceintegrations/*",
    "generic/*",  # evdev / tuio input, only used with eglfs / linuxfb
    "platforminputcontexts/qtvirtualkeyboardplugin",  # needs Qt Quick
    # The GTK3 theme plugin drags in GTK, GDK, cairo, pango, atk... (~15 MB) and ties the
    # bundle to the build machine's GTK. The xdg-desktop-portal theme stays and gives
    # native file dialogs on GNOME/KDE through the portal.
    "platformthemes/qgtk3",
    # Wayland: keep xdg-shell (the one every desktop compositor speaks), the decorations
    # and the EGL client buffer integration; drop IVI/fullscreen/wl-shell/qt-shell and
    # server-side buffer sharing plugins meant for compositors.
    "wayland-shell-integration/ivi-shell",
    "wayland-shell-integration/fullscreen-shell-v1",
    "wayland-shell-integration/wl-shell-plugin",
    "wayland-shell-integration/qt-shell",
    "wayland-graphics-integration-client/dmabuf-server",
    "wayland-graphics-integration-client/drm-egl-server",
    "wayland-graphics-integration-client/shm-emulation-server",
    "wayland-graphics-integration-client/vulkan-server",
    # Image formats the app neither reads nor writes (it reads PNG, JPEG, WebP, GIF, ICO;
    # SVG stays for icon themes). qpdf needs QtPdf, which is not even installed.
    "imageformats/qpdf",
    "imageformats/qtga",
    "imageformats/qtiff",
    "imageformats/qwbmp",
    "vectorimageformats/*",
    # Plugins of QtNetwork, which the app does not use: it talks HTTP through httpx and
    # finds out about the network by probing the server.
    "networkinformation/*",
    "tls/*",
    # Only collected if QtSql / QtPrintSupport are: the app uses Python's sqlite3 and
    # does not print.
    "sqldrivers/*",
    "printsupport/*",
    "qmltooling/*",
)

# Qt translations: only the languages the app ships (English is Qt's source language).
QT_TRANSLATIONS_KEEP = ("qt_zh_CN.qm", "qtbase_zh_CN.qm")

# Leaf binaries never needed by a QWidget app that uses no OpenGL/Quick (Windows only).
BINARY_EXCLUDES = ("opengl32sw.dll", "d3dcompiler_*.dll")

# Python modules nobody in the app uses, that some library may import optionally.
PY_EXCLUDES = [
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "lib2to3",
    "pydoc_data",
    "test",
    "distutils",
    "setuptools",
    "pip",
    # httpx's optional command-line client (httpx._main) imports pygments, rich and click
    # (~2 MB); httpx falls back cleanly when they are missing and the app never runs it.
    "httpx._main",
    "pygments",
    "rich",
    "click",
    # Pillow extras the app doesn't need: AVIF brings libavif (~5 MB), Tk glue needs tkinter.
    "PIL._avif",
    "PIL.AvifImagePlugin",
    "PIL._imagingtk",
    "PIL.ImageTk",
    # FreeType: Pillow's vendored freetype + harfbuzz + brotli + libpng (~2.9 MB) for one use,
    # the demo simulator's caption (app/simulator/painter.py), which falls back to Pillow's
    # bitmap font scaled up when FreeType is missing (tests/simulator/test_images.py).
    "PIL._imagingft",
    # Test tools: anyio's asyncio backend imports pytest's `outcomes` inside try/except.
    "_pytest",
    "pytest",
    # Async HTTP: httpx/httpcore import anyio, trio and sniffio only for AsyncClient, and the
    # app uses httpx.Client only (tests/packaging/test_artifacts.py checks app/ for async
    # use); asyncio (~0.3 MB with _asyncio) has no other importer. ~0.6 MB of bytecode.
    "anyio",
    "sniffio",
    "trio",
    "asyncio",
    # Process pools: only concurrent.futures' ProcessPoolExecutor (loaded lazily) and anyio's
    # to_process reach multiprocessing; the app runs threads, never processes. Dropping it
    # also drops PyInstaller's multiprocessing runtime hook and xmlrpc (via its managers).
    "multiprocessing",
    "xmlrpc",
    # XML: Pillow names ElementTree only under TYPE_CHECKING (XMP reading needs defusedxml,
    # not installed); the app writes its XMP packet as text. Takes pyexpat + _elementtree.
    "xml",
    "pyexpat",
    "_elementtree",
    # Imported lazily by urllib.request's ftp:// handler and logging's SMTPHandler; the app
    # fetches http(s) URLs only and logs to a file. _pydecimal is decimal's fallback for when
    # the C _decimal is missing, which it never is.
    "ftplib",
    "smtplib",
    "_pydecimal",
]

# Every PySide6-Essentials Python module. The ones the app's code never imports are
# excluded outright (some are pulled in by the graph otherwise, e.g. QtNetwork).
ESSENTIALS_MODULES = (
    "QtConcurrent",
    "QtCore",
    "QtDBus",
    "QtDesigner",
    "QtGui",
    "QtHelp",
    "QtLabsStyleKit",
    "QtNetwork",
    "QtOpenGL",
    "QtOpenGLWidgets",
    "QtPrintSupport",
    "QtQml",
    "QtQmlFeatures",
    "QtQuick",
    "QtQuickControls2",
    "QtQuickTest",
    "QtQuickWidgets",
    "QtSql",
    "QtSvg",
    "QtSvgWidgets",
    "QtTest",
    "QtUiTools",
    "QtWidgets",
    "QtXml",
)
ALWAYS_KEEP = {"QtCore", "QtGui", "QtWidgets", "QtDBus"}


def qt_modules_used_by_app(app_dir: Path = ROOT / "app") -> set[str]:
    """PySide6 modules named anywhere in the app's source (imports, lazy imports)."""
    used: set[str] = set()
    pattern = re.compile(r"PySide6\.(Qt\w+)|from\s+PySide6\s+import\s+\(?([\w\s,]+)")
    for path in app_dir.rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if match.group(1):
                used.add(match.group(1))
            else:
                used.update(
                    n.strip() for n in match.group(2).split(",") if n.strip().startswith("Qt")
                )
    return used


def qt_module_excludes() -> list[str]:
    """The same list for both specs, computed from the app, so both bundles are trimmed alike."""
    if not TRIM:
        return []
    keep = ALWAYS_KEEP | qt_modules_used_by_app()
    return [f"PySide6.{name}" for name in ESSENTIALS_MODULES if name not in keep]


def python_excludes() -> list[str]:
    return list(PY_EXCLUDES) + qt_module_excludes() if TRIM else []


def _plugin_excluded(plugin_type: str, plugin_file: str) -> bool:
    name = Path(plugin_file).name
    stem = name.split(".", 1)[0]
    if stem.startswith("lib"):
        stem = stem[3:]
    key = f"{plugin_type.replace(os.sep, '/')}/{stem}"
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in PLUGIN_EXCLUDES)


def install_qt_plugin_filter() -> None:
    """Make PyInstaller's Qt hooks skip excluded plugins (layer 1).

    Hooks run in this process, so wrapping QtLibraryInfo.collect_plugins before Analysis
    is enough. Checked against pyinstaller 6.22 (constraints.txt); check_bundle() below
    fails the build if the hook API changes and an excluded plugin slips through anyway.
    """
    if not TRIM:
        return
    from PyInstaller.utils.hooks.qt import QtLibraryInfo

    original = QtLibraryInfo.collect_plugins
    if getattr(original, "_mountsea_filtered", False):
        return

    def collect_plugins(self, plugin_type):  # type: ignore[no-untyped-def]
        collected = original(self, plugin_type)
        return [(src, dst) for src, dst in collected if not _plugin_excluded(plugin_type, src)]

    collect_plugins._mountsea_filtered = True  # type: ignore[attr-defined]
    QtLibraryInfo.collect_plugins = collect_plugins


def _dest(entry) -> str:  # type: ignore[no-untyped-def]
    return str(entry[0]).replace("\\", "/")


# Sources of resources that the app reads only in compiled form (or never).
RESOURCE_EXCLUDES = (
    # The Windows and macOS icon files are build inputs (EXE icon, BUNDLE icon, read from the
    # source tree); the running app builds its window icon from the PNGs (app.main.app_icon).
    "resources/icons/app.icns",
    "resources/icons/app.ico",
    "resources/translations/*.ts",
    "resources/*.py",
    "resources/*/*.py",
    "*/__pycache__/*",
)


def _drop(dest: str) -> bool:
    name = dest.rsplit("/", 1)[-1]
    if dest.startswith("resources/"):
        return any(fnmatch.fnmatchcase(dest, pattern) for pattern in RESOURCE_EXCLUDES)
    # Qt's translations: PySide6/Qt/translations (Linux, macOS), PySide6/translations (Windows).
    if re.match(r"PySide6/(Qt/)?translations/", dest):
        return not any(fnmatch.fnmatchcase(name, keep) for keep in QT_TRANSLATIONS_KEEP)
    return any(fnmatch.fnmatchcase(name.lower(), pattern) for pattern in BINARY_EXCLUDES)


def trim_toc(toc):  # type: ignore[no-untyped-def]
    """Layer 2: drop leaf files from an Analysis TOC (binaries or datas)."""
    if not TRIM:
        return toc
    return [entry for entry in toc if not _drop(_dest(entry))]


def _dynamic_symbols(path: str, defined: bool) -> set[str] | None:
    readelf = shutil.which("readelf")
    if not readelf:
        return None
    result = subprocess.run(
        [readelf, "-W", "--dyn-syms", path], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return None
    names = set()
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0].endswith(":") and (fields[6] != "UND") == defined:
            names.add(fields[7].split("@", 1)[0])
    return names


def share_system_libxau(binaries):  # type: ignore[no-untyped-def]
    """Linux: put the system libXau (2 pages) in place of the Pillow wheel's copy (2.1 MB).

    Pillow's wheel vendors libxcb + libXau for ImageGrab (which the app never calls), and the
    patchelf run that renamed its libXau moved the symbol tables to a 2 MB-aligned offset: the
    file is 2.1 MB of mostly zeros, and no strip can close the gap (the segment's offset must
    stay aligned). The bundle already holds the build machine's libXau.so.6, collected for Qt's
    xcb platform. libXau's ABI is unchanged since 2003 (soname .6) and Pillow's libxcb needs
    two of its functions, so the system file is copied under the vendored name instead.
    Done only when the system copy was collected and defines every Xau* symbol Pillow's libxcb
    imports (checked with readelf); otherwise the wheel's file stays. Python loads extension
    modules with RTLD_NOW, so a mismatch could not lurk: `import PIL._imaging` would fail, and
    the frozen `generate --demo` test with it.
    """
    if not (TRIM and sys.platform.startswith("linux")):
        return binaries
    by_dest = {_dest(entry): entry for entry in binaries}
    system = by_dest.get("libXau.so.6")
    vendored = [d for d in by_dest if fnmatch.fnmatchcase(d, "pillow.libs/libXau-*.so*")]
    users = [d for d in by_dest if fnmatch.fnmatchcase(d, "pillow.libs/libxcb-*.so*")]
    if system is None or len(vendored) != 1 or len(users) != 1:
        return binaries
    needed = _dynamic_symbols(by_dest[users[0]][1], defined=False)
    provided = _dynamic_symbols(system[1], defined=True)
    if needed is None or provided is None:
        return binaries
    if not {name for name in needed if name.startswith("Xau")} <= provided:
        return binaries
    return [
        (entry[0], system[1], entry[2]) if _dest(entry) == vendored[0] else entry
        for entry in binaries
    ]


def check_bundle(binaries) -> None:  # type: ignore[no-untyped-def]
    """Fail the build if an excluded plugin was collected after all (e.g. hook API changed)."""
    if not TRIM:
        return
    for entry in binaries:
        dest = _dest(entry)
        marker = "/plugins/"
        if marker not in f"/{dest}":
            continue
        plugin_type, _, plugin_file = f"/{dest}".split(marker, 1)[1].rpartition("/")
        if _plugin_excluded(plugin_type, plugin_file):
            raise SystemExit(f"packaging: excluded Qt plugin was collected anyway: {dest}")


def version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not match:
        raise SystemExit("packaging: no __version__ in app/__init__.py")
    return match.group(1)


def macos_minimum_version(default: str = "13.0") -> str:
    """The oldest macOS the bundled Qt runs on: the PySide6 wheel's own platform tag."""
    from importlib import metadata

    try:
        wheel = metadata.distribution("PySide6_Essentials").read_text("WHEEL") or ""
    except metadata.PackageNotFoundError:
        return default
    found = re.findall(r"macosx_(\d+)_(\d+)", wheel)
    if not found:
        return default
    major, minor = min((int(a), int(b)) for a, b in found)
    return f"{major}.{minor}"


def is_windows() -> bool:
    return sys.platform == "win32"


def is_macos() -> bool:
    return sys.platform == "darwin"
