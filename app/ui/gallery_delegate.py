"""How a gallery cell is painted: the thumbnail centred, the selection, a star badge on
favourites, a tag on demo pictures.

The star is drawn, not typed (a font may lack "★"), gold on a dark disc with a white rim so it
stands out on any picture, and pinned to the thumbnail's own top-right corner: a wide picture's
thumbnail is shorter than its cell, and a badge at the cell's corner floated between rows.
"""

from __future__ import annotations

import math

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from app.services.gallery_model import GalleryModel
from app.ui.widgets import qstyle

ICON = QSize(160, 160)  # the thumbnail's box
GRID = QSize(172, 172)  # one cell: the thumbnail and its margin
BADGE = 24  # the favourite badge's diameter
STAR_GOLD = QColor(255, 196, 0)


def star(centre: QPointF, outer: float) -> QPolygonF:
    """A five-pointed star, point up."""
    inner = outer * 0.42
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / 5
        points.append(QPointF(centre.x() + r * math.cos(a), centre.y() + r * math.sin(a)))
    return QPolygonF(points)


def badge_rect(thumb: QRect) -> QRect:
    """Where the favourite badge goes: inside the thumbnail's top-right corner."""
    return QRect(thumb.right() - BADGE - 3, thumb.top() + 4, BADGE, BADGE)


class GalleryDelegate(QStyledItemDelegate):
    """Paints the thumbnail centred in its cell, the selection, and a star on favourites.

    It asks the GalleryModel directly (a Python call) instead of going through
    QModelIndex.data() and QVariant twice per cell: the grid repaints dozens of cells per frame.
    """

    def __init__(self, model: GalleryModel, parent: QObject | None = None):
        super().__init__(parent)
        self.model = model
        self._demo_font: QFont | None = None
        # Drawn on every demo cell: translated once, not per paint.
        self._demo_text = QCoreApplication.translate("GalleryPanel", "Demo")

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.row()
        rect: QRect = option.rect.adjusted(3, 3, -3, -3)  # type: ignore[attr-defined]
        if option.state & qstyle().StateFlag.State_Selected:  # type: ignore[attr-defined]
            painter.fillRect(rect, option.palette.color(QPalette.ColorRole.Highlight))  # type: ignore[attr-defined]
        pm = self.model.thumbnail(row)
        dpr = pm.devicePixelRatio() or 1.0
        w, h = int(pm.width() / dpr), int(pm.height() / dpr)
        thumb = QRect(rect.x() + (rect.width() - w) // 2, rect.y() + (rect.height() - h) // 2, w, h)
        painter.drawPixmap(thumb.topLeft(), pm)
        if self.model.is_favourite(row):
            self._paint_star_badge(painter, badge_rect(thumb))
        if self.model.is_demo(row):
            self._paint_demo_badge(painter, rect)

    def _paint_star_badge(self, painter: QPainter, badge: QRect) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255, 230), 1.5))
        painter.setBrush(QColor(20, 20, 20, 200))
        painter.drawEllipse(badge)
        painter.setPen(QPen(QColor(120, 80, 0), 1.0))
        painter.setBrush(STAR_GOLD)
        centre = QPointF(badge.center()) + QPointF(0.5, 0.8)
        painter.drawPolygon(star(centre, BADGE * 0.36))
        painter.restore()

    def _paint_demo_badge(self, painter: QPainter, rect: QRect) -> None:
        """A tag in the bottom-left corner: this picture came from the demo simulator."""
        painter.save()
        if self._demo_font is None:
            self._demo_font = QFont(painter.font())
            self._demo_font.setPixelSize(11)
            self._demo_font.setBold(True)
        painter.setFont(self._demo_font)
        width = painter.fontMetrics().horizontalAdvance(self._demo_text) + 10
        tag = QRect(rect.left() + 4, rect.bottom() - 20, width, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(40, 40, 40, 190))
        painter.drawRoundedRect(tag, 4, 4)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, self._demo_text)
        painter.restore()

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return GRID
