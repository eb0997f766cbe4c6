"""The gallery's details pane and selection: everything readable and selectable, the cost,
the task id and the server's answer, following deletion and filtering; the favourite badge."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListView

from app.core.api.models import Flavour, ImageRequest
from app.core.library import Library, spend
from app.core.redact import add_secret
from app.ui.gallery import GalleryPanel
from app.ui.gallery_delegate import STAR_GOLD, badge_rect
from app.ui.gallery_details import SELECTABLE, TextBox
from tests.core.library.helpers import add_item, make_result


@pytest.fixture
def make_panel(qtbot, library: Library):
    panels: list[GalleryPanel] = []

    def make(width: int = 1000) -> GalleryPanel:
        panel = GalleryPanel(library)
        qtbot.addWidget(panel)
        panel.resize(width, 700)
        panel.show()
        qtbot.waitExposed(panel)
        panels.append(panel)
        return panel

    yield make
    for p in panels:
        p.shutdown()


LONG_URL = "https://example.com/" + "a-very-long-reference-path-without-spaces" * 4


def paid_item(lib: Library, prompt: str, *, task_id: str = "task-7f3a") -> int:
    job = lib.begin_job(
        ImageRequest(prompt=prompt, quality="high", size="1024x1024"),
        Flavour.tasks,
        "https://api.mountsea.ai/" + "deep/" * 12,
    )
    lib.set_task_id(job, task_id)
    return lib.save_result(job, make_result(task_id=task_id))[0].id


def test_every_value_wraps_and_is_selectable(qtbot, library: Library, make_panel) -> None:
    prompt = "a lighthouse on a cliff at dusk, seen from the sea, in the style of " + LONG_URL
    item_id = paid_item(library, prompt)
    panel = make_panel(900)
    assert panel.select_ids([item_id]) == 1
    details = panel.details
    qtbot.waitUntil(lambda: details.findChild(TextBox, "detail_prompt") is not None)
    body = details.widget()
    qtbot.waitUntil(lambda: body.width() <= details.viewport().width())
    fields = [w for w in body.findChildren(QLabel) + body.findChildren(TextBox)]
    fields = [w for w in fields if w.objectName().startswith("detail_")]
    assert len(fields) >= 20
    for w in fields:
        assert w.textInteractionFlags() & SELECTABLE == SELECTABLE, w.objectName()

    def inside() -> None:
        # Once laid out, nothing reaches past the pane's right edge.
        for w in fields:
            right = w.mapTo(body, QPoint(w.width(), 0)).x()
            assert right <= details.viewport().width(), (w.objectName(), right)

    qtbot.waitUntil(inside)
    for name in ("detail_prompt", "detail_endpoint", "detail_file"):
        box = details.findChild(TextBox, name)
        qtbot.waitUntil(box.fits)
        lines = box.document().size().height() / box.fontMetrics().lineSpacing()
        assert lines > 1.5, name  # it wrapped: every character is on screen
    assert details.values["prompt"] == prompt
    assert details.findChild(TextBox, "detail_prompt").toPlainText() == prompt


def test_cost_task_id_and_the_servers_answer(qtbot, library: Library, make_panel) -> None:
    item_id = paid_item(library, "a paid one", task_id="task-abc-123")
    demo = add_item(library, "a demo one", demo=True)
    job_id = library.item(item_id).job_id
    secret = "mountsea-live-key-0f9e8d7c"
    library.update_job(
        job_id, error_message=f"late result after a timeout (key {secret})", raw_answer="{}"
    )
    add_secret(secret)  # the key in use: the pane's redactor removes it by value
    panel = make_panel()
    panel.select_ids([item_id])
    v = panel.details.values
    # 50 text tokens at 5 and 4,160 output tokens at 40 per million (the default prices).
    assert "0.167 USD" in v["cost"]
    assert v["task_id"] == "task-abc-123"
    assert "late result after a timeout" in v["answer"] and secret not in v["answer"]
    assert "[redacted]" in v["answer"]
    spend.set_prices(library, spend.Prices(output=80.0, currency="EUR"))
    panel.select_ids([demo])
    assert "demo" in panel.details.values["cost"] and "answer" not in panel.details.values
    answer_box = panel.details.findChild(TextBox, "detail_answer")
    assert not answer_box.isVisibleTo(panel.details)  # rows are reused: the old one is hidden
    panel.select_ids([item_id])
    assert "0.333 EUR" in panel.details.values["cost"]


def test_the_pane_and_actions_follow_deletion_and_filtering(
    qtbot, library: Library, make_panel
) -> None:
    cat = add_item(library, "a cat on a windowsill")
    dog = add_item(library, "a dog in the park")
    panel = make_panel()
    actions = panel.gallery_actions
    assert panel.select_ids([cat]) == 1
    assert panel.details.shown_id == cat and actions.delete_action.isEnabled()
    # Filtered out: the pane clears and nothing acts on a picture no longer shown.
    panel.search.setText("dog")
    panel.apply_query()
    assert [panel.model.item_id(r) for r in range(panel.model.rowCount())] == [dog]
    assert panel.details.shown_id is None
    assert not actions.open_action.isEnabled() and not actions.delete_action.isEnabled()
    panel.search.setText("")
    panel.apply_query()
    # Deleted: the same.
    assert panel.select_ids([dog]) == 1 and panel.details.shown_id == dog
    actions.delete_action.trigger()
    assert panel.details.shown_id is None and not actions.open_action.isEnabled()
    actions.undo_delete()
    assert panel.details.shown_id == dog
    # Nothing shown at all: nothing enabled.
    panel.search.setText("no such picture anywhere")
    panel.apply_query()
    assert panel.model.rowCount() == 0
    enabled = [a.objectName() for a in actions.toolbar.actions() if a.isEnabled()]
    assert not {"galleryOpen", "galleryEdit", "galleryDelete", "galleryReveal"} & set(enabled)


def test_the_favourite_badge_sits_on_the_thumbnail(qtbot, library: Library, make_panel) -> None:
    item_id = add_item(library, "a wide picture")  # 48x32: its thumbnail is shorter than the cell
    panel = make_panel()
    panel.select_ids([item_id])
    panel.gallery_actions.favourite_action.trigger()
    panel.view.clearSelection()  # the highlight would colour the margins
    qtbot.waitUntil(lambda: panel.thumbnails.pixmap(item_id) is not None, timeout=5000)
    view = panel.findChild(QListView, "galleryView")
    cell = view.visualRect(panel.model.index(0)).adjusted(3, 3, -3, -3)
    pm = panel.thumbnails.pixmap(item_id)
    w = round(pm.width() / pm.devicePixelRatio())
    h = round(pm.height() / pm.devicePixelRatio())
    assert h < cell.height() - 20  # wide: a badge at the cell's corner would float
    thumb = cell.adjusted(
        (cell.width() - w) // 2, (cell.height() - h) // 2, 0, 0
    )  # top-left of the centred thumbnail
    thumb.setSize(pm.size() / pm.devicePixelRatio())
    badge = badge_rect(thumb)
    assert thumb.contains(badge)
    image = view.viewport().grab().toImage()
    centre = image.pixelColor(badge.center())
    assert _near(centre, STAR_GOLD), centre.name()
    rim = image.pixelColor(badge.center().x(), badge.top() + 3)  # the dark disc behind it
    assert rim.lightness() < 90, rim.name()
    # Where the old glyph was, in the margin above the thumbnail: nothing drawn.
    above = image.pixelColor(badge.center().x(), cell.top() + 6)
    assert not _near(above, STAR_GOLD)


def _near(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))
