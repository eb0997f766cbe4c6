"""The gallery's list model: one row per item of the current search, fetched lazily.

The ids of the current search come ID_PAGE at a time, from the index where the last page
ended (Qt's canFetchMore/fetchMore, as the view nears its end): a first screen costs the
same at 1,000,000 items as at 1,000, where listing every id took 180-260 ms there. How many
match is counted on a worker, on a connection of its own. Row details come from SQLite a
page at a time when a row is first painted, and only a bounded number of pages is kept.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
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

log = logging.getLogger(__name__)

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
# Ids read per round: about 30 screens of cells. A search whose matches are rare reads the
# index until it has this many, so the first page's size sets the cost of a search at
# 1,000,000 items: 3.4 ms for 1,000 ids against 5.6 ms for 5,000 ("whale under water").
ID_PAGE = 1000

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
        self._more = False  # ids past the last one read may match too (fetchMore reads on)
        self._total: int | None = 0  # how many match; None while a worker counts them
        self._counting = 0  # the latest count asked for: older answers are stale
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
        self._reset_to(self._read(ID_PAGE), ID_PAGE)
        self.query_changed.emit()

    @Slot()
    def refresh(self) -> None:
        """Read the search again, as deep as it had been read (scroll positions stay valid)."""
        limit = max(len(self._ids), ID_PAGE)
        self._reset_to(self._read(limit), limit)

    def _read(self, limit: int, *, after: int | None = None, offset: int = 0) -> list[int]:
        return self.library.search(
            self.query.text, **self.query.kwargs(), limit=limit, after=after, offset=offset
        )

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or not self._more:
            return
        if self.query.order in ("newest", "oldest") and self._ids:
            more = self._read(ID_PAGE, after=self._ids[-1])  # from the index, however deep
        else:
            more = self._read(ID_PAGE, offset=len(self._ids))
        self._more = len(more) == ID_PAGE
        if not more:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._ids.extend(more)  # rows after the old end: cached pages (by row) stay right
        self._row_of = None
        self.endInsertRows()

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
            if order == "oldest" and self._more:
                # It belongs past the ids read so far: fetchMore brings it in its turn.
                self._add_to_total(1)
                return
            pos = 0 if order == "newest" else len(self._ids)
            self._insert_row(pos, [*self._ids[:pos], item_id, *self._ids[pos:]])
            return
        # Another order: one indexed lookup first, the search (as deep as it had been read)
        # only when it is shown here.
        if not self.library.matches(item_id, self.query.text, **self.query.kwargs()):
            return
        limit = max(len(self._ids) + 1, ID_PAGE)
        ids = self._read(limit)
        if item_id not in ids:
            self._add_to_total(1)
            return
        pos = ids.index(item_id)
        if ids[:pos] + ids[pos + 1 :] != self._ids[: len(ids) - 1]:
            self._reset_to(ids, limit)
            return
        self._insert_row(pos, ids)

    @Slot(list)
    def items_changed(self, item_ids: list[int], *, refilter: bool = True) -> None:
        """Favourite/collection changed, or items deleted/restored: re-run the search when the
        visible set may differ (`refilter`), else just repaint the rows."""
        self._pages.clear()
        if refilter:
            limit = max(len(self._ids), ID_PAGE)
            ids = self._read(limit)
            if ids != self._ids:
                self._reset_to(ids, limit)
                return
        for i in item_ids:
            row = self.row_of(i)
            if row is not None:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx)

    def _reset_to(self, ids: list[int], limit: int) -> None:
        """`ids`: a read of the search up to `limit`; all there is when it came back short."""
        self.beginResetModel()
        self._set_ids(ids)
        self._more = len(ids) >= limit
        self.endResetModel()
        self._count()

    def _insert_row(self, pos: int, ids: list[int]) -> None:
        """`ids` is the current list with one new id at `pos`: an insert keeps selection and
        scroll, where a reset would lose them."""
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._set_ids(ids)
        self.endInsertRows()
        self._add_to_total(1)

    # --- how many match ------------------------------------------------------------------

    def total(self) -> int | None:
        """How many items the search matches (None while it is being counted)."""
        return self._total

    def _count(self) -> None:
        self._counting += 1
        if not self._more:
            self._total = len(self._ids)
            self.count_changed.emit(self._total)
            return
        # Every id is not read: count them on a worker (on its own connection, so the
        # GUI thread's reads never wait behind it); the label waits for the answer.
        self._total = None
        kwargs = {k: v for k, v in self.query.kwargs().items() if k != "order"}
        self.thumbnails.background.submit(
            self.library.count,
            self.query.text,
            **kwargs,
            apart=True,
            on_done=partial(self.on_counted, self._counting),
            on_error=partial(self.on_count_failed, self._counting),
            receiver=self,
        )

    def on_counted(self, serial: int, n: int) -> None:
        if serial == self._counting:
            self._total = max(n, len(self._ids))
            self.count_changed.emit(self._total)

    def on_count_failed(self, serial: int, error: BaseException) -> None:
        if serial == self._counting:
            log.warning("could not count the gallery's items: %r", error)
            self.on_counted(serial, len(self._ids))

    def _add_to_total(self, n: int) -> None:
        if self._total is not None:
            self._total += n
            self.count_changed.emit(self._total)

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
