"""Before/after compare for edits: a draggable split, or a toggle between the two."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.mask_canvas import mipmaps


class CompareView(QWidget):
    """Shows `before` left of the split and `after` right of it (mode "slider"), or one of
    them at a time (mode "toggle": click, Space or T flips). An `after` of another size is
    scaled onto `before`'s frame, as keep_unmasked does."""

    split_changed = Signal(float)
    mode_changed = Signal(str)
    showing_changed = Signal(bool)  # toggle mode: True while "before" is shown

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._before: QImage | None = None
        self._after: QImage | None = None
        self._levels: tuple[list[QImage], list[QImage]] | None = None  # see mask_canvas.mipmaps
        self._split = 0.5
        self._mode = "slider"
        self._show_before = False
        self._dragging = False

    # -- state ---------------------------------------------------------------------------

    def set_images(
        self,
        before: QImage,
        after: QImage,
        levels: tuple[list[QImage], list[QImage]] | None = None,
    ) -> None:
        """Show `before` and `after`. `levels` are both pictures' mipmaps(); pass them when
        they were made in a worker, otherwise pictures over 2048 px are halved here, once."""
        self._before, self._after = before, after
        if levels is None:
            levels = (self._halves(before), self._halves(after))
        self._levels = levels
        self.update()

    @staticmethod
    def _halves(image: QImage) -> list[QImage]:
        return mipmaps(image, 2048) if max(image.width(), image.height()) > 2048 else [image]

    def clear(self) -> None:
        self._before = self._after = None
        self._levels = None
        self.update()

    def has_images(self) -> bool:
        return self._levels is not None

    def split(self) -> float:
        return self._split

    @Slot(float)
    def set_split(self, fraction: float) -> None:
        fraction = min(1.0, max(0.0, fraction))
        if fraction != self._split:
            self._split = fraction
            self.update()
            self.split_changed.emit(fraction)

    def mode(self) -> str:
        return self._mode

    @Slot(str)
    def set_mode(self, mode: str) -> None:
        if mode not in ("slider", "toggle"):
            raise ValueError(f"unknown compare mode {mode!r}")
        if mode != self._mode:
            self._mode = mode
            self._show_before = False
            self.update()
            self.mode_changed.emit(mode)

    @Slot(bool)
    def set_toggle_mode(self, on: bool) -> None:
        self.set_mode("toggle" if on else "slider")

    def showing_before(self) -> bool:
        return self._show_before

    @Slot()
    def flip(self) -> None:
        self._show_before = not self._show_before
        self.update()
        self.showing_changed.emit(self._show_before)

    # -- geometry ------------------------------------------------------------------------

    def image_rect(self) -> QRect:
        """Where the pictures are drawn: `before`'s aspect, fitted and centred."""
        if self._before is None:
            return QRect()
        size = self._before.size().scaled(
            self.size() - QSize(8, 8), Qt.AspectRatioMode.KeepAspectRatio
        )
        if size.width() > self._before.width() * 4:  # small pictures: no more than 4x
            size = self._before.size() * 4
        x = (self.width() - size.width()) // 2
        y = (self.height() - size.height()) // 2
        return QRect(x, y, size.width(), size.height())

    @staticmethod
    def _level(levels: list[QImage], width: int) -> QImage:
        """The smallest level still at least `width` wide: bilinear drawing from it is smooth."""
        chosen = levels[0]
        for level in levels[1:]:
            if level.width() >= width:
                chosen = level
        return chosen

    def split_x(self) -> int:
        r = self.image_rect()
        return r.left() + round(r.width() * self._split)

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().color(self.backgroundRole()).darker(140))
        r = self.image_rect()
        if self._levels is None or r.isEmpty():
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Nothing to compare yet.")
            )
            return
        before = self._level(self._levels[0], r.width())
        after = self._level(self._levels[1], r.width())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)

        def draw(image: QImage, part: QRect) -> None:
            # `part` of the frame, from the same fraction of the picture (after may differ in size).
            fx = image.width() / r.width()
            fy = image.height() / r.height()
            src = QRectF(
                (part.left() - r.left()) * fx,
                (part.top() - r.top()) * fy,
                part.width() * fx,
                part.height() * fy,
            )
            painter.drawImage(QRectF(part), image, src)

        if self._mode == "toggle":
            draw(before if self._show_before else after, r)
            self._label(
                painter, r, self.tr("Before") if self._show_before else self.tr("After"), left=True
            )
            return
        x = self.split_x()
        left = QRect(r.left(), r.top(), x - r.left(), r.height())
        right = QRect(x, r.top(), r.right() + 1 - x, r.height())
        if not left.isEmpty():
            draw(before, left)
        if not right.isEmpty():
            draw(after, right)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(0, 0, 0, 140), 3))
        painter.drawLine(x, r.top(), x, r.bottom())
        painter.setPen(QPen(QColor(255, 255, 255), 1))
        painter.drawLine(x, r.top(), x, r.bottom())
        # The handle: a round knob with two arrows, so it reads as "drag me".
        c = QPointF(x, r.center().y())
        painter.setBrush(QColor(255, 255, 255, 230))
        painter.setPen(QPen(QColor(0, 0, 0, 160), 1))
        painter.drawEllipse(c, 12, 12)
        arrows = QPainterPath()
        for sign in (-1, 1):
            arrows.moveTo(c + QPointF(sign * 3, -5))
            arrows.lineTo(c + QPointF(sign * 8, 0))
            arrows.lineTo(c + QPointF(sign * 3, 5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(arrows)
        self._label(painter, r, self.tr("Before"), left=True)
        self._label(painter, r, self.tr("After"), left=False)

    def _label(self, painter: QPainter, r: QRect, text: str, left: bool) -> None:
        fm = QFontMetrics(self.font())
        box = QRect(0, 0, fm.horizontalAdvance(text) + 12, fm.height() + 6)
        box.moveTop(r.top() + 8)
        if left:
            box.moveLeft(r.left() + 8)
        else:
            box.moveRight(r.right() - 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(QRectF(box), 4, 4)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    # -- input ---------------------------------------------------------------------------

    def _split_at(self, x: float) -> None:
        r = self.image_rect()
        if r.width() > 0:
            self.set_split((x - r.left()) / r.width())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or not self.has_images():
            return
        if self._mode == "toggle":
            self.flip()
        else:
            self._dragging = True
            self._split_at(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._dragging:
            self._split_at(event.position().x())
        elif self._mode == "slider" and self.has_images():
            near = abs(event.position().x() - self.split_x()) < 16
            self.setCursor(Qt.CursorShape.SplitHCursor if near else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._dragging = False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if self._mode == "slider" and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = 0.05 if key == Qt.Key.Key_Right else -0.05
            self.set_split(self._split + step)
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_T) and self.has_images():
            if self._mode == "slider":
                self.set_mode("toggle")
            self.flip()
        else:
            super().keyPressEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 480)
