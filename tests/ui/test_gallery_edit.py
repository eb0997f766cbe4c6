"""Gallery → Edit in the real window when the editor already holds pictures and a painted
mask: it asks, and Replace can be undone."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.core.library import Library
from tests.core.library.helpers import add_item


def write_png(path: Path, size: tuple[int, int], color: tuple[int, int, int]) -> str:
    Image.new("RGB", size, color).save(path)
    return str(path)


def question(qtbot, window) -> QMessageBox:
    qtbot.waitUntil(lambda: window.edit_panel.replacer.question is not None)
    box = window.edit_panel.replacer.question
    assert box.isVisible()
    return box


def click(qtbot, box: QMessageBox, name: str) -> None:
    button = box.findChild(QPushButton, name)
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_gallery_edit_over_work_asks_and_replace_is_undone(
    qtbot, open_window, data_dir, tmp_path
) -> None:
    with Library.open(data_dir) as lib:
        item_id = add_item(lib, "a picture from the gallery")
    window = open_window("--demo")
    panel, gallery = window.edit_panel, window.gallery
    gallery_path = str(window.library.item(item_id).path)
    # Work in the editor: two pictures, a mask painted on the first (its own size, 48x32 is
    # the gallery picture's, so a kept-by-size mask would show here).
    first = write_png(tmp_path / "first.png", (48, 32), (200, 30, 30))
    second = write_png(tmp_path / "second.png", (60, 40), (30, 30, 200))
    panel.add_files([first, second])
    qtbot.waitUntil(lambda: panel.source_count() == 2 and panel.canvas.has_image())
    panel.canvas.fill_rect((0, 0, 10, 10))
    one_stroke = panel.canvas.model.painted_count()
    panel.canvas.fill_rect((20, 10, 30, 20))
    painted = panel.canvas.model.painted_count()
    assert panel.has_mask() and painted == 2 * one_stroke > 0
    old_ids = [s.id for s in panel.sources()]

    def edit_from_gallery() -> QMessageBox:
        assert gallery.select_ids([item_id]) == 1
        action = gallery.gallery_actions.edit_action
        assert action.isEnabled()
        action.trigger()
        return question(qtbot, window)

    # Cancel: nothing changes.
    box = edit_from_gallery()
    assert "painted mask" in box.text() and "gallery" not in box.text().lower()
    assert Path(gallery_path).name in box.informativeText()
    assert window.tabs.currentWidget() is panel  # the user sees what is at stake
    click(qtbot, box, "editCancelButton")
    qtbot.waitUntil(lambda: panel.replacer.question is None)
    assert [s.id for s in panel.sources()] == old_ids
    assert panel.canvas.model.painted_count() == painted

    # Add as reference: appended, the mask stays.
    click(qtbot, edit_from_gallery(), "editAddReferenceButton")
    qtbot.waitUntil(lambda: panel.source_count() == 3)
    assert [s.path for s in panel.sources()] == [first, second, gallery_path]
    assert panel.canvas.model.painted_count() == painted
    assert not panel.restore_bar.isVisible()  # the gallery has its own "Reuse settings"
    assert not panel.replacer.bar.isVisible()

    # Replace: the gallery picture is the whole edit, no mask; the banner offers Undo.
    click(qtbot, edit_from_gallery(), "editReplaceButton")
    qtbot.waitUntil(lambda: panel.source_count() == 1)
    assert panel.sources()[0].path == gallery_path
    assert not panel.has_mask() and panel.canvas.image_size().toTuple() == (48, 32)
    bar = panel.replacer.bar
    assert bar.isVisible() and Path(gallery_path).name in bar.label.text()
    assert "mask" in bar.label.text()
    snapshot = panel.snapshot()
    assert snapshot is not None and snapshot.mask is None and len(snapshot.sources) == 1

    # Undo: the three pictures in order and the mask, with its own undo history.
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert bar.isVisible() and bar.button.text() == "Redo"
    assert [s.path for s in panel.sources()] == [first, second, gallery_path]
    assert panel.canvas.image_size().toTuple() == (48, 32)
    assert panel.canvas.model.painted_count() == painted
    assert panel.tools.undo_action.isEnabled()
    panel.canvas.undo()
    assert panel.canvas.model.painted_count() == one_stroke
    snapshot = panel.snapshot()
    assert snapshot is not None and snapshot.mask is not None and len(snapshot.sources) == 3

    # Redo puts the gallery picture back, and Undo again the work: a swap, nothing lost.
    panel.canvas.fill_rect((30, 20, 40, 30))
    painted_now = panel.canvas.model.painted_count()
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert [s.path for s in panel.sources()] == [gallery_path] and not panel.has_mask()
    assert bar.button.text() == "Undo"
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert len(panel.sources()) == 3 and panel.canvas.model.painted_count() == painted_now
    # Closed, the banner lets what was put aside go.
    qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible() and not panel.replacer.can_undo()


def test_gallery_edit_into_an_empty_editor_asks_nothing(qtbot, open_window, data_dir) -> None:
    with Library.open(data_dir) as lib:
        item_id = add_item(lib, "straight in")
    window = open_window("--demo")
    panel = window.edit_panel
    assert window.gallery.select_ids([item_id]) == 1
    window.gallery.gallery_actions.edit_action.trigger()
    qtbot.waitUntil(lambda: panel.source_count() == 1)
    assert panel.replacer.question is None and not panel.replacer.bar.isVisible()
    assert window.tabs.currentWidget() is panel
