"""What a task row says and shows, apart from how it is painted (app.ui.task_list): the state
and the server's status in words, the offline countdown, the offers a failed row makes
("Open settings", "Cut out instead"), the one hover action, and the app's own icons.
Strings keep the TaskList translation context."""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter

from app.core.library import JobState
from app.services.job_records import FINAL_STATES, RETRYABLE, JobRecord, can_check_again
from app.ui import icons, words

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls

THUMB = 64
PAD = 8
ICON = 16  # the hover button's and the offer's icon
PLACEHOLDER = 28  # the icon in the thumbnail's place until the result arrives
BAR = 3  # the thin progress bar's height

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


def status_text(status: str | None) -> str:
    """The server's status (async tasks) or the job's step, in the reader's words."""
    if not status:
        return ""
    server = {
        "submitted": translate("TaskList", "submitted"),
        "pending": translate("TaskList", "pending"),
        "ready": translate("TaskList", "ready"),
        "assigned": translate("TaskList", "assigned"),
        "processing": translate("TaskList", "processing"),
        "queued": translate("TaskList", "queued"),
        "running": translate("TaskList", "running"),
        "in_progress": translate("TaskList", "in progress"),
    }
    if status in server:
        return translate("TaskList", "server: {0}").format(server[status])
    steps = {
        "sending": translate("TaskList", "sending…"),
        "retrying": translate("TaskList", "retrying…"),
        "waiting": translate("TaskList", "waiting for an answer…"),
        "downloading": translate("TaskList", "downloading…"),
        "decoding": translate("TaskList", "reading the picture…"),
        "compositing": translate("TaskList", "pasting back…"),
        "cutting out": translate("TaskList", "cutting out…"),
        "completed": translate("TaskList", "completed"),
    }
    return steps.get(status, status)


def offline_text(record: JobRecord) -> str:
    """ "retrying in 20 s" while an offline job counts down to its next try."""
    wait = record.retry_in
    if wait is None or wait < 0.5:
        return QCoreApplication.translate("TaskList", "trying again…")
    seconds = math.ceil(wait)  # a plain name: lupdate skips the call when n is an expression
    return QCoreApplication.translate("TaskList", "retrying in %n s", "", seconds)


def row_note(record: JobRecord) -> str:
    """What the state line says after the state: why it waits, or the server's status."""
    if record.final:
        return ""
    if record.offline:
        return offline_text(record)
    status = status_text(record.server_status)
    return " · ".join(part for part in (record.detail, status) if part)


def offer_label(offer: str) -> str:
    return {
        "settings": QCoreApplication.translate("TaskList", "Open settings"),
        "cutout": QCoreApplication.translate("TaskList", "Cut out instead"),
    }[offer]


def offer_tip(offer: str) -> str:
    return {
        "settings": QCoreApplication.translate(
            "TaskList", "Open the settings at the API key, to paste or check it"
        ),
        "cutout": QCoreApplication.translate(
            "TaskList",
            "This model refuses transparent backgrounds: ask for the picture on a flat colour "
            "and remove that colour here (a new job)",
        ),
    }[offer]


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
    if p.get("cutout_key") is not None:
        parts.append(QCoreApplication.translate("TaskList", "cut out"))
    elif p.get("background") == "transparent":
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


def offer_rect(option_rect: QRect, fm: QFontMetrics, offer: str) -> QRect:
    """The offer's button at the row's bottom right (sizeHint keeps room for it)."""
    width = ICON + 3 * PAD // 2 + fm.horizontalAdvance(offer_label(offer))
    height = max(BUTTON, fm.height() + 6)
    return QRect(
        option_rect.right() - PAD - width, option_rect.bottom() - PAD - height + 1, width, height
    )


def draw_icon(painter: QPainter, rect: QRect, name: str, colour: QColor, size: int = ICON) -> None:
    """One of the app's SVG icons, centred in `rect`, sharp at the screen's scale."""
    side = min(size, rect.width(), rect.height())
    scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    pm = icons.pixmap(name, side, colour, scale)
    target = QRect(0, 0, side, side)
    target.moveCenter(rect.center())
    painter.drawPixmap(target, pm)
