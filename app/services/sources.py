"""The pictures an edit sends, in order: a list model the edit panel's reference strip views.

The first row is the picture the mask applies to. Loads finish in any order on worker threads
but rows appear in the order they were asked for: `expect()` hands out a token per load,
`land(token, source)` / `fail(token)` report its end, and finished loads are appended once
every earlier one has ended. `expect(replace_first=True)` is for "edit this result": it
replaces the first picture and keeps the others; `expect(replace_all=True)` is for "replace
the edit with this picture" (the rows put aside come back with `restore`). At most `limit` (the service's 16) pictures,
counting loads still running: `take(names)` says which fit and, if not all, why.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon, QImage, QPixmap

from app.core.api.models import MAX_IMAGES
from app.core.imaging import PreparedImage

ROLE_ID = Qt.ItemDataRole.UserRole + 7
ROLE_SOURCE = Qt.ItemDataRole.UserRole + 8

Index = QModelIndex | QPersistentModelIndex


@dataclass
class Source:
    id: int
    prepared: PreparedImage
    levels: list[QImage]  # the picture for display, and its halves (see mask_canvas.mipmaps)
    thumb: QImage
    path: str | None = None
    notes: list[str] = field(default_factory=list)
    record: dict[str, Any] | None = None  # the app's own settings embedded in the file, if any


# The sentences were the edit panel's: their context stays "EditPanel" so the catalogue still
# matches (lupdate reads `translate("Context", "literal")` calls).
translate = QCoreApplication.translate


class SourceList(QAbstractListModel):
    changed = Signal()  # rows were added, removed, moved or replaced

    def __init__(self, parent: QObject | None = None, limit: int = MAX_IMAGES) -> None:
        super().__init__(parent)
        self.limit = limit
        self._rows: list[Source] = []
        self._icons: dict[int, QIcon] = {}
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)
        self._order: list[int] = []  # tokens of loads to append, in the order asked for
        self._done: dict[int, Source | None] = {}
        self._replace_first: set[int] = set()
        self._replace_all: set[int] = set()

    # -- reading -------------------------------------------------------------------------

    def sources(self) -> list[Source]:
        return list(self._rows)

    def first(self) -> Source | None:
        return self._rows[0] if self._rows else None

    def count(self) -> int:
        return len(self._rows)

    def source(self, row: int) -> Source:
        return self._rows[row]

    def find(self, source_id: int) -> Source | None:
        return next((s for s in self._rows if s.id == source_id), None)

    def label(self, row: int) -> str:
        return (
            translate("EditPanel", "%1 · mask").replace("%1", str(row + 1))
            if row == 0
            else str(row + 1)
        )

    def tooltip(self, row: int) -> str:
        source = self._rows[row]
        p = source.prepared
        tip = (
            f"{p.filename}\n{p.width} × {p.height}, {p.format.upper()}, {len(p.data) / 1e6:.1f} MB"
        )
        if source.notes:
            tip += "\n" + "\n".join(source.notes)
        if row == 0:
            tip += "\n" + translate("EditPanel", "The mask applies to this picture.")
        return tip

    # -- loading -------------------------------------------------------------------------

    def loading(self) -> int:
        """How many asked-for pictures are still being prepared."""
        return len(self._order)

    def room(self) -> int:
        """How many more pictures may be asked for (loads still running count)."""
        return self.limit - len(self._rows) - self.loading()

    def take(self, names: list[str]) -> tuple[list[str], str | None]:
        """The names that fit under the cap, and the sentence to show when some do not."""
        room = self.room()
        if room <= 0:
            return [], translate(
                "EditPanel", "An edit takes at most %n pictures; remove one first.", "", self.limit
            )
        if len(names) > room:
            return names[:room], translate(
                "EditPanel",
                "An edit takes at most %n pictures; only the first ones were added.",
                "",
                self.limit,
            )
        return names, None

    def expect(self, *, replace_first: bool = False, replace_all: bool = False) -> int:
        """A token for a load about to start."""
        token = next(self._tokens)
        if replace_all:
            self._replace_all.add(token)
        elif replace_first:
            self._replace_first.add(token)
        else:
            self._order.append(token)
        return token

    def replaces_first(self, token: int) -> bool:
        return token in self._replace_first

    def replaces_all(self, token: int) -> bool:
        return token in self._replace_all

    def land(self, token: int, source: Source) -> list[Source]:
        """A load finished: the sources that are now rows (none while an earlier one runs,
        or when the list was cleared meanwhile). The source gets its id here."""
        if token in self._replace_all:
            self._replace_all.discard(token)
            source.id = next(self._ids)
            self.restore([source])
            return [source]
        if token in self._replace_first:
            self._replace_first.discard(token)
            source.id = next(self._ids)
            if self._rows:
                self._icons.pop(self._rows[0].id, None)
                self._rows[0] = source
                self._refresh_rows()
            else:
                self._insert(0, [source])
            self.changed.emit()
            return [source]
        if token not in self._order:
            return []
        source.id = next(self._ids)
        self._done[token] = source
        return self._flush()

    def fail(self, token: int) -> None:
        """A load ended without a picture: later ones need not wait for it."""
        self._replace_first.discard(token)
        self._replace_all.discard(token)
        if token in self._order:
            self._done[token] = None
            self._flush()

    def _flush(self) -> list[Source]:
        added: list[Source] = []
        while self._order and self._order[0] in self._done:
            source = self._done.pop(self._order.pop(0))
            if source is not None:
                added.append(source)
        if added:
            self._insert(len(self._rows), added)
            self.changed.emit()
        return added

    def _insert(self, row: int, sources: list[Source]) -> None:
        self.beginInsertRows(QModelIndex(), row, row + len(sources) - 1)
        self._rows[row:row] = sources
        self.endInsertRows()
        self._refresh_rows()

    # -- editing -------------------------------------------------------------------------

    def move(self, row: int, to: int) -> bool:
        """Move the picture at `row` so that it ends at `to` (what a drag in the strip does)."""
        if row == to or not (0 <= row < len(self._rows)) or not (0 <= to < len(self._rows)):
            return False
        return self.moveRows(QModelIndex(), row, 1, QModelIndex(), to + 1 if to > row else to)

    def remove(self, rows: list[int]) -> None:
        rows = sorted({r for r in rows if 0 <= r < len(self._rows)}, reverse=True)
        for row in rows:
            self.beginRemoveRows(QModelIndex(), row, row)
            self._icons.pop(self._rows.pop(row).id, None)
            self.endRemoveRows()
        if rows:
            self._refresh_rows()
            self.changed.emit()

    def clear(self) -> None:
        """Remove every picture and forget the queued loads still running."""
        self.beginResetModel()
        self._rows.clear()
        self._icons.clear()
        self._order.clear()
        self._done.clear()
        # A picture being loaded as the one to edit (replace_first) still lands after a
        # clear, as it always has: it was chosen on purpose, not queued with the others.
        self.endResetModel()
        self.changed.emit()

    def restore(self, sources: list[Source]) -> None:
        """Make `sources` the whole list (ids kept), forgetting the queued loads: they were
        asked for the list being replaced."""
        self.beginResetModel()
        self._rows = list(sources)
        self._icons.clear()
        self._order.clear()
        self._done.clear()
        self.endResetModel()
        self.changed.emit()

    def _refresh_rows(self) -> None:
        # Labels and tips depend on the row: the first one is the mask picture.
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    # -- QAbstractListModel --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = index.row()
        source = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.label(row)
        if role == Qt.ItemDataRole.DecorationRole:
            icon = self._icons.get(source.id)
            if icon is None:
                icon = self._icons[source.id] = QIcon(QPixmap.fromImage(source.thumb))
            return icon
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row)
        if role == ROLE_ID:
            return source.id
        if role == ROLE_SOURCE:
            return source
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # drops land between pictures, not on one
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def moveRows(  # noqa: N802
        self,
        source_parent: Index,
        source_row: int,
        count: int,
        destination_parent: Index,
        destination_child: int,
    ) -> bool:
        n = len(self._rows)
        if (
            source_parent.isValid()
            or destination_parent.isValid()
            or count < 1
            or source_row < 0
            or source_row + count > n
            or not (0 <= destination_child <= n)
            or source_row <= destination_child <= source_row + count
        ):
            return False
        self.beginMoveRows(
            QModelIndex(), source_row, source_row + count - 1, QModelIndex(), destination_child
        )
        block = self._rows[source_row : source_row + count]
        del self._rows[source_row : source_row + count]
        at = destination_child if destination_child < source_row else destination_child - count
        self._rows[at:at] = block
        self.endMoveRows()
        self._refresh_rows()
        self.changed.emit()
        return True
