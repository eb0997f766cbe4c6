"""The task list's view: drags a finished job's image out as a file, says what the list is
for while it is empty, and repaints a changed row alone (app.ui.task_list builds it)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QDrag, QPainter, QPaintEvent
from PySide6.QtWidgets import QListView, QStyleOptionViewItem, QWidget

from app.services.job_records import JobRecord
from app.services.task_model import Roles
from app.ui.widgets import give_own_viewport


class TaskListView(QListView):
    """Drags a finished job's image out as a file."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        give_own_viewport(self)
        self.placeholder = ""
        self._laid_out: dict[str, int] = {}  # job key -> row height when Qt last laid it out

    def dataChanged(  # noqa: N802
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # In list mode Qt lays out and repaints every row when any one row changes, and a
        # job's row changes several times a second while jobs run: 8 landing jobs cost 75
        # repaints of all 8 rows (3-5 ms each on the GUI thread) in 3 seconds. Repaint the row
        # alone while its height stays; a row that grows or shrinks (an error, an offer) is
        # laid out again by Qt, as is every row while a screen reader follows the list.
        from PySide6.QtGui import QAccessible  # made by warm_up(), off start-up's path

        if (
            top_left == bottom_right
            and top_left.isValid()
            and not QAccessible.isActive()
            and self._height_holds(top_left)
        ):
            self.viewport().update(self.visualRect(top_left))
            return
        super().dataChanged(top_left, bottom_right, list(roles))

    def warm_up(self) -> None:
        """Once start-up has settled: make QAccessible's Python type, with its eight enums,
        which the first row change needs. At start-up it cost 2-3 ms before the first paint;
        at the first change it cost 2-4 ms of the Generate click's frame."""
        from PySide6.QtGui import QAccessible

        QAccessible.isActive()

    def _height_holds(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        """Whether the row is as tall as when Qt last laid it out. (Its visualRect cannot
        say: Qt measures that from the delegate afresh, not from the layout.)"""
        record: JobRecord | None = index.data(Roles.Record)
        delegate = self.itemDelegate()
        if record is None or delegate is None:
            return False
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        height = delegate.sizeHint(option, index).height()
        if self._laid_out.get(record.key) == height:
            return True
        self._laid_out[record.key] = height  # Qt lays it out again now
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        model = self.model()
        if model is None or model.rowCount() > 0 or not self.placeholder:
            super().paintEvent(event)
            return
        # The empty state: say what the list is for instead of showing a blank box.
        viewport = self.viewport()
        painter = QPainter(viewport)
        painter.setPen(self.palette().placeholderText().color())
        painter.drawText(
            viewport.rect().adjusted(16, 16, -16, -16),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            self.placeholder,
        )
        painter.end()

    def startDrag(self, supported: Qt.DropAction) -> None:  # noqa: N802
        index = self.currentIndex()
        paths = index.data(Roles.Paths) if index.isValid() else None
        if not paths:
            return
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
        drag = QDrag(self)
        drag.setMimeData(mime)
        record = index.data(Roles.Record)
        if record is not None and record.thumbnail is not None:
            drag.setPixmap(record.thumbnail.scaled(64, 64, Qt.AspectRatioMode.KeepAspectRatio))
        drag.exec(Qt.DropAction.CopyAction)
