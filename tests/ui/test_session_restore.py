"""The prompt, the parameters and the edit session (pictures and mask) come back after a
restart of the real window; a damaged session is an empty start."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QSpinBox

from app.core.library import metadata
from app.ui.main_window import MainWindow
from tests.conftest import TEST_KEY
from tests.ui.test_mask_canvas import drag


@pytest.fixture
def start(open_window, simulator, monkeypatch):
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    return lambda: open_window("--base-url", simulator.base_url)


def pick(window: MainWindow, name: str, data: str) -> None:
    combo = window.findChild(QComboBox, name)
    combo.setCurrentIndex(combo.findData(data))


def wait_pictures(qtbot, window: MainWindow, count: int) -> None:
    def shown() -> None:
        assert window.edit_panel.source_count() == count
        assert window.edit_panel.canvas.model is not None

    qtbot.waitUntil(shown, timeout=10000)


def test_prompt_parameters_pictures_and_mask_come_back(
    qtbot, start, tmp_path: Path, data_dir: Path
) -> None:
    window = start()
    edit = window.findChild(QPlainTextEdit, "promptEdit")
    qtbot.keyClicks(edit, "replace the sky with a storm")
    pick(window, "qualityCombo", "high")
    pick(window, "formatCombo", "webp")
    window.findChild(QSpinBox, "compressionSpin").setValue(70)
    pick(window, "moderationCombo", "low")
    paths = [tmp_path / "p0.png", tmp_path / "made.png"]
    Image.new("RGB", (160, 120), (30, 140, 60)).save(paths[0])
    # The second was made by this app: it carries its settings.
    buf = io.BytesIO()
    Image.new("RGB", (120, 120), (200, 40, 40)).save(buf, "PNG")
    paths[1].write_bytes(metadata.embed(buf.getvalue(), {"params": {"prompt": "a red square"}}))
    window.edit_panel.add_files([str(p) for p in paths])
    wait_pictures(qtbot, window, 2)
    assert window.edit_panel.restore_bar.isVisible()
    canvas = window.edit_panel.canvas
    drag(canvas, [(20, 20), (60, 40), (100, 90)])
    assert not canvas.model.is_empty
    painted = canvas.model.tobytes()
    # Written a moment after the change, before any close.
    state = data_dir / "session" / "session.json"
    qtbot.waitUntil(
        lambda: state.exists() and bool(json.loads(state.read_text("utf-8"))["mask"]), timeout=5000
    )
    window.close()

    again = start()
    wait_pictures(qtbot, again, 2)
    canvas = again.edit_panel.canvas
    qtbot.waitUntil(lambda: not again.edit_session.held, timeout=5000)
    assert canvas.model.tobytes() == painted  # every mask pixel as painted
    assert canvas.image().pixelColor(5, 5) == QColor(30, 140, 60)
    assert [s.prepared.size for s in again.edit_panel.sources()] == [(160, 120), (120, 120)]
    form = again.prompt_panel.form
    assert again.findChild(QPlainTextEdit, "promptEdit").toPlainText() == (
        "replace the sky with a storm"
    )
    assert (form.quality, form.output_format, form.output_compression, form.moderation) == (
        "high",
        "webp",
        70,
        "low",
    )
    assert form.editing and again.prompt_panel.generate_button.text() == "Edit"
    # Coming back is not a new offer to restore the pictures' settings (offered before).
    assert again.edit_panel.sources()[1].record is not None
    assert not again.edit_panel.restore_bar.isVisible()

    # Emptied, it stays empty after the next restart; the old files go.
    again.edit_panel.clear_sources()
    edit = again.findChild(QPlainTextEdit, "promptEdit")
    edit.clear()
    again.close()
    assert [p.name for p in (data_dir / "session").iterdir()] == ["session.json"]
    third = start()
    qtbot.waitUntil(lambda: third.edit_session.held is False, timeout=5000)
    assert not third.edit_panel.has_sources()
    assert third.findChild(QPlainTextEdit, "promptEdit").toPlainText() == ""


@pytest.mark.parametrize(
    "damage",
    [
        "{not json at all",
        '{"version": 1, "prompt": "x", "pictures": [{"file": "picture-gone.png"}]}',
        '{"version": 1, "pictures": [{"file": "../../settings.json"}]}',
        "[1, 2, 3]",
    ],
)
def test_a_damaged_session_starts_empty_with_a_warning(
    qtbot, start, data_dir: Path, caplog, damage: str
) -> None:
    folder = data_dir / "session"
    folder.mkdir()
    (folder / "session.json").write_text(damage, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        window = start()
        qtbot.waitUntil(lambda: window.edit_session.held is False, timeout=5000)
    assert any("starting empty" in r.getMessage() for r in caplog.records)
    assert not window.edit_panel.has_sources()
    assert window.findChild(QPlainTextEdit, "promptEdit").toPlainText() == ""
    # And it works from there on.
    window.findChild(QPlainTextEdit, "promptEdit").setPlainText("a fresh start")
    window.close()
    assert json.loads((folder / "session.json").read_text("utf-8"))["prompt"] == "a fresh start"


def test_a_damaged_mask_leaves_the_pictures(qtbot, start, tmp_path: Path, data_dir: Path) -> None:
    window = start()
    path = tmp_path / "p.png"
    Image.new("RGB", (100, 80), (10, 20, 30)).save(path)
    window.edit_panel.add_files([str(path)])
    wait_pictures(qtbot, window, 1)
    drag(window.edit_panel.canvas, [(10, 10), (50, 50)])
    window.close()
    mask = next((data_dir / "session").glob("mask-*.png"))
    mask.write_bytes(b"not a png")
    again = start()
    wait_pictures(qtbot, again, 1)
    qtbot.waitUntil(lambda: again.edit_session.held is False, timeout=5000)
    assert again.edit_panel.canvas.model.is_empty
