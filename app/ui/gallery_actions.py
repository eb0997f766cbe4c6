"""What you can do to the gallery's selected pictures: open, edit, reuse, favourite, collect,
reveal, export, delete (with undo), and rebuild the library; with the background work that
export, purge and rebuild run as.

Its strings keep the "GalleryPanel" context they were translated under.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QToolBar,
    QToolButton,
    QWidget,
)

from app.core.library import Library, RebuildReport
from app.core.library.export import export_files
from app.services.background import Background
from app.services.gallery_model import GalleryModel, ItemIdRole
from app.services.thumbnails import ThumbnailLoader
from app.ui import open_path
from app.ui.gallery_collections import CollectionsMenu

UNDO_SECONDS = 20


class Host(Protocol):
    """What the actions need of the panel they act for."""

    library: Library
    model: GalleryModel
    thumbnails: ThumbnailLoader
    view: QListView

    def selected_ids(self) -> list[int]: ...
    def current_id(self) -> int | None: ...
    def select_ids(self, item_ids: list[int], *, scroll: bool = True) -> int: ...
    def reload_collections(self) -> None: ...
    def refresh(self) -> None: ...
    def on_selection_changed(self, *args: Any) -> None: ...


class GalleryActions(QObject):
    edit_requested = Signal(int)  # item id: open it in the editor (mask canvas)
    reuse_requested = Signal(dict)  # ImageRequest.parameters(): fill the prompt panel
    message = Signal(str)  # a sentence for the status bar
    export_finished = Signal(str, int)  # where, how many
    rebuild_finished = Signal(object)  # RebuildReport
    purged = Signal(int)

    def __init__(self, host: Host, widget: QWidget, background: Background):
        """`widget` parents the dialogs and menus; `background` runs export, purge, rebuild."""
        super().__init__(widget)
        self.host, self.widget, self.background = host, widget, background
        self.library, self.model = host.library, host.model
        self._undo_ids: list[int] = []
        self._make_actions()
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("galleryToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (
            self.open_action,
            self.edit_action,
            self.reuse_action,
            self.favourite_action,
            self.collection_action,
            self.reveal_action,
            self.export_action,
            self.delete_action,
        ):
            self.toolbar.addAction(a)
        button = self.toolbar.widgetForAction(self.collection_action)
        if isinstance(button, QToolButton):
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.rebuild_action)
        self.toolbar.addAction(self.remove_demo_action)
        self._make_undo_bar()
        view = host.view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self.on_context_menu)
        view.doubleClicked.connect(self.on_double_clicked)

    def _make_undo_bar(self) -> None:
        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("galleryUndoBar")
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        ub = QHBoxLayout(self.undo_bar)
        ub.setContentsMargins(8, 2, 8, 2)
        self.undo_label = QLabel()
        self.undo_button = QPushButton(QCoreApplication.translate("GalleryPanel", "Undo"))
        self.undo_button.setObjectName("galleryUndoButton")
        self.undo_button.clicked.connect(self.undo_delete)
        ub.addWidget(self.undo_label, 1)
        ub.addWidget(self.undo_button)
        self.undo_bar.setVisible(False)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_SECONDS * 1000)
        self._undo_timer.timeout.connect(self.on_undo_expired)

    def set_selected(self, n: int) -> None:
        """Enable what applies to `n` selected pictures."""
        for a in (self.edit_action, self.reuse_action):
            a.setEnabled(n == 1)
        for a in (
            self.open_action,
            self.favourite_action,
            self.collection_action,
            self.reveal_action,
            self.export_action,
            self.delete_action,
        ):
            a.setEnabled(n > 0)

    def _make_actions(self) -> None:
        def act(
            name: str,
            text: str,
            slot: Any,
            shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
        ) -> QAction:
            a = QAction(text, self)
            a.setObjectName(name)
            a.triggered.connect(slot)
            if shortcut is not None:
                # Keys act on the grid only: in the search box, F, Return, Delete and Ctrl+Z
                # belong to the text.
                a.setShortcut(shortcut)
                a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                self.host.view.addAction(a)
            return a

        self.open_action = act(
            "galleryOpen",
            QCoreApplication.translate("GalleryPanel", "Open"),
            self.open_selected,
            QKeySequence(Qt.Key.Key_Return),
        )
        self.edit_action = act(
            "galleryEdit",
            QCoreApplication.translate("GalleryPanel", "Edit…"),
            self.edit_current,
            QKeySequence("Ctrl+E"),
        )
        self.reuse_action = act(
            "galleryReuse",
            QCoreApplication.translate("GalleryPanel", "Reuse settings"),
            self.reuse_current,
            QKeySequence("Ctrl+R"),
        )
        self.favourite_action = act(
            "galleryFavourite",
            QCoreApplication.translate("GalleryPanel", "Favourite"),
            self.toggle_favourite,
            QKeySequence("F"),
        )
        # A picture may be in several collections: a menu of check boxes (gallery_collections).
        self.collections_menu = CollectionsMenu(self.host, self.widget)
        self.collections_menu.changed.connect(self.on_collections_changed)
        self.collection_action = self.collections_menu.menuAction()
        self.collection_action.setObjectName("galleryAddToCollection")
        self.reveal_action = act(
            "galleryReveal",
            QCoreApplication.translate("GalleryPanel", "Show in folder"),
            self.reveal_selected,
        )
        self.export_action = act(
            "galleryExport", QCoreApplication.translate("GalleryPanel", "Export…"), self.ask_export
        )
        self.delete_action = act(
            "galleryDelete",
            QCoreApplication.translate("GalleryPanel", "Delete"),
            self.delete_selected,
            QKeySequence.StandardKey.Delete,
        )
        self.undo_action = act(
            "galleryUndo",
            QCoreApplication.translate("GalleryPanel", "Undo delete"),
            self.undo_delete,
            QKeySequence.StandardKey.Undo,
        )
        self.rebuild_action = act(
            "galleryRebuild",
            QCoreApplication.translate("GalleryPanel", "Rebuild library"),
            self.rebuild,
        )
        self.remove_demo_action = act(
            "galleryRemoveDemo",
            QCoreApplication.translate("GalleryPanel", "Remove demo pictures"),
            self.remove_demo,
        )
        self.remove_demo_action.setToolTip(
            QCoreApplication.translate(
                "GalleryPanel",
                "Delete every picture the demo simulator made (Undo brings them back)",
            )
        )
        self.rebuild_action.setToolTip(
            QCoreApplication.translate(
                "GalleryPanel", "Re-read the images folder: picks up files added by hand"
            )
        )

    @Slot(QPoint)
    def on_context_menu(self, pos: QPoint) -> None:
        view = self.host.view
        idx = view.indexAt(pos)
        if idx.isValid() and not view.selectionModel().isSelected(idx):
            # A right-click outside the selection acts on the picture under the pointer.
            view.selectionModel().select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
        menu = QMenu(self.widget)
        for a in (
            self.open_action,
            self.edit_action,
            self.reuse_action,
            None,
            self.favourite_action,
            self.collections_menu,
            None,
            self.reveal_action,
            self.export_action,
            None,
            self.delete_action,
        ):
            if a is None:
                menu.addSeparator()
            elif isinstance(a, QMenu):
                menu.addMenu(a)
            else:
                menu.addAction(a)
        menu.popup(view.viewport().mapToGlobal(pos))

    @Slot(QModelIndex)
    def on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_ids([int(index.data(ItemIdRole))])

    @Slot()
    def open_selected(self) -> None:
        self.open_ids(self.host.selected_ids()[:20])

    def open_ids(self, ids: list[int]) -> None:
        for item in self.library.items(ids).values():
            if not open_path.open_file(self.widget, item.path):
                break  # one "could not open" is enough

    @Slot()
    def edit_current(self) -> None:
        item_id = self.host.current_id()
        if item_id is not None:
            self.edit_requested.emit(item_id)

    @Slot()
    def reuse_current(self) -> None:
        item_id = self.host.current_id()
        if item_id is None:
            return
        item = self.library.item(item_id)
        params = dict(item.params) or (self.library.read_embedded(item.path) or {})
        if not params:
            self.message.emit(
                QCoreApplication.translate(
                    "GalleryPanel", "This image has no recorded settings to reuse."
                )
            )
            return
        self.reuse_requested.emit(params)
        self.message.emit(
            QCoreApplication.translate("GalleryPanel", "Settings restored from the selected image.")
        )

    @Slot()
    def toggle_favourite(self) -> None:
        ids = self.host.selected_ids()
        if not ids:
            return
        cells = self.library.cells(ids)
        make = not all(c.favourite for c in cells.values())
        self.library.set_favourite(ids, make)
        # Only the Favourites filter can make rows come or go: otherwise a repaint will do.
        self.model.items_changed(ids, refilter=self.model.query.favourites)
        self.host.select_ids([i for i in ids if self.model.row_of(i) is not None], scroll=False)
        self.host.on_selection_changed()

    def add_to_collection(self, name: str) -> None:
        """Put the selected pictures in `name` too (made if new)."""
        self.collections_menu.set_member(name, True)

    def remove_from_collection(self, name: str) -> None:
        self.collections_menu.set_member(name, False)

    @Slot(list, str, bool)
    def on_collections_changed(self, ids: list[int], name: str, added: bool) -> None:
        self.host.reload_collections()
        self.model.items_changed(ids, refilter=self.model.query.collection is not None)
        self.host.select_ids([i for i in ids if self.model.row_of(i) is not None], scroll=False)
        self.host.on_selection_changed()
        n = len(ids)  # a plain name: lupdate skips a plural whose count is an expression
        if added:
            text = QCoreApplication.translate("GalleryPanel", "Added %n image(s) to “%1”.", "", n)
        else:
            text = QCoreApplication.translate(
                "GalleryPanel", "Took %n image(s) out of “%1”.", "", n
            )
        self.message.emit(text.replace("%1", name))

    @Slot()
    def reveal_selected(self) -> None:
        ids = self.host.selected_ids()
        if not ids:
            return
        open_path.reveal(self.widget, self.library.item(ids[0]).path)

    @Slot()
    def ask_export(self) -> None:
        ids = self.host.selected_ids()
        if not ids:
            return
        n = len(ids)  # see add_to_collection
        zip_filter = QCoreApplication.translate("GalleryPanel", "ZIP archive (*.zip)")
        path, chosen = QFileDialog.getSaveFileName(
            self.widget,
            QCoreApplication.translate("GalleryPanel", "Export %n image(s)", "", n),
            str(Path.home() / "mountsea-images.zip"),
            zip_filter
            + ";;"
            + QCoreApplication.translate("GalleryPanel", "Folder (copy the files)"),
        )
        if not path:
            return
        if chosen == zip_filter:
            self.export_selected(Path(path), as_zip=True)
        else:
            folder = QFileDialog.getExistingDirectory(
                self.widget,
                QCoreApplication.translate("GalleryPanel", "Copy the images into…"),
                str(Path(path).parent),
            )
            if folder:
                self.export_selected(Path(folder), as_zip=False)

    def export_selected(self, dest: Path, *, as_zip: bool) -> None:
        """Copy the selected files to a folder, or into a ZIP file, in a worker thread."""
        items = self.library.items(self.host.selected_ids())
        paths = [i.path for i in items.values()]
        n = len(paths)  # see add_to_collection
        self.message.emit(
            QCoreApplication.translate("GalleryPanel", "Exporting %n image(s)…", "", n)
        )
        self._submit("export", export_files, paths, dest, as_zip, on_done=self.on_exported)

    @Slot()
    def delete_selected(self) -> None:
        ids = self.host.selected_ids()
        if ids:
            self.library.delete_items(ids)
            self._deleted(ids)

    @Slot()
    def remove_demo(self) -> None:
        """Demo pictures are not money: all of them go in one action, with the same undo."""
        ids = self.library.delete_demo_items()
        if ids:
            self._deleted(ids)
        else:
            self.message.emit(
                QCoreApplication.translate("GalleryPanel", "There are no demo pictures.")
            )

    def _deleted(self, ids: list[int]) -> None:
        """Show what was just deleted (soft: the files stay) and offer to undo it."""
        if self._undo_ids:
            self.on_undo_expired()  # one undo at a time: the earlier deletion becomes final
        self._undo_ids = ids
        self.model.items_changed(ids)
        n = len(ids)  # see add_to_collection
        self.undo_label.setText(
            QCoreApplication.translate("GalleryPanel", "Deleted %n image(s).", "", n)
        )
        self.undo_bar.setVisible(True)
        self._undo_timer.start()
        self.message.emit(
            QCoreApplication.translate(
                "GalleryPanel", "Deleted %n image(s). Press Undo to bring them back.", "", n
            )
        )

    @Slot()
    def undo_delete(self) -> None:
        if not self._undo_ids:
            return
        ids, self._undo_ids = self._undo_ids, []
        self._undo_timer.stop()
        self.undo_bar.setVisible(False)
        self.library.undelete_items(ids)
        self.model.items_changed(ids)
        self.host.select_ids(ids)
        n = len(ids)  # see add_to_collection
        self.message.emit(
            QCoreApplication.translate("GalleryPanel", "Restored %n image(s).", "", n)
        )

    @Slot()
    def on_undo_expired(self) -> None:
        ids, self._undo_ids = self._undo_ids, []
        self._undo_timer.stop()
        self.undo_bar.setVisible(False)
        if ids:
            self._submit(
                "purge", partial(self.library.purge_deleted, item_ids=ids), on_done=self.on_purged
            )

    @Slot()
    def rebuild(self) -> None:
        self.rebuild_action.setEnabled(False)
        self.message.emit(
            QCoreApplication.translate(
                "GalleryPanel", "Rebuilding the library from the images folder…"
            )
        )
        self._submit(
            "rebuild",
            _rebuild,
            self.library,
            on_done=self.on_rebuilt,
            on_progress=self.on_rebuild_progress,
        )

    # --- background work -------------------------------------------------------------------

    def _submit(self, name: str, fn: Any, *args: Any, **callbacks: Any) -> None:
        self.background.submit(
            fn, *args, on_error=partial(self.on_task_failed, name), receiver=self, **callbacks
        )

    def on_exported(self, result: tuple[str, int]) -> None:
        where, n = result
        self.message.emit(
            QCoreApplication.translate(
                "GalleryPanel", "Exported %n image(s) to %1.", "", n
            ).replace("%1", where)
        )
        self.export_finished.emit(where, n)

    def on_rebuilt(self, report: RebuildReport) -> None:
        self.rebuild_action.setEnabled(True)
        if report.added or report.removed:
            self.host.thumbnails.clear()
        self.host.refresh()
        self.message.emit(
            QCoreApplication.translate(
                "GalleryPanel", "Library rebuilt: %1 added, %2 removed, %3 unchanged."
            )
            .replace("%1", str(report.added))
            .replace("%2", str(report.removed))
            .replace("%3", str(report.kept))
        )
        self.rebuild_finished.emit(report)

    def on_purged(self, n: int) -> None:
        self.purged.emit(int(n))

    def on_rebuild_progress(self, counts: tuple[int, int]) -> None:
        done, total = counts
        if total and done < total:
            self.message.emit(
                QCoreApplication.translate(
                    "GalleryPanel", "Rebuilding the library: %1 of %2 files read…"
                )
                .replace("%1", f"{done:,}")
                .replace("%2", f"{total:,}")
            )

    def on_task_failed(self, name: str, error: BaseException) -> None:
        # Told as a sentence, never a traceback.
        if name == "rebuild":
            self.rebuild_action.setEnabled(True)
        what = {
            "export": QCoreApplication.translate("GalleryPanel", "Export failed"),
            "rebuild": QCoreApplication.translate("GalleryPanel", "Rebuilding the library failed"),
            "purge": QCoreApplication.translate("GalleryPanel", "Removing deleted images failed"),
        }.get(name, name)
        self.message.emit(
            QCoreApplication.translate(
                "GalleryPanel", "%1: %2. Check that the folder exists and you may write to it."
            )
            .replace("%1", what)
            .replace("%2", str(error) or type(error).__name__)
        )

    def shutdown(self) -> None:
        """A pending undo becomes final now, before the library closes."""
        self._undo_timer.stop()
        ids, self._undo_ids = self._undo_ids, []
        if ids:
            self.library.purge_deleted(item_ids=ids)


def _rebuild(library: Library, progress: Any) -> RebuildReport:
    # Background reports one value per progress call: the (done, total) pair.
    return library.rebuild_from_files(lambda done, total: progress((done, total)))
