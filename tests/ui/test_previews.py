"""Live previews in the real window: a streamed Compat job shows its partial pictures in its
row and in the result view before the final result, which alone is saved to the gallery."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox

from app.core.library import JobState
from tests.conftest import TEST_KEY
from tests.ui.test_main_window import generate, row_record, wait_states


@pytest.fixture
def compat_window(open_window, simulator, monkeypatch):
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    # Two previews and the result, one second apart: time to see each one.
    simulator.latency = 3.0
    return open_window("--base-url", simulator.base_url, "--api", "compat")


def test_a_compat_job_shows_previews_then_saves_the_final(qtbot, compat_window, simulator) -> None:
    window = compat_window
    seen: list[tuple[str, int]] = []
    window.runner.preview_ready.connect(lambda key, data: seen.append((key, len(data))))
    generate(qtbot, window, "a lighthouse at dusk")
    qtbot.waitUntil(lambda: row_record(window) is not None, timeout=5000)
    record = row_record(window)

    # The row: the preview's thumbnail while the job still runs.
    qtbot.waitUntil(lambda: record.live_preview is not None, timeout=10000)
    assert record.state == JobState.running and not record.paths
    assert "preview" in (record.detail or "")
    assert record.thumbnail is not None and not record.thumbnail.isNull()
    # The result view: the decoded preview (the simulator's quarter-size partial, shown at
    # the size the result will have), not the result.
    view = window.result_view
    qtbot.waitUntil(
        lambda: view.file_label.text().startswith("preview") and not record.final,
        timeout=10000,
    )
    assert view._image is not None and view._image.width() == 1024
    assert view.record() is record and window.gallery.model.rowCount() == 0
    preview_key = view._image.cacheKey()

    wait_states(qtbot, window, ["completed"])
    assert [key for key, _ in seen] == [record.key, record.key] and all(n > 0 for _, n in seen)
    [call] = simulator.requests
    assert call.json["stream"] is True and call.json["partial_images"] == 2
    # The final replaces the preview everywhere, and only it lands in the gallery.
    qtbot.waitUntil(lambda: view.file_label.text() == record.paths[0], timeout=5000)
    assert view._image is not None and view._image.cacheKey() != preview_key
    assert view._image.width() == 1024 and record.live_preview is None
    qtbot.waitUntil(lambda: window.gallery.model.rowCount() == 1, timeout=5000)
    assert len(window.library.recent_jobs()) == 1


def test_a_failed_stream_leaves_no_preview_behind(qtbot, compat_window, simulator) -> None:
    from app.simulator import Fault

    simulator.inject(Fault(stream="cut"), path="/openai/v1/images/generations")
    window = compat_window
    generate(qtbot, window, "a lighthouse at dusk")
    qtbot.waitUntil(lambda: row_record(window) is not None, timeout=5000)
    record = row_record(window)
    qtbot.waitUntil(lambda: record.live_preview is not None, timeout=10000)
    wait_states(qtbot, window, ["failed"])
    assert record.live_preview is None and record.thumbnail is None
    assert "billed" in (record.error or "")
    assert len(simulator.requests) == 1 and window.gallery.model.rowCount() == 0


def test_previews_can_be_turned_off_in_settings(qtbot, compat_window, simulator) -> None:
    window = compat_window
    simulator.latency = 0.0
    dialog = window.open_settings()
    check = dialog.findChild(QCheckBox, "streamPreviewsCheck")
    assert check is not None and check.isChecked()
    check.setChecked(False)
    dialog.accept()
    assert window.settings.stream_previews is False
    generate(qtbot, window, "plain please")
    wait_states(qtbot, window, ["completed"])
    assert "stream" not in simulator.requests[-1].json


def test_cancelling_a_streamed_job_keeps_its_paid_result(qtbot, compat_window, simulator) -> None:
    window = compat_window
    generate(qtbot, window, "a lighthouse at dusk")
    qtbot.waitUntil(lambda: row_record(window) is not None, timeout=5000)
    record = row_record(window)
    qtbot.waitUntil(lambda: record.live_preview is not None, timeout=10000)
    first = record.live_preview
    window.runner.cancel(record.key)
    cancelling = record.detail
    # The next preview still comes (the call is paid for and runs on) but the row keeps
    # saying it is cancelling.
    qtbot.waitUntil(lambda: record.live_preview is not first or record.final, timeout=10000)
    if not record.final:
        assert record.detail == cancelling
    wait_states(qtbot, window, ["cancelled"])
    assert record.late_result and record.paths  # saved anyway, marked as such
    qtbot.waitUntil(lambda: window.gallery.model.rowCount() == 1, timeout=5000)
