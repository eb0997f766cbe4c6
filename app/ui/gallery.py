"""The gallery: a virtualised grid of every saved result, with search, filters, actions and a
details panel showing every recorded field and the edit lineage."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QProcess,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Library, RebuildReport
from app.core.library.export import export_files
from app.core.library.files import IMAGE_SUFFIXES
from app.services.background import Background
from app.services.gallery_model import GalleryModel, ItemIdRole, Query
from app.services.thumbnails import ThumbnailLoader
from app.ui.gallery_delegate import GRID, ICON, GalleryDelegate
from app.ui.gallery_details import DetailsPanel
from app.ui.gallery_filters import GalleryFilters
from app.ui.widgets import give_own_viewport

UNDO_SECONDS = 20
WATCH_MS = 2000  # how often to look for results another process (the CLI) added


class GalleryPanel(QWidget):
    edit_requested = Signal(int)  # item id: open it in the editor (mask canvas)
    reuse_requested = Signal(dict)  # ImageRequest.parameters(): fill the prompt panel
    message = Signal(str)  # a sentence for the status bar
    export_finished = Signal(str, int)  # where, how many
    rebuild_finished = Signal(object)  # RebuildReport
    purged = Signal(int)

    def __init__(
        self,
        library: Library,
        parent: QWidget | None = None,
        *,
        thumbnails: ThumbnailLoader | None = None,
        background: Background | None = None,
    ):
        """`background` runs export, rebuild and purge; its owner drains it before the library
        closes. By default the panel makes its own with one thread, so they run one at a time
        (a purge never deletes files a rebuild is reading), and shutdown() drains it."""
        super().__init__(parent)
        self.setObjectName("galleryPanel")
        self.library = library
        screen = QGuiApplication.primaryScreen()
        self.thumbnails = thumbnails or ThumbnailLoader(
            ICON, parent=self, device_pixel_ratio=screen.devicePixelRatio() if screen else 1.0
        )
        self.model = GalleryModel(library, self.thumbnails, self)
        self._stale = False  # results landed while hidden in an order that needs a full search
        self._own_background = background is None
        self.background = background or Background(1, self)
        self._undo_ids: list[int] = []
        self._shut_down = False
        self.setAcceptDrops(True)
        self._build()
        self.model.count_changed.connect(self.on_count_changed)
        self.reload_collections()
        self.model.refresh()
        # Results the command line (another process) saves show up without a restart.
        self._seen_version = library.data_version()
        self._seen_max_id = library.max_item_id()
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(WATCH_MS)
        self.watch_timer.timeout.connect(self.on_watch)
        self.watch_timer.start()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.filters = GalleryFilters()
        self.filters.changed.connect(self.apply_query)
        f = self.filters  # the controls, by the names callers and tests know them by
        self.search, self.favourites_check, self.edits_check = (
            f.search,
            f.favourites_check,
            f.edits_check,
        )
        self.collection_combo, self.date_combo, self.sort_combo = (
            f.collection_combo,
            f.date_combo,
            f.sort_combo,
        )
        self.count_label = f.count_label

        self.view = QListView()
        self.view.setObjectName("galleryView")
        give_own_viewport(self.view)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(True)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(2000)
        self.view.setIconSize(ICON)
        self.view.setGridSize(GRID)
        self.view.setSpacing(0)
        self.view.setWordWrap(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.verticalScrollBar().setSingleStep(GRID.height() // 3)
        self.view.setItemDelegate(GalleryDelegate(self.model, self.view))
        self.view.setModel(self.model)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self.on_context_menu)
        self.view.doubleClicked.connect(self.on_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self._retain_timer = QTimer(self)
        self._retain_timer.setSingleShot(True)
        self._retain_timer.setInterval(80)
        self._retain_timer.timeout.connect(self.retain_visible_thumbnails)
        self.view.verticalScrollBar().valueChanged.connect(self._retain_timer.start)
        self.model.modelReset.connect(
            self._retain_timer.start
        )  # a new search: drop the old requests

        self.details = DetailsPanel(self.library)
        self.details.jump_requested.connect(self.jump_to)

        self._make_actions()
        toolbar = QToolBar()
        toolbar.setObjectName("galleryToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
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
            toolbar.addAction(a)
        toolbar.addSeparator()
        toolbar.addAction(self.rebuild_action)

        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("galleryUndoBar")
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        ub = QHBoxLayout(self.undo_bar)
        ub.setContentsMargins(8, 2, 8, 2)
        self.undo_label = QLabel()
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setObjectName("galleryUndoButton")
        self.undo_button.clicked.connect(self.undo_delete)
        ub.addWidget(self.undo_label, 1)
        ub.addWidget(self.undo_button)
        self.undo_bar.setVisible(False)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_SECONDS * 1000)
        self._undo_timer.timeout.connect(self.on_undo_expired)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("galleryEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setTextFormat(Qt.TextFormat.RichText)
        self.empty_label.linkActivated.connect(self.on_empty_link)
        self.empty_label.setVisible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.empty_label)
        left_layout.addWidget(self.view, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([700, 280])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filters)
        layout.addWidget(toolbar)
        layout.addWidget(self.undo_bar)
        layout.addWidget(split, 1)
        self.on_selection_changed()

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
                self.view.addAction(a)
            return a

        self.open_action = act(
            "galleryOpen", self.tr("Open"), self.open_selected, QKeySequence(Qt.Key.Key_Return)
        )
        self.edit_action = act(
            "galleryEdit", self.tr("Edit…"), self.edit_current, QKeySequence("Ctrl+E")
        )
        self.reuse_action = act(
            "galleryReuse", self.tr("Reuse settings"), self.reuse_current, QKeySequence("Ctrl+R")
        )
        self.favourite_action = act(
            "galleryFavourite", self.tr("Favourite"), self.toggle_favourite, QKeySequence("F")
        )
        self.collection_action = act(
            "galleryAddToCollection", self.tr("Add to collection…"), self.ask_collection
        )
        self.reveal_action = act("galleryReveal", self.tr("Show in folder"), self.reveal_selected)
        self.export_action = act("galleryExport", self.tr("Export…"), self.ask_export)
        self.delete_action = act(
            "galleryDelete",
            self.tr("Delete"),
            self.delete_selected,
            QKeySequence.StandardKey.Delete,
        )
        self.undo_action = act(
            "galleryUndo", self.tr("Undo delete"), self.undo_delete, QKeySequence.StandardKey.Undo
        )
        self.rebuild_action = act("galleryRebuild", self.tr("Rebuild library"), self.rebuild)
        self.rebuild_action.setToolTip(
            self.tr("Re-read the images folder: picks up files added by hand")
        )

    # --- query ----------------------------------------------------------------------------

    def current_query(self) -> Query:
        return self.filters.query()

    @Slot()
    def apply_query(self) -> None:
        self.filters.debounce.stop()  # called directly: the pending debounced search is this one
        selected = self.selected_ids()
        self.model.set_query(self.current_query())
        if selected:
            self.select_ids(selected, scroll=False)

    def reload_collections(self) -> None:
        self.filters.set_collections(self.library.collections())

    def clear_filters(self) -> None:
        self.filters.clear()
        self.apply_query()  # one search for the whole reset, not one per control changed

    @Slot(int)
    def on_count_changed(self, n: int) -> None:
        self.count_label.setText(self.tr("%n image(s)", "", n))
        if n:
            self.empty_label.setVisible(False)
            return
        q = self.model.query
        filtered = bool(q.text.strip() or q.favourites or q.collection or q.edits_only or q.since)
        if filtered:
            text = self.tr('No image matches. <a href="clear">Clear the search and filters</a>')
        else:
            text = self.tr(
                "No images yet: everything you make lands here, also when made from the command line. "
                'Pictures you put in the images folder appear after <a href="rebuild">Rebuild library</a>.'
            )
        self.empty_label.setText(text)
        self.empty_label.setVisible(True)

    @Slot(str)
    def on_empty_link(self, link: str) -> None:
        if link == "clear":
            self.clear_filters()
        elif link == "rebuild":
            self.rebuild()

    # --- results arriving -------------------------------------------------------------------

    @Slot(int)
    def item_added(self, item_id: int) -> None:
        """Connect to the runner's 'result saved' signal: the new picture appears in place."""
        if self._stopped():
            return
        if not self.isVisible() and self.model.query.order not in ("newest", "oldest"):
            # Placing it needs a full search: once when the gallery is next shown, not once per
            # landed result while nobody looks.
            self._stale = True
            return
        self.model.item_added(item_id)
        if self.library.item(item_id).collection:
            self.reload_collections()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Re-run the search (after results landed elsewhere, a rebuild...), keeping the
        selection and the scroll position."""
        if self._stopped():
            return
        selected = self.selected_ids()
        top = self.view.indexAt(QPoint(GRID.width() // 2, GRID.height() // 2))
        top_id = int(top.data(ItemIdRole)) if top.isValid() else None
        self.reload_collections()
        self.model.refresh()
        if selected:
            self.select_ids(selected, scroll=False)
        row = self.model.row_of(top_id) if top_id is not None else None
        if row is not None:
            self.view.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.PositionAtTop)

    # --- selection --------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.view.selectionModel().selectedIndexes())

    def selected_ids(self) -> list[int]:
        return [self.model.item_id(r) for r in self.selected_rows()]

    def current_id(self) -> int | None:
        idx = self.view.currentIndex()
        if idx.isValid() and self.view.selectionModel().isSelected(idx):
            return int(idx.data(ItemIdRole))
        ids = self.selected_ids()
        return ids[0] if ids else None

    def select_ids(self, item_ids: list[int], *, scroll: bool = True) -> int:
        sel = QItemSelection()
        first: QModelIndex | None = None
        for item_id in item_ids:
            row = self.model.row_of(item_id)
            if row is None:
                continue
            idx = self.model.index(row)
            sel.select(idx, idx)
            first = first or idx
        sm = self.view.selectionModel()
        sm.select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if first is not None:
            sm.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            if scroll:
                self.view.scrollTo(first, QAbstractItemView.ScrollHint.PositionAtCenter)
        return len(sel.indexes())

    @Slot(int)
    def jump_to(self, item_id: int) -> None:
        """Show and select an item (from the lineage), clearing filters that hide it."""
        if self.model.row_of(item_id) is None:
            self.clear_filters()
        if not self.select_ids([item_id]):
            self.message.emit(self.tr("That image is no longer in the library."))

    @Slot()
    def on_selection_changed(self, *args: Any) -> None:
        ids = self.selected_ids()
        one = len(ids) == 1
        for a in (self.edit_action, self.reuse_action):
            a.setEnabled(one)
        for a in (
            self.open_action,
            self.favourite_action,
            self.collection_action,
            self.reveal_action,
            self.export_action,
            self.delete_action,
        ):
            a.setEnabled(bool(ids))
        if one:
            try:
                self.details.show_item(self.library.item(ids[0]))
            except KeyError:
                self.details.show_item(None)
        elif ids:
            self.details.show_count(len(ids))
        else:
            self.details.show_item(None)

    # --- thumbnails: only what is on screen --------------------------------------------------

    def visible_rows(self) -> range:
        """Rows whose cells are (at least partly) on screen."""
        vp = self.view.viewport().rect()
        n = self.model.rowCount()
        first = self.view.indexAt(QPoint(GRID.width() // 2, 1))
        if not first.isValid():
            first = self.view.indexAt(QPoint(GRID.width() // 2, GRID.height() // 2))
        if not first.isValid():
            return range(0)
        columns = max(1, vp.width() // GRID.width())
        top = self.view.visualRect(first).top()
        rows_on_screen = (vp.height() - top + GRID.height() - 1) // GRID.height()
        start = first.row() - first.row() % columns
        return range(start, min(n, start + columns * rows_on_screen))

    @Slot()
    def retain_visible_thumbnails(self) -> None:
        rows = self.visible_rows()
        ids = self.model.ids()
        self.thumbnails.retain({ids[r] for r in rows})

    # --- actions ----------------------------------------------------------------------------

    @Slot(QPoint)
    def on_context_menu(self, pos: QPoint) -> None:
        idx = self.view.indexAt(pos)
        if idx.isValid() and not self.view.selectionModel().isSelected(idx):
            self.view.selectionModel().select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.view.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.NoUpdate
            )
        menu = QMenu(self)
        for a in (
            self.open_action,
            self.edit_action,
            self.reuse_action,
            None,
            self.favourite_action,
            self.collection_action,
            None,
            self.reveal_action,
            self.export_action,
            None,
            self.delete_action,
        ):
            if a is None:
                menu.addSeparator()
            else:
                menu.addAction(a)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    @Slot(QModelIndex)
    def on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_ids([int(index.data(ItemIdRole))])

    @Slot()
    def open_selected(self) -> None:
        self.open_ids(self.selected_ids()[:20])

    def open_ids(self, ids: list[int]) -> None:
        for item in self.library.items(ids).values():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(item.path)))

    @Slot()
    def edit_current(self) -> None:
        item_id = self.current_id()
        if item_id is not None:
            self.edit_requested.emit(item_id)

    @Slot()
    def reuse_current(self) -> None:
        item_id = self.current_id()
        if item_id is None:
            return
        item = self.library.item(item_id)
        params = dict(item.params) or (self.library.read_embedded(item.path) or {})
        if not params:
            self.message.emit(self.tr("This image has no recorded settings to reuse."))
            return
        self.reuse_requested.emit(params)
        self.message.emit(self.tr("Settings restored from the selected image."))

    @Slot()
    def toggle_favourite(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        cells = self.library.cells(ids)
        make = not all(c.favourite for c in cells.values())
        self.library.set_favourite(ids, make)
        # Only the Favourites filter can make rows come or go: otherwise a repaint will do.
        self.model.items_changed(ids, refilter=self.model.query.favourites)
        self.select_ids([i for i in ids if self.model.row_of(i) is not None], scroll=False)
        self.on_selection_changed()

    @Slot()
    def ask_collection(self) -> None:
        if not self.selected_ids():
            return
        names = self.library.collections()
        name, ok = QInputDialog.getItem(
            self,
            self.tr("Add to collection"),
            self.tr("Collection (type a new name to create one):"),
            names,
            0,
            True,
        )
        if ok:
            self.add_to_collection(name)

    def add_to_collection(self, name: str | None) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self.library.set_collection(ids, name)
        self.reload_collections()
        self.model.items_changed(ids, refilter=self.model.query.collection is not None)
        self.select_ids(ids, scroll=False)
        self.on_selection_changed()
        if name:
            self.message.emit(
                self.tr("Added %n image(s) to “%1”.", "", len(ids)).replace("%1", name)
            )

    @Slot()
    def reveal_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        path = self.library.item(ids[0]).path
        if sys.platform == "win32":
            QProcess.startDetached("explorer", [f"/select,{path}"])
        elif sys.platform == "darwin":
            QProcess.startDetached("open", ["-R", str(path)])
        else:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    @Slot()
    def ask_export(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        zip_filter = self.tr("ZIP archive (*.zip)")
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export %n image(s)", "", len(ids)),
            str(Path.home() / "mountsea-images.zip"),
            f"{zip_filter};;{self.tr('Folder (copy the files)')}",
        )
        if not path:
            return
        if chosen == zip_filter:
            self.export_selected(Path(path), as_zip=True)
        else:
            folder = QFileDialog.getExistingDirectory(
                self, self.tr("Copy the images into…"), str(Path(path).parent)
            )
            if folder:
                self.export_selected(Path(folder), as_zip=False)

    def export_selected(self, dest: Path, *, as_zip: bool) -> None:
        """Copy the selected files to a folder, or into a ZIP file, in a worker thread."""
        items = self.library.items(self.selected_ids())
        paths = [i.path for i in items.values()]
        self.message.emit(self.tr("Exporting %n image(s)…", "", len(paths)))
        self._submit("export", export_files, paths, dest, as_zip, on_done=self.on_exported)

    @Slot()
    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if self._undo_ids:
            self.on_undo_expired()  # one undo at a time: the earlier deletion becomes final
        self.library.delete_items(ids)
        self._undo_ids = ids
        self.model.items_changed(ids)
        self.undo_label.setText(self.tr("Deleted %n image(s).", "", len(ids)))
        self.undo_bar.setVisible(True)
        self._undo_timer.start()
        self.message.emit(
            self.tr("Deleted %n image(s). Press Undo to bring them back.", "", len(ids))
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
        self.select_ids(ids)
        self.message.emit(self.tr("Restored %n image(s).", "", len(ids)))

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
        self.message.emit(self.tr("Rebuilding the library from the images folder…"))
        self._submit(
            "rebuild",
            _rebuild,
            self.library,
            on_done=self.on_rebuilt,
            on_progress=self.on_rebuild_progress,
        )

    # --- workers ----------------------------------------------------------------------------

    def _submit(self, name: str, fn: Any, *args: Any, **callbacks: Any) -> None:
        self.background.submit(
            fn, *args, on_error=partial(self.on_task_failed, name), receiver=self, **callbacks
        )

    def on_exported(self, result: tuple[str, int]) -> None:
        where, n = result
        self.message.emit(self.tr("Exported %n image(s) to %1.", "", n).replace("%1", where))
        self.export_finished.emit(where, n)

    def on_rebuilt(self, report: RebuildReport) -> None:
        self.rebuild_action.setEnabled(True)
        if report.added or report.removed:
            self.thumbnails.clear()
        self.refresh()
        self.message.emit(
            self.tr("Library rebuilt: %1 added, %2 removed, %3 unchanged.")
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
                self.tr("Rebuilding the library: %1 of %2 files read…")
                .replace("%1", f"{done:,}")
                .replace("%2", f"{total:,}")
            )

    def on_task_failed(self, name: str, error: BaseException) -> None:
        # Told as a sentence, never a traceback.
        if name == "rebuild":
            self.rebuild_action.setEnabled(True)
        what = {
            "export": self.tr("Export failed"),
            "rebuild": self.tr("Rebuilding the library failed"),
            "purge": self.tr("Removing deleted images failed"),
        }.get(name, name)
        self.message.emit(
            self.tr("%1: %2. Check that the folder exists and you may write to it.")
            .replace("%1", what)
            .replace("%2", str(error) or type(error).__name__)
        )

    @Slot()
    def on_watch(self) -> None:
        if self._stopped():
            return
        version = self.library.data_version()  # one cheap PRAGMA when nothing changed
        if version == self._seen_version:
            return
        self._seen_version = version
        max_id = self.library.max_item_id()
        if max_id != self._seen_max_id:
            self._seen_max_id = max_id
            self.refresh()

    def _stopped(self) -> bool:
        # A result signal queued before the window closed may still arrive after shutdown().
        return self._shut_down or self.library.closed

    def shutdown(self) -> None:
        """Finish pending work (a pending undo becomes final) and stop the workers."""
        self._shut_down = True
        self.watch_timer.stop()
        if self._undo_ids:
            ids, self._undo_ids = self._undo_ids, []
            self._undo_timer.stop()
            self.library.purge_deleted(item_ids=ids)
        if self._own_background:
            # An export queued behind another is finished, not dropped, as it always was.
            self.background.pool.waitForDone()
            self.background.shutdown()
        self.thumbnails.shutdown()

    # --- drop a file in: restore its settings -----------------------------------------------

    def _dropped_files(self, event: QDragEnterEvent | QDropEvent) -> list[Path]:
        if event.source() is not None and event.source() in (self.view, self.view.viewport()):
            return []
        md = event.mimeData()
        if not md.hasUrls():
            return []
        return [
            Path(u.toLocalFile())
            for u in md.urls()
            if u.isLocalFile() and u.toLocalFile().lower().endswith(IMAGE_SUFFIXES)
        ]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = self._dropped_files(event)
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.restore_from_file(files[0])

    def restore_from_file(self, path: Path) -> bool:
        params = self.library.read_embedded(path)
        if not params:
            self.message.emit(
                self.tr("%1 carries no settings from this app.").replace("%1", path.name)
            )
            return False
        self.reuse_requested.emit(params)
        self.message.emit(self.tr("Settings restored from %1.").replace("%1", path.name))
        return True


def _rebuild(library: Library, progress: Any) -> RebuildReport:
    # Background reports one value per progress call: the (done, total) pair.
    return library.rebuild_from_files(lambda done, total: progress((done, total)))
