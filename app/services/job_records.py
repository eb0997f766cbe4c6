"""What the GUI knows about one job (JobRecord), and how each pipeline event changes it.

Only the runner, on the GUI thread, calls `apply_event`; the task model and the widgets read
records. The sentences come from the one table (app.core.sentences), translated here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage, QPixmap

from app.core import sentences
from app.core.api.cancel import CancelToken
from app.core.job_events import (
    Cancelled,
    Failed,
    Interrupted,
    JobEvent,
    JobSpec,
    Journaled,
    Landed,
    Preview,
    Resumed,
    ServerStatus,
    Started,
    TaskCreated,
    Waiting,
)
from app.core.jobs import can_check_again as _checkable
from app.core.key_colour import refused_transparency
from app.core.library import JobState

if TYPE_CHECKING:
    from app.services.background import Task

FINAL_STATES = frozenset(
    {JobState.completed, JobState.failed, JobState.cancelled, JobState.interrupted}
)
RETRYABLE = frozenset({JobState.failed, JobState.cancelled, JobState.interrupted})


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def error_sentence(exc: BaseException, *, settings: bool = False) -> str:
    """One translated sentence for the user, with the server's own words when it gave any
    (`settings`: the Settings dialog's own words, see sentences.error_sentence)."""
    return sentences.error_sentence(exc, translate, settings=settings)


def note(name: str) -> str:
    return sentences.job_note(name, translate)


def can_check_again(record: JobRecord) -> bool:
    """A failed, cancelled or interrupted async job with a task id: polling the same task once
    more may land its (already paid) picture; nothing new is created."""
    if not record.final or record.state == JobState.completed or record.job_id is None:
        return False
    kind = record.error_kind if record.state == JobState.failed else None
    return _checkable(record.flavour, record.task_id, kind)


@dataclass
class JobRecord:
    """What the GUI knows about one job; only the runner (GUI thread) changes it."""

    key: str
    prompt: str
    params: dict[str, Any]
    flavour: str
    is_edit: bool = False
    state: JobState = JobState.queued
    detail: str | None = None  # a short note: "waiting for the network", "cancelling…"
    offline: bool = False  # waiting because the server could not be reached at all
    retry_at: float | None = None  # offline: when the server is tried again (wall clock)
    needs_key: bool = False  # waiting for a real API key (a task on a real server)
    transparency_refused: bool = False  # the server refused native transparency: cut out
    typical: float | None = None  # seconds jobs like this usually take here (timing.py)
    server_status: str | None = None
    error: str | None = None
    error_kind: str | None = None
    raw: str | None = (
        None  # the server's answer the reader could not use: "Copy the server's answer"
    )
    base_url: str | None = None  # a journaled job's server (history rows): checked again there
    struggling: bool = False  # detail shows why polls are not getting through
    created: float = field(default_factory=time.time)
    started: float | None = None  # wall clock, for the ticking elapsed time
    finished: float | None = None
    job_id: Any = None  # the library's journal id
    task_id: str | None = None
    item_ids: list[int] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    raw_paths: list[str | None] = field(default_factory=list)
    thumbnail: QPixmap | None = None
    # The result scaled to the result view (made on its worker); `size` is the file's own.
    preview: QImage | None = None
    # The latest streamed partial picture while the job runs (shown, never saved); its
    # thumbnail stands in the row until the result's replaces it.
    live_preview: bytes | None = None
    size: tuple[int, int] | None = None
    # revised prompt, usage, returned size/quality/format
    info: dict[str, Any] = field(default_factory=dict)
    late_result: bool = False  # the result arrived after cancel (saved and marked)
    unsaved: Any = None  # (ImageResult, composited) the library could not write: "Save again"
    spec: JobSpec | None = None
    cancel: CancelToken = field(default_factory=CancelToken)
    task: Task | None = None  # the background task running it, while it may still be queued

    @property
    def elapsed(self) -> float | None:
        if self.started is None:
            return None
        end = self.finished if self.finished is not None else time.time()
        return max(0.0, end - self.started)

    @property
    def offer(self) -> str | None:
        """The one fix a row offers in words: "settings" (the key) or "cutout"."""
        if (self.state == JobState.failed and sentences.key_problem(self.error_kind)) or (
            self.state == JobState.waiting and self.needs_key
        ):
            return "settings"
        if self.state == JobState.failed and self.transparency_refused:
            return "cutout"
        return None

    @property
    def retry_in(self) -> float | None:
        """Seconds until an offline job tries the server again (None: not offline)."""
        if not self.offline or self.final or self.retry_at is None:
            return None
        return max(0.0, self.retry_at - time.time())

    @property
    def contract_state(self) -> str:
        """The state under the contract's six names (a plain str): a waiting job is queued."""
        return str(JobState.queued if self.state == JobState.waiting else self.state)

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    def finish(self, state: JobState) -> None:
        self.state = state
        self.detail = None
        self.struggling = False
        self.offline = self.needs_key = False
        self.retry_at = None
        self.finished = time.time()


def apply_event(
    record: JobRecord,
    event: JobEvent,
    pictures: tuple[QImage | None, QImage | None] | None,
    endpoint_reason: str,
) -> None:
    """Change `record` as `event` says. `pictures` are the thumbnail and preview the worker
    decoded for a Landed event; `endpoint_reason` is what a job waiting for an endpoint shows."""
    match event:
        case Started(at):
            record.state, record.started, record.detail = JobState.running, at, None
        case Waiting("offline", _, retry_in):
            record.state, record.offline, record.detail = JobState.waiting, True, note("network")
            record.retry_at = None if retry_in is None else time.time() + retry_in
        case Waiting(_, needs_real_key):
            record.state, record.needs_key = JobState.waiting, needs_real_key
            record.detail = note("key") if needs_real_key else endpoint_reason
        case Resumed(reason):
            record.state, record.detail, record.needs_key = JobState.running, None, False
            if reason == "offline":
                record.offline, record.retry_at = False, None
        case Journaled(job_id):
            record.job_id = job_id
        case TaskCreated(task_id):
            record.task_id, record.server_status = task_id, "submitted"
        case ServerStatus(status, _, _, _, True, retry_in):
            # Polls or a send cannot reach the server: the row says Offline while it lasts.
            record.server_status, record.offline = status, True
            record.retry_at = None if retry_in is None else time.time() + retry_in
        case ServerStatus(_, "waiting", _, message) if message:
            # Polls meet answers that cannot be used: say so while it lasts.
            record.detail, record.struggling = sentences.waiting_note(message, translate), True
            record.offline, record.retry_at = False, None  # reached, but it does not help yet
        case ServerStatus(status):
            record.server_status = status
            if record.state == JobState.running:
                record.offline, record.retry_at = False, None  # an answer got through
            if record.struggling:  # an answer got through: the note has had its day
                record.detail, record.struggling = None, False
        case Preview():
            if not record.final:
                record.live_preview = event.data
                if not record.cancel.cancelled:  # "cancelling…" stays until the job ends
                    record.detail = sentences.preview_note(event.index, translate)
                    record.server_status = None  # "sending" is long past: the picture comes
                if pictures is not None and pictures[0] is not None:
                    record.thumbnail = QPixmap.fromImage(pictures[0])
        case Landed():
            _landed(record, event, pictures)
        case Failed():
            _failed(record, event)
        case Cancelled():
            record.finish(JobState.cancelled)
        case Interrupted():
            record.finish(JobState.interrupted)
    if record.final and record.live_preview is not None:
        # A preview is no result: a job that ends without one shows none.
        record.live_preview = None
        if not record.paths:
            record.thumbnail = None


def _landed(
    record: JobRecord, event: Landed, pictures: tuple[QImage | None, QImage | None] | None
) -> None:
    thumb, full = pictures or (None, None)
    record.late_result = event.late
    record.item_ids = [item.id for item in event.items]
    first = event.items[0] if event.items else None
    record.size = (first.width, first.height) if first and first.width and first.height else None
    record.paths = event.paths
    record.raw_paths = event.raw_paths
    record.info = event.info
    if thumb is not None:
        record.thumbnail = QPixmap.fromImage(thumb)  # QPixmap only here, on the GUI thread
    record.preview = full
    record.unsaved = None
    record.error = None
    record.server_status = "completed"
    record.finish(JobState.cancelled if event.late else JobState.completed)


def _failed(record: JobRecord, event: Failed) -> None:
    if event.kind == "save" and isinstance(event.error, OSError):
        record.error = sentences.save_failed_sentence(event.error, translate)
        record.unsaved = event.unsaved
        record.info = event.info
    else:
        record.error = error_sentence(event.error)
    words = " ".join(w for w in (getattr(event.error, "detail", None), event.message) if w)
    record.transparency_refused = refused_transparency(
        record.params.get("background"), event.kind, words
    )
    record.error_kind = event.kind
    record.raw = event.raw
    record.task_id = record.task_id or event.task_id
    record.finish(JobState.failed)
    if can_check_again(record):
        record.error = f"{record.error} {sentences.check_again_note(translate)}"
