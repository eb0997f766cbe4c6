"""The task list: one row per job with thumbnail, prompt start, main parameters, state, server
status, ticking elapsed time and the error sentence. Per-row actions in the context menu and
in the buttons under the list; double-click opens the result."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QDrag,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListView,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.library import JobState
from app.services.job_records import FINAL_STATES, RETRYABLE, JobRecord, can_check_again
from app.services.runner import JobRunner
from app.services.task_model import Roles, TaskModel, format_elapsed
from app.ui import words
from app.ui.widgets import give_own_viewport, qstyle

THUMB = 64
PAD = 8
EDIT_GLYPH = "✎"  # placeholder thumbnails until the result arrives
GENERATE_GLYPH = "▣"

STATE_COLOURS = {
    JobState.queued: QColor("#7a7f87"),
    JobState.waiting: QColor("#b7791f"),
    JobState.running: QColor("#2b6cb0"),
    JobState.completed: QColor("#2f855a"),
    JobState.failed: QColor("#c53030"),
    JobState.cancelled: QColor("#7a7f87"),
    JobState.interrupted: QColor("#b7791f"),
}


def state_label(state: str, late: bool = False) -> str:
    labels: dict[str, str] = {
        JobState.queued: QCoreApplication.translate("TaskList", "Queued"),
        JobState.waiting: QCoreApplication.translate("TaskList", "Waiting"),
        JobState.running: QCoreApplication.translate("TaskList", "Running"),
        JobState.completed: QCoreApplication.translate("TaskList", "Completed"),
        JobState.failed: QCoreApplication.translate("TaskList", "Failed"),
        JobState.cancelled: QCoreApplication.translate("TaskList", "Cancelled"),
        JobState.interrupted: QCoreApplication.translate("TaskList", "Interrupted"),
    }
    text = labels.get(state, state)
    if late:
        text = QCoreApplication.translate("TaskList", "Cancelled (result saved)")
    return text


def params_summary(record: JobRecord) -> str:
    p = record.params
    parts = [words.flavour(record.flavour, short=True)]
    if record.is_edit:
        parts.append(QCoreApplication.translate("TaskList", "edit"))
    for name in ("size", "quality"):
        value = p.get(name)
        if value and value != "auto":
            parts.append(words.parameter(name, value))
    fmt = p.get("output_format")
    if fmt:
        parts.append(words.output_format(str(fmt)))
    if p.get("background") == "transparent":
        parts.append(QCoreApplication.translate("TaskList", "transparent"))
    return " · ".join(parts)


ERROR_LINES = 3  # the rest is in the tooltip and "Copy the error message"


def wrap_lines(text: str, fm: QFontMetrics, width: int, max_lines: int) -> list[str]:
    """Word-wrap `text` into at most `max_lines` lines of `width` pixels, the last one elided."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if fm.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            rest = " ".join([current, *words[i + 1 :]])
            lines.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, width))
            return lines
    if current:
        lines.append(fm.elidedText(current, Qt.TextElideMode.ElideRight, width))
    return lines


BUTTON = 22  # the hover button at a row's top right


def hover_action(record: JobRecord) -> str | None:
    """The one action a row offers on hover: the thing a person most likely wants next."""
    if record.state not in FINAL_STATES:
        return "cancel"
    if record.state != JobState.cancelled and can_check_again(record) and not record.late_result:
        # Failed or interrupted on the way, not by choice: the same task once more, nothing
        # new billed. (A job the person cancelled keeps its one-click retry.)
        return "check"
    if record.state in RETRYABLE and not record.late_result:
        return "retry"
    if record.paths:
        return "reveal"
    return None


class _Fonts(NamedTuple):
    bold: QFont
    small: QFont
    fm_bold: QFontMetrics
    fm_small: QFontMetrics
    fm_plain: QFontMetrics


class TaskDelegate(QStyledItemDelegate):
    action = Signal(str, str)  # job key, "cancel" / "check" / "retry" / "reveal"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._font_cache: dict[str, _Fonts] = {}

    @staticmethod
    def button_rect(option_rect: QRect) -> QRect:
        return QRect(
            option_rect.right() - PAD - BUTTON, option_rect.top() + PAD // 2, BUTTON, BUTTON
        )

    def editorEvent(  # noqa: N802
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if (
            isinstance(event, QMouseEvent)
            and event.type() == QEvent.Type.MouseButtonRelease
            and event.button() == Qt.MouseButton.LeftButton
        ):
            record: JobRecord | None = index.data(Roles.Record)
            name = hover_action(record) if record is not None else None
            if (
                record is not None
                and name
                and self.button_rect(option.rect).contains(event.position().toPoint())
            ):
                self.action.emit(record.key, name)
                return True
        return super().editorEvent(event, model, option, index)

    def _paint_button(
        self, painter: QPainter, option: QStyleOptionViewItem, record: JobRecord
    ) -> int:
        """Draws the hover button; returns the width it takes from the prompt line."""
        name = hover_action(record)
        if name is None or not option.state & qstyle().StateFlag.State_MouseOver:
            return 0
        rect = self.button_rect(option.rect)
        glyph = {"cancel": "✕", "check": "⟳", "retry": "↻", "reveal": "📂"}[name]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(option.palette.color(QPalette.ColorRole.Button))
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 4, 4)
        painter.setPen(option.palette.color(QPalette.ColorRole.ButtonText))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, glyph)
        painter.restore()
        return BUTTON + PAD // 2

    def warm_up(self, font: QFont) -> None:
        """Build now what the first painted row needs: QStyle's Python type with its enums
        (~4 ms), and the fallback fonts for the placeholder glyphs (fontconfig looks them
        up on first use). Called once the window is idle, so the first job's row does not
        pay it in the frame after the click."""
        qstyle()
        QFontMetrics(font).horizontalAdvance(EDIT_GLYPH + GENERATE_GLYPH)

    def _fonts(self, option: QStyleOptionViewItem) -> _Fonts:
        # Every visible row is painted again each second while jobs run (the elapsed time):
        # make the fonts and metrics once per base font, not per row and per paint.
        key = option.font.key()
        fonts = self._font_cache.get(key)
        if fonts is None:
            bold = QFont(option.font)
            bold.setBold(True)
            small = QFont(option.font)
            small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.9))
            fonts = _Fonts(
                bold, small, QFontMetrics(bold), QFontMetrics(small), QFontMetrics(option.font)
            )
            self._font_cache[key] = fonts
        return fonts

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        fonts = self._fonts(option)
        lines = 3
        # Always reserve the full error block: the width changes with the dock and scroll bar.
        extra = fonts.fm_small.lineSpacing() * ERROR_LINES if index.data(Roles.Error) else 0
        height = max(THUMB + 2 * PAD, lines * fonts.fm_plain.lineSpacing() + 2 * PAD + extra + 4)
        return QSize(200, height)  # the width is the view's: rows elide to fit it

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        record: JobRecord | None = index.data(Roles.Record)
        if record is None:
            return
        painter.save()
        style_enums = qstyle()
        style = option.widget.style() if option.widget else None
        # Only the row's panel (selection, hover) comes from the style; the view's option has
        # all it needs. initStyleOption would ask the model for every role and wrap the
        # thumbnail in a new QIcon on each paint, only for both to be thrown away.
        if style:
            style.drawPrimitive(
                style_enums.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
            )
        selected = bool(option.state & style_enums.StateFlag.State_Selected)
        text_colour = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = QColor(text_colour)
        muted.setAlpha(170)
        rect = option.rect.adjusted(PAD, PAD, -PAD, -PAD)
        thumb_rect = QRect(rect.left(), rect.top(), THUMB, THUMB)
        if record.thumbnail is not None:
            pm = record.thumbnail
            scaled = pm.size().scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(thumb_rect.center())
            painter.drawPixmap(target, pm)
        else:
            painter.fillRect(thumb_rect, option.palette.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(muted)
            painter.drawText(
                thumb_rect,
                Qt.AlignmentFlag.AlignCenter,
                EDIT_GLYPH if record.is_edit else GENERATE_GLYPH,
            )
        x = thumb_rect.right() + PAD
        width = rect.right() - x
        bold, small, fm_bold, fm_small, _ = self._fonts(option)
        y = rect.top()
        painter.setFont(bold)
        painter.setPen(text_colour)
        prompt = " ".join(record.prompt.split())
        taken = self._paint_button(painter, option, record)
        painter.setFont(bold)
        painter.setPen(text_colour)
        painter.drawText(
            QRect(x, y, width - taken, fm_bold.height()),
            Qt.AlignmentFlag.AlignLeft,
            fm_bold.elidedText(prompt, Qt.TextElideMode.ElideRight, width - taken),
        )
        y += fm_bold.lineSpacing()
        painter.setFont(small)
        painter.setPen(muted)
        painter.drawText(
            QRect(x, y, width, fm_small.height()),
            Qt.AlignmentFlag.AlignLeft,
            fm_small.elidedText(params_summary(record), Qt.TextElideMode.ElideRight, width),
        )
        y += fm_small.lineSpacing() + 2
        # State line: coloured state, then server status / note, elapsed on the right.
        state = record.state
        label = state_label(state, record.late_result)
        painter.setFont(bold)
        painter.setPen(text_colour if selected else STATE_COLOURS.get(state, text_colour))
        painter.drawText(QRect(x, y, width, fm_bold.height()), Qt.AlignmentFlag.AlignLeft, label)
        label_w = fm_bold.horizontalAdvance(label + "  ")
        elapsed = format_elapsed(record.elapsed)
        painter.setFont(small)
        painter.setPen(muted)
        elapsed_w = fm_small.horizontalAdvance(elapsed + " ")
        if elapsed:
            painter.drawText(
                QRect(x, y, width, fm_small.height()), Qt.AlignmentFlag.AlignRight, elapsed
            )
        note = record.detail or ""
        if record.server_status and state not in FINAL_STATES:
            note = f"{note} · {record.server_status}" if note else record.server_status
        if note:
            painter.drawText(
                QRect(x + label_w, y + 1, max(0, width - label_w - elapsed_w), fm_small.height()),
                Qt.AlignmentFlag.AlignLeft,
                fm_small.elidedText(
                    note, Qt.TextElideMode.ElideRight, max(0, width - label_w - elapsed_w)
                ),
            )
        y += fm_bold.lineSpacing() + 2
        if record.error:
            painter.setPen(text_colour if selected else STATE_COLOURS[JobState.failed])
            for line in wrap_lines(record.error, fm_small, width, ERROR_LINES):
                painter.drawText(
                    QRect(x, y, width, fm_small.height()), Qt.AlignmentFlag.AlignLeft, line
                )
                y += fm_small.lineSpacing()
        painter.restore()


class TaskListView(QListView):
    """Drags a finished job's image out as a file."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        give_own_viewport(self)
        self.placeholder = ""

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


class TaskList(QWidget):
    open_requested = Signal(str)  # job key
    message = Signal(str)

    def __init__(self, runner: JobRunner, model: TaskModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("taskPanel")
        self._runner = runner
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view = TaskListView(self)
        self.view.setObjectName("taskList")
        self.view.setModel(model)
        self.delegate = TaskDelegate(self.view)
        self.delegate.action.connect(self.on_row_action)
        self.view.setItemDelegate(self.delegate)
        self.view.setMouseTracking(True)  # hover buttons follow the mouse
        self.view.setUniformItemSizes(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Rows elide their text to the width the dock has: never a sideways scroll bar.
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setToolTip("")
        self.view.customContextMenuRequested.connect(self.on_context_menu)
        self.view.doubleClicked.connect(self.on_double_clicked)
        self.view.placeholder = self.tr(
            "Jobs appear here while they run. Several can run at once; each can be cancelled or retried."
        )
        layout.addWidget(self.view, 1)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 4)
        self.cancel_button = self._button(
            self.tr("Cancel"), "taskCancelButton", self.tr("Cancel the selected jobs")
        )
        self.retry_button = self._button(
            self.tr("Retry"),
            "taskRetryButton",
            self.tr(
                "Run the selected jobs again with the same inputs: a new task, billed again "
                "(a failed task can be checked again from its menu at no cost)"
            ),
        )
        self.open_button = self._button(
            self.tr("Open"), "taskOpenButton", self.tr("Show the result")
        )
        self.remove_button = self._button(
            self.tr("Remove"),
            "taskRemoveButton",
            self.tr("Remove finished jobs from this list (the images stay in the gallery)"),
        )
        for b in (self.cancel_button, self.retry_button, self.open_button, self.remove_button):
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.cancel_button.clicked.connect(self.on_cancel)
        self.retry_button.clicked.connect(self.on_retry)
        self.open_button.clicked.connect(self.on_open)
        self.remove_button.clicked.connect(self.on_remove)
        self.view.selectionModel().selectionChanged.connect(self.on_selection_changed)
        model.dataChanged.connect(self.on_selection_changed)
        self.on_selection_changed()

    def _button(self, text: str, name: str, tip: str) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.setAutoRaise(False)
        return b

    def selected_records(self) -> list[JobRecord]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedIndexes()})
        return [r for r in (self._model.record_at(row) for row in rows) if r is not None]

    @Slot()
    def on_selection_changed(self, *args: object) -> None:
        records = self.selected_records()
        self.cancel_button.setEnabled(any(r.state not in FINAL_STATES for r in records))
        self.retry_button.setEnabled(any(r.state in RETRYABLE for r in records))
        self.open_button.setEnabled(
            len(records) == 1 and bool(records[0].paths or records[0].preview)
        )
        self.remove_button.setEnabled(any(r.state in FINAL_STATES for r in records))

    @Slot(str, str)
    def on_row_action(self, key: str, name: str) -> None:
        record = self._runner.record(key)
        if record is None:
            return
        if name == "cancel":
            self._runner.cancel(key)
        elif name == "check":
            self._runner.check_again(key)
        elif name == "retry":
            self._runner.retry(key)
        elif name == "reveal" and record.paths:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(record.paths[0]).parent)))

    @Slot()
    def on_cancel(self) -> None:
        for r in self.selected_records():
            self._runner.cancel(r.key)

    @Slot()
    def on_retry(self) -> None:
        for r in self.selected_records():
            self._runner.retry(r.key)

    @Slot()
    def on_open(self) -> None:
        records = self.selected_records()
        if records:
            self.open_requested.emit(records[0].key)

    @Slot()
    def on_remove(self) -> None:
        for r in self.selected_records():
            self._runner.remove(r.key)

    @Slot(QModelIndex)
    def on_double_clicked(self, index: QModelIndex) -> None:
        key = self._model.key_at(index.row())
        if key:
            self.open_requested.emit(key)

    @Slot("QPoint")
    def on_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        record = self._model.record_at(index.row()) if index.isValid() else None
        if record is None:
            return
        if not self.view.selectionModel().isSelected(index):
            self.view.setCurrentIndex(index)
        self.context_menu(record).exec(self.view.viewport().mapToGlobal(pos))

    def context_menu(self, record: JobRecord) -> QMenu:
        """The row's menu: checking the same task again comes before a retry that bills again."""
        menu = QMenu(self)
        key = record.key
        if record.paths or record.preview is not None:
            menu.addAction(self.tr("Open"), lambda: self.open_requested.emit(key))
        if record.paths:
            path = record.paths[0]
            menu.addAction(
                self.tr("Open in the default viewer"),
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(path)),
            )
            menu.addAction(
                self.tr("Reveal in folder"),
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent))),
            )
        if record.state not in FINAL_STATES:
            menu.addAction(self.tr("Cancel"), lambda: self._runner.cancel(key))
        if can_check_again(record) and not record.late_result:
            menu.addAction(self.tr("Check the server again"), lambda: self._runner.check_again(key))
        if record.state in RETRYABLE:
            menu.addAction(self.tr("Retry (billed again)"), lambda: self._runner.retry(key))
        if record.unsaved is not None:
            menu.addAction(self.tr("Save again"), lambda: self._runner.save_again(key))
        if record.error:
            error = record.error
            menu.addAction(self.tr("Copy the error message"), lambda: _copy_text(error))
        if record.raw:
            raw = record.raw
            menu.addAction(self.tr("Copy the server's answer"), lambda: _copy_text(raw))
        if record.task_id:
            task_id = record.task_id
            menu.addAction(self.tr("Copy the task id"), lambda: _copy_text(task_id))
        if record.state in FINAL_STATES:
            menu.addSeparator()
            menu.addAction(self.tr("Remove from list"), lambda: self._runner.remove(key))
        return menu


def _copy_text(text: str) -> None:
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText(text)
