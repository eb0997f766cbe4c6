"""The gallery's list model and thumbnail loader, over a real library."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QSize, Qt

from app.core.api.models import Flavour, ImageRequest
from app.core.library import Library
from app.services import gallery_model, thumbnails
from app.services.background import Background
from app.services.gallery_model import GalleryModel, ItemIdRole, PathRole, Query
from app.services.thumbnails import ThumbnailLoader
from tests.core.library.helpers import add_item, make_result


@pytest.fixture
def lib(library: Library) -> Library:
    return library


@pytest.fixture
def loader(qtbot: object) -> Iterator[ThumbnailLoader]:
    th = ThumbnailLoader(QSize(64, 64))
    yield th
    th.shutdown()


def ids(model: GalleryModel) -> list[int]:
    return [model.data(model.index(r), ItemIdRole) for r in range(model.rowCount())]


def test_saved_items_appear_and_filters_narrow(lib: Library, loader: ThumbnailLoader) -> None:
    a = add_item(lib, "a lighthouse at dusk")
    b = add_item(lib, "a harbour at dawn")
    c = add_item(lib, "the lighthouse, repainted", parent_item_id=a)
    lib.set_favourite(b)
    model = GalleryModel(lib, loader)
    model.refresh()
    assert ids(model) == [c, b, a]
    assert model.data(model.index(1), Qt.ItemDataRole.ToolTipRole) == "a harbour at dawn"
    assert Path(model.data(model.index(0), PathRole)).is_file()
    model.set_query(Query(text="lighthouse"))
    assert ids(model) == [c, a]
    model.set_query(Query(favourites=True))
    assert ids(model) == [b]
    model.set_query(Query(edits_only=True))
    assert ids(model) == [c]
    model.set_query(Query(order="oldest"))
    assert ids(model) == [a, b, c]


def test_new_result_is_inserted_in_place(lib: Library, loader: ThumbnailLoader, qtbot) -> None:
    first = add_item(lib, "first")
    model = GalleryModel(lib, loader)
    model.refresh()
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(model.rowsInserted) as blocker:
        second = add_item(lib, "second")
        model.item_added(second)
    assert blocker.args[1:] == [0, 0]  # at the top, newest first
    assert ids(model) == [second, first] and not resets
    # Oldest first: the new one goes to the end.
    model.set_query(Query(order="oldest"))
    fourth = add_item(lib, "fourth")
    with qtbot.waitSignal(model.rowsInserted) as blocker:
        model.item_added(fourth)
    assert blocker.args[1:] == [2, 2] and ids(model) == [first, second, fourth]
    # A result that does not match the current search leaves the view alone.
    model.set_query(Query(text="first"))
    third = add_item(lib, "third")
    with qtbot.assertNotEmitted(model.rowsInserted):
        model.item_added(third)
    assert ids(model) == [first]


def test_only_pages_on_screen_are_loaded(
    lib: Library, loader: ThumbnailLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many rows sharing one real file: the model must not read them all.
    job = lib.begin_job(ImageRequest(prompt="seed"), Flavour.tasks, "u")
    (seed,) = lib.save_result(job, make_result())
    with lib._write() as c:
        c.executemany(
            "INSERT INTO items (path, prompt, params, created_at) VALUES (?, ?, '{}', ?)",
            [(f"images/copy-{i}.png", f"copy number {i}", 1e9 + i) for i in range(2000)],
        )
    asked: list[int] = []
    real_cells = lib.cells

    def counting_cells(item_ids: list[int]):
        asked.extend(item_ids)
        return real_cells(item_ids)

    monkeypatch.setattr(lib, "cells", counting_cells)
    model = GalleryModel(lib, loader)
    model.refresh()
    assert model.rowCount() == gallery_model.ID_PAGE and asked == []  # a page of ids only
    model.data(model.index(700), Qt.ItemDataRole.ToolTipRole)
    assert len(asked) == gallery_model.PAGE_SIZE
    model.data(model.index(701), Qt.ItemDataRole.ToolTipRole)
    assert len(asked) == gallery_model.PAGE_SIZE  # same page: no second query
    assert seed.id in lib.search()


def test_thumbnails_are_made_off_thread_and_cached_on_disk(
    lib: Library, qtbot, data_dir: Path
) -> None:
    job = lib.begin_job(ImageRequest(prompt="big one"), Flavour.tasks, "u")
    (item,) = lib.save_result(job, make_result())
    loader = ThumbnailLoader(QSize(64, 64))
    try:
        model = GalleryModel(lib, loader)
        model.refresh()
        placeholder = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
        assert placeholder.size() == QSize(64, 64)
        with qtbot.waitSignal(model.dataChanged, timeout=5000):
            pass
        pm = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
        assert pm.cacheKey() != placeholder.cacheKey()
        assert (
            pm.width() == 64 and abs(pm.height() - 64 * 32 / 48) <= 1
        )  # aspect kept (48x32 image)
        thumb = lib.thumbnail_path(item.id)
        assert thumb.is_file() and thumb.is_relative_to(data_dir / "thumbnails")
        made_at = thumb.stat().st_mtime_ns
    finally:
        loader.shutdown()
    # A fresh loader (the next start) uses the cached file instead of making it again.
    loader2 = ThumbnailLoader(QSize(64, 64))
    try:
        with qtbot.waitSignal(loader2.ready, timeout=5000):
            loader2.request(item.id, item.path, thumb)
        assert loader2.pixmap(item.id) is not None
        assert thumb.stat().st_mtime_ns == made_at
    finally:
        loader2.shutdown()


def test_broken_file_shows_a_placeholder_not_a_crash(
    lib: Library, loader: ThumbnailLoader, qtbot
) -> None:
    item_id = add_item(lib, "soon broken")
    lib.item(item_id).path.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    model = GalleryModel(lib, loader)
    model.refresh()
    with qtbot.waitSignal(loader.ready, timeout=5000):
        model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    assert loader.failed(item_id) and loader.pixmap(item_id) is None
    assert model.data(model.index(0), Qt.ItemDataRole.DecorationRole) is not None


def test_requests_are_deduplicated_and_stale_ones_dropped(lib: Library, qtbot) -> None:
    import threading

    background = Background(max_threads=1)
    loader = ThumbnailLoader(QSize(32, 32), background=background)
    gate = threading.Event()
    try:
        items = [lib.item(add_item(lib, f"image {i}")) for i in range(6)]
        background.submit(gate.wait, 10)  # the only worker is busy: every request below queues

        def ask(some: list) -> None:
            for it in some:
                loader.request(it.id, it.path, lib.thumbnail_path(it.id))
                loader.request(it.id, it.path, lib.thumbnail_path(it.id))  # a repaint asks again

        ask(items[:3])
        qtbot.waitUntil(lambda: background.pending == 4)  # handed to the workers after the paint
        ask(items[3:])  # these wait for the next paint to be over
        assert loader.pending == 6
        keep = {items[0].id, items[3].id}
        assert loader.retain(keep) == 4  # the rest scrolled away before they started
        assert background.pending == 2  # the busy worker, and items[0]'s
        gate.set()
        qtbot.waitUntil(lambda: not loader.pending, timeout=5000)
        made = {it.id for it in items if lib.thumbnail_path(it.id).exists()}
        assert made == keep
        assert all(loader.pixmap(i) is not None for i in keep)
    finally:
        gate.set()
        loader.shutdown()
        background.shutdown()


def test_a_thumbnail_made_before_clear_is_not_kept(
    lib: Library, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    background = Background(max_threads=1)
    loader = ThumbnailLoader(QSize(32, 32), background=background)
    gate = threading.Event()
    real = thumbnails.load_thumbnail

    def slow(src: Path, thumb: Path, size: QSize) -> object:
        gate.wait(10)
        return real(src, thumb, size)

    monkeypatch.setattr(thumbnails, "load_thumbnail", slow)
    try:
        item = lib.item(add_item(lib, "renumbered by a rebuild"))
        loader.request(item.id, item.path, lib.thumbnail_path(item.id))
        qtbot.waitUntil(lambda: background.pending == 1)
        loader.clear()  # while it is being made: the id may now mean another picture
        assert not loader.is_pending(item.id)
        with qtbot.assertNotEmitted(loader.ready):
            gate.set()
            qtbot.waitUntil(lambda: background.pending == 0, timeout=5000)
        assert loader.pixmap(item.id) is None and not loader.failed(item.id)
    finally:
        gate.set()
        loader.shutdown()
        background.shutdown()


def test_drag_out_carries_the_files(lib: Library, loader: ThumbnailLoader) -> None:
    a, b = add_item(lib, "one"), add_item(lib, "two")
    model = GalleryModel(lib, loader)
    model.refresh()
    mime = model.mimeData([model.index(0), model.index(1)])
    paths = {Path(u.toLocalFile()) for u in mime.urls()}
    assert paths == {lib.item(a).path, lib.item(b).path}
    assert all(os.path.isfile(p) for p in paths)
    assert model.flags(model.index(0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.rowCount(model.index(0)) == 0 and model.data(QModelIndex()) is None


def test_image_files_from_pillow_in_every_format(
    lib: Library, loader: ThumbnailLoader, qtbot
) -> None:
    for fmt in ("png", "jpeg", "webp"):
        job = lib.begin_job(ImageRequest(prompt=f"a {fmt}", output_format=fmt), Flavour.tasks, "u")
        lib.save_result(job, make_result(fmt))
    model = GalleryModel(lib, loader)
    model.refresh()
    for r in range(3):
        model.data(model.index(r), Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: all(loader.pixmap(i) is not None for i in model.ids()), timeout=5000)


def test_hidpi_thumbnails_are_sharp(lib: Library, qtbot) -> None:
    job = lib.begin_job(ImageRequest(prompt="retina"), Flavour.tasks, "u")
    (item,) = lib.save_result(job, make_result(size=(400, 400)))
    loader = ThumbnailLoader(QSize(64, 64), device_pixel_ratio=2.0)
    try:
        with qtbot.waitSignal(loader.ready, timeout=5000):
            loader.request(item.id, item.path, lib.thumbnail_path(item.id))
        pm = loader.pixmap(item.id)
        assert pm is not None and pm.width() == 128 and pm.devicePixelRatio() == 2.0
        assert loader.capacity < 400  # four times the pixels each: fewer of them kept
    finally:
        loader.shutdown()


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        (Query(), lambda made: made[::-1]),
        (Query(order="oldest"), lambda made: made),
        (Query(text="picture"), lambda made: made[::-1]),
        # relevance has no id order to go on from: the next page by position
        (Query(text="picture", order="relevance"), None),
    ],
)
def test_ids_are_read_a_page_at_a_time_and_counted_on_a_worker(
    lib: Library, loader: ThumbnailLoader, qtbot, monkeypatch, query, expect
) -> None:
    monkeypatch.setattr(gallery_model, "ID_PAGE", 3)
    made = [add_item(lib, f"picture {i}") for i in range(8)]
    model = GalleryModel(lib, loader)
    with qtbot.waitSignal(model.count_changed, timeout=5000) as counted:
        model.set_query(query)
        assert model.rowCount() == 3 and model.canFetchMore(QModelIndex())
        assert model.total() is None  # counting: the label waits for the worker's answer
    assert counted.args == [8] and model.total() == 8
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 6
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 8 and not model.canFetchMore(QModelIndex())
    if expect is not None:
        assert ids(model) == expect(made)
    assert sorted(ids(model)) == made
    # A new result at the top while only part is read: one more row, one more in the count.
    model.set_query(query)
    qtbot.waitUntil(lambda: model.total() == 8)
    new = add_item(lib, "picture new")
    with qtbot.waitSignal(model.count_changed) as counted:
        model.item_added(new)
    assert counted.args == [9]
    assert (new in ids(model)) == (query.order == "newest")
    # Read again as deep as it had been: a refresh keeps the rows scrolled to.
    model.fetchMore(QModelIndex())
    depth = model.rowCount()
    model.refresh()
    assert model.rowCount() == depth


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "L"])
def test_a_picture_is_scaled_to_fit_on_its_worker_keeping_colour_and_alpha(
    tmp_path: Path, mode: str
) -> None:
    from PIL import Image

    source = Image.new("RGBA", (400, 200), (200, 40, 10, 255))
    source.paste((10, 40, 200, 0 if mode == "RGBA" else 255), (0, 0, 100, 200))
    path = tmp_path / f"{mode}.png"
    (source if mode == "RGBA" else source.convert("RGB")).convert(mode).save(path)
    image, full = thumbnails.load_picture(str(path), (100, 100))
    assert full.toTuple() == (400, 200) and image.size().toTuple() == (100, 50)
    right = image.pixelColor(90, 25)
    if mode == "L":
        assert abs(right.red() - right.blue()) < 2  # grey stays grey
    else:
        assert abs(right.red() - 200) < 8 and abs(right.blue() - 10) < 8
    assert image.hasAlphaChannel() == (mode == "RGBA")
    if mode == "RGBA":
        assert image.pixelColor(5, 25).alpha() == 0
    # Full resolution when asked, and when it fits anyway.
    assert thumbnails.load_picture(str(path), None)[0].size().toTuple() == (400, 200)
    assert thumbnails.load_picture(str(path), (800, 800))[0].size().toTuple() == (400, 200)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_a_picture_in_memory_decodes_and_garbage_is_null(qapp, fmt: str) -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 10, 10)).save(out, fmt)
    image = thumbnails.decode_picture(out.getvalue())
    assert image.size().toTuple() == (64, 32)
    colour = image.pixelColor(32, 16)
    assert abs(colour.red() - 200) < 12 and colour.blue() < 24
    assert thumbnails.decode_picture(b"not a picture").isNull()
