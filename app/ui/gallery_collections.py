"""The Collections menu of the gallery's selection: a picture may be in several collections.

Every collection is a check box: ticked when every selected picture is in it, with "2 of 5"
when only some are; ticking puts them all in, unticking takes them all out (the others they
are in stay). "Add to collection…" picks a collection or names a new one.

Its strings keep the "GalleryPanel" context, as the gallery's others.
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from app.core.library import Library

translate = QCoreApplication.translate


class Host(Protocol):
    library: Library

    def selected_ids(self) -> list[int]: ...


class CollectionsMenu(QMenu):
    # (item ids, collection name, added?): the memberships of those pictures changed
    changed = Signal(list, str, bool)

    def __init__(self, host: Host, parent: QWidget):
        super().__init__(translate("GalleryPanel", "Collections"), parent)
        self.setObjectName("galleryCollectionsMenu")
        self.host = host
        self.aboutToShow.connect(self.rebuild)
        self.rebuild()

    @Slot()
    def rebuild(self) -> None:
        """The entries for the pictures selected now (called each time the menu opens)."""
        self.clear()
        ids = self.host.selected_ids()
        library = self.host.library
        names = library.collections() if ids else []
        members = library.memberships(ids) if names else {}
        for name in names:
            inside = sum(1 for i in ids if name in members.get(i, []))
            text = name.replace("&", "&&")  # a name is not a shortcut mnemonic
            if 0 < inside < len(ids):
                text = (
                    translate("GalleryPanel", "%1 (%2 of %3)")
                    .replace("%1", text)
                    .replace("%2", str(inside))
                    .replace("%3", str(len(ids)))
                )
            action = self.addAction(text)
            action.setObjectName(f"galleryCollection:{name}")
            action.setCheckable(True)
            action.setChecked(inside == len(ids))
            action.toggled.connect(partial(self.on_toggled, name))
        if names:
            self.addSeparator()
        add = self.addAction(translate("GalleryPanel", "Add to collection…"))
        add.setObjectName("galleryNewCollection")
        add.setEnabled(bool(ids))
        add.triggered.connect(self.ask)

    def on_toggled(self, name: str, checked: bool) -> None:
        self.set_member(name, checked)

    def set_member(self, name: str, member: bool) -> None:
        """Put every selected picture in `name` (made if new), or take them all out."""
        ids = self.host.selected_ids()
        if not ids:
            return
        library = self.host.library
        if member:
            stored = library.add_to_collection(ids, name)
            if stored is None:
                return
            name = stored
        else:
            library.remove_from_collection(ids, name)
        self.changed.emit(ids, name, member)

    @Slot()
    def ask(self) -> None:
        if not self.host.selected_ids():
            return
        name, ok = QInputDialog.getItem(
            self.parentWidget(),
            translate("GalleryPanel", "Add to collection"),
            translate("GalleryPanel", "Collection (type a new name to create one):"),
            self.host.library.collections(),
            0,
            True,
        )
        if ok and name.strip():
            self.set_member(name, True)
