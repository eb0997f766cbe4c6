"""The edit panel as a user meets it: pictures come in by drop, paste and the Open dialog;
the strip orders them; the snapshot is what the job will send."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from PySide6.QtCore import QItemSelectionModel, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QSpinBox

from app.core.api.models import MAX_IMAGES
from app.ui.edit_panel import EditPanel
from app.ui.mask_canvas import MaskCanvas
from tests.ui.conftest import drop

# Qt's offscreen platform warns whenever a shown top-level's minimum size changes (it cannot
# pass size hints to a window manager); it is not a problem of the panel. Other warnings
# still fail the tests.


@pytest.fixture
def clean_clipboard() -> Iterator[None]:
    # A QMimeData set from Python and still on the clipboard at exit crashes PySide6 6.12
    # after the tests have passed (see app.ui.dragout.release_clipboard).
    yield
    QGuiApplication.clipboard().clear()


def write_png(
    path: Path, size: tuple[int, int] = (120, 80), color: tuple[int, int, int] = (30, 140, 60)
) -> Path:
    Image.new("RGB", size, color).save(path)
    return path


@pytest.fixture
def panel(qtbot) -> Iterator[EditPanel]:  # type: ignore[no-untyped-def]
    p = EditPanel()
    qtbot.addWidget(p)
    p.resize(900, 650)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()


def test_open_dialog_loads_the_picture_onto_the_canvas(
    panel: EditPanel, qtbot, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    path = write_png(tmp_path / "garden.png")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    with qtbot.waitSignal(panel.sources_changed):
        panel.open_action.trigger()
    assert panel.has_sources()
    canvas = panel.findChild(MaskCanvas, "maskCanvas")
    assert canvas is not None and canvas.image_size().toTuple() == (120, 80)
    assert canvas.image().pixelColor(5, 5) == QColor(30, 140, 60)


def test_a_click_on_the_empty_canvas_opens_the_dialog(
    panel: EditPanel, qtbot, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    path = write_png(tmp_path / "a.png")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    with qtbot.waitSignal(panel.sources_changed):
        QTest.mouseClick(panel.canvas, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("onto", ["canvas", "panel"])
def test_dropping_files_loads_them_in_order(panel: EditPanel, qtbot, tmp_path, onto: str) -> None:  # type: ignore[no-untyped-def]
    paths = [
        write_png(tmp_path / f"p{i}.png", (100 + i * 10, 80), (i * 40, 0, 0)) for i in range(3)
    ]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    with qtbot.waitSignal(panel.files_added) as added:
        drop(panel.canvas if onto == "canvas" else panel, mime)
    qtbot.waitUntil(lambda: panel.source_count() == 3)
    assert [s.prepared.width for s in panel.sources()] == [100, 110, 120]
    assert panel.canvas.image_size().width() == 100  # the first one is on the canvas
    assert added.args[0][0] == str(paths[0])


def test_dropping_image_data_loads_it(panel: EditPanel, qtbot) -> None:  # type: ignore[no-untyped-def]
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 10, 10))
    mime = QMimeData()
    mime.setImageData(image)
    with qtbot.waitSignal(panel.sources_changed):
        drop(panel.canvas, mime)
    assert panel.sources()[0].prepared.size == (64, 48)
    assert panel.canvas.image().pixelColor(3, 3) == QColor(200, 10, 10)


def test_dropping_raw_png_bytes_loads_them_untouched(panel: EditPanel, qtbot) -> None:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    Image.new("RGB", (50, 40), (1, 2, 3)).save(buf, "PNG")
    mime = QMimeData()
    mime.setData("image/png", buf.getvalue())
    with qtbot.waitSignal(panel.sources_changed):
        drop(panel, mime)
    assert panel.sources()[0].prepared.data == buf.getvalue()


def test_paste_an_image_and_a_copied_file(
    panel: EditPanel, qtbot, clean_clipboard, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    image = QImage(30, 20, QImage.Format.Format_RGB32)
    image.fill(QColor(0, 0, 255))
    QGuiApplication.clipboard().setImage(image)
    panel.canvas.setFocus()
    with qtbot.waitSignal(panel.sources_changed):
        QTest.keyClick(panel.canvas, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert panel.sources()[0].prepared.size == (30, 20)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_png(tmp_path / "copied.png", (70, 70))))])
    QGuiApplication.clipboard().setMimeData(mime)
    with qtbot.waitSignal(panel.sources_changed):
        panel.paste_action.trigger()
    assert [s.prepared.size for s in panel.sources()] == [(30, 20), (70, 70)]


def test_a_broken_file_gives_a_sentence_and_nothing_else(panel: EditPanel, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "notes.png"
    bad.write_text("just text")
    good = write_png(tmp_path / "good.png")
    messages: list[str] = []
    panel.message.connect(messages.append)
    with qtbot.waitSignal(panel.sources_changed):
        panel.add_files([str(bad), str(good)])
    assert panel.source_count() == 1 and panel.sources()[0].prepared.filename == "good.png"
    assert any("“notes.png” is not a picture" in m for m in messages)
    missing = str(tmp_path / "gone.png")
    with qtbot.waitSignal(panel.message) as sig:
        panel.add_files([missing])
    assert "could not be read" in sig.args[0]


def test_at_most_sixteen_pictures(panel: EditPanel, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(write_png(tmp_path / "x.png", (16, 16)))
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.add_files([path] * (MAX_IMAGES + 3))
    qtbot.waitUntil(lambda: panel.source_count() == MAX_IMAGES)
    assert any(str(MAX_IMAGES) in m for m in messages)


def paint_dot(panel: EditPanel, x: int, y: int) -> None:
    pos = panel.canvas.map_from_image(QPointF(x + 0.5, y + 0.5)).toPoint()
    QTest.mousePress(panel.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    QTest.mouseRelease(panel.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def test_snapshot_sends_the_mask_for_the_first_picture(panel: EditPanel, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = write_png(tmp_path / "first.png", (200, 100))
    second = write_png(tmp_path / "second.png", (50, 50))
    panel.add_files([str(first), str(second)])
    qtbot.waitUntil(lambda: panel.source_count() == 2)
    snap = panel.snapshot()
    assert snap is not None and not snap.has_mask
    spin = panel.findChild(QSpinBox, "brushSizeSpin")
    spin.setValue(10)
    with qtbot.waitSignal(panel.mask_changed):
        paint_dot(panel, 100, 50)
    snap = panel.snapshot()
    assert (
        snap is not None
        and snap.has_mask
        and snap.feather == panel.feather()
        and snap.keep_unmasked
    )
    images, mask = snap.build()
    assert len(images) == 2 and mask is not None
    alpha = Image.open(io.BytesIO(mask.data)).getchannel("A")
    assert alpha.size == (200, 100)
    painted = panel.canvas.model.image.point(lambda v: 0 if v else 255)  # type: ignore[union-attr]
    assert ImageChops.difference(alpha, painted).getbbox() is None
    assert alpha.getpixel((100, 50)) == 0 and alpha.getpixel((10, 10)) == 255
    # Ctrl+Z on the canvas takes the stroke back.
    panel.canvas.setFocus()
    QTest.keyClick(panel.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not panel.snapshot().has_mask  # type: ignore[union-attr]
    QTest.keyClick(
        panel.canvas,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert panel.snapshot().has_mask  # type: ignore[union-attr]


def test_reordering_moves_the_mask_to_the_new_first_picture(
    panel: EditPanel, qtbot, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    a = write_png(tmp_path / "a.png", (100, 100))
    b = write_png(tmp_path / "b.png", (60, 40))
    panel.add_files([str(a), str(b)])
    qtbot.waitUntil(lambda: panel.source_count() == 2)
    paint_dot(panel, 50, 50)
    assert panel.has_mask()
    with qtbot.waitSignal(panel.message) as sig:
        panel.move_source(1, 0)
    assert "cleared" in sig.args[0]
    assert panel.canvas.image_size().toTuple() == (60, 40) and not panel.has_mask()
    strip = panel.model  # what the strip shows
    assert strip.index(0).data().endswith("mask")
    panel.strip.setCurrentIndex(strip.index(1))
    panel.strip.selectionModel().select(strip.index(1), QItemSelectionModel.SelectionFlag.Select)
    panel.remove_action.trigger()
    assert [s.prepared.filename for s in panel.sources()] == ["b.png"]


def test_brush_keys_and_spin_are_one_setting(panel: EditPanel, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel.add_files([str(write_png(tmp_path / "a.png"))])
    qtbot.waitUntil(panel.has_sources)
    spin = panel.findChild(QSpinBox, "brushSizeSpin")
    spin.setValue(20)
    assert panel.canvas.brush_size() == 20
    panel.canvas.setFocus()
    QTest.keyClick(panel.canvas, Qt.Key.Key_BracketRight)
    assert spin.value() == 23


def test_save_and_load_a_mask(panel: EditPanel, qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    panel.add_files([str(write_png(tmp_path / "a.png", (80, 60)))])
    qtbot.waitUntil(panel.has_sources)
    paint_dot(panel, 40, 30)
    saved = panel.canvas.model.tobytes()  # type: ignore[union-attr]
    target = tmp_path / "my mask"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(panel.message) as sig:
        panel.save_mask_action.trigger()
    assert "saved" in sig.args[0]
    file = tmp_path / "my mask.png"
    mask = Image.open(file)
    assert mask.mode == "RGBA" and mask.size == (80, 60) and mask.getpixel((40, 30))[3] == 0
    panel.canvas.clear_mask()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(file), ""))
    with qtbot.waitSignal(panel.mask_changed):
        panel.load_mask_action.trigger()
    assert panel.canvas.model.tobytes() == saved  # type: ignore[union-attr]


def test_use_as_source_replaces_the_first_and_keeps_a_same_size_mask(
    panel: EditPanel, qtbot, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    panel.add_files(
        [
            str(write_png(tmp_path / "orig.png", (90, 90))),
            str(write_png(tmp_path / "ref.png", (20, 20))),
        ]
    )
    qtbot.waitUntil(lambda: panel.source_count() == 2)
    paint_dot(panel, 45, 45)
    result = write_png(tmp_path / "result.png", (90, 90), (255, 255, 0))
    with qtbot.waitSignal(panel.sources_changed):
        panel.use_as_source(str(result))
    assert [s.prepared.filename for s in panel.sources()] == ["result.png", "ref.png"]
    assert panel.has_mask()
    assert panel.canvas.image().pixelColor(1, 1) == QColor(255, 255, 0)


def test_clear_sources_empties_the_canvas(panel: EditPanel, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel.add_files([str(write_png(tmp_path / "a.png"))])
    qtbot.waitUntil(panel.has_sources)
    with qtbot.waitSignal(panel.sources_changed):
        panel.clear_sources()
    assert panel.snapshot() is None and not panel.canvas.has_image()
    # and the empty canvas still paints (its hint text) without complaint
    assert not panel.canvas.grab().isNull()


def test_a_file_made_by_the_app_offers_to_restore_its_settings(
    panel: EditPanel, qtbot, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPushButton

    from app.core.library import metadata

    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (5, 5, 5)).save(buf, "PNG")
    params = {"prompt": "a lighthouse at dusk", "size": "1024x1024", "quality": "high"}
    made = tmp_path / "made.png"
    made.write_bytes(metadata.embed(buf.getvalue(), {"params": params}))
    plain = write_png(tmp_path / "plain.png")
    panel.add_files([str(plain)])
    qtbot.waitUntil(panel.has_sources)
    assert not panel.restore_bar.isVisible()
    panel.add_files([str(made)])
    qtbot.waitUntil(panel.restore_bar.isVisible)
    assert "lighthouse" in panel.restore_label.text()
    with qtbot.waitSignal(panel.reuse_requested) as sig:
        qtbot.mouseClick(panel.findChild(QPushButton, "restoreButton"), Qt.MouseButton.LeftButton)
    assert sig.args[0]["prompt"] == "a lighthouse at dusk" and sig.args[0]["quality"] == "high"
    assert not panel.restore_bar.isVisible()


def test_escape_cancels_a_stroke_in_progress(panel: EditPanel, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel.add_files([str(write_png(tmp_path / "a.png"))])
    qtbot.waitUntil(panel.has_sources)
    c = panel.canvas
    a = c.map_from_image(QPointF(20.5, 20.5)).toPoint()
    b = c.map_from_image(QPointF(80.5, 40.5)).toPoint()
    QTest.mousePress(c, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(c, b)
    assert not c.model.is_empty  # type: ignore[union-attr]
    QTest.keyClick(c, Qt.Key.Key_Escape)
    QTest.mouseRelease(c, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert c.model.is_empty and not c.model.can_undo  # type: ignore[union-attr]


@pytest.fixture
def web_server(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_picture_dragged_from_a_web_page_is_downloaded(
    panel: EditPanel, qtbot, tmp_path, web_server: str
) -> None:  # type: ignore[no-untyped-def]
    write_png(tmp_path / "cat.png", (33, 22))
    mime = QMimeData()
    mime.setUrls([QUrl(f"{web_server}/cat.png")])
    with qtbot.waitSignal(panel.sources_changed, timeout=10000):
        drop(panel.canvas, mime)
    assert panel.sources()[0].prepared.size == (33, 22)
    assert panel.sources()[0].prepared.filename == "cat.png"
    missing = QMimeData()
    missing.setUrls([QUrl(f"{web_server}/gone.png")])
    with qtbot.waitSignal(panel.message, timeout=10000) as sig:
        drop(panel, missing)
    assert "could not be downloaded" in sig.args[0] and "404" in sig.args[0]


def test_large_references_are_decoded_again_when_they_become_first(
    panel: EditPanel, qtbot, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from app.ui import edit_panel

    monkeypatch.setattr(edit_panel, "TRIM_PIXELS", 100)
    panel.add_files(
        [
            str(write_png(tmp_path / "a.png", (60, 60))),
            str(write_png(tmp_path / "b.png", (50, 30), (250, 0, 0))),
        ]
    )
    qtbot.waitUntil(lambda: panel.source_count() == 2)
    first, second = panel.sources()
    assert first.levels and not second.levels  # only the shown picture keeps a display copy
    paint_dot(panel, 30, 30)
    with qtbot.waitSignal(panel.sources_changed):
        panel.move_source(1, 0)
    # Until it is decoded again the snapshot sends no mask of the wrong size.
    snap = panel.snapshot()
    assert snap is not None and (not snap.has_mask or snap.mask_size == (50, 30))
    qtbot.waitUntil(lambda: panel.canvas.image_size().toTuple() == (50, 30))
    assert panel.canvas.image().pixelColor(1, 1) == QColor(250, 0, 0)
    assert not panel.sources()[1].levels


def test_dragging_a_thumbnail_to_the_front_makes_it_the_mask_picture(
    panel: EditPanel, qtbot, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QModelIndex

    panel.add_files(
        [str(write_png(tmp_path / "a.png", (40, 40))), str(write_png(tmp_path / "b.png", (30, 20)))]
    )
    qtbot.waitUntil(lambda: panel.source_count() == 2)
    # An internal drag in the strip ends in the model's move (what QListView's drop does).
    with qtbot.waitSignal(panel.sources_changed):
        assert panel.strip.model().moveRow(QModelIndex(), 1, QModelIndex(), 0)
    assert [s.prepared.filename for s in panel.sources()] == ["b.png", "a.png"]
    qtbot.waitUntil(lambda: panel.canvas.image_size().toTuple() == (30, 20))
    strip = panel.model  # what the strip shows
    assert panel.strip.model() is strip
    assert strip.index(0).data().endswith("mask") and strip.index(1).data() == "2"


def test_what_a_drop_carries_is_read_once_in_the_order_targets_take_it(qapp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.ui import drops

    assert drops.read(None).is_empty and not drops.accepts(None)
    path = str(write_png(tmp_path / "a.png"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path), QUrl("https://example.org/cat.png")])
    mime.setData("image/png", b"raw")
    drop = drops.read(mime)
    # A file keeps its name and embedded settings: the raw bytes beside it are not copied.
    assert drop.files == [path] and drop.pictures == [path] and drop.data is None
    assert drop.urls == ["https://example.org/cat.png"] and drops.accepts(mime)
    assert drops.url_name(drop.urls[0]) == "cat.png"
    raw = QMimeData()
    raw.setData("image/webp", b"webp bytes")
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    raw.setImageData(image)
    drop = drops.read(raw)
    assert (drop.data, drop.data_type, drop.image) == (b"webp bytes", "image/webp", None)
    only_image = QMimeData()
    only_image.setImageData(image)
    assert drops.read(only_image).image is not None
    text = QMimeData()
    text.setText("just words")
    assert drops.read(text).is_empty and not drops.accepts(text)
    assert drops.picture_files(drops.file_urls_mime([path, str(tmp_path / "notes.txt")])) == [path]


def test_a_mask_file_that_cannot_be_used_gives_a_sentence(
    panel: EditPanel, qtbot, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    panel.add_files([str(write_png(tmp_path / "a.png", (80, 60)))])
    qtbot.waitUntil(panel.has_sources)
    broken = tmp_path / "broken.png"
    broken.write_text("not a picture")
    with qtbot.waitSignal(panel.message) as sig:
        panel.load_mask(str(broken))
    assert "is not a picture this app can read" in sig.args[0]
    with qtbot.waitSignal(panel.message) as sig:
        panel.load_mask(str(tmp_path / "gone.png"))
    assert "“gone.png” could not be read" in sig.args[0]
    assert panel.canvas.model.is_empty  # type: ignore[union-attr]
