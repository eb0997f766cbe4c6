"""The task list: one row per job with thumbnail, prompt start, main parameters, state, server
status, ticking elapsed time (against the typical time, with a bar, once this library knows
it) and the error sentence. A row that failed for a reason with a known fix offers it in
words ("Open settings", "Cut out instead"); per-row actions in the context menu and in the
buttons under the list; double-click opens the result. Icons are the app's own SVGs."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.core.library import JobState
from app.services.job_records import FINAL_STATES, RETRYABLE, JobRecord, can_check_again
from app.services.runner import JobRunner
from app.services.task_model import Roles, TaskModel, format_estimate, job_progress
from app.ui import icons, open_path
from app.ui.task_row import (
    BAR,
    BUTTON,
    ERROR_LINES,
    ICON,
    PAD,
    PLACEHOLDER,
    STATE_COLOURS,
    THUMB,
    draw_icon,
    hover_action,
    offer_label,
    offer_rect,
    offer_tip,
    params_summary,
    row_note,
    state_label,
    wrap_lines,
)
from app.ui.task_view import TaskListView
from app.ui.widgets import qstyle


class _Fonts(NamedTuple):
    bold: QFont
    small: QFont
    fm_bold: QFontMetrics
    fm_small: QFontMetrics
    fm_plain: QFontMetrics


class TaskDelegate(QStyledItemDelegate):
    # job key, "cancel" / "check" / "retry" / "reveal", or an offer: "settings" / "cutout"
    action = Signal(str, str)

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
            point = event.position().toPoint()
            if record is not None and name and self.button_rect(option.rect).contains(point):
                self.action.emit(record.key, name)
                return True
            offer = record.offer if record is not None else None
            if offer and offer_rect(option.rect, self._fonts(option).fm_small, offer).contains(
                point
            ):
                self.action.emit(record.key, offer)  # type: ignore[union-attr]
                return True
        return super().editorEvent(event, model, option, index)

    def helpEvent(  # noqa: N802
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        offer = index.data(Roles.Offer)
        if offer and offer_rect(option.rect, self._fonts(option).fm_small, offer).contains(
            event.pos()
        ):
            QToolTip.showText(event.globalPos(), offer_tip(offer), view)
            return True
        return super().helpEvent(event, view, option, index)

    def _paint_button(
        self, painter: QPainter, option: QStyleOptionViewItem, record: JobRecord
    ) -> int:
        """Draws the hover button; returns the width it takes from the prompt line."""
        name = hover_action(record)
        if name is None or not option.state & qstyle().StateFlag.State_MouseOver:
            return 0
        rect = self.button_rect(option.rect)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(option.palette.color(QPalette.ColorRole.Button))
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 4, 4)
        draw_icon(painter, rect, name, option.palette.color(QPalette.ColorRole.ButtonText))
        painter.restore()
        return BUTTON + PAD // 2

    def _paint_offer(
        self, painter: QPainter, option: QStyleOptionViewItem, offer: str, fm: QFontMetrics
    ) -> None:
        """The fix a failed row offers, always visible: icon and words on a button."""
        rect = offer_rect(option.rect, fm, offer)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(option.palette.color(QPalette.ColorRole.Button))
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 4, 4)
        ink = option.palette.color(QPalette.ColorRole.ButtonText)
        draw_icon(
            painter, QRect(rect.left() + PAD // 2, rect.top(), ICON, rect.height()), offer, ink
        )
        painter.setPen(ink)
        painter.drawText(
            rect.adjusted(ICON + PAD, 0, -PAD // 2, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            offer_label(offer),
        )
        painter.restore()

    def warm_up(self, font: QFont) -> None:
        """Build now what the first painted row needs: QStyle's Python type with its enums
        (~4 ms) and the placeholder icons. Called once the window is idle, so the first
        job's row does not pay it in the frame after the click."""
        qstyle()
        for name in ("image", "edit"):
            icons.pixmap(name, PLACEHOLDER, QColor("#7a7f87"))

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
        if index.data(Roles.Offer):
            extra += max(BUTTON, fonts.fm_small.height() + 6) + PAD // 2
        height = max(
            THUMB + 2 * PAD, lines * fonts.fm_plain.lineSpacing() + 2 * PAD + extra + BAR + 4
        )
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
            placeholder = QRect(0, 0, PLACEHOLDER, PLACEHOLDER)
            placeholder.moveCenter(thumb_rect.center())
            draw_icon(
                painter, placeholder, "edit" if record.is_edit else "image", muted, PLACEHOLDER
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
        # Parameters, and on the right the elapsed time ("of about" the typical one): the
        # state line below keeps its width for why a job waits and the server's status.
        painter.setFont(small)
        painter.setPen(muted)
        elapsed = format_estimate(record)
        elapsed_w = fm_small.horizontalAdvance(elapsed + "  ") if elapsed else 0
        if elapsed:
            painter.drawText(
                QRect(x, y, width, fm_small.height()), Qt.AlignmentFlag.AlignRight, elapsed
            )
        painter.drawText(
            QRect(x, y, max(0, width - elapsed_w), fm_small.height()),
            Qt.AlignmentFlag.AlignLeft,
            fm_small.elidedText(
                params_summary(record), Qt.TextElideMode.ElideRight, max(0, width - elapsed_w)
            ),
        )
        y += fm_small.lineSpacing() + 2
        # State line: coloured state (Offline while the server cannot be reached), then why
        # it waits or the server's status.
        state = record.state
        offline = record.offline and not record.final
        label = (
            QCoreApplication.translate("TaskList", "Offline")
            if offline
            else state_label(state, record.late_result)
        )
        colour = STATE_COLOURS[JobState.waiting] if offline else STATE_COLOURS.get(state)
        painter.setFont(bold)
        painter.setPen(text_colour if selected or colour is None else colour)
        painter.drawText(QRect(x, y, width, fm_bold.height()), Qt.AlignmentFlag.AlignLeft, label)
        label_w = fm_bold.horizontalAdvance(label + " ")
        note = row_note(record)
        if note:
            painter.setFont(small)
            painter.setPen(muted)
            room = max(0, width - label_w)
            painter.drawText(
                QRect(x + label_w, y + 1, room, fm_small.height()),
                Qt.AlignmentFlag.AlignLeft,
                fm_small.elidedText(f"· {note}", Qt.TextElideMode.ElideRight, room),
            )
        y += fm_bold.lineSpacing() + 2
        done = job_progress(record)
        if done is not None:
            # A thin bar of elapsed against typical: never full before the result is there.
            track = QRect(x, y, width, BAR)
            painter.fillRect(track, option.palette.color(QPalette.ColorRole.Midlight))
            painter.fillRect(QRect(x, y, round(width * done), BAR), STATE_COLOURS[JobState.running])
        y += BAR + 2
        painter.setFont(small)
        if record.error:
            painter.setPen(text_colour if selected else STATE_COLOURS[JobState.failed])
            for line in wrap_lines(record.error, fm_small, width, ERROR_LINES):
                painter.drawText(
                    QRect(x, y, width, fm_small.height()), Qt.AlignmentFlag.AlignLeft, line
                )
                y += fm_small.lineSpacing()
        if record.offer:
            self._paint_offer(painter, option, record.offer, fm_small)
        painter.restore()


class TaskList(QWidget):
    open_requested = Signal(str)  # job key
    settings_requested = Signal()  # a row's "Open settings": the key needs fixing
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
            open_path.reveal(self, record.paths[0])
        elif name == "settings":
            self.settings_requested.emit()
        elif name == "cutout":
            self._runner.retry(key, cut_out=True)

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
        if record.offer == "settings":
            menu.addAction(offer_label("settings"), self.settings_requested.emit)
        elif record.offer == "cutout":
            menu.addAction(offer_label("cutout"), lambda: self._runner.retry(key, cut_out=True))
        if record.paths or record.preview is not None:
            menu.addAction(self.tr("Open"), lambda: self.open_requested.emit(key))
        if record.paths:
            path = record.paths[0]
            menu.addAction(
                self.tr("Open in the default viewer"),
                lambda: open_path.open_file(self, path),
            )
            menu.addAction(
                self.tr("Reveal in folder"),
                lambda: open_path.reveal(self, path),
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
