"""Ctrl+Enter from anywhere in the window, the keyboard shortcuts list, tool tooltips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox

from app.services.form import CUSTOM
from app.ui.main_window import MainWindow
from app.ui.mask_canvas import Tool
from tests.conftest import TEST_KEY


@pytest.fixture
def window(qtbot, open_window, simulator, monkeypatch) -> MainWindow:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return window


def ctrl_enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_enter_is_enabled_exactly_when_the_form_is_valid(window: MainWindow) -> None:
    action = window.generate_action
    assert not action.isEnabled()  # no prompt yet
    window.prompt_panel.prompt_edit.setPlainText("a harbour at dawn")
    assert action.isEnabled()
    window.prompt_panel.form.size_choice = CUSTOM  # and no custom size typed
    assert not action.isEnabled()
    window.prompt_panel.form.size_choice = "auto"
    assert action.isEnabled()
    window.prompt_panel.prompt_edit.setPlainText("")
    assert not action.isEnabled()
    assert action.text().replace("&", "") == "Generate"


def test_ctrl_enter_starts_the_job_after_changing_a_parameter(qtbot, window: MainWindow) -> None:
    window.prompt_panel.prompt_edit.setPlainText("a harbour at dawn")
    combo = window.findChild(QComboBox, "qualityCombo")
    combo.setFocus()
    combo.setCurrentIndex(1)
    with qtbot.waitSignal(window.runner.job_finished, timeout=20000):
        ctrl_enter(qtbot, combo)
    assert len(window.runner.records()) == 1


def test_ctrl_enter_edits_after_painting_a_mask(qtbot, window: MainWindow) -> None:
    image = QImage(1024, 1024, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    window.edit_panel.add_image(image, "room.png")
    qtbot.waitUntil(lambda: window.edit_panel.canvas.model is not None, timeout=10000)
    window.tabs.setCurrentWidget(window.edit_panel)
    canvas = window.edit_panel.canvas
    canvas.set_tool(Tool.brush)
    canvas.setFocus()
    centre = canvas.rect().center()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseMove(canvas, centre + centre / 4)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=centre + centre / 4)
    assert window.edit_panel.has_mask()
    window.prompt_panel.prompt_edit.setPlainText("a window in the wall")
    assert window.generate_action.text().replace("&", "") == "Edit the picture"
    with qtbot.waitSignal(window.runner.job_finished, timeout=20000):
        ctrl_enter(qtbot, canvas)
    assert window.runner.records()[0].is_edit


def test_shortcuts_list_comes_from_the_actions(qtbot, window: MainWindow) -> None:
    window.on_shortcuts()
    dialog = window.shortcuts_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    rows = dict(dialog.rows())
    for command, keys in (
        ("Brush", "B"),
        ("Eraser", "E"),
        ("Rectangle", "R"),
        ("Lasso", "L"),
        ("Invert", "I"),
        ("Show mask", "H"),
        ("100 %", "1"),
        ("Generate", "Ctrl+Return, Ctrl+Enter"),
        ("Keyboard shortcuts", QKeySequence(QKeySequence.StandardKey.HelpContents).toString()),
    ):
        assert rows.get(command) == keys, (command, rows)
    dialog.close()

    # A new action with a key is listed without anyone editing the list.
    extra = QAction("Flip the picture", window)
    extra.setShortcut(QKeySequence("Ctrl+Shift+F"))
    window.addAction(extra)
    window.on_shortcuts()
    assert dict(window.shortcuts_dialog.rows())["Flip the picture"] == "Ctrl+Shift+F"
    window.shortcuts_dialog.close()


def test_tool_tooltips_show_their_keys(window: MainWindow) -> None:
    tools = window.edit_panel.tools
    for tool, key in ((Tool.brush, "B"), (Tool.eraser, "E"), (Tool.rect, "R"), (Tool.lasso, "L")):
        assert tools.tool_actions[tool].toolTip().endswith(f"({key})")
    assert tools.invert_action.toolTip().endswith("(I)")
    assert tools.show_mask_action.toolTip().endswith("(H)")
    assert tools.actual_action.toolTip().endswith("(1)")
    button = tools.tool_bar.button(tools.tool_actions[Tool.brush])
    assert button is not None and button.toolTip().endswith("(B)")
    assert window.prompt_panel.generate_button.toolTip().endswith("(Ctrl+Enter)")
