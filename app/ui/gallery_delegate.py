"""How a gallery cell is painted: the thumbnail centred, the selection, a star on favourites,
a tag on demo pictures."""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from app.services.gallery_model import GalleryModel
from app.ui.widgets import qstyle

ICON = QSize(160, 160)  # the thumbnail's box
GRID = QSize(172, 172)  # one cell: the thumbnail and its margin


class GalleryDelegate(QStyledItemDelegate):
    """Paints the thumbnail centred in its cell, the selection, and a star on favourites.

    It asks the GalleryModel directly (a Python call) instead of going through
    QModelIndex.data() and QVariant twice per cell: the grid repaints dozens of cells per frame.
    """

    def __init__(self, model: GalleryModel, parent: QObject | None = None):
        super().__init__(parent)
        self.model = model
        self._star_font: QFont | None = None
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
        painter.drawPixmap(
            rect.x() + (rect.width() - w) // 2, rect.y() + (rect.height() - h) // 2, pm
        )
        if self.model.is_favourite(row):
            painter.save()
            if self._star_font is None:
                self._star_font = QFont(painter.font())
                self._star_font.setPixelSize(18)
            painter.setFont(self._star_font)
            badge = QRect(rect.right() - 24, rect.top() + 2, 22, 22)
            painter.setPen(QColor(0, 0, 0, 160))
            painter.drawText(badge.translated(1, 1), Qt.AlignmentFlag.AlignCenter, "★")
            painter.setPen(QColor(255, 200, 40))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "★")
            painter.restore()
        if self.model.is_demo(row):
            self._paint_demo_badge(painter, rect)

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
