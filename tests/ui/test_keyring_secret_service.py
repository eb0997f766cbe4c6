"""The settings dialog against a real Secret Service (gnome-keyring under dbus-run-session in CI)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from app.core.keys import SERVICE, USERNAME
from app.main import create_window
from tests.conftest import TEST_KEY

pytestmark = [
    pytest.mark.secret_service,
]


def _unavailable(reason: str) -> None:
    # CI (.ci/run) always provides one: there a missing Secret Service is a failure, not a skip.
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _secret_service() -> object:
    """A usable Secret Service backend, or skip (fail in CI) with the reason."""
    try:
        from keyring.backends import SecretService
    except ImportError as exc:  # pragma: no cover - keyring always ships it
        pytest.skip(f"keyring has no Secret Service backend: {exc}")
    backend = SecretService.Keyring()
    try:
        backend.priority  # noqa: B018 - raises when no Secret Service answers on D-Bus
        import secretstorage

        # Our own look at the default collection, on a connection we close: keyring's
        # get_preferred_collection leaves its connection open when the collection is locked.
        with contextlib.closing(secretstorage.dbus_init()) as bus:
            locked = secretstorage.get_default_collection(bus).is_locked()
    except Exception as exc:  # noqa: BLE001 - dbus, secretstorage and keyring raise many types: all mean "none here"
        _unavailable(
            f"no Secret Service reachable ({type(exc).__name__}: {exc}); run under "
            "dbus-run-session with gnome-keyring-daemon --unlock, as .ci/run does"
        )
    if locked:
        _unavailable(
            "the Secret Service collection is locked (run under gnome-keyring-daemon --unlock)"
        )
    return backend


@pytest.fixture
def secret_service() -> Iterator[object]:
    backend = _secret_service()
    keyring.set_keyring(backend)  # the autouse memory keyring fixture puts its own back afterwards
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(SERVICE, USERNAME)
    yield backend
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(SERVICE, USERNAME)


def test_key_round_trip_through_a_real_secret_service(
    qtbot, secret_service, simulator, data_dir: Path
) -> None:
    (data_dir / "settings.json").write_text(json.dumps({"poll_interval": 0.05}))
    window = create_window(["--data-dir", str(data_dir), "--base-url", simulator.base_url])
    window.confirm_quit = False  # its close is the test's teardown, not a person quitting
    try:
        qtbot.waitUntil(window.session.is_demo, timeout=10000)
        dialog = window.open_settings()
        backend_label = dialog.findChild(QLabel, "keyringBackendLabel")
        qtbot.waitUntil(lambda: backend_label.text() != dialog.tr("checking…"))
        assert "SecretService" in backend_label.text() or "Secret" in backend_label.text()
        qtbot.keyClicks(dialog.findChild(QLineEdit, "apiKeyEdit"), TEST_KEY)
        qtbot.mouseClick(dialog.findChild(QPushButton, "saveKeyButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.session.is_demo(), timeout=10000)
        assert keyring.get_password(SERVICE, USERNAME) == TEST_KEY
        assert "keyring" in dialog.findChild(QLabel, "keySourceLabel").text()

        remove = dialog.findChild(QPushButton, "removeKeyButton")
        qtbot.waitUntil(remove.isEnabled)
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(window.session.is_demo, timeout=10000)
        assert keyring.get_password(SERVICE, USERNAME) is None
        dialog.reject()
    finally:
        window.close()
        window.deleteLater()
