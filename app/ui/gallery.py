"""The gallery: a virtualised grid of every saved result, with search and filters above it
(gallery_filters), the details pane beside it (gallery_details), the cells painted by
gallery_delegate and what you can do to the selection in gallery_actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Library
from app.core.library.files import IMAGE_SUFFIXES
from app.services.background import Background
from app.services.gallery_model import GalleryModel, ItemIdRole, Query
from app.services.thumbnails import ThumbnailLoader
from app.ui.flow import ActionBar
from app.ui.gallery_actions import GalleryActions
from app.ui.gallery_delegate import GRID, ICON, GalleryDelegate
from app.ui.gallery_details import DetailsPanel
from app.ui.gallery_filters import GalleryFilters
from app.ui.widgets import give_own_viewport

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
        # The controls under the names callers know them by.
        self.search = self.filters.search
        self.favourites_check = self.filters.favourites_check
        self.edits_check = self.filters.edits_check
        self.collection_combo = self.filters.collection_combo
        self.date_combo = self.filters.date_combo
        self.sort_combo = self.filters.sort_combo
        self.count_label = self.filters.count_label

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
        self.view.selectionModel().selectionChanged.connect(self.on_selection_changed)
        # A reset (a search, a filter, a deletion) or removed rows drop the selection without
        # selectionChanged: the details and the actions must follow all the same.
        self.model.modelReset.connect(self.on_selection_changed)
        self.model.rowsRemoved.connect(self.on_selection_changed)
        self._retain_timer = QTimer(self)
        self._retain_timer.setSingleShot(True)
        self._retain_timer.setInterval(80)
        self._retain_timer.timeout.connect(self.retain_visible_thumbnails)
        self.view.verticalScrollBar().valueChanged.connect(self._retain_timer.start)
        # A new search: drop the old requests.
        self.model.modelReset.connect(self._retain_timer.start)

        self.details = DetailsPanel(self.library)
        self.details.jump_requested.connect(self.jump_to)

        self.gallery_actions = GalleryActions(self, self, self.background)
        # Callers connect to the panel's signals; the actions speak through them.
        for mine, theirs in (
            (self.edit_requested, self.gallery_actions.edit_requested),
            (self.reuse_requested, self.gallery_actions.reuse_requested),
            (self.message, self.gallery_actions.message),
            (self.export_finished, self.gallery_actions.export_finished),
            (self.rebuild_finished, self.gallery_actions.rebuild_finished),
            (self.purged, self.gallery_actions.purged),
        ):
            theirs.connect(mine)

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
        # The actions flow onto a second line when narrow (a QToolBar hid the last behind "»").
        toolbar = self.gallery_actions.toolbar
        self.action_bar = ActionBar(toolbar.actions(), self, "galleryActions")
        # The QToolBar only lists the actions now: in the layout but hidden, so the panel
        # owns it as before.
        toolbar.hide()
        layout.addWidget(toolbar)
        layout.addWidget(self.action_bar)
        layout.addWidget(self.gallery_actions.undo_bar)
        layout.addWidget(split, 1)
        self.on_selection_changed()

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
        names = self.library.collections()
        self.filters.set_collections(names)
        chosen = self.model.query.collection
        if chosen is not None and chosen not in names:
            # Its last picture left it: the filter now reads "All collections", so must the grid.
            self.apply_query()

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
            self.gallery_actions.rebuild()

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
        if self.library.item(item_id).collections:
            self.reload_collections()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
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
        self.gallery_actions.set_selected(len(ids))
        if len(ids) == 1:
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
        self.gallery_actions.shutdown()
        if self._own_background:
            # Work asked for (an export queued behind another, a purge) is finished, not
            # dropped: the library closes next.
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

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
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
