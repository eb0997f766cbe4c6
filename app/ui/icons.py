"""The app's own icons: small SVG line drawings under resources/icons, drawn in the colour
the caller asks for (the palette's text colour, so they follow light and dark themes).

Never font glyphs: a symbol or emoji the system font lacks paints as an empty box. QtSvg
renders them directly (no image-format plugin to go missing from a bundle), and each
(name, size, colour, scale) is drawn once.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from app.resources import resource_path

NAMES = ("cancel", "check", "retry", "reveal", "edit", "image", "settings", "cutout", "star")
INK = b"#000000"  # the stroke colour in the files, replaced by the caller's

_sources: dict[str, bytes] = {}
_pixmaps: dict[tuple[str, int, int, float], QPixmap] = {}


def _source(name: str) -> bytes:
    data = _sources.get(name)
    if data is None:
        data = resource_path("icons", f"{name}.svg").read_bytes()
        _sources[name] = data
    return data


def pixmap(name: str, size: int, colour: QColor, scale: float = 1.0) -> QPixmap:
    """`name` drawn `size` logical pixels square in `colour`, sharp at device `scale`."""
    key = (name, size, colour.rgba(), scale)
    cached = _pixmaps.get(key)
    if cached is not None:
        return cached
    # Here, not at import: start-up shows no icon, and QtSvg costs a few ms to load.
    from PySide6.QtSvg import QSvgRenderer

    svg = _source(name).replace(INK, colour.name().encode("ascii"))
    renderer = QSvgRenderer(QByteArray(svg))
    side = max(1, round(size * scale))
    out = QPixmap(side, side)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setOpacity(colour.alphaF())
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    out.setDevicePixelRatio(scale)
    _pixmaps[key] = out
    return out


def icon(name: str, colour: QColor, size: int = 16) -> QIcon:
    """A QIcon of `name` for buttons (normal and 2x, so high-DPI screens get sharp lines)."""
    result = QIcon()
    for scale in (1.0, 2.0):
        result.addPixmap(pixmap(name, size, colour, scale))
    return result
