"""The gallery panel as a person uses it: search, filters, actions, details, undo, export."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLineEdit, QListView

from app.core.api.models import Flavour, ImageRequest
from app.core.library import Library
from app.ui.gallery import GalleryPanel
from tests.core.library.helpers import add_item, make_image, make_result

ROOT = Path(__file__).resolve().parents[2]

# The offscreen platform (headless tests) says this for every top-level window it shows.


@pytest.fixture
def lib(library: Library) -> Library:
    return library


@pytest.fixture
def make_panel(qtbot, lib: Library):
    panels: list[GalleryPanel] = []

    def make() -> GalleryPanel:
        panel = GalleryPanel(lib)
        qtbot.addWidget(panel)
        panel.resize(1000, 700)
        panel.show()
        panels.append(panel)
        return panel

    yield make
    for p in panels:
        p.shutdown()


def shown_ids(panel: GalleryPanel) -> list[int]:
    view = panel.findChild(QListView, "galleryView")
    m = view.model()
    return [m.item_id(r) for r in range(m.rowCount())]


def select(panel: GalleryPanel, item_id: int) -> None:
    assert panel.select_ids([item_id]) == 1


def test_search_box_narrows_the_grid(qtbot, lib: Library, make_panel) -> None:
    cat = add_item(lib, "a red cat on a windowsill")
    dog = add_item(lib, "a brown dog in the park")
    panel = make_panel()
    view = panel.findChild(QListView, "galleryView")
    assert view.viewMode() == QListView.ViewMode.IconMode and view.uniformItemSizes()
    assert shown_ids(panel) == [dog, cat]
    search = panel.findChild(QLineEdit, "gallerySearch")
    qtbot.keyClicks(search, "windo")
    qtbot.waitUntil(lambda: shown_ids(panel) == [cat], timeout=3000)  # debounced, then FTS
    assert "1" in panel.count_label.text()
    search.clear()
    qtbot.waitUntil(lambda: shown_ids(panel) == [dog, cat], timeout=3000)


def test_filters_favourites_collection_edits(qtbot, lib: Library, make_panel) -> None:
    a = add_item(lib, "mountain lake")
    b = add_item(lib, "mountain road")
    edit = add_item(lib, "mountain lake with a boat", parent_item_id=a)
    panel = make_panel()
    select(panel, b)
    panel.gallery_actions.favourite_action.trigger()
    assert lib.item(b).favourite
    panel.favourites_check.setChecked(True)
    assert shown_ids(panel) == [b]
    panel.favourites_check.setChecked(False)
    panel.select_ids([a, edit])
    panel.gallery_actions.add_to_collection("Lakes")
    idx = panel.collection_combo.findData("Lakes")
    assert idx > 0
    panel.collection_combo.setCurrentIndex(idx)
    panel.collection_combo.activated.emit(idx)
    assert shown_ids(panel) == [edit, a]
    panel.clear_filters()
    panel.edits_check.setChecked(True)
    assert shown_ids(panel) == [edit]
    panel.clear_filters()
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("oldest"))
    assert shown_ids(panel) == [a, b, edit]


def test_details_show_every_field_and_lineage_jumps(qtbot, lib: Library, make_panel) -> None:
    parent = add_item(lib, "a house")
    job = lib.begin_job(
        ImageRequest(
            prompt="the house with a red door",
            quality="high",
            size="1024x1024",
            output_format="webp",
        ),
        Flavour.tasks,
        "https://api.mountsea.ai",
        parent_item_id=parent,
    )
    lib.set_task_id(job, "task-42")
    (child,) = lib.save_result(
        job, make_result("webp", revised="a cosy house with a red front door")
    )
    panel = make_panel()
    select(panel, child.id)
    v = panel.details.values
    assert v["prompt"] == "the house with a red door"
    assert v["revised_prompt"] == "a cosy house with a red front door"
    assert v["task_id"] == "task-42" and v["endpoint"] == "https://api.mountsea.ai"
    # Shown in words ("High", not the wire's "high"), the format by its name.
    assert v["format"] == "WebP" and v["quality"] == "High" and "4,160 out" in v["tokens"]
    assert v["file"] == str(child.path)
    lineage = panel.details.lineage
    assert lineage.count() == 2 and lineage.isVisibleTo(panel)
    panel.search.setText("red door")
    panel.apply_query()
    assert shown_ids(panel) == [child.id]
    lineage.itemClicked.emit(lineage.item(0))  # "from: a house" is hidden by the search
    assert panel.selected_ids() == [parent] and panel.search.text() == ""


def test_edit_and_reuse_signals(qtbot, lib: Library, make_panel) -> None:
    item_id = add_item(lib, "reuse me")
    panel = make_panel()
    select(panel, item_id)
    with qtbot.waitSignal(panel.edit_requested) as edit:
        panel.gallery_actions.edit_action.trigger()
    assert edit.args == [item_id]
    with qtbot.waitSignal(panel.reuse_requested) as reuse:
        panel.gallery_actions.reuse_action.trigger()
    assert reuse.args[0]["prompt"] == "reuse me" and reuse.args[0]["quality"] == "high"


def test_delete_with_undo_then_purge(qtbot, lib: Library, make_panel) -> None:
    keep = add_item(lib, "keep")
    gone = add_item(lib, "gone")
    path = lib.item(gone).path
    panel = make_panel()
    select(panel, gone)
    panel.gallery_actions.delete_action.trigger()
    assert (
        shown_ids(panel) == [keep]
        and panel.gallery_actions.undo_bar.isVisibleTo(panel)
        and path.exists()
    )
    qtbot.mouseClick(panel.gallery_actions.undo_button, Qt.MouseButton.LeftButton)
    assert shown_ids(panel) == [gone, keep] and not panel.gallery_actions.undo_bar.isVisibleTo(
        panel
    )
    select(panel, gone)
    panel.gallery_actions.delete_action.trigger()
    with qtbot.waitSignal(panel.purged, timeout=5000) as purged:
        panel.gallery_actions.on_undo_expired()  # what the undo timer does when it runs out
    assert purged.args == [1] and not path.exists() and shown_ids(panel) == [keep]


def test_export_zip_and_folder_in_a_worker(qtbot, lib: Library, make_panel, tmp_path: Path) -> None:
    ids = [add_item(lib, f"export {i}", fmt) for i, fmt in enumerate(("png", "jpeg", "webp"))]
    panel = make_panel()
    panel.select_ids(ids)
    dest = tmp_path / "out.zip"
    with qtbot.waitSignal(panel.export_finished, timeout=10000) as done:
        panel.gallery_actions.export_selected(dest, as_zip=True)
    assert done.args == [str(dest), 3]
    with zipfile.ZipFile(dest) as zf:
        names = sorted(zf.namelist())
        assert len(names) == 3
        assert zf.read(names[0]) in {lib.item(i).path.read_bytes() for i in ids}
    folder = tmp_path / "copies"
    with qtbot.waitSignal(panel.export_finished, timeout=10000):
        panel.gallery_actions.export_selected(folder, as_zip=False)
    assert sorted(p.name for p in folder.iterdir()) == sorted(lib.item(i).path.name for i in ids)


def test_rebuild_picks_up_files_added_by_hand(qtbot, lib: Library, make_panel) -> None:
    add_item(lib, "indexed")
    panel = make_panel()
    (lib.images_dir / "dropped-in.jpg").write_bytes(make_image("jpeg"))
    messages: list[str] = []
    panel.message.connect(messages.append)
    with qtbot.waitSignal(panel.rebuild_finished, timeout=10000) as done:
        panel.gallery_actions.rebuild_action.trigger()
    assert done.args[0].added == 1
    assert any("files read" in m for m in messages) and "1 added" in messages[-1]
    assert len(shown_ids(panel)) == 2 and panel.gallery_actions.rebuild_action.isEnabled()


def test_dropping_a_file_restores_its_settings(qtbot, lib: Library, make_panel) -> None:
    item = lib.item(add_item(lib, "restore these settings", "jpeg"))
    panel = make_panel()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(item.path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(panel.reuse_requested) as reuse:
        panel.dropEvent(event)
    assert (
        reuse.args[0]["prompt"] == "restore these settings"
        and reuse.args[0]["output_format"] == "jpeg"
    )
    messages: list[str] = []
    panel.message.connect(messages.append)
    plain = lib.images_dir / "plain.png"
    plain.write_bytes(make_image())
    assert not panel.restore_from_file(plain) and "no settings" in messages[-1]


def test_new_results_appear_without_losing_the_selection(qtbot, lib: Library, make_panel) -> None:
    first = add_item(lib, "first")
    panel = make_panel()
    select(panel, first)
    second = add_item(lib, "second")
    panel.item_added(second)
    assert shown_ids(panel) == [second, first] and panel.selected_ids() == [first]


def test_results_landing_while_hidden_in_best_match_order_are_placed_when_shown(
    qtbot, lib: Library, make_panel, monkeypatch
) -> None:
    first = add_item(lib, "a harbour at night")
    panel = make_panel()
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("relevance"))
    qtbot.waitUntil(lambda: panel.model.query.order == "relevance", timeout=3000)
    panel.hide()
    searches: list[str] = []
    real_search = lib.search
    monkeypatch.setattr(lib, "search", lambda *a, **k: searches.append("x") or real_search(*a, **k))
    landed = [add_item(lib, f"a harbour at dawn {i}") for i in range(3)]
    for item_id in landed:
        panel.item_added(item_id)
    assert searches == []  # nobody is looking: no full search per landed result
    panel.show()
    qtbot.waitUntil(lambda: set(shown_ids(panel)) == {first, *landed}, timeout=3000)
    assert len(searches) == 1


def test_items_made_by_the_command_line_appear(
    qtbot, lib: Library, make_panel, data_dir: Path
) -> None:
    panel = make_panel()
    panel.watch_timer.setInterval(50)
    assert shown_ids(panel) == []
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "generate",
            "a paper boat on a pond",
            "--demo",
            "--data-dir",
            str(data_dir),
            "--format",
            "webp",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    printed = Path(out.stdout.strip().splitlines()[-1])
    qtbot.waitUntil(lambda: len(shown_ids(panel)) == 1, timeout=5000)  # noticed without a refresh
    (item_id,) = shown_ids(panel)
    item = lib.item(item_id)
    assert (
        item.path == printed and item.prompt == "a paper boat on a pond" and item.format == "webp"
    )
    assert lib.job(item.job_id).origin == "cli"
    panel.search.setText("boat")
    panel.apply_query()
    assert shown_ids(panel) == [item_id]


@pytest.mark.skipif(
    not ((ROOT / "app" / "cli.py").exists() and (ROOT / "app" / "main.py").exists()),
    reason="needs the command line and the app",
)
def test_cli_killed_mid_task_is_landed_once_by_the_next_start(
    qtbot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import signal

    from app.main import create_window
    from app.simulator import Simulator
    from tests.conftest import TEST_KEY

    sim = Simulator(api_keys=(TEST_KEY,), latency=2.5)  # each task takes 2.5 s on the "server"
    sim.start()
    window = None
    lib = Library.open(data_dir)
    try:
        (data_dir / "settings.json").write_text(
            json.dumps({"poll_interval": 0.05}), encoding="utf-8"
        )
        env = {**os.environ, "MOUNTSEA_API_KEY": TEST_KEY, "QT_QPA_PLATFORM": "offscreen"}
        cli = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "generate",
                "a kite over the dunes",
                "--api",
                "async",
                "--base-url",
                sim.base_url,
                "--data-dir",
                str(data_dir),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # The task id is journaled the moment the server gives it; kill the CLI right then.
            qtbot.waitUntil(lambda: any(j.task_id for j in lib.unfinished_jobs()), timeout=30000)
            os.kill(cli.pid, signal.SIGKILL)
            assert cli.wait(timeout=30) == -signal.SIGKILL
        finally:
            if cli.poll() is None:
                cli.kill()
                cli.wait()
        (job,) = lib.unfinished_jobs()
        assert job.origin == "cli" and job.resumable and sim.created_tasks == 1
        assert lib.integrity_ok() and lib.search() == []

        monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
        window = create_window(["--data-dir", str(data_dir), "--base-url", sim.base_url])
        window.confirm_quit = False  # the close below may come before the row shows "completed"
        qtbot.waitUntil(lambda: lib.job(job.job_id).state == "completed", timeout=30000)
        assert sim.created_tasks == 1  # polled and landed, never created again
        (item_id,) = lib.search()
        item = lib.item(item_id)
        assert item.path.is_file() and item.job_id == job.job_id and item.task_id == job.task_id
        assert item.prompt == "a kite over the dunes"
    finally:
        if window is not None:
            window.close()
            window.deleteLater()
        lib.close()
        sim.stop()


def test_keys_act_on_the_grid_not_on_the_search_box(qtbot, lib: Library, make_panel) -> None:
    a = add_item(lib, "fox")
    b = add_item(lib, "ferret")
    panel = make_panel()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)  # shortcuts need the window to have the focus
    select(panel, b)
    panel.search.setFocus()
    qtbot.keyClicks(panel.search, "f")
    qtbot.keyClick(panel.search, Qt.Key.Key_Delete)
    assert not lib.item(b).favourite and not lib.item(b).deleted
    panel.search.clear()
    panel.apply_query()
    select(panel, b)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_F)
    assert lib.item(b).favourite
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert shown_ids(panel) == [a] and panel.gallery_actions.undo_bar.isVisibleTo(panel)


def test_refresh_keeps_the_selection(qtbot, lib: Library, make_panel) -> None:
    first = add_item(lib, "first")
    panel = make_panel()
    select(panel, first)
    add_item(lib, "made elsewhere")
    panel.refresh()
    assert len(shown_ids(panel)) == 2 and panel.selected_ids() == [first]


def test_empty_gallery_says_what_to_do(qtbot, lib: Library, make_panel) -> None:
    panel = make_panel()
    assert panel.empty_label.isVisibleTo(panel) and "No images yet" in panel.empty_label.text()
    add_item(lib, "a lonely tree")
    panel.refresh()
    assert not panel.empty_label.isVisibleTo(panel)
    panel.search.setText("zebra")
    panel.apply_query()
    assert panel.empty_label.isVisibleTo(panel) and "Clear the search" in panel.empty_label.text()
    panel.empty_label.linkActivated.emit("clear")
    assert len(shown_ids(panel)) == 1 and panel.search.text() == ""


def test_two_exports_queued_back_to_back_both_finish(
    qtbot, lib: Library, make_panel, tmp_path: Path
) -> None:
    ids = [add_item(lib, f"batch {i}") for i in range(3)]
    panel = make_panel()
    panel.select_ids(ids)
    done: list[tuple[str, int]] = []
    panel.export_finished.connect(lambda where, n: done.append((where, n)))
    panel.gallery_actions.export_selected(tmp_path / "a.zip", as_zip=True)
    panel.gallery_actions.export_selected(tmp_path / "b", as_zip=False)  # queued behind the first
    qtbot.waitUntil(lambda: len(done) == 2, timeout=10000)
    assert sorted(done) == [(str(tmp_path / "a.zip"), 3), (str(tmp_path / "b"), 3)]
    assert panel.background.pending == 0


def test_favourite_toggle_repaints_or_refilters(qtbot, lib: Library, make_panel) -> None:
    a = add_item(lib, "one")
    b = add_item(lib, "two")
    panel = make_panel()
    resets: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    select(panel, a)
    panel.gallery_actions.favourite_action.trigger()
    assert lib.item(a).favourite and not resets and shown_ids(panel) == [b, a]  # just a repaint
    assert panel.model.is_favourite(1)
    panel.favourites_check.setChecked(True)
    assert shown_ids(panel) == [a]
    select(panel, a)
    panel.gallery_actions.favourite_action.trigger()  # un-favourite under the Favourites filter: it leaves
    assert shown_ids(panel) == [] and not lib.item(a).favourite


def test_moved_strings_keep_their_translations(qtbot, lib: Library, qapp) -> None:
    """The filter row and the actions live in their own modules now; their strings keep the
    GalleryPanel context the Chinese catalogue files them under."""
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(ROOT / "resources" / "translations" / "mountsea_zh_CN.qm"))
    qapp.installTranslator(translator)
    try:
        ids = [add_item(lib, "one"), add_item(lib, "two")]
        panel = GalleryPanel(lib)
        qtbot.addWidget(panel)
        assert panel.search.placeholderText() == "搜索提示词…"
        assert panel.collection_combo.itemText(0) == "所有合集"
        assert panel.gallery_actions.reveal_action.text() == "在文件夹中显示"
        panel.select_ids(ids)
        panel.gallery_actions.delete_action.trigger()
        assert panel.gallery_actions.undo_label.text() == "已删除 2 张图片。"  # a plural form
        panel.shutdown()
    finally:
        qapp.removeTranslator(translator)


@pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="the file manager is asked by URL on Linux"
)
def test_show_in_folder_opens_the_pictures_folder(
    qtbot, lib: Library, make_panel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QDialog

    item_id = add_item(lib, "where is it")
    panel = make_panel()
    select(panel, item_id)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    panel.gallery_actions.reveal_action.trigger()
    assert [Path(u.toLocalFile()) for u in opened] == [lib.item(item_id).path.parent]
    assert panel.findChild(QDialog, "openPathDialog") is None  # it opened: nothing to say


def test_demo_pictures_are_tagged_filtered_and_removed_in_one_action(
    qtbot, lib: Library, make_panel
) -> None:
    from PySide6.QtWidgets import QComboBox

    real = add_item(lib, "a paid lighthouse")
    demo = add_item(lib, "a demo lighthouse", demo=True)
    panel = make_panel()
    assert shown_ids(panel) == [demo, real]
    assert [panel.model.is_demo(r) for r in range(2)] == [True, False]

    combo = panel.findChild(QComboBox, "galleryDemo")
    combo.setCurrentIndex(combo.findData("only"))
    qtbot.waitUntil(lambda: shown_ids(panel) == [demo], timeout=3000)
    combo.setCurrentIndex(combo.findData("exclude"))
    qtbot.waitUntil(lambda: shown_ids(panel) == [real], timeout=3000)
    combo.setCurrentIndex(combo.findData("include"))
    qtbot.waitUntil(lambda: shown_ids(panel) == [demo, real], timeout=3000)

    panel.gallery_actions.remove_demo_action.trigger()
    qtbot.waitUntil(lambda: shown_ids(panel) == [real], timeout=3000)
    assert panel.gallery_actions.undo_bar.isVisibleTo(panel)
    panel.gallery_actions.undo_button.click()
    qtbot.waitUntil(lambda: shown_ids(panel) == [demo, real], timeout=3000)
