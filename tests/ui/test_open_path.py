"""Reveal in folder, Open the data folder, Open the log folder and opening a picture, in the
real window, on a system where nothing can open them (QDesktopServices.openUrl says False)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton

from app.core.library import Library
from tests.core.library.helpers import add_item


@pytest.fixture
def refused(monkeypatch) -> Iterator[list[Path]]:
    """Every openUrl answers False, as where no file manager or handler is installed."""
    asked: list[Path] = []

    def open_url(url: QUrl) -> bool:
        asked.append(Path(url.toLocalFile()))
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    yield asked
    QGuiApplication.clipboard().clear()


def told(qtbot, window, path: Path) -> None:
    """The one sentence, the path selectable and copyable, then closed."""
    qtbot.waitUntil(lambda: window.findChild(QDialog, "openPathDialog") is not None)
    dialog = window.findChild(QDialog, "openPathDialog")
    qtbot.waitUntil(dialog.isVisible)
    sentence = dialog.findChild(QLabel, "openPathSentence").text()
    assert "Nothing on this system could open" in sentence and sentence.count(".") == 1
    field = dialog.findChild(QLineEdit, "openPathField")
    assert field.text() == str(path) and field.isReadOnly()
    qtbot.mouseClick(dialog.findChild(QPushButton, "openPathCopy"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == str(path)
    dialog.close()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "openPathDialog") is None)


def test_the_folders_say_so_with_the_path_to_copy(qtbot, open_window, data_dir, refused) -> None:
    window = open_window("--demo")
    window.findChild(QAction, "openDataFolderAction").trigger()
    told(qtbot, window, data_dir)
    window.findChild(QAction, "openLogFolderAction").trigger()
    told(qtbot, window, data_dir / "logs")
    assert refused == [data_dir, data_dir / "logs"]


@pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="Explorer and Finder are started, not asked by URL"
)
def test_reveal_and_open_from_the_gallery_say_so(qtbot, open_window, data_dir, refused) -> None:
    with Library.open(data_dir) as lib:
        item_id = add_item(lib, "where is it")
    window = open_window("--demo")
    path = window.library.item(item_id).path
    assert window.gallery.select_ids([item_id]) == 1
    window.gallery.gallery_actions.reveal_action.trigger()
    told(qtbot, window, path.parent)
    window.gallery.gallery_actions.open_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "openPathDialog") is not None)
    label = window.findChild(QDialog, "openPathDialog").findChild(QLabel, "openPathSentence")
    assert "open the file" in label.text()
    told(qtbot, window, path)
    assert refused == [path.parent, path]
