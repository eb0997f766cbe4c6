"""The settings dialog stores, checks and removes the key through the keyring, never in settings.json."""

from __future__ import annotations

import json

import keyring
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton

from app.core.keys import SERVICE, USERNAME
from app.ui.main_window import MainWindow
from tests.conftest import TEST_KEY


def open_dialog(qtbot, window: MainWindow):
    dialog = window.open_settings()
    qtbot.waitUntil(
        lambda: dialog.findChild(QLabel, "keyringBackendLabel").text() != dialog.tr("checking…")
    )
    return dialog


def click(qtbot, dialog, name: str) -> None:
    button = dialog.findChild(QPushButton, name)
    qtbot.waitUntil(button.isEnabled)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_stores_and_removes_the_key_in_the_keyring(
    qtbot, open_window, simulator, memory_keyring, data_dir
) -> None:
    window = open_window("--base-url", simulator.base_url)
    qtbot.waitUntil(window.session.is_demo, timeout=10000)  # no key yet: demo mode
    assert window.findChild(QLabel.__base__, "demoBanner").isVisible()
    dialog = open_dialog(qtbot, window)
    assert "demo" in dialog.findChild(QLabel, "keySourceLabel").text()
    assert dialog.findChild(QLabel, "keyringBackendLabel").text()  # the backend's name
    qtbot.keyClicks(dialog.findChild(QLineEdit, "apiKeyEdit"), TEST_KEY)
    click(qtbot, dialog, "saveKeyButton")
    qtbot.waitUntil(lambda: memory_keyring.passwords.get((SERVICE, USERNAME)) == TEST_KEY)
    qtbot.waitUntil(lambda: not window.session.is_demo())
    assert (
        window.runner.endpoints.get().base_url == simulator.base_url
    )  # switched without a restart
    assert not window.findChild(QLabel.__base__, "demoBanner").isVisible()
    assert "keyring" in dialog.findChild(QLabel, "keySourceLabel").text()
    dialog.accept()
    assert TEST_KEY not in (data_dir / "settings.json").read_text()
    assert TEST_KEY not in "".join(p.read_text() for p in (data_dir / "logs").glob("*.log"))

    dialog = open_dialog(qtbot, window)
    click(qtbot, dialog, "removeKeyButton")
    qtbot.waitUntil(lambda: (SERVICE, USERNAME) not in memory_keyring.passwords)
    qtbot.waitUntil(window.session.is_demo, timeout=10000)
    dialog.reject()


def test_the_key_check_costs_nothing_and_tells_good_from_bad(qtbot, open_window, simulator) -> None:
    window = open_window("--base-url", simulator.base_url)
    dialog = open_dialog(qtbot, window)
    status = dialog.findChild(QLabel, "keyStatusLabel")
    dialog.findChild(QLineEdit, "apiKeyEdit").setText(TEST_KEY)
    click(qtbot, dialog, "checkKeyButton")
    qtbot.waitUntil(lambda: "accepts" in status.text(), timeout=10000)
    dialog.findChild(QLineEdit, "apiKeyEdit").setText("sk-not-a-real-key-123")
    click(qtbot, dialog, "checkKeyButton")
    qtbot.waitUntil(lambda: "refused" in status.text(), timeout=10000)
    assert simulator.created_tasks == 0 and simulator.compat_calls == 0
    dialog.reject()


def test_without_a_keyring_the_key_is_kept_for_the_session_only(
    qtbot, open_window, simulator
) -> None:
    keyring.set_keyring(fail.Keyring())  # a bare Linux: no backend at all
    window = open_window("--base-url", simulator.base_url)
    qtbot.waitUntil(window.session.is_demo, timeout=10000)
    dialog = open_dialog(qtbot, window)
    backend = dialog.findChild(QLabel, "keyringBackendLabel").text()
    assert "no keyring" in backend
    session = dialog.findChild(QCheckBox, "sessionOnlyCheck")
    assert session.isChecked() and not session.isEnabled()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "apiKeyEdit"), TEST_KEY)
    click(qtbot, dialog, "saveKeyButton")
    qtbot.waitUntil(lambda: not window.session.is_demo())
    assert "session" in dialog.findChild(QLabel, "keySourceLabel").text()
    assert window.session.key_info() == ("session", False)
    dialog.reject()


def test_the_environment_key_wins_and_is_shown(qtbot, open_window, simulator, monkeypatch) -> None:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    assert not window.session.is_demo()
    dialog = open_dialog(qtbot, window)
    assert "MOUNTSEA_API_KEY" in dialog.findChild(QLabel, "keySourceLabel").text()
    assert not dialog.findChild(QPushButton, "removeKeyButton").isEnabled()
    dialog.reject()


def test_settings_are_saved_on_ok(qtbot, open_window, data_dir, simulator) -> None:
    window = open_window("--base-url", simulator.base_url)
    dialog = open_dialog(qtbot, window)
    dialog.concurrency_spin.setValue(2)
    dialog.feather_spin.setValue(3)
    dialog.accept()
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["concurrency"] == 2 and saved["feather"] == 3
    assert window.runner.pool.maxThreadCount() == 2


def test_closing_the_dialog_while_a_check_runs_is_harmless(qtbot, open_window, simulator) -> None:
    from app.simulator import Fault

    window = open_window("--base-url", simulator.base_url)
    simulator.inject(Fault(delay=0.5), method="GET", path="/openai/tasks")
    dialog = open_dialog(qtbot, window)
    dialog.findChild(QLineEdit, "apiKeyEdit").setText(TEST_KEY)
    click(qtbot, dialog, "checkKeyButton")
    dialog.reject()  # the window deletes it later; the check's answer then has nowhere to go
    qtbot.waitUntil(lambda: window.settings_dialog is None)
    qtbot.waitUntil(lambda: window.background.pool.activeThreadCount() == 0, timeout=10000)
    qtbot.waitUntil(lambda: window.background.pending == 0, timeout=5000)


def test_a_command_line_base_url_is_not_saved_but_an_edit_is(
    qtbot, open_window, data_dir, simulator
) -> None:
    window = open_window("--base-url", simulator.base_url)
    dialog = open_dialog(qtbot, window)
    dialog.accept()  # nothing changed
    assert (
        json.loads((data_dir / "settings.json").read_text())["base_url"]
        == "https://api.mountsea.ai"
    )
    dialog = open_dialog(qtbot, window)
    dialog.findChild(QLineEdit, "baseUrlEdit").setText("https://example.test/")
    dialog.accept()
    assert (
        json.loads((data_dir / "settings.json").read_text())["base_url"] == "https://example.test"
    )
    assert window.session.base_url() == "https://example.test"
