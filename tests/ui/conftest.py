"""Fixtures for tests that drive the real main window."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.main import create_window
from app.ui.main_window import MainWindow
from tests.conftest import TEST_KEY

# Tests poll the simulator's tasks often, so async jobs finish in milliseconds.
FAST = {"poll_interval": 0.05}


def write_settings(data_dir: Path, **values: object) -> None:
    (data_dir / "settings.json").write_text(json.dumps({**FAST, **values}), encoding="utf-8")


@pytest.fixture
def open_window(qtbot, data_dir: Path) -> Iterator[Callable[..., MainWindow]]:
    """create_window on the test's data dir, as `python -m app --data-dir DIR ARGV` would;
    every window is closed (workers stopped) at the end."""
    windows: list[MainWindow] = []

    def make(*argv: str, settings: dict | None = None) -> MainWindow:
        if not (data_dir / "settings.json").exists():
            write_settings(data_dir, **(settings or {}))
        window = create_window(["--data-dir", str(data_dir), *argv])
        window.confirm_quit = False  # closing mid-job asks a question; it has its own tests
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        window.deleteLater()


@pytest.fixture
def window(open_window, simulator, monkeypatch) -> MainWindow:
    """The real window on the test's simulator, with its key in the environment."""
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    return open_window("--base-url", simulator.base_url)


@pytest.fixture
def restore_translators(qapp) -> Iterator[None]:
    """A window opened with --lang zh_CN installs Chinese catalogues app-wide: the tests after
    it get back the ones installed before."""
    before = list(getattr(qapp, "_mountsea_translators", []))
    yield
    for translator in getattr(qapp, "_mountsea_translators", []):
        qapp.removeTranslator(translator)
    for translator in before:
        qapp.installTranslator(translator)
    qapp._mountsea_translators = before


def drop(target: QWidget, mime: QMimeData) -> None:
    """Drag `mime` over the middle of `target` and drop it, as a person would: the enter event
    must be accepted before the drop is delivered."""
    pos = QPointF(target.width() / 2, target.height() / 2)
    enter = QDragEnterEvent(
        pos.toPoint(),  # QDragEnterEvent wants an integer QPoint
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(
        target,
        QDropEvent(
            pos,
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )
