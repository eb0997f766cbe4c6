"""Task rows that inform, in the real window against the simulator over real sockets: elapsed
time against the typical time learned from this library (a bar once there are samples), the
server's status in words, Offline while the server cannot be reached (row and status bar),
and the one-click cut-out after the server refuses native transparency."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QComboBox, QLabel, QListView

from app.core.api.models import Flavour, ImageRequest
from app.core.library import Library
from app.core.library.timing import MIN_SAMPLES
from app.services.task_model import Roles, format_estimate
from app.ui.main_window import MainWindow
from app.ui.task_row import STATE_COLOURS, row_note
from tests.conftest import TEST_KEY
from tests.ui.test_guidance import click_offer
from tests.ui.test_main_window import generate, row_record, wait_states

TYPICAL = 10.0  # seconds: the seeded jobs took about this long


@pytest.fixture
def window_slow(open_window, simulator, monkeypatch) -> tuple[MainWindow, object]:
    """A window on a simulator whose tasks walk through their statuses over two seconds."""
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    simulator.task_step_delay = 0.5
    return open_window("--base-url", simulator.base_url), simulator


def seed_durations(data_dir: Path, base_url: str, count: int, seconds: float = TYPICAL) -> None:
    """Completed jobs in the journal, as earlier runs leave them (size and quality auto)."""
    lib = Library.open(data_dir)
    try:
        for i in range(count):
            job_id = lib.begin_job(ImageRequest(prompt=f"earlier {i}"), Flavour.tasks, base_url)
            with lib._write() as c:
                c.execute(
                    "UPDATE jobs SET state = 'completed', finished_at = created_at + ? "
                    "WHERE job_id = ?",
                    (seconds + i, job_id),  # 10, 11, 12: the median is 11
                )
    finally:
        lib.close()


def row_of(window: MainWindow, prompt: str):
    """The model index of the job with `prompt` (the seeded jobs show as history rows too)."""
    model = window.task_model
    for row in range(model.rowCount()):
        if model.record_at(row).prompt == prompt:
            return model.index(row, 0)
    raise AssertionError(f"no row for {prompt!r}")


def has_bar(window: MainWindow, prompt: str) -> bool:
    """A horizontal run of the running colour in the job's row: the progress bar (text is
    antialiased and never paints a long run of the exact colour)."""
    view = window.findChild(QListView, "taskList")
    rect = view.visualRect(row_of(window, prompt))
    image = view.viewport().grab(rect).toImage()
    colour = STATE_COLOURS["running"].rgb()
    ratio = image.devicePixelRatio()
    for y in range(image.height()):
        run = 0
        for x in range(image.width()):
            run = run + 1 if image.pixel(x, y) == colour else 0
            if run >= 8 * ratio:
                return True
    return False


def test_a_running_row_shows_elapsed_and_a_bar_once_the_library_knows_the_time(
    qtbot, open_window, simulator, monkeypatch, data_dir
) -> None:
    seed_durations(data_dir, simulator.base_url, MIN_SAMPLES)
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    simulator.task_step_delay = 1.0  # the task walks pending → processing over 4 s
    window = open_window("--base-url", simulator.base_url)
    prompt = "a lighthouse, timed"
    generate(qtbot, window, prompt)
    model = window.task_model

    def data(role: int):
        return model.data(row_of(window, prompt), role)

    qtbot.waitUntil(lambda: data(Roles.Typical) is not None, timeout=10000)
    assert data(Roles.Typical) == TYPICAL + 1  # the median
    qtbot.waitUntil(lambda: (data(Roles.Elapsed) or 0) >= 1, timeout=10000)
    record = data(Roles.Record)
    assert format_estimate(record).endswith("of about 0:11"), format_estimate(record)
    assert 0 < data(Roles.Progress) < 0.5  # a second or two of about eleven
    qtbot.waitUntil(lambda: has_bar(window, prompt), timeout=5000)
    qtbot.waitUntil(lambda: data(Roles.State) == "completed", timeout=20000)
    assert data(Roles.Progress) is None and not has_bar(window, prompt)
    assert "of about" not in format_estimate(record)
    # The job that landed is learned too: four samples now.
    assert window.runner.timings.count(window.runner._timing_key(record)) == 4


def test_without_samples_the_row_shows_the_elapsed_time_only(
    qtbot, open_window, simulator, monkeypatch, data_dir
) -> None:
    seed_durations(data_dir, simulator.base_url, MIN_SAMPLES - 1)
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    simulator.task_step_delay = 0.5
    window = open_window("--base-url", simulator.base_url)
    prompt = "a lighthouse, untimed"
    generate(qtbot, window, prompt)
    model = window.task_model

    def data(role: int):
        return model.data(row_of(window, prompt), role)

    qtbot.waitUntil(lambda: window.runner.timings.loaded, timeout=10000)
    qtbot.waitUntil(lambda: (data(Roles.Elapsed) or 0) >= 0.5, timeout=10000)
    assert data(Roles.Typical) is None and data(Roles.Progress) is None
    assert re.fullmatch(r"\d+:\d\d", format_estimate(data(Roles.Record)))  # elapsed alone
    assert not has_bar(window, prompt)
    qtbot.waitUntil(lambda: data(Roles.State) == "completed", timeout=20000)


def test_an_async_row_shows_the_servers_status_changes(qtbot, window_slow) -> None:
    window, _simulator = window_slow
    generate(qtbot, window, "status, please")
    seen: list[str] = []

    def note() -> bool:
        record = row_record(window)
        text = row_note(record)
        if text and (not seen or seen[-1] != text):
            seen.append(text)
        return record.final

    qtbot.waitUntil(note, timeout=20000)
    assert row_record(window).state == "completed"
    server = [t for t in seen if t.startswith("server: ")]
    # The simulator walks pending → ready → assigned → processing: each change is shown.
    assert "server: pending" in server and "server: processing" in server, seen
    assert server.index("server: pending") < server.index("server: processing")


def test_offline_while_polling_shows_in_the_row_and_the_status_bar(qtbot, window_slow) -> None:
    window, simulator = window_slow
    simulator.task_step_delay = 1.0  # long enough to pull the plug in the middle
    generate(qtbot, window, "an outage mid-task")
    qtbot.waitUntil(lambda: row_record(window).task_id is not None, timeout=10000)
    port = simulator.port
    simulator.stop()
    network = window.findChild(QLabel, "statusNetwork")
    qtbot.waitUntil(lambda: network.text() == "Offline", timeout=10000)
    record = row_record(window)
    assert record.offline and window.task_model.data(window.task_model.index(0, 0), Roles.Offline)
    qtbot.waitUntil(lambda: "retrying in" in row_note(row_record(window)), timeout=10000)
    assert row_record(window).retry_in is not None
    simulator.start(port)  # the same simulator, its tasks kept: the server is back
    wait_states(qtbot, window, ["completed"], timeout=30000)
    assert network.text() == "" and not row_record(window).offline
    assert simulator.created_tasks == 1  # polled again, never created again


def test_a_refused_transparent_background_offers_the_cut_out_in_one_click(
    qtbot, open_window, simulator, monkeypatch
) -> None:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    combo = window.findChild(QComboBox, "backgroundCombo")
    combo.setCurrentIndex(combo.findData("transparent"))
    assert window.form.background == "transparent"
    generate(qtbot, window, "a red apple sticker")
    wait_states(qtbot, window, ["failed"])
    failed = row_record(window)
    assert "Transparent background is not supported" in failed.error
    assert failed.offer == "cutout"
    assert "Cut out instead" in [a.text() for a in window.task_list.context_menu(failed).actions()]
    click_offer(qtbot, window, "cutout")
    wait_states(qtbot, window, ["completed", "failed"])
    record = row_record(window)
    assert record.params["background"] == "opaque" and record.params.get("cutout_key")
    sent = [r for r in simulator.requests if r.method == "POST"][-1]
    assert "solid" in str(sent.json.get("prompt")) and sent.json.get("background") == "opaque"
    with Image.open(record.paths[0]) as im:
        assert im.mode == "RGBA"  # cut out here
    assert record.raw_paths and record.raw_paths[0]  # the uncut picture is kept
    with Image.open(io.BytesIO(Path(record.raw_paths[0]).read_bytes())) as raw:
        assert raw.mode == "RGB"
    assert record.offer is None
