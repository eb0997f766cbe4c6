"""The mask-brush canvas: shows the picture, paints the mask over it, zooms and pans.

Over 600 lines on purpose: one widget whose painting, zoom and mouse input share one view state.

The pixels live in app.core.mask.MaskModel (image coordinates, undo per stroke). This widget
only maps mouse positions to image pixels, keeps an 8-bit indexed overlay in step with the
model inside each change's rectangle, and repaints just that part of the screen: on a
4096x4096 picture a mouse move costs well under the 4 ms budget.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
    qRgba,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.mask import MaskModel, Rect

if TYPE_CHECKING:
    from PIL import Image

MIN_BRUSH = 1
MAX_BRUSH = 1000
MAX_ZOOM = 32.0
ZOOM_STEP = 1.25
DEFAULT_OVERLAY = QColor(255, 32, 96)


class Tool(StrEnum):
    brush = "brush"
    eraser = "eraser"
    rect = "rect"
    lasso = "lasso"


def mipmaps(image: QImage, smallest: int = 1024) -> list[QImage]:
    """The picture and its successive halves, for sharp drawing when zoomed out.

    Qt scales a drawn image with bilinear sampling, which turns into aliasing when a 4096
    picture is shown at 20 %; drawing from the nearest larger half keeps it smooth. Slow on
    big pictures: call it in a worker thread and hand the list to set_image().
    """
    levels = [image]
    while max(levels[-1].width(), levels[-1].height()) > smallest:
        last = levels[-1]
        levels.append(
            last.scaled(
                max(1, last.width() // 2),
                max(1, last.height() // 2),
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
    return levels


class MaskCanvas(QWidget):
    mask_changed = Signal()  # a stroke or an operation finished (not on every mouse move)
    zoom_changed = Signal(float)
    brush_size_changed = Signal(int)
    open_requested = Signal()  # a click on the empty canvas

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("maskCanvas")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)
        self._levels: list[QImage] = []
        self._model: MaskModel | None = None
        self._overlay: QImage | None = None
        self._scale = 1.0
        self._offset = QPointF(0, 0)  # widget position of the image's top-left corner
        self._fit = True
        self._tool = Tool.brush
        self._brush = 40
        self._opacity = 0.5
        self._color = QColor(DEFAULT_OVERLAY)
        self._mask_visible = True
        self._cursor: QPointF | None = None  # widget position of the mouse, when inside
        self._pan_from: QPointF | None = None
        self._space = False
        self._stroking = False
        self._fill_erase = False
        self._rect_from: QPointF | None = None  # image coordinates
        self._rect_to: QPointF | None = None
        self._lasso: list[QPointF] = []  # image coordinates
        self._checker_brush: QBrush | None = None
        self._update_cursor_shape()

    # -- picture and mask ----------------------------------------------------------------

    def set_image(
        self, image: QImage, levels: list[QImage] | None = None, keep_mask: bool = True
    ) -> bool:
        """Show `image` (ideally ARGB32_Premultiplied). The mask is kept when the size is the
        same and keep_mask is set; returns whether it was kept."""
        self._cancel_interaction()
        self._levels = levels if levels else mipmaps(image)
        size = (image.width(), image.height())
        kept = keep_mask and self._model is not None and self._model.size == size
        if not kept:
            self._model = MaskModel(*size)
            self._overlay = QImage(size[0], size[1], QImage.Format.Format_Indexed8)
            self._overlay.fill(0)
            self._apply_colors()
        self.zoom_fit()
        self.mask_changed.emit()
        return kept

    def clear_image(self) -> None:
        self._cancel_interaction()
        self._levels = []
        self._model = None
        self._overlay = None
        self.update()
        self.mask_changed.emit()

    def put_back_mask(self, model: MaskModel) -> bool:
        """Show `model` again (a mask this canvas had, with its undo history) over the
        picture shown now; False when it was painted for another size."""
        if self._model is None or model.size != self._model.size:
            return False
        self._cancel_interaction()
        self._model = model
        w, h = model.size
        self._overlay = QImage(w, h, QImage.Format.Format_Indexed8)
        self._overlay.fill(0)
        self._apply_colors()
        self._sync_overlay((0, 0, w, h))
        self.mask_changed.emit()
        return True

    def has_image(self) -> bool:
        return bool(self._levels)

    def image(self) -> QImage | None:
        return self._levels[0] if self._levels else None

    def image_size(self) -> QSize:
        return self._levels[0].size() if self._levels else QSize()

    @property
    def model(self) -> MaskModel | None:
        return self._model

    def mask_bytes(self) -> bytes | None:
        """Raw L bytes of the painted mask, or None when nothing is painted."""
        if self._model is None or self._model.is_empty:
            return None
        return self._model.tobytes()

    def overlay_image(self) -> QImage | None:
        return self._overlay

    # -- tools and appearance ------------------------------------------------------------

    def tool(self) -> Tool:
        return self._tool

    def set_tool(self, tool: Tool | str) -> None:
        self._cancel_interaction()
        self._tool = Tool(tool)
        self._update_cursor_shape()
        self.update()

    def brush_size(self) -> int:
        return self._brush

    @Slot(int)
    def set_brush_size(self, size: int) -> None:
        size = max(MIN_BRUSH, min(MAX_BRUSH, int(size)))
        if size == self._brush:
            return
        old = self._cursor_rect()
        self._brush = size
        self._update_cursor_shape()
        self.update(old)
        self.update(self._cursor_rect())
        self.brush_size_changed.emit(size)

    def grow_brush(self, steps: int) -> None:
        size = self._brush
        for _ in range(abs(steps)):
            delta = max(1, round(size * 0.15))
            size = size + delta if steps > 0 else size - delta
        self.set_brush_size(size)

    @Slot(int)
    def set_overlay_opacity(self, percent: int) -> None:
        self._opacity = max(0, min(100, percent)) / 100
        self._apply_colors()
        self.update()

    def overlay_opacity(self) -> int:
        return round(self._opacity * 100)

    def set_overlay_color(self, color: QColor) -> None:
        self._color = QColor(color)
        self._apply_colors()
        self.update()

    @Slot(bool)
    def set_mask_visible(self, visible: bool) -> None:
        self._mask_visible = bool(visible)
        self.update()

    def mask_visible(self) -> bool:
        return self._mask_visible

    def _apply_colors(self) -> None:
        if self._overlay is None:
            return
        c = self._color
        alpha = round(255 * self._opacity)
        # Only 0 and 255 occur in the mask; give the rest a ramp anyway.
        self._overlay.setColorTable(
            [qRgba(c.red(), c.green(), c.blue(), i * alpha // 255) for i in range(256)]
        )

    # -- coordinates and zoom -------------------------------------------------------------

    def scale(self) -> float:
        return self._scale

    def is_fitted(self) -> bool:
        return self._fit

    def map_to_image(self, pos: QPointF) -> QPointF:
        return (QPointF(pos) - self._offset) / self._scale

    def map_from_image(self, pos: QPointF) -> QPointF:
        return QPointF(pos) * self._scale + self._offset

    def _widget_rect(self, rect: Rect, margin: float = 2.0) -> QRect:
        x0, y0, x1, y1 = rect
        s = self._scale
        return QRectF(
            self._offset.x() + x0 * s - margin,
            self._offset.y() + y0 * s - margin,
            (x1 - x0) * s + 2 * margin,
            (y1 - y0) * s + 2 * margin,
        ).toAlignedRect()

    def _fit_scale(self) -> float:
        size = self.image_size()
        if size.isEmpty():
            return 1.0
        margin = 8
        return max(
            1e-3,
            min(
                (self.width() - 2 * margin) / size.width(),
                (self.height() - 2 * margin) / size.height(),
            ),
        )

    @Slot()
    def zoom_fit(self) -> None:
        self._fit = True
        self._set_view(self._fit_scale(), None)

    @Slot()
    def zoom_actual(self) -> None:
        """100 %: one image pixel per screen pixel, keeping the centre of the view in place."""
        self._fit = False
        self.zoom_to(1.0, QPointF(self.width() / 2, self.height() / 2))

    def zoom_to(self, scale: float, anchor: QPointF) -> None:
        """Zoom so the image point under `anchor` (widget coordinates) stays under it."""
        lowest = min(self._fit_scale(), 1.0) / 4
        scale = max(lowest, min(MAX_ZOOM, scale))
        self._fit = False
        self._set_view(scale, anchor)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self.zoom_to(
            self._scale * factor,
            anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2),
        )

    def _set_view(self, scale: float, anchor: QPointF | None) -> None:
        size = self.image_size()
        if anchor is None:
            self._scale = scale
            self._offset = QPointF(
                (self.width() - size.width() * scale) / 2,
                (self.height() - size.height() * scale) / 2,
            )
        else:
            image_point = self.map_to_image(anchor)
            self._scale = scale
            self._offset = anchor - image_point * scale
        self._update_cursor_shape()
        self.update()
        self.zoom_changed.emit(self._scale)

    def pan_by(self, dx: float, dy: float) -> None:
        self._fit = False
        self._offset += QPointF(dx, dy)
        self.update()

    # -- mask operations (each is one undo step) -----------------------------------------

    def _sync_overlay(self, rect: Rect | None) -> None:
        """Copy the model's pixels inside `rect` into the overlay and repaint that region."""
        if rect is None or self._model is None or self._overlay is None:
            return
        x0, y0, x1, y1 = rect
        w = x1 - x0
        data = self._model.image.crop(rect).tobytes()
        bits: memoryview = self._overlay.bits()  # type: ignore[assignment]
        bpl = self._overlay.bytesPerLine()
        if x0 == 0 and w == bpl:
            bits[y0 * bpl : y1 * bpl] = data
        else:
            for row in range(y1 - y0):
                start = (y0 + row) * bpl + x0
                bits[start : start + w] = data[row * w : (row + 1) * w]
        self.update(self._widget_rect(rect))

    def _operation(self, rect: Rect | None) -> None:
        self._sync_overlay(rect)
        if rect is not None:
            self.mask_changed.emit()

    @Slot()
    def undo(self) -> None:
        if self._model is not None and not self._stroking:
            self._operation(self._model.undo())

    @Slot()
    def redo(self) -> None:
        if self._model is not None and not self._stroking:
            self._operation(self._model.redo())

    @Slot()
    def clear_mask(self) -> None:
        if self._model is not None:
            self._cancel_interaction()
            self._operation(self._model.clear())

    @Slot()
    def invert_mask(self) -> None:
        if self._model is not None:
            self._cancel_interaction()
            self._operation(self._model.invert())

    def fill_rect(self, rect: tuple[float, float, float, float], erase: bool = False) -> None:
        if self._model is not None:
            self._operation(self._model.fill_rect(rect, erase))  # type: ignore[arg-type]

    def fill_polygon(self, points: list[tuple[float, float]], erase: bool = False) -> None:
        if self._model is not None:
            self._operation(self._model.fill_polygon(points, erase))

    def load_mask_image(self, painted: Image.Image) -> None:
        """Replace the mask with `painted` (L, already this picture's size); undoable."""
        if self._model is not None:
            self._cancel_interaction()
            self._operation(self._model.load_painted(painted))

    # -- painting ------------------------------------------------------------------------

    def _checker(self) -> QBrush:
        if self._checker_brush is None:
            tile = QImage(16, 16, QImage.Format.Format_RGB32)
            tile.fill(QColor(204, 204, 204))
            p = QPainter(tile)
            p.fillRect(0, 0, 8, 8, QColor(153, 153, 153))
            p.fillRect(8, 8, 8, 8, QColor(153, 153, 153))
            p.end()
            self._checker_brush = QBrush(tile)
        return self._checker_brush

    def _level_for(self, scale: float) -> QImage:
        """The smallest mipmap that still has at least one pixel per screen pixel."""
        full = self._levels[0].width()
        chosen = self._levels[0]
        for level in self._levels[1:]:
            if level.width() / full >= scale * 0.999:
                chosen = level
            else:
                break
        return chosen

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        exposed = event.rect()
        painter.fillRect(exposed, self.palette().color(self.backgroundRole()).darker(140))
        if not self._levels:
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                self.rect().adjusted(20, 20, -20, -20),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.tr(
                    "Drop a picture here, paste one (Ctrl+V) or click to open one.\nThen paint over the part to change."
                ),
            )
            return
        full = self._levels[0]
        s = self._scale
        # The image pixels under the exposed area, widened to whole pixels.
        x0 = max(0, math.floor((exposed.left() - self._offset.x()) / s) - 1)
        y0 = max(0, math.floor((exposed.top() - self._offset.y()) / s) - 1)
        x1 = min(full.width(), math.ceil((exposed.right() + 1 - self._offset.x()) / s) + 1)
        y1 = min(full.height(), math.ceil((exposed.bottom() + 1 - self._offset.y()) / s) + 1)
        if x0 < x1 and y0 < y1:
            target = QRectF(
                self._offset.x() + x0 * s, self._offset.y() + y0 * s, (x1 - x0) * s, (y1 - y0) * s
            )
            level = self._level_for(s)
            rx = level.width() / full.width()
            ry = level.height() / full.height()
            painter.setClipRect(exposed)
            if full.hasAlphaChannel():
                # A checkerboard under transparent parts, so they read as transparent.
                painter.fillRect(target, self._checker())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, s < 1.0)
            painter.drawImage(
                target, level, QRectF(x0 * rx, y0 * ry, (x1 - x0) * rx, (y1 - y0) * ry)
            )
            if self._mask_visible and self._overlay is not None and self._opacity > 0:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                painter.drawImage(target, self._overlay, QRectF(x0, y0, x1 - x0, y1 - y0))
        painter.setClipping(False)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_selection(painter)
        self._paint_cursor(painter)

    def _paint_selection(self, painter: QPainter) -> None:
        dark = QPen(QColor(0, 0, 0, 200), 1)
        light = QPen(QColor(255, 255, 255, 230), 1, Qt.PenStyle.DashLine)
        if self._rect_from is not None and self._rect_to is not None:
            r = QRectF(
                self.map_from_image(self._rect_from), self.map_from_image(self._rect_to)
            ).normalized()
            for pen in (dark, light):
                painter.setPen(pen)
                painter.drawRect(r)
        if len(self._lasso) > 1:
            poly = QPolygonF([self.map_from_image(p) for p in self._lasso])
            for pen in (dark, light):
                painter.setPen(pen)
                painter.drawPolygon(poly)

    def _brush_centre(self, pos: QPointF) -> QPointF:
        """Screen centre of the dab the model would paint for a press at `pos`."""
        p = self.map_to_image(pos)
        d = self._brush
        cx = math.floor(p.x()) - d // 2 + d / 2
        cy = math.floor(p.y()) - d // 2 + d / 2
        return self.map_from_image(QPointF(cx, cy))

    def _shows_brush(self) -> bool:
        return (
            self._tool in (Tool.brush, Tool.eraser)
            and bool(self._levels)
            and not self._panning_mode()
        )

    def _cursor_rect(self) -> QRect:
        if self._cursor is None or not self._shows_brush():
            return QRect()
        r = self._brush * self._scale / 2 + 3
        c = self._brush_centre(self._cursor)
        return QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r).toAlignedRect()

    def _paint_cursor(self, painter: QPainter) -> None:
        if self._cursor is None or not self._shows_brush():
            return
        r = self._brush * self._scale / 2
        c = self._brush_centre(self._cursor)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # Two rings so the cursor shows on light and dark pictures alike.
        painter.setPen(QPen(QColor(0, 0, 0, 180), 1))
        painter.drawEllipse(c, r + 1, r + 1)
        painter.setPen(
            QPen(
                QColor(255, 255, 255, 230) if self._tool == Tool.brush else QColor(120, 200, 255), 1
            )
        )
        painter.drawEllipse(c, r, r)

    # -- input ---------------------------------------------------------------------------

    def _panning_mode(self) -> bool:
        return self._pan_from is not None or self._space

    def _update_cursor_shape(self) -> None:
        if self._pan_from is not None:
            shape = Qt.CursorShape.ClosedHandCursor
        elif self._space:
            shape = Qt.CursorShape.OpenHandCursor
        elif not self._levels:
            shape = Qt.CursorShape.PointingHandCursor
        elif self._tool in (Tool.brush, Tool.eraser) and self._brush * self._scale >= 6:
            shape = Qt.CursorShape.BlankCursor  # the ring is the cursor
        else:
            shape = Qt.CursorShape.CrossCursor
        self.setCursor(shape)

    def _move_cursor(self, pos: QPointF | None) -> None:
        self.update(self._cursor_rect())
        self._cursor = pos
        self.update(self._cursor_rect())

    def _image_point(self, pos: QPointF) -> QPointF:
        return self.map_to_image(pos)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        button = event.button()
        pos = event.position()
        if button == Qt.MouseButton.MiddleButton or (
            button == Qt.MouseButton.LeftButton and self._space
        ):
            self._pan_from = pos
            self._update_cursor_shape()
            return
        if not self._levels:
            if button == Qt.MouseButton.LeftButton:
                self.open_requested.emit()
            return
        if (
            button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton)
            or self._model is None
        ):
            return
        if self._stroking or self._rect_from is not None or self._lasso:
            return  # a second button during a drag: ignore it
        # The right button does the opposite of the tool: erase with the brush, paint with
        # the eraser, clear with the rectangle and the lasso.
        inverse = button == Qt.MouseButton.RightButton
        p = self._image_point(pos)
        if self._tool in (Tool.brush, Tool.eraser):
            erase = (self._tool == Tool.eraser) != inverse
            self._model.begin_stroke(self._brush / 2, erase=erase)
            self._stroking = True
            self._sync_overlay(self._model.add_point(p.x(), p.y()))
        elif self._tool == Tool.rect:
            self._fill_erase = inverse
            self._rect_from = self._rect_to = p
            self.update()
        elif self._tool == Tool.lasso:
            self._fill_erase = inverse
            self._lasso = [p]

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self._pan_from is not None:
            delta = pos - self._pan_from
            self._pan_from = pos
            self.pan_by(delta.x(), delta.y())
            return
        self._move_cursor(pos)
        if self._stroking and self._model is not None:
            p = self._image_point(pos)
            self._sync_overlay(self._model.add_point(p.x(), p.y()))
        elif self._rect_from is not None:
            old = self._selection_rect()
            self._rect_to = self._image_point(pos)
            self.update(old)
            self.update(self._selection_rect())
        elif self._lasso:
            p = self._image_point(pos)
            last = self._lasso[-1]
            if (p - last).manhattanLength() * self._scale >= 2:
                self._lasso.append(p)
                self.update(self._selection_rect())

    def _selection_rect(self) -> QRect:
        points = (
            [self._rect_from, self._rect_to] if self._rect_from is not None else list(self._lasso)
        )
        points = [p for p in points if p is not None]
        if not points:
            return QRect()
        xs = [p.x() for p in points]
        ys = [p.y() for p in points]
        return self._widget_rect(
            (
                math.floor(min(xs)),
                math.floor(min(ys)),
                math.ceil(max(xs)) + 1,
                math.ceil(max(ys)) + 1,
            ),
            3,
        )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        button = event.button()
        if self._pan_from is not None and button in (
            Qt.MouseButton.MiddleButton,
            Qt.MouseButton.LeftButton,
        ):
            self._pan_from = None
            self._update_cursor_shape()
            return
        if self._model is None:
            return
        if self._stroking:
            self._stroking = False
            if self._model.end_stroke() is not None:
                self.mask_changed.emit()
        elif self._rect_from is not None and self._rect_to is not None:
            a, b = self._rect_from, self._rect_to
            self.update(self._selection_rect())
            self._rect_from = self._rect_to = None
            self.fill_rect((a.x(), a.y(), b.x(), b.y()), erase=self._fill_erase)
        elif self._lasso:
            points = [(p.x(), p.y()) for p in self._lasso]
            self.update(self._selection_rect())
            self._lasso = []
            self.fill_polygon(points, erase=self._fill_erase)

    def _cancel_interaction(self) -> None:
        if self._stroking and self._model is not None:
            self._sync_overlay(self._model.cancel_stroke())
        self._stroking = False
        if self._rect_from is not None or self._lasso:
            self.update(self._selection_rect())
        self._rect_from = self._rect_to = None
        self._lasso = []

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if not self._levels:
            return
        steps = event.angleDelta().y() / 120
        if steps == 0:
            return
        self.zoom_to(self._scale * ZOOM_STEP**steps, event.position())
        self._move_cursor(event.position())
        self._update_cursor_shape()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._move_cursor(None)
                self._space = True
                self._update_cursor_shape()
            event.accept()
        elif key == Qt.Key.Key_BracketRight:
            self.grow_brush(1)
        elif key == Qt.Key.Key_BracketLeft:
            self.grow_brush(-1)
        elif key == Qt.Key.Key_Escape and (
            self._stroking or self._rect_from is not None or self._lasso
        ):
            self._cancel_interaction()
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self._update_cursor_shape()
            event.accept()
        else:
            super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        # A space released while another window had focus would otherwise stick.
        self._space = False
        self._update_cursor_shape()
        super().focusOutEvent(event)

    def leaveEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self._move_cursor(None)
        super().leaveEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        if self._fit and self._levels:
            self._set_view(self._fit_scale(), None)
        super().resizeEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 480)
