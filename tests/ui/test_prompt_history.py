"""Prompt history and saved prompts in the real window, against the simulator over real sockets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
)

from app.ui.main_window import MainWindow
from app.ui.prompt_history import PromptHistoryDialog
from tests.conftest import TEST_KEY

STATE = Qt.ItemDataRole.UserRole + 1


def prompt_edit(window: MainWindow) -> QPlainTextEdit:
    edit = window.findChild(QPlainTextEdit, "promptEdit")
    assert edit is not None
    return edit


def send(qtbot, window: MainWindow, prompt: str) -> None:
    """Type a prompt and press Generate; wait until its job is done."""
    edit = prompt_edit(window)
    edit.setPlainText(prompt)
    before = window.task_model.rowCount()
    qtbot.mouseClick(window.findChild(QPushButton, "generateButton"), Qt.MouseButton.LeftButton)
    model = window.task_model

    def done() -> None:
        assert model.rowCount() == before + 1
        assert {model.data(model.index(r, 0), STATE) for r in range(model.rowCount())} == {
            "completed"
        }

    qtbot.waitUntil(done, timeout=20000)


def open_dialog(qtbot, window: MainWindow) -> PromptHistoryDialog:
    qtbot.mouseClick(window.findChild(QToolButton, "historyButton"), Qt.MouseButton.LeftButton)
    dialog = window.findChild(PromptHistoryDialog, "promptHistoryDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def rows(view: QListView) -> list[str]:
    model = view.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_sent_prompts_are_listed_newest_first_and_searchable(qtbot, window) -> None:
    for prompt in ["a lighthouse at dusk", "a red fox in snow", "LIGHTS over a harbour"]:
        send(qtbot, window, prompt)
    send(qtbot, window, "a red fox in snow")  # sent again: moves to the top, listed once
    assert [p.text for p in window.prompts.history] == [
        "a red fox in snow",
        "LIGHTS over a harbour",
        "a lighthouse at dusk",
    ]
    dialog = open_dialog(qtbot, window)
    history = dialog.findChild(QListView, "historyList")
    assert rows(history) == ["a red fox in snow", "LIGHTS over a harbour", "a lighthouse at dusk"]
    search = dialog.findChild(QLineEdit, "promptSearch")
    qtbot.keyClicks(search, "light")
    assert rows(history) == ["LIGHTS over a harbour", "a lighthouse at dusk"]
    # Choosing one with its settings fills the prompt and the form; Down in the search
    # field moves in the list.
    window.findChild(QComboBox, "qualityCombo").setCurrentIndex(3)  # high
    assert history.currentIndex().row() == 0
    qtbot.keyClick(search, Qt.Key.Key_Down)
    assert history.currentIndex().row() == 1
    qtbot.mouseClick(dialog.use_settings_button, Qt.MouseButton.LeftButton)
    assert prompt_edit(window).toPlainText() == "a lighthouse at dusk"
    assert window.prompt_panel.form.quality == "auto"  # as it was sent
    assert not dialog.isVisible()


def test_ctrl_up_and_down_step_through_history_and_bring_the_draft_back(qtbot, window) -> None:
    for prompt in ["first prompt", "second prompt"]:
        send(qtbot, window, prompt)
    edit = prompt_edit(window)
    edit.clear()
    qtbot.keyClicks(edit, "my unsent draft")
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(edit, Qt.Key.Key_Up, ctrl)
    assert edit.toPlainText() == "second prompt"
    qtbot.keyClick(edit, Qt.Key.Key_Up, ctrl)
    assert edit.toPlainText() == "first prompt"
    qtbot.keyClick(edit, Qt.Key.Key_Up, ctrl)  # nothing older
    assert edit.toPlainText() == "first prompt"
    qtbot.keyClick(edit, Qt.Key.Key_Down, ctrl)
    assert edit.toPlainText() == "second prompt"
    qtbot.keyClick(edit, Qt.Key.Key_Down, ctrl)
    assert edit.toPlainText() == "my unsent draft"
    assert window.prompt_panel.form.prompt == "my unsent draft"


def test_save_rename_remove_export_import(qtbot, window, tmp_path, monkeypatch) -> None:
    edit = prompt_edit(window)
    edit.setPlainText("a watercolour map of the coast")
    window.findChild(QComboBox, "qualityCombo").setCurrentIndex(3)  # high
    names = iter(["coast map", "coast map, renamed"])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (next(names), True))
    window.prompt_tools.save_action.trigger()
    assert window.prompts.saved_names() == ["coast map"]
    assert window.prompts.saved("coast map").settings["quality"] == "high"

    dialog = open_dialog(qtbot, window)
    saved = dialog.findChild(QListView, "savedList")
    dialog.select(1, 0)
    assert rows(saved) == ["coast map — a watercolour map of the coast"]
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    assert window.prompts.saved_names() == ["coast map, renamed"]

    exported = tmp_path / "out.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(exported), ""))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert [p["name"] for p in data["prompts"]] == ["coast map, renamed"]
    assert re.match(r"1 prompt(\(s\))? exported to .*out\.json\.$", dialog.note.text())

    dialog.select(1, 0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert window.prompts.saved_names() == [] and rows(saved) == []

    # Imported twice: the second time it is already there.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(exported), ""))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert window.prompts.saved_names() == ["coast map, renamed"]
    assert re.match(r"1 prompt(\(s\))? imported\.$", dialog.note.text())
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert window.prompts.saved_names() == ["coast map, renamed"]

    # A clash with another prompt of that name gets " (2)".
    data["prompts"][0]["prompt"] = "another coast"
    exported.write_text(json.dumps(data), encoding="utf-8")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert window.prompts.saved_names() == ["coast map, renamed", "coast map, renamed (2)"]

    # A bad file changes nothing and says so in one sentence.
    bad = tmp_path / "bad.json"
    bad.write_text("{this is not json", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.note.text() == (
        "“bad.json” is not a prompts file (it is not JSON); no prompts were imported."
    )
    assert len(window.prompts.saved_names()) == 2

    # The choice fills the prompt; the saved prompts come back after a restart.
    dialog.select(1, 0)
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert edit.toPlainText() == "a watercolour map of the coast"


# The offscreen platform cannot raise a popup or grab the keyboard for it.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_slash_offers_saved_prompts_and_enter_inserts(qtbot, window, monkeypatch) -> None:
    form = window.prompt_panel.form
    window.prompts.save("castle", "a castle on a cliff at sunrise", {})
    window.prompts.save("garden", "a walled garden in rain", {})
    edit = prompt_edit(window)
    edit.setFocus()
    qtbot.keyClicks(edit, "/")
    popup = window.prompt_tools.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == [
        "castle",
        "garden",
    ]
    # Typing on (the popup hands the keys to the box) narrows the list.
    qtbot.keyClicks(popup, "gar")
    assert edit.toPlainText() == "/gar"
    assert popup.model().rowCount() == 1
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert edit.toPlainText() == "a walled garden in rain"
    assert form.prompt == "a walled garden in rain"
    assert not popup.isVisible()


def test_history_and_saved_prompts_survive_a_restart(
    qtbot, open_window, simulator, monkeypatch, data_dir: Path
) -> None:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    first = open_window("--base-url", simulator.base_url)
    send(qtbot, first, "a kite over dunes")
    first.prompts.save("kite", "a kite over dunes", {"quality": "low"})
    first.close()
    assert json.loads((data_dir / "prompts.json").read_text(encoding="utf-8"))["saved"]
    second = open_window("--base-url", simulator.base_url)
    qtbot.waitUntil(lambda: second.prompts.loaded)
    assert [p.text for p in second.prompts.history] == ["a kite over dunes"]
    assert second.prompts.saved("kite").settings == {"quality": "low"}
