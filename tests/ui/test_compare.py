"""Before/after compare, and pictures dragged or copied out of the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt, QThreadPool
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest

from app.ui.compare import CompareView
from app.ui.dragout import copy_file_to_clipboard, file_mime
from app.ui.edit_panel import EditPanel
from tests.ui.conftest import drop

RED, BLUE = QColor(220, 0, 0), QColor(0, 0, 220)


@pytest.fixture
def clean_clipboard() -> Iterator[None]:
    # A QMimeData set from Python and still on the clipboard at exit crashes PySide6 6.12
    # after the tests have passed (see app.ui.dragout.release_clipboard).
    yield
    QGuiApplication.clipboard().clear()


def solid(w: int, h: int, color: QColor) -> QImage:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(color)
    return image


@pytest.fixture
def view(qtbot) -> CompareView:  # type: ignore[no-untyped-def]
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(400, 300)
    v.show()
    qtbot.waitExposed(v)
    # "after" came back at another size: it is shown in the same frame
    v.set_images(solid(300, 200, RED), solid(600, 400, BLUE))
    return v


def color_at(view: CompareView, x: int) -> QColor:
    r = view.image_rect()
    return view.grab().toImage().pixelColor(x, r.center().y() + 30)


def test_the_slider_shows_before_left_and_after_right(view: CompareView, qtbot) -> None:  # type: ignore[no-untyped-def]
    r = view.image_rect()
    assert r.width() / r.height() == pytest.approx(1.5, abs=0.01)
    assert color_at(view, r.left() + 20) == RED and color_at(view, r.right() - 20) == BLUE
    # Drag the split to 80 %: most of the frame is now "before".
    with qtbot.waitSignal(view.split_changed):
        QTest.mousePress(
            view,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            QPoint(view.split_x(), r.center().y()),
        )
        QTest.mouseMove(view, QPoint(r.left() + int(r.width() * 0.8), r.center().y()))
        QTest.mouseRelease(
            view,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            QPoint(r.left() + int(r.width() * 0.8), r.center().y()),
        )
    assert view.split() == pytest.approx(0.8, abs=0.01)
    assert color_at(view, r.left() + int(r.width() * 0.7)) == RED
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert view.split() == pytest.approx(0.85, abs=0.01)


def test_toggle_mode_flips_between_the_two(view: CompareView, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.set_mode("toggle")
    r = view.image_rect()
    assert color_at(view, r.left() + 20) == BLUE and color_at(view, r.right() - 20) == BLUE
    with qtbot.waitSignal(view.showing_changed) as sig:
        QTest.mouseClick(
            view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, r.center()
        )
    assert sig.args == [True] and color_at(view, r.right() - 20) == RED
    QTest.keyClick(view, Qt.Key.Key_Space)
    assert not view.showing_before()
    with pytest.raises(ValueError):
        view.set_mode("sideways")


def test_an_empty_compare_view_paints(qtbot) -> None:  # type: ignore[no-untyped-def]
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(100, 100)
    assert v.objectName() == "compareView" and not v.has_images()
    assert not v.grab().isNull()


def test_a_dragged_out_file_carries_its_url_and_bytes_and_drops_back_in(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "result.png"
    Image.new("RGB", (40, 30), (9, 9, 9)).save(path)
    mime = file_mime(str(path))
    assert [u.toLocalFile() for u in mime.urls()] == [str(path)]
    assert bytes(mime.data("image/png").data()) == path.read_bytes()
    # What the gallery drags out, the edit canvas takes in.
    panel = EditPanel()
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.sources_changed):
        drop(panel.canvas, mime)
    assert panel.sources()[0].path == str(path)
    QThreadPool.globalInstance().waitForDone(5000)


def test_copy_to_clipboard(tmp_path: Path, qtbot, clean_clipboard) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.png"
    Image.new("RGB", (12, 10), (0, 200, 0)).save(path)
    assert copy_file_to_clipboard(str(path))
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasImage() and mime.urls()[0].toLocalFile() == str(path)
    assert not copy_file_to_clipboard(str(tmp_path / "missing.png"))


def test_start_file_drag_offers_the_file(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QDrag
    from PySide6.QtWidgets import QLabel

    from app.ui.dragout import start_file_drag

    path = tmp_path / "out.webp"
    Image.new("RGB", (300, 200), (1, 2, 3)).save(path, "WEBP")
    seen = {}

    def fake_exec(drag: QDrag, actions) -> Qt.DropAction:  # type: ignore[no-untyped-def]
        seen["urls"] = [u.toLocalFile() for u in drag.mimeData().urls()]
        seen["webp"] = bytes(drag.mimeData().data("image/webp").data())
        seen["pixmap"] = drag.pixmap().size().toTuple()
        return Qt.DropAction.CopyAction

    monkeypatch.setattr(QDrag, "exec", fake_exec)
    source = QLabel()
    qtbot.addWidget(source)
    assert start_file_drag(source, str(path), QImage(str(path))) == Qt.DropAction.CopyAction
    assert seen["urls"] == [str(path)] and seen["webp"] == path.read_bytes()
    assert max(seen["pixmap"]) == 128


def test_big_pictures_are_drawn_from_their_halves(view: CompareView) -> None:
    view.set_images(solid(4200, 2800, RED), solid(150, 100, BLUE))
    assert [lv.width() for lv in view._levels[0]] == [4200, 2100, 1050]  # type: ignore[index]
    r = view.image_rect()
    assert color_at(view, r.left() + 20) == RED and color_at(view, r.right() - 20) == BLUE
