"""Small widgets shared by several panels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QSizePolicy, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyle

_qstyle_type: type[QStyle] | None = None


def qstyle() -> type[QStyle]:
    """QStyle, for the delegates' paint(). PySide builds a class's Python type, with all its
    enums, the first time the class is touched: for QStyle (~15 enums, PixelMetric and
    StandardPixmap among them) that is ~4 ms. Only painting a row needs it, so it is built
    then, not while the modules load; a start-up with no rows to show never pays it."""
    global _qstyle_type
    if _qstyle_type is None:
        from PySide6.QtWidgets import QStyle

        _qstyle_type = QStyle
    return _qstyle_type


def give_own_viewport(view: QAbstractScrollArea) -> None:
    """Give a scroll area a viewport made in Python. Fetching the one Qt makes itself (the
    first `viewport()` call) sends PySide looking for its Python type among every class of
    QtWidgets, building each with its enums: ~7 ms of start-up for a plain QWidget. It is
    set up as Qt sets up its own: the same name (style sheets address it) and a filled base
    background (a view's white, not the window's grey)."""
    viewport = QWidget(view)
    viewport.setObjectName("qt_scrollarea_viewport")
    viewport.setBackgroundRole(QPalette.ColorRole.Base)
    viewport.setAutoFillBackground(True)
    view.setViewport(viewport)


def checkerboard_brush(cell: int = 8) -> QBrush:
    """The usual grey checkerboard that shows where a picture is transparent."""
    tile = QPixmap(cell * 2, cell * 2)
    tile.fill(QColor(204, 204, 204))
    painter = QPainter(tile)
    painter.fillRect(0, 0, cell, cell, QColor(240, 240, 240))
    painter.fillRect(cell, cell, cell, cell, QColor(240, 240, 240))
    painter.end()
    return QBrush(tile)


class ImageView(QWidget):
    """Shows one picture fitted to the widget or at 100 %, with a checkerboard behind transparency.

    Zoomed to 100 % the picture can be panned by dragging; the wheel zooms. The image shown
    may be a stand-in: the picture scaled down to the view on a worker (a 4K result's first
    paint then costs no scaling here). Geometry follows the picture's full size; when a paint
    wants more pixels than the stand-in has, `detail_wanted` asks for them, once.
    """

    detail_wanted = Signal(QSize)  # device pixels the view would paint the picture at
    resized = Signal(int, int)  # the view's new size in device pixels (what stand-ins fit)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imageView")
        self._pixmap: QPixmap | None = None
        self._full_size = QSize()  # the picture's own size, which the stand-in stands for
        self._asked = False
        self._scaled: QPixmap | None = None  # the picture at its current on-screen size
        self._fit = True
        self._scale = 1.0
        self._offset = QPointF(0, 0)
        self._drag_from: QPointF | None = None
        self._checker = checkerboard_brush()
        self._empty_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 160)

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    def set_image(
        self,
        image: QImage | QPixmap | None,
        *,
        full_size: QSize | None = None,
        keep_view: bool = False,
    ) -> None:
        """`full_size`: the picture's size when `image` is a scaled-down stand-in for it;
        `keep_view`: the same picture in more detail (zoom and position stay)."""
        if image is None:
            self._pixmap = None
        elif isinstance(image, QImage):
            self._pixmap = QPixmap.fromImage(image)
        else:
            self._pixmap = image
        own = self._pixmap.size() if self._pixmap is not None else QSize()
        self._full_size = full_size if full_size is not None and full_size.isValid() else own
        self._asked = False
        self._scaled = None
        if not keep_view:
            self._offset = QPointF(0, 0)
        self.update()

    def pixmap(self) -> QPixmap | None:
        return self._pixmap

    def full_size(self) -> QSize:
        return QSize(self._full_size)

    def is_stand_in(self) -> bool:
        return self._pixmap is not None and self._pixmap.size() != self._full_size

    def set_fit(self, fit: bool) -> None:
        self._fit = fit
        self._scale = 1.0
        self._offset = QPointF(0, 0)
        self.update()

    def is_fit(self) -> bool:
        return self._fit

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 480)

    def _target(self) -> QRectF:
        assert self._pixmap is not None
        # Logical pixels: a 1536-px picture at 100 % on a 2x screen is 768 logical pixels wide.
        dpr = self.devicePixelRatioF() or 1.0
        w, h = self._full_size.width() / dpr, self._full_size.height() / dpr
        if self._fit:
            scale = min(self.width() / w, self.height() / h, 1.0 * dpr) if w and h else 1.0
        else:
            scale = self._scale
        tw, th = w * scale, h * scale
        x = (self.width() - tw) / 2 + self._offset.x()
        y = (self.height() - th) / 2 + self._offset.y()
        return QRectF(x, y, tw, th)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        if self._pixmap is None or self._pixmap.isNull():
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._empty_text,
            )
            return
        target = self._target()
        if self._pixmap.hasAlphaChannel():
            painter.fillRect(target, self._checker)
        dpr = self.devicePixelRatioF() or 1.0
        w, h = round(target.width() * dpr), round(target.height() * dpr)
        # A pixel of rounding between the worker's scaling and this one is no reason to ask.
        more = w > self._pixmap.width() + 1 or h > self._pixmap.height() + 1
        if more and self.is_stand_in() and not self._asked:
            self._asked = True
            self.detail_wanted.emit(QSize(w, h))
        if (w, h) == (self._pixmap.width(), self._pixmap.height()):
            painter.drawPixmap(target.topLeft(), self._pixmap)
            return
        if w * h <= 4096 * 4096 and (w < self._pixmap.width() or self._fit):
            # A smooth transform inside drawPixmap costs ~100 ms for a 1536x1024 picture on the
            # raster engine; QPixmap.scaled's box filter takes ~1 ms. Scale once per size.
            if self._scaled is None or (self._scaled.width(), self._scaled.height()) != (w, h):
                self._scaled = self._pixmap.scaled(
                    w,
                    h,
                    Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
                self._scaled.setDevicePixelRatio(dpr)
            painter.drawPixmap(target.topLeft(), self._scaled)
            return
        # Zoomed in past 100 %: show the pixels as they are (nearest neighbour), which is cheap.
        painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if self._pixmap is None:
            return
        if self._fit:
            self._scale = self._target().width() / (
                self._full_size.width() / (self.devicePixelRatioF() or 1.0)
            )
            self._fit = False
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self._scale = max(0.05, min(16.0, self._scale * factor))
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        dpr = self.devicePixelRatioF() or 1.0
        self.resized.emit(round(self.width() * dpr), round(self.height() * dpr))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._fit and event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_from is not None:
            self._offset += event.position() - self._drag_from
            self._drag_from = event.position()
            self.update()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._drag_from = None
        self.unsetCursor()
        super().mouseReleaseEvent(event)


class HintLabel(QLabel):
    """A small wrapped note under a control: explains a choice or says what is wrong with it."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        self.show_text(text or None)

    def show_text(self, text: str | None, *, error: bool = False) -> None:
        self.setText(text or "")
        set_text_colour(self, ERROR_COLOUR if error else None)
        self.setVisible(bool(text))


class ElidedLabel(QLabel):
    """One line that elides in the middle when narrow (a file path), the whole text in its
    tooltip. Its text never sets a minimum width: a long path made the result view's minimum
    up to 150 px wider, and a window at its minimum size grew and re-laid out all its panels
    when the first result arrived."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideMiddle, rect.width()
        )
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )
        painter.end()


ERROR_COLOUR = QColor("#c53030")


def set_text_colour(widget: QWidget, colour: QColor | None) -> None:
    """Error red, or the palette's muted placeholder colour (a palette, not a style sheet:
    style sheets make Qt restyle widgets, which is slow at start-up)."""
    palette = widget.palette()
    if colour is None:
        colour = QApplication.palette().placeholderText().color()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    widget.setPalette(palette)
