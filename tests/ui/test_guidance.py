"""Settings that guide and rows that offer the fix: the key check's sentence is whole and says
what to do right there, a refused key is saved only when the user insists, and a job that
failed on its key or on a refused transparent background offers the way out in one click.
The real window against the simulator over real sockets."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QMessageBox, QStyleOptionViewItem

from app.core.keys import SERVICE, USERNAME
from app.ui.main_window import MainWindow
from app.ui.task_row import offer_rect
from tests.conftest import TEST_KEY
from tests.ui.test_main_window import generate, row_record, wait_states
from tests.ui.test_settings_dialog import click, open_dialog

WRONG_KEY = "sk-not-a-real-key-123"


def answer(qtbot, dialog, button_text: str) -> None:
    """Click `button_text` in the dialog's open "Save it anyway?" question."""
    qtbot.waitUntil(lambda: dialog.refused_question is not None)
    box: QMessageBox = dialog.refused_question
    assert box.isVisible()
    button = next(b for b in box.buttons() if b.text() == button_text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.refused_question is None)


def test_a_refused_key_is_said_in_full_and_saved_only_when_insisted(
    qtbot, open_window, simulator, memory_keyring
) -> None:
    window = open_window("--base-url", simulator.base_url)
    dialog = open_dialog(qtbot, window)
    status = dialog.findChild(QLabel, "keyStatusLabel")
    dialog.findChild(QLineEdit, "apiKeyEdit").setText(WRONG_KEY)
    click(qtbot, dialog, "checkKeyButton")
    qtbot.waitUntil(lambda: "refused" in status.text(), timeout=10000)
    text = status.text()
    # What to do, here: not "check it in Settings" inside Settings.
    assert "in Settings" not in text and "paste it above" in text, text
    assert "invalid_api_key" in text  # the server's own code is kept
    # Readable in full: every wrapped line has room, inside the dialog, and can be selected.
    qtbot.waitUntil(lambda: status.height() >= status.heightForWidth(status.width()))
    top_left = status.mapTo(dialog, QPoint(0, 0))
    assert top_left.y() + status.height() <= dialog.height()
    assert top_left.x() + status.width() <= dialog.width()
    assert status.wordWrap()
    assert status.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse

    click(qtbot, dialog, "saveKeyButton")
    answer(qtbot, dialog, "Don't save")
    assert (SERVICE, USERNAME) not in memory_keyring.passwords
    assert "Not saved" in status.text()
    assert window.session.is_demo() or window.session.api_key != WRONG_KEY

    click(qtbot, dialog, "saveKeyButton")
    answer(qtbot, dialog, "Save anyway")
    qtbot.waitUntil(lambda: memory_keyring.passwords.get((SERVICE, USERNAME)) == WRONG_KEY)
    qtbot.waitUntil(lambda: "Saved" in status.text())

    # A key the server accepts is saved without a question.
    dialog.findChild(QLineEdit, "apiKeyEdit").setText(TEST_KEY)
    click(qtbot, dialog, "checkKeyButton")
    qtbot.waitUntil(lambda: "accepts" in status.text(), timeout=10000)
    click(qtbot, dialog, "saveKeyButton")
    qtbot.waitUntil(lambda: memory_keyring.passwords.get((SERVICE, USERNAME)) == TEST_KEY)
    assert dialog.refused_question is None
    dialog.reject()


def click_offer(qtbot, window: MainWindow, offer: str) -> None:
    """Click the row's offer button where the delegate paints it."""
    view = window.findChild(QListView, "taskList")
    index = view.model().index(0, 0)
    option = QStyleOptionViewItem()
    option.font = view.font()
    option.rect = view.visualRect(index)
    rect = offer_rect(option.rect, window.task_list.delegate._fonts(option).fm_small, offer)
    assert view.viewport().rect().contains(rect), "the offer is outside the visible row"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_job_refused_for_its_key_offers_open_settings(
    qtbot, open_window, simulator, monkeypatch
) -> None:
    monkeypatch.setenv("MOUNTSEA_API_KEY", WRONG_KEY)
    window = open_window("--base-url", simulator.base_url)
    generate(qtbot, window, "a key the server does not know")
    wait_states(qtbot, window, ["failed"])
    record = row_record(window)
    assert record.error_kind == "auth" and record.offer == "settings"
    labels = [a.text() for a in window.task_list.context_menu(record).actions()]
    assert labels[0] == "Open settings"
    assert window.settings_dialog is None
    click_offer(qtbot, window, "settings")
    qtbot.waitUntil(
        lambda: window.settings_dialog is not None and window.settings_dialog.isVisible()
    )
    key_edit = window.settings_dialog.findChild(QLineEdit, "apiKeyEdit")
    qtbot.waitUntil(key_edit.hasFocus)
    window.settings_dialog.reject()
