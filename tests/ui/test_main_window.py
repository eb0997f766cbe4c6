"""The real window from create_window, driven like a user would, against the simulator over real sockets."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QListView, QPlainTextEdit, QPushButton, QSpinBox

from app.ui.main_window import MainWindow
from tests.conftest import TEST_KEY

# The offscreen platform warns that it cannot pass size hints to a window manager it does not have.

STATE = Qt.ItemDataRole.UserRole + 1


def task_view(window: MainWindow) -> QListView:
    view = window.findChild(QListView, "taskList")
    assert view is not None
    return view


def states(window: MainWindow) -> list[str]:
    model = task_view(window).model()
    return [model.data(model.index(r, 0), STATE) for r in range(model.rowCount())]


def row_record(window: MainWindow, row: int = 0):
    return window.task_model.record_at(row)


def generate(qtbot, window: MainWindow, prompt: str, copies: int = 1) -> None:
    edit = window.findChild(QPlainTextEdit, "promptEdit")
    edit.setPlainText(prompt)
    window.findChild(QSpinBox, "copiesSpin").setValue(copies)
    button = window.findChild(QPushButton, "generateButton")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_states(qtbot, window: MainWindow, expected: list[str], timeout: int = 20000) -> None:
    def check() -> None:
        records = [window.task_model.record_at(r) for r in range(window.task_model.rowCount())]
        assert states(window) == expected, [(r.state, r.detail, r.error) for r in records]

    qtbot.waitUntil(check, timeout=timeout)


def test_demo_mode_generates_a_file_on_disk(qtbot, open_window, data_dir) -> None:
    window = open_window("--demo")
    banner = window.findChild(QLabel.__base__, "demoBanner")
    qtbot.waitUntil(lambda: window.session.is_demo(), timeout=10000)
    assert banner.isVisible()
    edit = window.findChild(QPlainTextEdit, "promptEdit")
    qtbot.keyClicks(edit, "a lighthouse at dusk")
    qtbot.keyClick(
        edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )  # Ctrl+Enter generates
    qtbot.waitUntil(lambda: states(window) == ["running"], timeout=5000)
    wait_states(qtbot, window, ["completed"])
    record = row_record(window)
    path = Path(record.paths[0])
    assert path.is_file() and path.stat().st_size > 0
    assert path.is_relative_to(data_dir / "images")
    assert record.thumbnail is not None
    # The finished picture is shown with what the server reported.
    assert window.tabs.currentWidget() is window.result_view
    assert window.result_view.image_view.pixmap() is not None
    assert "text in" in window.result_view.tokens_label.text()


def test_four_jobs_at_once_all_complete(qtbot, window, simulator) -> None:
    generate(qtbot, window, "four cats", copies=4)
    wait_states(qtbot, window, ["completed"] * 4)
    paths = {row_record(window, r).paths[0] for r in range(4)}
    assert len(paths) == 4 and all(Path(p).is_file() for p in paths)
    assert simulator.created_tasks == 4


def test_cancel_a_running_job(qtbot, window, simulator) -> None:
    simulator.latency = 30.0  # the task stays "processing" until cancelled
    generate(qtbot, window, "a slow one")
    qtbot.waitUntil(lambda: row_record(window).task_id is not None, timeout=10000)
    window.task_list.view.setCurrentIndex(window.task_model.index(0, 0))
    cancel = window.task_list.cancel_button
    assert cancel.isEnabled()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    wait_states(qtbot, window, ["cancelled"], timeout=5000)
    assert row_record(window).paths == []
    assert window.library.job(row_record(window).job_id).state == "cancelled"


def test_retry_a_failed_job(qtbot, window, simulator) -> None:
    from app.simulator import Fault

    simulator.inject(Fault(task_status="failed", error_message="GPU on fire", error_code=500))
    generate(qtbot, window, "retry me")
    wait_states(qtbot, window, ["failed"])
    assert "GPU on fire" in row_record(window).error
    window.task_list.view.setCurrentIndex(window.task_model.index(0, 0))
    qtbot.mouseClick(window.task_list.retry_button, Qt.MouseButton.LeftButton)
    wait_states(qtbot, window, ["completed", "failed"])
    assert Path(row_record(window, 0).paths[0]).is_file()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("bad_key", "API key was refused"),
        ("refused", "safety system refused"),
        ("dropped", "connection to the server was lost"),
    ],
)
def test_errors_show_their_sentence_in_the_row(
    qtbot, open_window, simulator, monkeypatch, case, expected
) -> None:
    from app.simulator import Fault

    monkeypatch.setenv("MOUNTSEA_API_KEY", "sk-wrong-key-000000" if case == "bad_key" else TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    if case == "dropped":
        simulator.inject(Fault(drop=True), method="POST", path="/openai/images")
    generate(qtbot, window, "something forbidden" if case == "refused" else "a harmless tree")
    wait_states(qtbot, window, ["failed"])
    record = row_record(window)
    assert expected in record.error
    assert "Traceback" not in record.error
    # The list shows it too: the delegate's size grows to fit the sentence.
    view = task_view(window)
    assert view.sizeHintForIndex(window.task_model.index(0, 0)).height() > 90


def test_compat_flavour_and_parameters_reach_the_server(
    qtbot, open_window, simulator, monkeypatch
) -> None:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url, "--api", "compat")
    assert window.findChild(QComboBox, "apiCombo").currentData() == "compat"
    fmt = window.findChild(QComboBox, "formatCombo")
    fmt.setCurrentIndex(fmt.findData("webp"))
    assert window.findChild(QSpinBox, "compressionSpin").isEnabled()
    size = window.findChild(QComboBox, "sizeCombo")
    size.setCurrentIndex(size.findData("1536x1024"))
    generate(qtbot, window, "a wide webp")
    wait_states(qtbot, window, ["completed"])
    assert simulator.compat_calls == 1 and simulator.created_tasks == 0
    record = row_record(window)
    assert record.paths[0].endswith(".webp")
    assert record.info["size"] == "1536x1024"


def test_transparent_needs_png_or_webp(qtbot, window) -> None:
    fmt = window.findChild(QComboBox, "formatCombo")
    bg = window.findChild(QComboBox, "backgroundCombo")
    bg.setCurrentIndex(bg.findData("transparent"))
    fmt.setCurrentIndex(fmt.findData("jpeg"))
    # Choosing JPEG moves the background off transparent and says why.
    assert bg.currentData() == "auto"
    assert window.prompt_panel.format_hint.isVisible()
    transparent_item = bg.model().item(bg.findData("transparent"))
    assert not transparent_item.isEnabled()
    assert not window.findChild(QComboBox, "inputFidelityCombo").isEnabled()


def test_custom_size_is_checked_live(qtbot, window) -> None:
    size = window.findChild(QComboBox, "sizeCombo")
    size.setCurrentIndex(size.findData("__custom__"))
    window.findChild(QPlainTextEdit, "promptEdit").setPlainText("x")
    custom = window.prompt_panel.custom_size_edit
    qtbot.keyClicks(custom, "1000x1000")
    button = window.findChild(QPushButton, "generateButton")
    assert not button.isEnabled()
    assert "multiples of 16" in window.prompt_panel.size_hint.text()
    custom.setText("2048x1152")
    assert button.isEnabled()
    assert window.prompt_panel.request().size == "2048x1152"


def test_last_choices_are_remembered(qtbot, open_window, simulator, monkeypatch, data_dir) -> None:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    quality = window.findChild(QComboBox, "qualityCombo")
    quality.setCurrentIndex(quality.findData("high"))
    window.close()
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["quality"] == "high"
    assert TEST_KEY not in (data_dir / "settings.json").read_text()
    again = open_window("--base-url", simulator.base_url)
    assert again.findChild(QComboBox, "qualityCombo").currentData() == "high"


def test_unfinished_async_task_is_landed_at_start_without_a_new_create(
    qtbot, open_window, simulator, monkeypatch, data_dir
) -> None:
    from app.core.api.cancel import CancelToken
    from app.core.api.client import MountseaClient, make_http_client
    from app.core.api.models import Flavour, ImageRequest
    from app.core.library import Library

    request = ImageRequest(prompt="left behind by a crash")
    lib = Library.open(data_dir)
    job_id = lib.begin_job(request, Flavour.tasks, simulator.base_url)
    with make_http_client() as http:
        task_id = MountseaClient(http, simulator.base_url, TEST_KEY).submit_task(
            request, CancelToken()
        )
    lib.set_task_id(job_id, task_id)
    lib.update_job(job_id, state="running")
    lib.close()
    assert simulator.created_tasks == 1

    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    wait_states(qtbot, window, ["completed"])
    assert simulator.created_tasks == 1  # polled, never created again
    record = row_record(window)
    assert record.job_id == job_id and Path(record.paths[0]).is_file()


def test_a_job_that_waited_for_the_network_is_sent_at_the_next_start(
    qtbot, open_window, simulator, monkeypatch, data_dir
) -> None:
    from app.core.api.models import Flavour, ImageRequest
    from app.core.library import Library

    lib = Library.open(data_dir)
    job_id = lib.begin_job(
        ImageRequest(prompt="offline when the app quit"), Flavour.tasks, simulator.base_url
    )
    lib.update_job(job_id, state="waiting")
    lib.close()
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    wait_states(qtbot, window, ["completed"])
    assert simulator.created_tasks == 1
    assert window.library.job(job_id).state == "completed"


def test_an_interrupted_compat_job_can_be_retried(
    qtbot, open_window, simulator, monkeypatch, data_dir
) -> None:
    from app.core.api.models import Flavour, ImageRequest
    from app.core.library import Library

    lib = Library.open(data_dir)
    lib.begin_job(ImageRequest(prompt="cut off by a quit"), Flavour.compat, simulator.base_url)
    lib.close()
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    wait_states(qtbot, window, ["interrupted"])
    assert simulator.compat_calls == 0
    window.runner.retry(row_record(window).key)
    wait_states(qtbot, window, ["completed", "interrupted"])


def test_offline_job_waits_for_the_network_then_runs(qtbot, open_window, monkeypatch) -> None:
    from app.services.task_model import Roles
    from app.simulator import Simulator

    with socket.socket() as s:  # a port nothing listens on (yet)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", f"http://127.0.0.1:{port}")
    window.runner.probe_interval = 0.1
    generate(qtbot, window, "patience")
    model = window.task_model
    qtbot.waitUntil(
        lambda: model.data(model.index(0, 0), Roles.DetailedState) == "waiting", timeout=15000
    )
    assert states(window) == ["queued"]  # the contract's six states: waiting shows as queued
    assert "network" in row_record(window).detail
    offline_label = window.findChild(QLabel, "statusNetwork")
    qtbot.waitUntil(lambda: offline_label.text() == "Offline", timeout=5000)
    sim = Simulator(api_keys=(TEST_KEY,))
    sim.start(port)
    try:
        wait_states(qtbot, window, ["completed"])
        assert sim.created_tasks == 1
        assert offline_label.text() == ""
    finally:
        sim.stop()


def test_closing_stops_workers_and_closes_the_library(qtbot, window, simulator) -> None:
    simulator.latency = 30.0
    generate(qtbot, window, "still running at close", copies=2)
    qtbot.waitUntil(lambda: all(row_record(window, r).task_id for r in range(2)), timeout=10000)
    window.close()
    assert window.runner.pool.activeThreadCount() == 0
    assert window.library.closed


def test_a_result_edited_with_a_mask_keeps_the_unmasked_pixels(qtbot, window, simulator) -> None:
    from PIL import Image

    generate(qtbot, window, "a plain square")
    wait_states(qtbot, window, ["completed"])
    source_path = row_record(window).paths[0]
    qtbot.mouseClick(window.result_view.edit_button, Qt.MouseButton.LeftButton)
    panel = window.edit_panel
    assert window.tabs.currentWidget() is panel
    qtbot.waitUntil(panel.has_sources, timeout=10000)
    qtbot.waitUntil(lambda: panel.canvas.model is not None, timeout=10000)
    assert window.findChild(QComboBox, "inputFidelityCombo").isEnabled()  # editing now
    assert window.findChild(QPushButton, "generateButton").text() == "Edit"
    panel.set_feather(0)
    panel.canvas.fill_rect((0, 0, 256, 256))  # repaint only the top-left corner
    generate(qtbot, window, "a red corner")
    wait_states(qtbot, window, ["completed", "completed"])
    edit = row_record(window, 0)
    assert edit.is_edit
    posts = [r for r in simulator.requests if r.method == "POST"]
    assert len(posts) == 2 and b"mask" in posts[-1].body
    with Image.open(source_path) as before, Image.open(edit.paths[0]) as after:
        assert after.size == before.size
        # Outside the mask the picture is the source, pixel for pixel.
        box = (512, 512, before.width, before.height)
        assert before.convert("RGB").crop(box).tobytes() == after.convert("RGB").crop(box).tobytes()
    assert edit.raw_paths[0] and Path(edit.raw_paths[0]).is_file()  # the raw result is kept too
    # ... and the result view switches between the pasted-back picture and the raw one.
    view = window.result_view
    assert view.record() is edit and not view.raw_button.isHidden()
    qtbot.mouseClick(view.raw_button, Qt.MouseButton.LeftButton)
    assert view.file_label.text() == edit.raw_paths[0]
    qtbot.mouseClick(view.raw_button, Qt.MouseButton.LeftButton)
    assert view.file_label.text() == edit.paths[0]


def test_a_job_that_would_cross_the_budget_asks_first(
    qtbot, window, simulator, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.core.library import spend

    spend.set_monthly_budget(window.library, 0.001)
    asked: list[str] = []

    def answer(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    generate(qtbot, window, "an expensive one")
    assert asked and "budget" in asked[0]
    assert window.task_model.rowCount() == 0 and simulator.created_tasks == 0


def test_earlier_jobs_are_listed_and_open_in_the_result_view(
    qtbot, open_window, simulator, monkeypatch, data_dir
) -> None:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    first = open_window("--base-url", simulator.base_url)
    generate(qtbot, first, "from an earlier session")
    wait_states(qtbot, first, ["completed"])
    path = row_record(first).paths[0]
    first.close()

    window = open_window("--base-url", simulator.base_url)
    wait_states(qtbot, window, ["completed"])
    record = row_record(window)
    assert record.paths == [path] and record.prompt == "from an earlier session"
    qtbot.waitUntil(lambda: row_record(window).thumbnail is not None, timeout=10000)
    view = task_view(window)
    index = window.task_model.index(0, 0)
    centre = view.visualRect(index).center()
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=centre
    )  # a double-click starts with a press
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert window.tabs.currentWidget() is window.result_view
    qtbot.waitUntil(lambda: window.result_view.image_view.pixmap() is not None, timeout=10000)
    assert path in window.result_view.file_label.text()
    assert simulator.created_tasks == 1


def test_a_cancelled_task_can_still_be_fetched_without_a_new_create(
    qtbot, window, simulator
) -> None:
    simulator.latency = 1.0
    generate(qtbot, window, "cancel, then change my mind")
    qtbot.waitUntil(lambda: row_record(window).task_id is not None, timeout=10000)
    key = row_record(window).key
    window.runner.cancel(key)
    wait_states(qtbot, window, ["cancelled"])
    window.runner.fetch_again(key)  # "Fetch the result anyway" in the row's menu
    wait_states(qtbot, window, ["completed"])
    assert simulator.created_tasks == 1 and Path(row_record(window).paths[0]).is_file()


def test_result_actions_copy_and_reuse(qtbot, window) -> None:
    from PySide6.QtGui import QGuiApplication

    generate(qtbot, window, "copy me")
    wait_states(qtbot, window, ["completed"])
    window.findChild(QComboBox, "qualityCombo").setCurrentIndex(3)
    window.findChild(QPlainTextEdit, "promptEdit").setPlainText("something else")
    view = window.result_view
    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert not QGuiApplication.clipboard().image().isNull()
    qtbot.mouseClick(view.reuse_button, Qt.MouseButton.LeftButton)
    assert window.findChild(QPlainTextEdit, "promptEdit").toPlainText() == "copy me"
    assert window.findChild(QComboBox, "qualityCombo").currentData() == "auto"


def test_editor_preferences_are_remembered(
    qtbot, open_window, simulator, monkeypatch, data_dir
) -> None:
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url)
    window.edit_panel.set_feather(21)
    window.edit_panel.set_brush_size(77)
    window.edit_panel.opacity_slider.setValue(30)
    window.close()
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["feather"] == 21 and saved["brush_size"] == 77 and saved["overlay_opacity"] == 0.3
    again = open_window("--base-url", simulator.base_url)
    assert again.edit_panel.feather() == 21 and again.edit_panel.brush_size() == 77
    assert again.edit_panel.canvas.overlay_opacity() == 30


def test_a_damaged_settings_file_is_reset_and_said(qtbot, open_window, data_dir) -> None:
    (data_dir / "settings.json").write_text('{"concurrency": "lots", "poll_interval": 0.05}')
    window = open_window("--demo")
    banner = window.findChild(QLabel.__base__, "noticeBanner")
    assert banner.isVisible() and "concurrency" in banner.label.text()
    assert window.runner.pool.maxThreadCount() == 4


def test_a_real_task_left_running_waits_in_demo_mode_for_a_key(
    qtbot, open_window, data_dir
) -> None:
    from app.core.api.models import Flavour, ImageRequest
    from app.core.library import Library

    lib = Library.open(data_dir)
    job_id = lib.begin_job(
        ImageRequest(prompt="paid at Mountsea"), Flavour.tasks, "https://api.mountsea.ai"
    )
    lib.set_task_id(job_id, "f00d")
    lib.update_job(job_id, state="running")
    lib.close()
    window = open_window("--demo")  # no key: the demo server cannot finish a real task
    qtbot.waitUntil(
        lambda: window.task_model.rowCount() == 1 and row_record(window).state == "waiting",
        timeout=10000,
    )
    assert row_record(window).detail == "waiting for an API key"
    assert states(window) == ["queued"]


def test_the_row_button_cancels_and_then_retries(qtbot, window, simulator) -> None:
    from app.ui.task_list import TaskDelegate

    simulator.latency = 30.0
    generate(qtbot, window, "press the row button")
    qtbot.waitUntil(lambda: row_record(window).task_id is not None, timeout=10000)
    view = task_view(window)

    def click_row_button() -> None:
        rect = view.visualRect(window.task_model.index(0, 0))
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=TaskDelegate.button_rect(rect).center()
        )

    click_row_button()  # on a running job: cancel
    wait_states(qtbot, window, ["cancelled"], timeout=5000)
    simulator.latency = 0.0
    click_row_button()  # on a cancelled job: retry
    wait_states(qtbot, window, ["completed", "cancelled"])


def test_the_gallery_sends_pictures_to_the_editor_and_settings_to_the_form(qtbot, window) -> None:
    generate(qtbot, window, "from the gallery")
    wait_states(qtbot, window, ["completed"])
    item_id = row_record(window).item_ids[0]
    window.gallery.edit_requested.emit(item_id)
    qtbot.waitUntil(window.edit_panel.has_sources, timeout=10000)
    assert window.tabs.currentWidget() is window.edit_panel
    window.findChild(QPlainTextEdit, "promptEdit").setPlainText("")
    window.gallery.reuse_requested.emit({"prompt": "from the gallery", "quality": "low"})
    assert window.findChild(QPlainTextEdit, "promptEdit").toPlainText() == "from the gallery"
    assert window.findChild(QComboBox, "qualityCombo").currentData() == "low"


def test_a_finished_job_appears_in_the_gallery_keeping_its_selection(qtbot, window) -> None:
    generate(qtbot, window, "the first picture")
    wait_states(qtbot, window, ["completed"])
    gallery = window.gallery
    first = row_record(window).item_ids[0]
    assert gallery.model.item_id(0) == first  # landed after the gallery opened: placed in
    gallery.select_ids([first])
    generate(qtbot, window, "the second picture")
    wait_states(qtbot, window, ["completed", "completed"])
    second = row_record(window, 0).item_ids[0]
    model = gallery.model
    assert [model.item_id(r) for r in range(model.rowCount())] == [second, first]
    assert gallery.selected_ids() == [first]


def test_a_damaged_index_is_rebuilt_and_said_at_start(qtbot, open_window, data_dir) -> None:
    from app.core.library import Library
    from tests.core.library.helpers import add_item

    with Library.open(data_dir) as lib:
        add_item(lib, "a picture that survives")
    for name in ("library.sqlite3", "library.sqlite3-wal", "library.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)
    (data_dir / "library.sqlite3").write_bytes(b"this is not a database at all" * 200)
    window = open_window("--demo")
    banner = window.findChild(QLabel.__base__, "noticeBanner")
    recovered = window.library.recovered_from
    assert recovered is not None and recovered.exists()
    text = banner.label.text()
    assert banner.isVisible() and "rebuilt from your pictures" in text
    assert "could not be resumed" in text and str(recovered) in text
    assert window.gallery.model.rowCount() == 1


def drop_on(widget, path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(event)
    assert event.isAccepted()


def test_a_result_dropped_on_the_prompt_offers_its_settings(qtbot, window) -> None:
    generate(qtbot, window, "a lighthouse at dusk")
    wait_states(qtbot, window, ["completed"])
    path = Path(row_record(window).paths[0])
    edit = window.findChild(QPlainTextEdit, "promptEdit")
    edit.setPlainText("something else")
    window.findChild(QComboBox, "qualityCombo").setCurrentIndex(3)
    drop_on(edit, path)
    qtbot.waitUntil(lambda: window._restore_box is not None and window._restore_box.isVisible())
    assert path.name in window._restore_box.text()
    assert edit.toPlainText() == "something else"  # nothing changes before the user says so
    qtbot.mouseClick(
        window._restore_box.findChild(QPushButton, "restoreSettingsButton"),
        Qt.MouseButton.LeftButton,
    )
    assert edit.toPlainText() == "a lighthouse at dusk"
    assert window.findChild(QComboBox, "qualityCombo").currentData() == "auto"
    assert not window.edit_panel.has_sources()


def test_a_plain_picture_dropped_on_the_prompt_goes_to_the_editor(qtbot, window, tmp_path) -> None:
    from PIL import Image

    plain = tmp_path / "plain.png"
    Image.new("RGB", (40, 30), (9, 9, 9)).save(plain)
    drop_on(window.findChild(QPlainTextEdit, "promptEdit"), plain)
    qtbot.waitUntil(window.edit_panel.has_sources, timeout=10000)
    assert window.tabs.currentWidget() is window.edit_panel and window._restore_box is None


def test_use_as_edit_source_does_not_offer_to_restore_settings(qtbot, window) -> None:
    generate(qtbot, window, "edit me next")
    wait_states(qtbot, window, ["completed"])
    qtbot.mouseClick(window.result_view.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.edit_panel.has_sources, timeout=10000)
    assert window.tabs.currentWidget() is window.edit_panel
    assert not window.edit_panel.restore_bar.isVisible()


def test_start_up_objects_are_frozen_for_the_gc_until_close(qtbot, window) -> None:
    import gc

    qtbot.waitUntil(lambda: window.startup.frozen, timeout=10000)
    assert gc.get_freeze_count() > 0
    window.close()
    assert gc.get_freeze_count() == 0


def test_the_collector_comes_back_on_even_when_the_warm_up_fails(
    qtbot, open_window, simulator, monkeypatch
) -> None:
    """main() starts the window with the cyclic GC off; a failed warm-up must not leave it off
    for the whole session (memory held by cycles would only grow)."""
    import gc

    import app.startup

    def broken_warm_up(_runner: object) -> None:
        raise OSError("codec plugins could not be loaded")

    monkeypatch.setattr(app.startup, "warm_up", broken_warm_up)
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    gc.disable()  # as app.main.main does before building the window
    try:
        window = open_window("--base-url", simulator.base_url)
        qtbot.waitUntil(gc.isenabled, timeout=10000)
        assert window.startup.frozen
    finally:
        gc.enable()


def test_empty_task_list_and_gallery_paint_a_view_background_and_say_what_the_list_is_for(
    open_window, qtbot
) -> None:
    """Both lists fill their background with the palette's base colour, as every item view
    does, and the empty task list tells the user what it is for instead of staying blank."""
    from PySide6.QtGui import QPalette

    window = open_window("--demo")
    window.tabs.setCurrentWidget(window.gallery)
    for view in (window.task_list.view, window.findChild(QListView, "galleryView")):
        qtbot.waitUntil(lambda v=view: v.viewport().isVisible())
        image = view.viewport().grab().toImage()
        base = view.palette().color(QPalette.ColorRole.Base)
        assert image.pixelColor(2, 2) == base
    image = window.task_list.view.viewport().grab().toImage()
    base = window.task_list.view.palette().color(QPalette.ColorRole.Base)
    rows = range(image.height() // 2 - 30, image.height() // 2 + 30)
    inked = [
        (x, y) for y in rows for x in range(0, image.width(), 2) if image.pixelColor(x, y) != base
    ]
    assert inked, "the empty task list shows its sentence"


def test_a_result_is_shown_through_a_stand_in_scaled_on_its_worker(qtbot, window) -> None:
    from PySide6.QtGui import QGuiApplication

    window.resize(900, 600)
    window.tabs.setCurrentWidget(window.result_view)
    view = window.result_view.image_view
    qtbot.waitUntil(lambda: window.runner.preview_fit[0] < 1024)
    generate(qtbot, window, "a picture bigger than the view")
    wait_states(qtbot, window, ["completed"])
    record = row_record(window)
    assert record.size == (1024, 1024)
    fit = window.runner.preview_fit
    assert record.preview.width() <= fit[0] and record.preview.height() <= fit[1]
    # What the GUI thread paints is the stand-in; geometry is the picture's own.
    qtbot.waitUntil(lambda: view.pixmap() is not None and view.is_stand_in())
    assert view.full_size().toTuple() == (1024, 1024)
    # Copy gives the picture itself, read from the file on a worker.
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(window.result_view.copy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().image().size().toTuple() == (1024, 1024))
    # 100 %: the full resolution replaces the stand-in.
    window.result_view.on_fit()
    window.result_view.show_record(record)
    qtbot.waitUntil(lambda: view.is_stand_in())
    qtbot.mouseClick(window.result_view.actual_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.is_stand_in() and view.pixmap().width() == 1024)
