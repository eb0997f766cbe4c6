"""Where the main window opens: a size taken from the screen it opens on, never larger than
that screen, and the saved geometry only when it still fits (a window saved on a big monitor
must not open off the edges of a laptop's)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize
from PySide6.QtWidgets import QWidget

# Big enough to show the prompt, a picture and the task list side by side; beyond that a
# larger window only adds empty canvas, so a 4K screen still gets a window, not the screen.
PREFERRED_MAX = QSize(1600, 1000)
SMALLEST = QSize(1024, 640)  # the smallest screen the layout is made for
FRACTION = 0.85  # of the available area: the desktop stays visible around the window


def first_geometry(available: QRect) -> QRect:
    """The window's first geometry on a screen whose free area is `available`: centred."""
    width = _length(available.width(), SMALLEST.width(), PREFERRED_MAX.width())
    height = _length(available.height(), SMALLEST.height(), PREFERRED_MAX.height())
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def _length(space: int, smallest: int, largest: int) -> int:
    # A fraction of the screen, at least the smallest layout when the screen has room for it,
    # and never more than the screen itself.
    return min(space, largest, max(round(space * FRACTION), smallest))


def fits(geometry: QRect, available: QRect) -> bool:
    return not geometry.isEmpty() and available.contains(geometry)


def place(window: QWidget, saved: str, available: QRect | None = None) -> None:
    """Restore `saved` (base64 of saveGeometry) if it fits the screen, else the first size.
    `available` is the screen's free area (tests pass one; by default the window's screen)."""
    if available is None:
        available = window.screen().availableGeometry()
    restored = bool(saved) and window.restoreGeometry(QByteArray.fromBase64(saved.encode()))
    if restored and (window.isMaximized() or fits(window.geometry(), available)):
        return
    window.setGeometry(first_geometry(available))
