"""Quit asks when jobs run: a Compat picture in the making is lost (and billed), an async task
resumes next time; nothing asks when nothing runs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.ui.main_window import MainWindow
from tests.conftest import TEST_KEY
from tests.ui.test_main_window import generate, row_record, wait_states


@pytest.fixture
def window(open_window, simulator, monkeypatch) -> MainWindow:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    win = open_window("--base-url", simulator.base_url)
    win.confirm_quit = True
    return win


def question(qtbot) -> QMessageBox:
    def find() -> QMessageBox:
        boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "quitQuestion"]
        visible = [b for b in boxes if b.isVisible()]
        assert visible
        return visible[0]

    qtbot.waitUntil(lambda: bool(find()), timeout=5000)
    return find()


def click(qtbot, box: QMessageBox, text: str) -> None:
    (button,) = [b for b in box.findChildren(QPushButton) if b.text() == text]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_quitting_mid_compat_job_says_it_is_lost_and_waits_if_asked(
    qtbot, window, simulator
) -> None:
    simulator.latency = 30.0
    window.prompt_panel.set_flavour("compat")
    generate(qtbot, window, "a slow compat picture")
    qtbot.waitUntil(lambda: row_record(window).state == "running", timeout=10000)
    window.close()
    box = question(qtbot)
    assert "lost" in box.text() and "bills" in box.text()
    click(qtbot, box, "Wait for them")
    assert window.isVisible() and not window._closed
    assert row_record(window).state == "running"  # the job goes on

    window.close()
    box = question(qtbot)
    with qtbot.waitSignal(window.closed, timeout=20000):
        click(qtbot, box, "Quit anyway")
    assert not window.isVisible()


def test_an_async_task_is_said_to_resume(qtbot, window, simulator) -> None:
    simulator.latency = 30.0
    generate(qtbot, window, "a slow task")
    qtbot.waitUntil(lambda: row_record(window).task_id is not None, timeout=10000)
    window.close()
    box = question(qtbot)
    assert "resume" in box.text() and "lost" not in box.text()
    with qtbot.waitSignal(window.closed, timeout=20000):
        click(qtbot, box, "Quit anyway")


def test_nothing_asks_when_nothing_runs(qtbot, window, simulator) -> None:
    generate(qtbot, window, "quick")
    wait_states(qtbot, window, ["completed"])
    with qtbot.waitSignal(window.closed, timeout=10000):
        window.close()
    assert not [
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "quitQuestion" and w.isVisible()
    ]
