"""Fixtures every test directory shares. Subdirectories add their own conftest.py for the rest."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TEST_KEY = "sk-test-0123456789abcdef"

# The Images part of OpenAI's published spec (MIT; where from and which commit: tests/data/README.md).
SPEC_PATH = Path(__file__).resolve().parent / "data" / "openai-images.openapi.json"


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process only: tests never touch the user's real keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


@pytest.fixture(autouse=True)
def fail_on_logged_error(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """An ERROR (or worse) logged during a test fails it: errors are bugs until a test says it
    expects one with `@pytest.mark.expect_log_error` (or checks the record and then calls
    `caplog.clear()`). Runs last at teardown, so errors logged by other fixtures count too."""
    yield
    if request.node.get_closest_marker("expect_log_error"):
        return
    errors = [
        record
        for when in ("setup", "call", "teardown")
        for record in caplog.get_records(when)
        if record.levelno >= logging.ERROR
    ]
    if errors:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in errors)
        pytest.fail(
            f"the test logged {len(errors)} error(s) without @pytest.mark.expect_log_error:\n{lines}",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv("MOUNTSEA_API_KEY", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def library(data_dir: Path) -> Iterator[object]:
    """The app's library (index, journal, images) in the test's data dir."""
    from app.core.library import Library

    lib = Library.open(data_dir)
    yield lib
    lib.close()


@pytest.fixture
def simulator() -> Iterator[object]:
    """A real simulator on 127.0.0.1 with zero latency, accepting TEST_KEY."""
    from app.simulator import Simulator

    sim = Simulator(api_keys=(TEST_KEY,), latency=0.0)
    sim.start()
    yield sim
    sim.stop()
