"""The canvas driven like a user would: real mouse, wheel and key events on the widget."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.ui.mask_canvas import MaskCanvas, Tool, mipmaps

W, H = 200, 150


def grey_picture(w: int = W, h: int = H) -> QImage:
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(128, 128, 128))
    return image


@pytest.fixture
def canvas(qtbot) -> MaskCanvas:  # type: ignore[no-untyped-def]
    c = MaskCanvas()
    qtbot.addWidget(c)
    c.resize(420, 320)
    c.show()
    qtbot.waitExposed(c)
    c.set_image(grey_picture())
    return c


def screen_point(canvas: MaskCanvas, x: int, y: int) -> QPoint:
    """The integer widget position nearest the centre of image pixel (x, y) that really lies
    on that pixel: what a user aims at."""
    centre = canvas.map_from_image(QPointF(x + 0.5, y + 0.5))
    best = None
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            p = QPoint(math.floor(centre.x()) + dx, math.floor(centre.y()) + dy)
            q = canvas.map_to_image(QPointF(p))
            if math.floor(q.x()) == x and math.floor(q.y()) == y:
                dist = (QPointF(p) - centre).manhattanLength()
                if best is None or dist < best[0]:
                    best = (dist, p)
    assert best is not None, (
        f"no screen pixel lands on image pixel {(x, y)} at zoom {canvas.scale()}"
    )
    return best[1]


def drag(
    canvas: MaskCanvas, pixels: list[tuple[int, int]], button=Qt.MouseButton.LeftButton
) -> None:  # type: ignore[no-untyped-def]
    points = [screen_point(canvas, x, y) for x, y in pixels]
    QTest.mouseMove(canvas, points[0])
    QTest.mousePress(canvas, button, Qt.KeyboardModifier.NoModifier, points[0])
    for p in points[1:]:
        QTest.mouseMove(canvas, p)
    QTest.mouseRelease(canvas, button, Qt.KeyboardModifier.NoModifier, points[-1])


def painted_bytes(canvas: MaskCanvas) -> bytes:
    assert canvas.model is not None
    return canvas.model.tobytes()


STROKE = [(20, 30), (60, 35), (120, 90), (150, 100)]


def test_a_stroke_covers_the_same_image_pixels_at_every_zoom(canvas: MaskCanvas, qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas.set_brush_size(9)
    results = []
    for zoom in (None, 1.0, 1.5, 3.0):
        canvas.model.clear()  # type: ignore[union-attr]
        if zoom is None:
            canvas.zoom_fit()
        else:
            # Zoom around the stroke's middle so every point stays on screen.
            canvas.zoom_to(zoom, canvas.map_from_image(QPointF(85, 65)))
            canvas.pan_by(*(QPointF(210, 160) - canvas.map_from_image(QPointF(85, 65))).toTuple())
        with qtbot.waitSignal(canvas.mask_changed):
            drag(canvas, STROKE)
        results.append(painted_bytes(canvas))
        assert canvas.model.can_undo  # type: ignore[union-attr]
    assert not canvas.is_fitted()
    assert all(r == results[0] for r in results[1:])
    # And it is the stroke itself: the points and the line between them, as wide as the brush.
    im = canvas.model.image  # type: ignore[union-attr]
    for x, y in STROKE:
        assert im.getpixel((x, y)) == 255
    assert im.getpixel((40, 32)) == 255 and im.getpixel((90, 62)) == 255
    assert im.getpixel((20, 40)) == 0 and im.getpixel((150, 110)) == 0


def test_painting_shows_in_the_overlay_and_hiding_it_shows_the_picture(
    canvas: MaskCanvas, qtbot
) -> None:  # type: ignore[no-untyped-def]
    canvas.set_brush_size(20)
    drag(canvas, [(100, 75)])
    assert canvas.overlay_image().pixelIndex(100, 75) == 255  # type: ignore[union-attr]
    assert canvas.overlay_image().pixelIndex(10, 10) == 0  # type: ignore[union-attr]
    QTest.mouseMove(canvas, QPoint(5, 5))  # the brush ring would cover the spot
    spot = canvas.map_from_image(QPointF(100.5, 75.5)).toPoint()
    tinted = canvas.grab().toImage().pixelColor(spot)
    assert tinted.red() > 160 and tinted.green() < 110  # grey tinted toward the overlay red
    canvas.set_mask_visible(False)
    plain = canvas.grab().toImage().pixelColor(spot)
    assert (plain.red(), plain.green(), plain.blue()) == (128, 128, 128)
    canvas.set_mask_visible(True)
    canvas.set_overlay_opacity(0)
    assert canvas.grab().toImage().pixelColor(spot) == plain


def test_undo_redo_clear_invert_on_the_widget(canvas: MaskCanvas, qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas.set_brush_size(5)
    drag(canvas, [(10, 10), (50, 10)])
    one = painted_bytes(canvas)
    drag(canvas, [(10, 100), (50, 100)])
    two = painted_bytes(canvas)
    canvas.undo()
    assert painted_bytes(canvas) == one and canvas.overlay_image().pixelIndex(30, 100) == 0  # type: ignore[union-attr]
    canvas.redo()
    assert painted_bytes(canvas) == two and canvas.overlay_image().pixelIndex(30, 100) == 255  # type: ignore[union-attr]
    canvas.invert_mask()
    assert (
        canvas.model.image.getpixel((100, 50)) == 255 and canvas.model.image.getpixel((30, 10)) == 0
    )  # type: ignore[union-attr]
    assert canvas.overlay_image().pixelIndex(100, 50) == 255  # type: ignore[union-attr]
    canvas.clear_mask()
    assert canvas.mask_bytes() is None and canvas.overlay_image().pixelIndex(100, 50) == 0  # type: ignore[union-attr]
    canvas.undo()
    assert canvas.model.image.getpixel((100, 50)) == 255  # type: ignore[union-attr]


def test_right_button_erases_with_the_brush(canvas: MaskCanvas) -> None:
    canvas.set_brush_size(30)
    drag(canvas, [(100, 75)])
    canvas.set_brush_size(6)
    drag(canvas, [(100, 75)], Qt.MouseButton.RightButton)
    assert canvas.model.image.getpixel((100, 75)) == 0  # type: ignore[union-attr]
    assert canvas.model.image.getpixel((90, 75)) == 255  # type: ignore[union-attr]


def test_rectangle_and_lasso_fill(canvas: MaskCanvas, qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas.set_tool(Tool.rect)
    with qtbot.waitSignal(canvas.mask_changed):
        drag(canvas, [(20, 20), (40, 30), (60, 50)])
    im = canvas.model.image  # type: ignore[union-attr]
    assert (
        im.getpixel((20, 20)) == 255 and im.getpixel((60, 50)) == 255 and im.getpixel((61, 50)) == 0
    )
    assert canvas.model.painted_count() == 41 * 31  # type: ignore[union-attr]
    canvas.set_tool(Tool.lasso)
    drag(canvas, [(100, 20), (180, 20), (180, 120), (100, 20)])
    assert im.getpixel((170, 40)) == 255 and im.getpixel((110, 100)) == 0
    canvas.undo()
    assert im.getpixel((170, 40)) == 0 and im.getpixel((30, 30)) == 255


def test_wheel_zooms_around_the_cursor_and_middle_button_pans(canvas: MaskCanvas) -> None:
    at = QPointF(150, 120)
    under = canvas.map_to_image(at)
    before = canvas.scale()
    wheel = QWheelEvent(
        at,
        canvas.mapToGlobal(at),
        QPoint(),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas, wheel)
    assert canvas.scale() == pytest.approx(before * 1.25**2)
    after = canvas.map_to_image(at)
    assert (after.x(), after.y()) == pytest.approx((under.x(), under.y()))
    start = canvas.map_from_image(QPointF(0, 0))
    QTest.mousePress(
        canvas, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(100, 100)
    )
    QTest.mouseMove(canvas, QPoint(130, 90))
    QTest.mouseRelease(
        canvas, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(130, 90)
    )
    moved = canvas.map_from_image(QPointF(0, 0)) - start
    assert (moved.x(), moved.y()) == pytest.approx((30, -10))
    assert canvas.mask_bytes() is None  # panning never paints
    canvas.zoom_actual()
    assert canvas.scale() == 1.0


def test_space_drag_pans_instead_of_painting(canvas: MaskCanvas) -> None:
    canvas.setFocus()
    QTest.keyPress(canvas, Qt.Key.Key_Space)
    start = canvas.map_from_image(QPointF(0, 0))
    QTest.mousePress(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 150)
    )
    QTest.mouseMove(canvas, QPoint(220, 150))
    QTest.mouseRelease(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(220, 150)
    )
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    assert (canvas.map_from_image(QPointF(0, 0)) - start).x() == pytest.approx(20)
    assert canvas.mask_bytes() is None


def test_bracket_keys_resize_the_brush_and_the_ring_follows_zoom(canvas: MaskCanvas, qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas.set_brush_size(40)
    canvas.setFocus()
    with qtbot.waitSignal(canvas.brush_size_changed) as sig:
        QTest.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert sig.args == [46]
    QTest.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert canvas.brush_size() < 46
    canvas.zoom_to(2.0, QPointF(200, 150))
    QTest.mouseMove(canvas, QPoint(200, 150))
    ring = canvas._cursor_rect()
    assert ring.width() == pytest.approx(canvas.brush_size() * 2.0 + 6, abs=2)


def test_a_new_picture_of_the_same_size_keeps_the_mask(canvas: MaskCanvas) -> None:
    drag(canvas, [(50, 50)])
    assert canvas.set_image(grey_picture()) is True
    assert canvas.mask_bytes() is not None
    assert canvas.set_image(grey_picture(100, 100)) is False
    assert canvas.mask_bytes() is None and canvas.model.size == (100, 100)  # type: ignore[union-attr]


def test_mipmaps_halve_down_to_the_smallest_level() -> None:
    levels = mipmaps(grey_picture(4000, 1000), smallest=1024)
    assert [lv.width() for lv in levels] == [4000, 2000, 1000]


def test_transparent_parts_show_a_checkerboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = MaskCanvas()
    qtbot.addWidget(c)
    c.resize(300, 300)
    image = QImage(100, 100, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    c.set_image(image)
    c.zoom_actual()
    shot = c.grab().toImage()
    origin = c.map_from_image(QPointF(0, 0)).toPoint()
    colours = {shot.pixelColor(origin.x() + dx, origin.y() + 2).name() for dx in (2, 10)}
    assert colours == {"#999999", "#cccccc"}
