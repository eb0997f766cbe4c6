"""Landing the journal at start: jobs an earlier run (the window's or the command line's) left.

An async task with an id is polled again, never created again; a job that never reached the
server is sent; the rest are shown as interrupted (retry sends them again, and bills again).
The latest finished jobs are listed too, with their thumbnails. The reading runs on the
Background helper; the runner's public API (resume, add_history, record) does the rest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtGui import QImage

from app.core.api.errors import ApiError, ErrorKind
from app.core.library import JobState
from app.core.settings import Settings
from app.services.background import Background
from app.services.runner import (
    JobRunner,
    error_sentence,
    is_loopback,
    make_thumbnail,
)

log = logging.getLogger(__name__)

HISTORY_ROWS = 30  # finished jobs from earlier runs shown in the task list
# A job that failed on our side of the wire (answers unreadable, a download, our deadline)
# while its task may have finished is checked once more at start, if it is this recent.
RECHECK_WITHIN = 24 * 3600.0
OUR_SIDE = frozenset({"malformed", "network", "timeout", "deadline", "not_found", "server"})
SHOWN_STATES = (JobState.completed, JobState.failed, JobState.cancelled, JobState.interrupted)


@dataclass(frozen=True)
class JournalRead:
    unfinished: list[Any]  # Library jobs whose owner process is gone, now ours
    recent: list[Any]  # the latest finished ones
    items: dict[int, Any]  # the first item of each recent job, by id
    elsewhere: int = 0  # unfinished jobs another live process (the command line) still runs
    recheck: frozenset[str] = frozenset()  # failed jobs to check on the server once more


def read_journal(library: Any, before: float) -> JournalRead:
    """Worker thread: take over the unfinished jobs whose process is gone (a job another live
    process runs is left to it), and read the recent ones created before `before`."""
    unfinished = library.claim_orphans()
    unfinished_ids = {j.job_id for j in unfinished}
    recent = [
        j
        for j in library.recent_jobs(limit=HISTORY_ROWS)
        if j.job_id not in unfinished_ids and j.created_at < before
    ]
    item_ids = [j.item_ids[0] for j in recent if j.item_ids]
    items = library.items(item_ids) if item_ids else {}
    # Taken over first, so two windows starting together never both check one task.
    recheck = frozenset(
        j.job_id for j in recent if worth_checking_again(j) and library.claim_job(j.job_id)
    )
    return JournalRead(unfinished, recent, items, len(library.jobs_running_elsewhere()), recheck)


def worth_checking_again(job: Any) -> bool:
    """A failure on our side of the wire with a task that may be alive (and paid for)."""
    return (
        job.state == JobState.failed
        and bool(job.task_id)
        and not job.item_ids
        and job.error_kind in OUR_SIDE
        and time.time() - (job.finished_at or job.created_at) < RECHECK_WITHIN
    )


def mark_interrupted(library: Any, job_ids: list[Any]) -> None:
    for job_id in job_ids:
        library.update_job(job_id, state="interrupted")


def history_thumbnails(wanted: list[tuple[str, str, Path | None]]) -> list[tuple[str, QImage]]:
    """Worker thread: (record key, thumbnail) for each (key, picture, cached thumbnail)."""
    out = []
    for key, path, cached in wanted:
        # The gallery's thumbnail cache is a small JPEG: far cheaper than decoding the picture.
        if cached is not None and cached.exists():
            image = QImage(str(cached))
            if not image.isNull():
                out.append((key, image))
                continue
        thumb, _full = make_thumbnail(path)
        if thumb is not None:
            out.append((key, thumb))
    return out


def journal_error(job: Any) -> str | None:
    """The user's sentence for a journaled failure (its kind and the server's words)."""
    if job.state != JobState.failed:
        return None
    try:
        return error_sentence(ApiError(ErrorKind(job.error_kind), job.error_message or ""))
    except ValueError:
        return job.error_message


class JournalResume(QObject):
    """Reads the journal once at start and hands its jobs to the runner."""

    message = Signal(str)  # a sentence for the status bar
    done = Signal()

    def __init__(
        self,
        library: Any,
        runner: JobRunner,
        background: Background,
        *,
        base_url: Callable[[], str],  # where new jobs go: a demo job's own server is gone
        settings: Settings,  # keep_unmasked and feather for resumed edits
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.runner = runner
        self.background = background
        self._base_url = base_url
        self._settings = settings

    def start(self) -> None:
        self.background.submit(
            read_journal,
            self.library,
            time.time(),
            on_done=self.on_read,
            on_error=lambda e: log.error("could not read the journal: %r", e),
        )

    @Slot(object)
    def on_read(self, read: JournalRead) -> None:
        rechecked = 0
        for job in reversed(read.recent):
            if job.state in SHOWN_STATES:
                key = self._add_history(job, read.items)
                if job.job_id in read.recheck and self.runner.check_again(key):
                    rechecked += 1
        interrupted = self._resume(read.unfinished)
        if interrupted:
            self.background.submit(mark_interrupted, self.library, interrupted)
        wanted = [
            (r.key, r.paths[0], self.library.thumbnail_path(r.item_ids[0]) if r.item_ids else None)
            for r in self.runner.records()
            if r.paths and r.thumbnail is None
        ]
        if wanted:
            self.background.submit(history_thumbnails, wanted, on_done=self.on_thumbnails)
        resumed = sum(1 for j in read.unfinished if j.job_id not in interrupted)
        if resumed:
            self.message.emit(
                QCoreApplication.translate(
                    "MainWindow", "Resuming %n unfinished task(s) from last time", "", resumed
                )
            )
        if rechecked:
            self.message.emit(
                QCoreApplication.translate(
                    "MainWindow",
                    "Checking %n task(s) that failed last time on the server again (no new task)",
                    "",
                    rechecked,
                )
            )
        elsewhere = read.elsewhere  # a plain name: lupdate skips a plural counted by an expression
        if elsewhere:
            self.message.emit(
                QCoreApplication.translate(
                    "MainWindow",
                    "%n job(s) still running in another window or on the command line; they land in the gallery when done",
                    "",
                    elsewhere,
                )
            )
        self.done.emit()

    def _add_history(self, job: Any, items: dict[int, Any]) -> str:
        item = items.get(job.item_ids[0]) if job.item_ids else None
        paths = [str(item.path)] if item is not None else []
        key = self.runner.add_history(job, str(job.state), error=journal_error(job), paths=paths)
        record = self.runner.record(key)
        if record is None or item is None:
            return key
        record.info = {
            "revised_prompt": item.revised_prompt,
            "size": item.size_returned,
            "quality": item.quality_returned,
            "format": item.format,
            "text_input_tokens": item.text_input_tokens,
            "image_input_tokens": item.image_input_tokens,
            "output_tokens": item.output_tokens,
            "input_tokens": item.input_tokens,
        }
        record.late_result = bool(item.cancelled)
        record.raw_paths = [str(item.raw_path) if item.raw_path else None]
        record.is_edit = record.is_edit or item.is_edit
        return key

    def _resume(self, unfinished: list[Any]) -> list[Any]:
        """Resume what can be; list the rest as interrupted. Returns their job ids."""
        interrupted = []
        base_url = self._base_url()
        for job in unfinished:
            own_demo_gone = is_loopback(job.base_url) and job.base_url.rstrip("/") != base_url
            # A job journaled as "waiting" never reached the server (no network): sending it now
            # cannot bill twice. An async task with an id is polled, never created again.
            never_sent = job.state == JobState.waiting and not job.task_id
            if (job.resumable or never_sent) and not own_demo_gone:
                self.runner.resume(
                    job, keep_unmasked=self._settings.keep_unmasked, feather=self._settings.feather
                )
            else:
                interrupted.append(job.job_id)
                self.runner.add_history(
                    job,
                    JobState.interrupted,
                    error=QCoreApplication.translate(
                        "MainWindow",
                        "Interrupted when the app last closed. Retry runs it again (and is billed again).",
                    ),
                )
        return interrupted

    @Slot(object)
    def on_thumbnails(self, thumbs: list[tuple[str, QImage]]) -> None:
        for key, image in thumbs:
            self.runner.set_thumbnail(key, image)
