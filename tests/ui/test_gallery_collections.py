"""Several collections per picture in the gallery: the Collections menu of check boxes, the
filter, the details."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QMenu

from app.core.library import Library
from app.ui.gallery import GalleryPanel
from tests.core.library.helpers import add_item


@pytest.fixture
def panel(qtbot, library: Library):
    p = GalleryPanel(library)
    qtbot.addWidget(p)
    p.resize(1000, 700)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()


def entries(panel: GalleryPanel) -> dict[str, tuple[str, bool]]:
    """The menu as it opens now: collection -> (text, ticked)."""
    menu = panel.gallery_actions.collections_menu
    menu.aboutToShow.emit()
    return {
        a.objectName().split(":", 1)[1]: (a.text(), a.isChecked())
        for a in menu.actions()
        if a.objectName().startswith("galleryCollection:")
    }


def tick(panel: GalleryPanel, name: str) -> None:
    menu = panel.gallery_actions.collections_menu
    menu.aboutToShow.emit()
    action = menu.findChild(type(menu.menuAction()), f"galleryCollection:{name}")
    assert action is not None
    action.trigger()  # toggles the check box


def new_collection(panel: GalleryPanel, monkeypatch, name: str) -> None:
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (name, True))
    menu = panel.gallery_actions.collections_menu
    menu.aboutToShow.emit()
    [add] = [a for a in menu.actions() if a.objectName() == "galleryNewCollection"]
    assert add.isEnabled()
    add.trigger()


def shown(panel: GalleryPanel) -> list[int]:
    return [panel.model.item_id(r) for r in range(panel.model.rowCount())]


def test_a_picture_in_several_collections(qtbot, library: Library, panel, monkeypatch) -> None:
    a, b, c = (add_item(library, p) for p in ("a lake at dawn", "a lake at noon", "a road"))
    panel.refresh()
    assert panel.select_ids([a, b]) == 2
    assert entries(panel) == {}
    new_collection(panel, monkeypatch, "Lakes")
    panel.select_ids([a])
    new_collection(panel, monkeypatch, "Dawn")
    assert library.item(a).collections == ["Dawn", "Lakes"]
    assert panel.details.values["collections"] == "Dawn, Lakes"
    # Two selected, one of them in each: "1 of 2", not ticked; ticking puts both in.
    panel.select_ids([a, c])
    assert entries(panel) == {"Dawn": ("Dawn (1 of 2)", False), "Lakes": ("Lakes (1 of 2)", False)}
    tick(panel, "Lakes")
    assert library.item(c).collections == ["Lakes"]
    assert entries(panel)["Lakes"] == ("Lakes", True)
    # The filter shows the pictures in that collection, whatever others they are in.
    combo = panel.collection_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "Dawn", "Lakes"]
    combo.setCurrentIndex(combo.findData("Lakes"))
    combo.activated.emit(combo.currentIndex())
    assert sorted(shown(panel)) == sorted([a, b, c])
    combo.setCurrentIndex(combo.findData("Dawn"))
    combo.activated.emit(combo.currentIndex())
    assert shown(panel) == [a]
    # Unticking takes it out of that one only; its last picture gone, the collection goes
    # and the grid shows everything, as the filter now says.
    panel.select_ids([a])
    tick(panel, "Dawn")
    assert library.item(a).collections == ["Lakes"]
    assert combo.findData("Dawn") == -1 and combo.currentData() is None
    assert sorted(shown(panel)) == sorted([a, b, c])


# A popup menu on the offscreen platform: it cannot raise a window or grab the keyboard.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_the_context_menu_offers_the_collections(qtbot, library: Library, panel) -> None:
    a = add_item(library, "a harbour")
    library.add_to_collection(a, "Harbours & boats")
    panel.refresh()
    view = panel.view
    centre = view.visualRect(panel.model.index(0)).center()
    before = set(panel.findChildren(QMenu))
    panel.gallery_actions.on_context_menu(centre)
    [menu] = [m for m in panel.findChildren(QMenu) if m not in before]
    qtbot.waitUntil(menu.isVisible)
    sub = panel.gallery_actions.collections_menu
    assert sub.menuAction() in menu.actions() and sub.menuAction().isEnabled()
    assert panel.selected_ids() == [a]  # the right-click selected the picture under it
    assert entries(panel) == {"Harbours & boats": ("Harbours && boats", True)}
    menu.close()
