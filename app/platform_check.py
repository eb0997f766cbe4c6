"""Can Qt open a window here? Asked before Qt is imported, because when Qt's platform plugin
cannot load, Qt aborts the process with a message that names the wrong library (it blames
xcb-cursor0 for whatever is missing) and says nothing about what to install.

Plain Python, no Qt: on Linux it looks for a display and loads the shared libraries Qt's
windowing plugins link against (the ones PySide6's wheels leave to the system), each mapped to
the Debian/Ubuntu package that ships it. Elsewhere Qt brings what it needs.

`python -m app.platform_check` prints what is wrong and the apt-get line that fixes it, and
exits 1; it exits 0 silently when Qt can start.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

# What libQt6Gui links against: needed whichever windowing plugin Qt picks.
GUI_LIBRARIES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libdbus-1.so.3": "libdbus-1-3",
}

# What Qt's xcb plugin (libqxcb.so and libQt6XcbQpa) links against, read with `readelf -d`.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}

# What Qt's Wayland plugin (libqwayland.so and libQt6WaylandClient) links against.
WAYLAND_LIBRARIES = {
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
}

HEADLESS = "QT_QPA_PLATFORM=offscreen"

Loader = Callable[[str], object]


def load(name: str) -> object:
    """Loads a shared library as Qt will (the system's search path, then a frozen bundle's own
    folder, where PyInstaller may have put a copy)."""
    try:
        return ctypes.CDLL(name)
    except OSError:
        bundle = getattr(sys, "_MEIPASS", None)
        if bundle is None:
            raise
        return ctypes.CDLL(str(Path(bundle) / name))


def x_server_answers(display: str) -> bool:
    """Whether the X server `display` names accepts a connection (through libxcb, as Qt would)."""
    xcb = ctypes.CDLL("libxcb.so.1")
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    # xcb_connect never returns NULL: a failed connection is an object in an error state.
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(connection) and xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def missing_packages(libraries: Mapping[str, str], loader: Loader = load) -> list[str]:
    """The packages of the libraries in `libraries` that do not load, in order, each once."""
    packages: list[str] = []
    for library, package in libraries.items():
        try:
            loader(library)
        except OSError:
            if package not in packages:
                packages.append(package)
    return packages


def platforms(requested: str) -> list[str] | None:
    """The windowing plugins Qt may use for QT_QPA_PLATFORM=`requested` ("" when unset), among
    the two this module knows; None when it asked for another one (offscreen, vnc, eglfs...),
    which needs no display and none of these libraries."""
    # The variable is a ;-separated list of fallbacks, each with optional :arguments.
    names = [part.split(":", 1)[0].strip() for part in requested.split(";") if part.strip()]
    if not names:
        return ["wayland", "xcb"]
    known = [name for name in names if name in ("xcb", "wayland")]
    return known or None


def install_line(packages: Iterable[str]) -> str:
    return "sudo apt-get install -y " + " ".join(packages)


def problem(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    loader: Loader = load,
    answers: Callable[[str], bool] | None = None,
) -> str | None:
    """Why Qt could not open a window here, as a sentence (and, when packages are missing, a
    second line with the apt-get command that installs them); None when nothing stops it.

    Call it before creating the QApplication: when it returns text, print it and exit 1. The
    libraries it loads are the ones Qt loads next, so in-process it costs little (a few ms).
    `answers`, when given, is also asked whether the X display accepts a connection
    (x_server_answers does, through libxcb): `python -m app.platform_check` asks it, but an
    app should not, since an extra connection just before Qt's own made QApplication ~30 ms
    slower to start under Xvfb."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    wanted = platforms(environ.get("QT_QPA_PLATFORM", ""))
    if wanted is None:
        return None
    has_x = bool(environ.get("DISPLAY"))
    has_wayland = bool(environ.get("WAYLAND_DISPLAY"))
    usable = [
        name for name in wanted if (name == "xcb" and has_x) or (name == "wayland" and has_wayland)
    ]
    if not usable:
        return (
            "There is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is "
            f"set): start it from a desktop session, or run it headless with {HEADLESS}."
        )
    gui = missing_packages(GUI_LIBRARIES, loader)
    # Qt tries the plugins in turn: one that can start is enough.
    needs: dict[str, list[str]] = {}
    for name in usable:
        own = XCB_LIBRARIES if name == "xcb" else WAYLAND_LIBRARIES
        needs[name] = gui + [p for p in missing_packages(own, loader) if p not in gui]
        if not needs[name] and (
            name == "wayland" or answers is None or answers(environ["DISPLAY"])
        ):
            return None
    if needs.get("xcb") == []:
        return (
            f"Qt cannot open a window: the X display {environ['DISPLAY']} does not answer "
            f"(is the X server running, and may this user use it?); or run headless with "
            f"{HEADLESS}."
        )
    # When neither starts, name what the X11 plugin needs: it serves Wayland desktops too
    # (through XWayland), and it is the one whose libraries a bare system lacks.
    name = "xcb" if "xcb" in needs else "wayland"
    system = "X11" if name == "xcb" else "Wayland"
    return (
        f"Qt cannot open a window on {system}: the system libraries it needs are missing, "
        f"install {', '.join(needs[name])} (or run headless with {HEADLESS}).\n"
        f"{install_line(needs[name])}"
    )


def main() -> int:
    text = problem(answers=x_server_answers)
    if text is None:
        return 0
    print(text, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
