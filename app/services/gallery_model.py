"""The gallery's list model: one row per item of the current search, fetched lazily.

Only the ids of the current search are in memory (a Python list of ints: ~4 MB at 100,000);
row details come from SQLite a page at a time when a row is first painted, and only a
bounded number of pages is kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QPixmap

from app.core.library import Cell, Item, Library
from app.services.thumbnails import ThumbnailLoader

ItemIdRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
PromptRole = Qt.ItemDataRole.UserRole + 3
FavouriteRole = Qt.ItemDataRole.UserRole + 4
CreatedRole = Qt.ItemDataRole.UserRole + 5
ItemRole = Qt.ItemDataRole.UserRole + 6  # the whole Item

_PATH, _FAVOURITE = Cell._fields.index("path"), Cell._fields.index("favourite")
_DEMO = Cell._fields.index("demo")
PAGE_SIZE = 200
MAX_PAGES = 50  # at most 10,000 rows' details in memory

Index = QModelIndex | QPersistentModelIndex


@dataclass
class Query:
    text: str = ""
    favourites: bool = False
    collection: str | None = None
    edits_only: bool = False
    since: float | None = None
    until: float | None = None
    order: str = "newest"
    demo: str = "include"  # demo pictures: "include", "exclude" or "only"
    extra: dict[str, Any] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        return {
            "favourites": self.favourites,
            "collection": self.collection,
            "edits_only": self.edits_only,
            "since": self.since,
            "until": self.until,
            "order": self.order,
            "demo": self.demo,
        }


class GalleryModel(QAbstractListModel):
    query_changed = Signal()
    count_changed = Signal(int)

    def __init__(
        self, library: Library, thumbnails: ThumbnailLoader, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.library = library
        self.thumbnails = thumbnails
        self.query = Query()
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None  # built on demand only
        self._requested: dict[int, int] = {}  # item id -> row, for thumbnails asked for
        # Plain tuples, not Cell objects: tuples of plain values drop out of the garbage
        # collector's view, so thousands of cached rows never trigger a full collection
        # (a 20-30 ms pause) while scrolling.
        self._pages: OrderedDict[int, dict[int, tuple[Any, ...]]] = OrderedDict()
        self._placeholder = self._make_placeholder(thumbnails.icon_size)
        self._broken = self._make_placeholder(thumbnails.icon_size, QColor(120, 60, 60))
        self._ready_rows: list[int] = []
        self._ready_timer = QTimer(self)
        self._ready_timer.setSingleShot(True)
        self._ready_timer.setInterval(15)
        self._ready_timer.timeout.connect(self.on_ready_timer)
        thumbnails.ready.connect(self.on_thumbnail_ready)

    @staticmethod
    def _make_placeholder(size: QSize, colour: QColor | None = None) -> QPixmap:
        pm = QPixmap(size)
        pm.fill(colour or QColor(90, 90, 90, 60))
        return pm

    # --- queries -------------------------------------------------------------------------

    def set_query(self, query: Query) -> None:
        self.query = query
        self.refresh()
        self.query_changed.emit()

    @Slot()
    def refresh(self) -> None:
        self._reset_to(self.library.search(self.query.text, **self.query.kwargs()))

    @Slot(int)
    def item_added(self, item_id: int) -> None:
        """A new result landed: insert its row in place (keeps selection and scroll) when it
        matches the current search, else leave the view alone."""
        order = self.query.order
        # The usual case: a brand-new item (a higher id than any listed, which sit in id order)
        # goes first, or last. One indexed lookup instead of re-running the search over
        # 100,000 items on the GUI thread.
        newer = all(item_id > i for i in self._ids[:1] + self._ids[-1:])
        if order in ("newest", "oldest") and newer:
            if not self.library.matches(item_id, self.query.text, **self.query.kwargs()):
                return
            pos = 0 if order == "newest" else len(self._ids)
            self._insert_row(pos, [*self._ids[:pos], item_id, *self._ids[pos:]])
            return
        # Another order: one indexed lookup first, the full search only when it is shown here.
        if not self.library.matches(item_id, self.query.text, **self.query.kwargs()):
            return
        ids = self.library.search(self.query.text, **self.query.kwargs())
        if item_id not in ids:
            return
        pos = ids.index(item_id)
        if ids[:pos] + ids[pos + 1 :] != self._ids:
            self._reset_to(ids)
            return
        self._insert_row(pos, ids)

    @Slot(list)
    def items_changed(self, item_ids: list[int], *, refilter: bool = True) -> None:
        """Favourite/collection changed, or items deleted/restored: re-run the search when the
        visible set may differ (`refilter`), else just repaint the rows."""
        self._pages.clear()
        if refilter:
            ids = self.library.search(self.query.text, **self.query.kwargs())
            if ids != self._ids:
                self._reset_to(ids)
                return
        for i in item_ids:
            row = self.row_of(i)
            if row is not None:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx)

    def _reset_to(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._set_ids(ids)
        self.endResetModel()
        self.count_changed.emit(len(ids))

    def _insert_row(self, pos: int, ids: list[int]) -> None:
        """`ids` is the current list with one new id at `pos`: an insert keeps selection and
        scroll, where a reset would lose them."""
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._set_ids(ids)
        self.endInsertRows()
        self.count_changed.emit(len(ids))

    def _set_ids(self, ids: list[int]) -> None:
        # Rows moved: the row index and the cached pages (keyed by row) are stale.
        self._ids = ids
        self._row_of = None
        self._requested.clear()
        self._pages.clear()

    # --- lookups -------------------------------------------------------------------------

    def ids(self) -> list[int]:
        return self._ids

    def item_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, item_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {i: r for r, i in enumerate(self._ids)}
        return self._row_of.get(item_id)

    def item(self, row: int) -> Item | None:
        """The full record (for the details panel): one query."""
        if not 0 <= row < len(self._ids):
            return None
        try:
            return self.library.item(self._ids[row])
        except KeyError:
            return None

    def cell_at(self, row: int) -> Cell | None:
        t = self._cell(row)
        return None if t is None else Cell._make(t)

    def _cell(self, row: int) -> tuple[Any, ...] | None:
        if not 0 <= row < len(self._ids):
            return None
        page_no = row // PAGE_SIZE
        page = self._pages.get(page_no)
        if page is None:
            start = page_no * PAGE_SIZE
            cells = self.library.cells(self._ids[start : start + PAGE_SIZE])
            page = {k: tuple(v) for k, v in cells.items()}
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page.get(self._ids[row])

    # --- Qt model ------------------------------------------------------------------------

    def thumbnail(self, row: int) -> QPixmap:
        """The row's thumbnail, or a placeholder while it is being made (it is then requested)."""
        item_id = self._ids[row]
        pm = self.thumbnails.pixmap(item_id)
        if pm is not None:
            return pm
        if self.thumbnails.failed(item_id):
            return self._broken
        cell = self._cell(row)
        if cell is not None:
            self._requested[item_id] = row
            self.thumbnails.request(
                item_id, Path(cell[_PATH]), self.library.thumbnail_path(item_id)
            )
        return self._placeholder

    def is_favourite(self, row: int) -> bool:
        cell = self._cell(row)
        return cell is not None and bool(cell[_FAVOURITE])

    def is_demo(self, row: int) -> bool:
        """Made by the demo simulator: not a paid picture."""
        cell = self._cell(row)
        return cell is not None and bool(cell[_DEMO])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        item_id = self._ids[index.row()]
        if role == ItemIdRole:
            return item_id
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnail(index.row())
        if role == Qt.ItemDataRole.SizeHintRole:
            return None
        if role == ItemRole:
            return self.item(index.row())
        cell = self.cell_at(index.row())
        if cell is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            text = cell.prompt or Path(cell.path).name
            return text if len(text) <= 300 else text[:300] + "…"
        if role == PromptRole:
            return cell.prompt
        if role == PathRole:
            return cell.path
        if role == FavouriteRole:
            return cell.favourite
        if role == CreatedRole:
            return cell.created_at
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return ["text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        """Dragging items out of the gallery drops their files (into a folder, another app)."""
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        ids = [self._ids[r] for r in rows]
        cells = self.library.cells(ids)
        mime.setUrls([QUrl.fromLocalFile(cells[i].path) for i in ids if i in cells])
        return mime

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.CopyAction

    @Slot(int)
    def on_thumbnail_ready(self, item_id: int) -> None:
        row = self._requested.pop(item_id, None)
        if row is not None and row < len(self._ids) and self._ids[row] == item_id:
            # Thumbnails arrive in bursts: repaint once per frame, not once per picture.
            self._ready_rows.append(row)
            if not self._ready_timer.isActive():
                self._ready_timer.start()

    @Slot()
    def on_ready_timer(self) -> None:
        rows, self._ready_rows = sorted(set(self._ready_rows)), []
        n = len(self._ids)
        # One signal per run of adjacent rows: a single min..max range after a jump would make
        # the view walk every row in between (tens of thousands: 100+ ms).
        start = prev = -2
        for r in rows:
            if r >= n:
                break
            if r != prev + 1:
                if start >= 0:
                    self._changed(start, prev)
                start = r
            prev = r
        if start >= 0:
            self._changed(start, prev)

    def _changed(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first), self.index(last), [Qt.ItemDataRole.DecorationRole])
