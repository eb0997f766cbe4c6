"""The gallery: a virtualised grid of every saved result, with search, filters, actions and a
details panel showing every recorded field and the edit lineage."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPalette,
    QShowEvent,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Item, Library, RebuildReport
from app.core.library.files import IMAGE_SUFFIXES, unique_path, write_atomic
from app.services.gallery_model import GalleryModel, ItemIdRole, Query
from app.services.thumbnails import ThumbnailLoader
from app.ui.widgets import give_own_viewport, qstyle

PATH_FIELDS = ("file", "raw", "sources")
ICON = QSize(160, 160)
GRID = QSize(172, 172)
SEARCH_DEBOUNCE_MS = 200
UNDO_SECONDS = 20
WATCH_MS = 2000  # how often to look for results another process (the CLI) added
DAY = 86400.0


# --- background work ---------------------------------------------------------------------


class _Relay(QObject):
    # A GUI-thread object: workers emit through it so results arrive on the GUI thread.
    finished = Signal(int, str, object)  # task serial, task name, result (plain data)
    failed = Signal(int, str, str)  # task serial, task name, message
    progress = Signal(int, int)  # done, total (rebuild)

    def report_progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)  # called in the worker; delivered on the GUI thread


class _Task(QRunnable):
    def __init__(self, relay: _Relay, serial: int, name: str, fn: Any, *args: Any):
        super().__init__()
        self.setAutoDelete(False)  # the panel keeps it until its result is back
        self.relay, self.serial, self.name, self.fn, self.args = relay, serial, name, fn, args

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except Exception as e:  # reported to the user as a sentence, never a traceback
            self.relay.failed.emit(self.serial, self.name, str(e) or e.__class__.__name__)
        else:
            self.relay.finished.emit(self.serial, self.name, result)


def export_files(paths: list[Path], dest: Path, as_zip: bool) -> tuple[str, int]:
    """Copy `paths` into the folder `dest`, or write them into the ZIP file `dest`."""
    if as_zip:
        import zipfile  # runs on a worker; start-up has no use for it

        tmp = dest.with_name(f".{dest.name}.partial")
        names: set[str] = set()
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:  # images are compressed already
            for p in paths:
                name, n = p.name, 2
                while name in names:
                    name = f"{p.stem} ({n}){p.suffix}"
                    n += 1
                names.add(name)
                zf.write(p, name)
        write_atomic(dest, tmp.read_bytes())
        tmp.unlink()
        return str(dest), len(paths)
    dest.mkdir(parents=True, exist_ok=True)
    for p in paths:
        shutil.copy2(p, unique_path(dest / p.name))
    return str(dest), len(paths)


# --- the grid ----------------------------------------------------------------------------


class GalleryDelegate(QStyledItemDelegate):
    """Paints the thumbnail centred in its cell, the selection, and a star on favourites.

    It asks the GalleryModel directly (a Python call) instead of going through
    QModelIndex.data() and QVariant twice per cell: the grid repaints dozens of cells per frame.
    """

    def __init__(self, model: GalleryModel, parent: QObject | None = None):
        super().__init__(parent)
        self.model = model
        self._star_font: QFont | None = None

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.row()
        rect: QRect = option.rect.adjusted(3, 3, -3, -3)  # type: ignore[attr-defined]
        if option.state & qstyle().StateFlag.State_Selected:  # type: ignore[attr-defined]
            painter.fillRect(rect, option.palette.color(QPalette.ColorRole.Highlight))  # type: ignore[attr-defined]
        pm = self.model.thumbnail(row)
        dpr = pm.devicePixelRatio() or 1.0
        w, h = int(pm.width() / dpr), int(pm.height() / dpr)
        painter.drawPixmap(
            rect.x() + (rect.width() - w) // 2, rect.y() + (rect.height() - h) // 2, pm
        )
        if self.model.is_favourite(row):
            painter.save()
            if self._star_font is None:
                self._star_font = QFont(painter.font())
                self._star_font.setPixelSize(18)
            painter.setFont(self._star_font)
            badge = QRect(rect.right() - 24, rect.top() + 2, 22, 22)
            painter.setPen(QColor(0, 0, 0, 160))
            painter.drawText(badge.translated(1, 1), Qt.AlignmentFlag.AlignCenter, "★")
            painter.setPen(QColor(255, 200, 40))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "★")
            painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return GRID


# --- details -----------------------------------------------------------------------------


class DetailsPanel(QScrollArea):
    """Every recorded field of the selected item, and its edit lineage (click to jump)."""

    jump_requested = Signal(int)

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("galleryDetails")
        self.library = library
        self.setWidgetResizable(True)
        self.setMinimumWidth(260)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        outer = QVBoxLayout(body)
        self.heading = QLabel()
        self.heading.setObjectName("galleryDetailsHeading")
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        self.lineage_label = QLabel(self.tr("Edit lineage"))
        outer.addWidget(self.lineage_label)
        self.lineage = QListWidget()
        self.lineage.setObjectName("galleryLineage")
        self.lineage.setMinimumHeight(90)
        self.lineage.itemActivated.connect(self.on_lineage_activated)
        self.lineage.itemClicked.connect(self.on_lineage_activated)
        outer.addWidget(self.lineage)
        outer.addStretch(1)
        self.setWidget(body)
        self.values: dict[str, str] = {}
        self.show_item(None)

    def _clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.lineage.clear()
        self.values = {}

    def show_count(self, n: int) -> None:
        self._clear()
        self.heading.setText(self.tr("%n image(s) selected", "", n))
        self.lineage_label.setVisible(False)
        self.lineage.setVisible(False)

    def show_item(self, item: Item | None) -> None:
        self._clear()
        if item is None:
            self.heading.setText(self.tr("Select an image to see how it was made."))
            self.lineage_label.setVisible(False)
            self.lineage.setVisible(False)
            return
        self.heading.setText(self.tr("Image details"))
        p = item.params
        none = self.tr("—")

        def tokens() -> str:
            return (
                self.tr("%1 in (%2 text, %3 image), %4 out")
                .replace("%1", f"{item.input_tokens:,}")
                .replace("%2", f"{item.text_input_tokens:,}")
                .replace("%3", f"{item.image_input_tokens:,}")
                .replace("%4", f"{item.output_tokens:,}")
            )

        def requested_vs(returned: str | None, key: str) -> str:
            req = str(p.get(key) or none)
            if returned and returned != req:
                return self.tr("%1 (server made %2)").replace("%1", req).replace("%2", returned)
            return req

        rows: list[tuple[str, str, str]] = [
            ("prompt", self.tr("Prompt"), item.prompt or none),
            ("revised_prompt", self.tr("Revised prompt"), item.revised_prompt or none),
            ("size", self.tr("Size"), requested_vs(item.size_returned, "size")),
            (
                "dimensions",
                self.tr("Pixels"),
                f"{item.width} × {item.height}" if item.width and item.height else none,
            ),
            ("quality", self.tr("Quality"), requested_vs(item.quality_returned, "quality")),
            (
                "background",
                self.tr("Background"),
                requested_vs(item.background_returned, "background"),
            ),
            (
                "format",
                self.tr("Format"),
                (item.format or str(p.get("output_format") or none)).upper(),
            ),
            (
                "compression",
                self.tr("Compression"),
                none if p.get("output_compression") is None else str(p.get("output_compression")),
            ),
            ("moderation", self.tr("Moderation"), str(p.get("moderation") or none)),
            ("input_fidelity", self.tr("Input fidelity"), str(p.get("input_fidelity") or none)),
            ("user", self.tr("User id"), str(p.get("user") or none)),
            ("model", self.tr("Model"), item.model or str(p.get("model") or none)),
            (
                "flavour",
                self.tr("API"),
                {"async": self.tr("Async task"), "compat": self.tr("Compat (synchronous)")}.get(
                    item.flavour or "", item.flavour or none
                ),
            ),
            ("endpoint", self.tr("Endpoint"), item.base_url or none),
            ("tokens", self.tr("Tokens"), tokens()),
            (
                "created",
                self.tr("Created"),
                datetime.fromtimestamp(item.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            ),
            ("task_id", self.tr("Task id"), item.task_id or none),
            ("job_id", self.tr("Job id"), item.job_id or none),
            (
                "favourite",
                self.tr("Favourite"),
                self.tr("yes") if item.favourite else self.tr("no"),
            ),
            ("collection", self.tr("Collection"), item.collection or none),
            (
                "cancelled",
                self.tr("Cancelled"),
                self.tr("yes: it finished after you cancelled (and was paid for)")
                if item.cancelled
                else self.tr("no"),
            ),
            ("file", self.tr("File"), str(item.path)),
            (
                "file_size",
                self.tr("File size"),
                f"{item.file_size / 1024:,.0f} KB" if item.file_size else none,
            ),
        ]
        if item.raw_path:
            rows.append(("raw", self.tr("As the server sent it"), str(item.raw_path)))
        if item.source_paths:
            rows.append(
                (
                    "sources",
                    self.tr("Source and mask"),
                    "\n".join(str(s) for s in item.source_paths),
                )
            )
        for key, label, value in rows:
            self.values[key] = value
            field: QWidget
            if key in PATH_FIELDS:
                # Paths have no spaces to wrap at: a read-only text box wraps anywhere and
                # still copies the exact path.
                box = QPlainTextEdit(value)
                box.setReadOnly(True)
                box.setFrameShape(QFrame.Shape.NoFrame)
                box.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
                box.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
                lines = 2 + value.count("\n") * 2
                box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 8)
                box.viewport().setAutoFillBackground(False)
                field = box
            else:
                lab = QLabel(value)
                lab.setWordWrap(True)
                lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                field = lab
            field.setObjectName(f"detail_{key}")
            self.form.addRow(label, field)
        self._fill_lineage(item)

    def _fill_lineage(self, item: Item) -> None:
        ancestors, descendants = self.library.lineage(item.id)
        self.lineage_label.setVisible(bool(ancestors or descendants))
        self.lineage.setVisible(bool(ancestors or descendants))
        if not (ancestors or descendants):
            return
        cells = self.library.cells([*ancestors, item.id, *descendants])

        def add(item_id: int, text: str, current: bool = False) -> None:
            cell = cells.get(item_id)
            prompt = (cell.prompt if cell else "") or self.tr("(no prompt)")
            li = QListWidgetItem(f"{text} {prompt[:80]}")
            li.setData(Qt.ItemDataRole.UserRole, item_id)
            li.setToolTip(prompt)
            if current:
                f = li.font()
                f.setBold(True)
                li.setFont(f)
            self.lineage.addItem(li)

        for a in ancestors:
            add(a, self.tr("from:"))
        add(item.id, self.tr("this:"), current=True)
        for d in descendants:
            add(d, self.tr("edited into:"))

    @Slot(QListWidgetItem)
    def on_lineage_activated(self, li: QListWidgetItem) -> None:
        item_id = li.data(Qt.ItemDataRole.UserRole)
        if item_id is not None:
            self.jump_requested.emit(int(item_id))


# --- the panel ---------------------------------------------------------------------------


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
    ):
        super().__init__(parent)
        self.setObjectName("galleryPanel")
        self.library = library
        screen = QGuiApplication.primaryScreen()
        self.thumbnails = thumbnails or ThumbnailLoader(
            ICON, parent=self, device_pixel_ratio=screen.devicePixelRatio() if screen else 1.0
        )
        self.model = GalleryModel(library, self.thumbnails, self)
        self._stale = False  # results landed while hidden in an order that needs a full search
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # export, rebuild and purge one at a time
        self._relay = _Relay(self)
        self._relay.finished.connect(self.on_task_finished)
        self._relay.failed.connect(self.on_task_failed)
        self._relay.progress.connect(self.on_rebuild_progress)
        self._tasks: dict[int, _Task] = {}
        self._serial = 0
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
        self.search = QLineEdit()
        self.search.setObjectName("gallerySearch")
        self.search.setPlaceholderText(self.tr("Search prompts…"))
        self.search.setClearButtonEnabled(True)
        self.favourites_check = QCheckBox(self.tr("Favourites"))
        self.favourites_check.setObjectName("galleryFavourites")
        self.collection_combo = QComboBox()
        self.collection_combo.setObjectName("galleryCollection")
        self.date_combo = QComboBox()
        self.date_combo.setObjectName("galleryDate")
        for label, days in (
            (self.tr("Any time"), None),
            (self.tr("Today"), 0),
            (self.tr("Last 7 days"), 7),
            (self.tr("Last 30 days"), 30),
            (self.tr("Last 12 months"), 365),
        ):
            self.date_combo.addItem(label, days)
        self.edits_check = QCheckBox(self.tr("Edits only"))
        self.edits_check.setObjectName("galleryEditsOnly")
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("gallerySort")
        self.sort_combo.addItem(self.tr("Newest first"), "newest")
        self.sort_combo.addItem(self.tr("Oldest first"), "oldest")
        self.sort_combo.addItem(self.tr("Best match"), "relevance")
        self.count_label = QLabel()
        self.count_label.setObjectName("galleryCount")

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for w in (
            self.favourites_check,
            self.collection_combo,
            self.date_combo,
            self.edits_check,
            self.sort_combo,
            self.count_label,
        ):
            filters.addWidget(w)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_query)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.apply_query)
        self.favourites_check.toggled.connect(self.apply_query)
        self.edits_check.toggled.connect(self.apply_query)
        self.collection_combo.activated.connect(self.apply_query)
        self.date_combo.currentIndexChanged.connect(self.apply_query)
        self.sort_combo.currentIndexChanged.connect(self.apply_query)

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
        layout.addLayout(filters)
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
        days = self.date_combo.currentData()
        since = None
        if days is not None:
            midnight = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
            since = midnight - days * DAY
        return Query(
            text=self.search.text(),
            favourites=self.favourites_check.isChecked(),
            collection=self.collection_combo.currentData(),
            edits_only=self.edits_check.isChecked(),
            since=since,
            order=self.sort_combo.currentData() or "newest",
        )

    @Slot()
    def apply_query(self) -> None:
        self._debounce.stop()
        selected = self.selected_ids()
        self.model.set_query(self.current_query())
        if selected:
            self.select_ids(selected, scroll=False)

    def reload_collections(self) -> None:
        current = self.collection_combo.currentData()
        self.collection_combo.blockSignals(True)
        self.collection_combo.clear()
        self.collection_combo.addItem(self.tr("All collections"), None)
        for name in self.library.collections():
            self.collection_combo.addItem(name, name)
        idx = self.collection_combo.findData(current) if current is not None else 0
        self.collection_combo.setCurrentIndex(max(0, idx))
        self.collection_combo.blockSignals(False)

    def clear_filters(self) -> None:
        filters = (
            self.search,
            self.favourites_check,
            self.edits_check,
            self.collection_combo,
            self.date_combo,
            self.sort_combo,
        )
        # One search for the whole reset, not one per control changed.
        for w in filters:
            w.blockSignals(True)
        self.search.clear()
        self.favourites_check.setChecked(False)
        self.edits_check.setChecked(False)
        self.collection_combo.setCurrentIndex(0)
        self.date_combo.setCurrentIndex(0)
        for w in filters:
            w.blockSignals(False)
        self.apply_query()

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
        # Dialog and process classes are imported where used: PySide builds each class's
        # Python type and enums on first touch, a cost start-up need not pay.
        from PySide6.QtWidgets import QInputDialog

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
        from PySide6.QtCore import QProcess  # see ask_collection

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
        self._start("export", export_files, paths, dest, as_zip)

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
            self._start("purge", self._purge, ids)

    def _purge(self, ids: list[int]) -> int:
        return self.library.purge_deleted(item_ids=ids)

    @Slot()
    def rebuild(self) -> None:
        self.rebuild_action.setEnabled(False)
        self.message.emit(self.tr("Rebuilding the library from the images folder…"))
        self._start("rebuild", self.library.rebuild_from_files, self._relay.report_progress)

    # --- workers ----------------------------------------------------------------------------

    def _start(self, name: str, fn: Any, *args: Any) -> None:
        self._serial += 1
        task = _Task(self._relay, self._serial, name, fn, *args)
        # Kept until its own result arrives: a queued runnable whose Python object went away
        # would crash the pool.
        self._tasks[task.serial] = task
        self._pool.start(task)

    @Slot(int, str, object)
    def on_task_finished(self, serial: int, name: str, result: Any) -> None:
        self._tasks.pop(serial, None)
        if name == "export":
            where, n = result
            self.message.emit(self.tr("Exported %n image(s) to %1.", "", n).replace("%1", where))
            self.export_finished.emit(where, n)
        elif name == "rebuild":
            report: RebuildReport = result
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
        elif name == "purge":
            self.purged.emit(int(result))

    @Slot(int, int)
    def on_rebuild_progress(self, done: int, total: int) -> None:
        if total and done < total:
            self.message.emit(
                self.tr("Rebuilding the library: %1 of %2 files read…")
                .replace("%1", f"{done:,}")
                .replace("%2", f"{total:,}")
            )

    @Slot(int, str, str)
    def on_task_failed(self, serial: int, name: str, error: str) -> None:
        self._tasks.pop(serial, None)
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
            .replace("%2", error)
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
        self._pool.waitForDone()
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
