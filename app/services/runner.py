"""The job runner: one long-lived QObject on the GUI thread that runs jobs in the background,
owns the shared HTTP client and every job's cancel flag.

A job is app.core.jobs.run_job (the one pipeline, shared with the command line) on a
Background worker. Its typed events come back on the GUI thread, where the runner applies
them to plain records (app.services.job_records) and tells the world through `job_added` /
`job_changed` / `job_removed`; widgets listen to the TaskModel built on top, never to workers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from app.core import jobs
from app.core.api.cancel import CancelToken
from app.core.api.models import ImageRequest
from app.core.job_events import Endpoint, JobSpec, Journaled, Landed, Preview
from app.core.jobs import NETWORK_PROBE_INTERVAL, cannot_connect, is_loopback, probe
from app.core.key_colour import as_cutout, refused_transparency
from app.core.library import JobState
from app.core.library.timing import Timings, timing_key
from app.services.background import Background
from app.services.job_records import (
    FINAL_STATES,
    RETRYABLE,
    JobRecord,
    apply_event,
    can_check_again,
    error_sentence,
    note,
)
from app.services.job_worker import (
    DEFAULT_PREVIEW_FIT,
    EndpointBox,
    Pictures,
    make_thumbnail,
    run_in_worker,
    save_in_worker,
)

if TYPE_CHECKING:
    from app.core.api.client import MountseaClient
    from app.core.library import Library
    from app.core.settings import StreamChoice

log = logging.getLogger(__name__)

__all__ = [  # what other files import from here
    "FINAL_STATES",
    "Endpoint",
    "EndpointBox",
    "JobRecord",
    "JobRunner",
    "JobSpec",
    "cannot_connect",
    "error_sentence",
    "is_loopback",
    "make_thumbnail",
    "probe",
]

FRAME_MS = 16  # one frame at 60 Hz: how often a job's row may change
KEEP_PREVIEWS = 6  # full-size previews kept in memory; older ones are reloaded from disk


def _new_id() -> str:
    import uuid  # here, not at import: start-up does not need it (~2 ms)

    return uuid.uuid4().hex


class JobRunner(QObject):
    job_added = Signal(str)
    job_changed = Signal(str)
    job_removed = Signal(str)
    job_finished = Signal(str)  # reached completed / failed / cancelled / interrupted
    preview_ready = Signal(str, bytes)  # a running job's latest streamed partial picture
    endpoint_needed = (
        Signal()
    )  # a job starts and no server is known yet (demo: start the simulator)

    def __init__(
        self,
        library: Library,
        *,
        concurrency: int = 4,
        client_options: dict[str, Any] | None = None,
        http_factory: Callable[[], Any] | None = None,
        probe_interval: float = NETWORK_PROBE_INTERVAL,
        background: Background | None = None,
        endpoints: EndpointBox | None = None,
        streaming: StreamChoice | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.probe_interval = probe_interval  # seconds between reachability checks while offline
        self.library = library
        self.endpoints = endpoints or EndpointBox()
        self.jobs = Background(concurrency, self)
        # Short work (saving a result again) never waits behind jobs; whoever made the
        # Background shuts it down (the composition root passes the app's own).
        self._owns_calls = background is None
        self.calls = background or Background(2, self)
        self._records: dict[str, JobRecord] = {}
        self._order: list[str] = []  # oldest first
        self._http: Any = None
        self._http_lock = threading.Lock()
        self._http_factory = http_factory
        self._client_options = client_options or {}
        self._streaming = streaming  # live previews for Compat calls (None: never streamed)
        self._shut = False
        self._stopping = threading.Event()  # set at shutdown: a cancel then is not the user's
        # How long jobs usually take (the rows' "of about" and bar): learned from the
        # library off the GUI thread when the first job starts (start-up does not pay for
        # it), then from every job that lands.
        self.timings = Timings()
        self._timings_asked = False
        # A row changes at most once a frame: a job's worker reports its first steps within a
        # millisecond or two (started, journaled, sending, task created), and 8 jobs made ~40
        # changes and 23 repaints of the list in the Generate click's first 120 ms, each a
        # row's repaint on the GUI thread. Changes within a frame are announced together.
        self._unannounced: dict[str, None] = {}  # keys changed since the last job_changed
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._on_frame)

        # What landed results are scaled to on their worker (the result view, device pixels);
        # workers read it, the GUI thread replaces it whole.
        self.preview_fit = DEFAULT_PREVIEW_FIT

    # -- shared resources --

    @property
    def pool(self) -> QThreadPool:
        """The jobs' threads (for counts in tests and the settings)."""
        return self.jobs.pool

    def http(self) -> Any:
        """The one shared httpx.Client, made on first use (importing httpx is not free)."""
        with self._http_lock:
            if self._http is None:
                if self._http_factory is not None:
                    self._http = self._http_factory()
                else:
                    from app.core.api.client import make_http_client

                    self._http = make_http_client()
            return self._http

    def _client(self, endpoint: Endpoint) -> MountseaClient:
        from app.core.api.client import MountseaClient

        extra = self._streaming.client_options(endpoint.base_url) if self._streaming else {}
        return MountseaClient(
            self.http(), endpoint.base_url, endpoint.api_key, **self._client_options, **extra
        )

    def _env(self) -> jobs.JobEnv:
        return jobs.JobEnv(
            library=self.library,
            client=self._client,
            endpoints=self.endpoints,
            probe_interval=self.probe_interval,
            stopping=self._stopping.is_set,
        )

    def _learn_timings(self) -> None:
        if self._timings_asked:
            return
        self._timings_asked = True
        self.calls.submit(
            self.library.timings, on_done=self.on_timings_loaded, on_error=self.on_timings_failed
        )

    def on_timings_failed(self, error: BaseException) -> None:
        # Only the estimate is missing: rows show the elapsed time alone.
        log.warning("could not learn the typical job times: %s", error)

    @Slot(object)
    def on_timings_loaded(self, timings: Timings) -> None:
        if not isinstance(timings, Timings):
            return
        self.timings = timings
        for record in self.records():
            if not record.final and record.job_id is not None:
                record.typical = timings.typical(self._timing_key(record))
                self._changed(record, was_final=False)

    def _timing_key(self, record: JobRecord) -> tuple[str, str, str, bool]:
        endpoint = self.endpoints.get()
        return timing_key(record.flavour, record.params, bool(endpoint and endpoint.demo))

    @Slot(int, int)
    def set_preview_fit(self, width: int, height: int) -> None:
        self.preview_fit = (max(1, width), max(1, height))

    def _preview_fit(self) -> tuple[int, int]:
        return self.preview_fit

    def set_concurrency(self, n: int) -> None:
        self.jobs.set_max_threads(n)

    # -- records --

    def record(self, key: str) -> JobRecord | None:
        return self._records.get(key)

    def keys(self) -> list[str]:
        return list(self._order)

    def records(self) -> list[JobRecord]:
        return [self._records[k] for k in self._order]

    def _add(self, record: JobRecord) -> None:
        self._records[record.key] = record
        self._order.append(record.key)
        self.job_added.emit(record.key)

    # -- starting jobs --

    def submit(
        self,
        request: ImageRequest,
        flavour: str,
        *,
        snapshot: Any = None,
        parent_item_id: int | None = None,
        keep_unmasked: bool = True,
        feather: int = 8,
    ) -> str:
        key = _new_id()
        spec = JobSpec(
            key=key,
            flavour=str(flavour),
            request=request,
            snapshot=snapshot,
            parent_item_id=parent_item_id,
            keep_unmasked=keep_unmasked,
            feather=feather,
        )
        record = JobRecord(
            key=key,
            prompt=request.prompt,
            params=request.parameters(),
            flavour=str(flavour),
            is_edit=snapshot is not None or request.is_edit,
            spec=spec,
        )
        self._add(record)
        self._start(record)
        return key

    def _start(self, record: JobRecord) -> None:
        if self._shut or record.spec is None:
            return
        record.cancel = CancelToken()
        self._learn_timings()
        key = record.key
        record.task = self.jobs.submit(
            run_in_worker,
            record.spec,
            self._env(),
            record.cancel,
            self._preview_fit,
            on_progress=lambda value: self._on_worker_event(key, value),
        )
        if self.endpoints.get() is None:
            self.endpoint_needed.emit()

    def cancel(self, key: str) -> None:
        record = self._records.get(key)
        if record is None or record.final:
            return
        record.cancel.cancel()
        if record.task is not None and self.jobs.take_back(record.task):
            # Never started: nothing was sent, nothing journaled.
            record.task = None
            record.finish(JobState.cancelled)
            self._changed(record, was_final=False)
        else:
            record.detail = note("cancelling")
            self._changed(record, was_final=False)

    def retry(self, key: str, *, cut_out: bool = False) -> str | None:
        """A new job with the same inputs (the journal's saved request when there is one).
        `cut_out`: by the cut-out route instead of native transparency, which the server
        refused (key_colour.as_cutout; the row offers it as "Cut out instead")."""
        old = self._records.get(key)
        if old is None or old.state not in RETRYABLE or (old.spec is None and old.job_id is None):
            return None
        new_key = _new_id()
        base = old.spec or JobSpec(key=new_key, flavour=old.flavour)
        spec = replace(
            base,
            key=new_key,
            retry_of=old.job_id,
            resume_job_id=None,
            resume_task_id=None,
            resume_base_url=None,
            as_cutout=cut_out,
        )
        if spec.retry_of is not None:
            spec.snapshot = None
        params = dict(old.params)
        if cut_out:
            spec.request = spec.request and as_cutout(spec.request)
            params = as_cutout(ImageRequest.from_parameters(params)).parameters()
        record = JobRecord(
            key=new_key,
            prompt=old.prompt,
            params=params,
            flavour=old.flavour,
            is_edit=old.is_edit,
            spec=spec,
        )
        self._add(record)
        self._start(record)
        return new_key

    def can_check_again(self, key: str) -> bool:
        record = self._records.get(key)
        return record is not None and can_check_again(record)

    def check_again(self, key: str) -> bool:
        """One more round of polling of the SAME task of a failed, timed-out, cancelled or
        interrupted async job: it may have finished (and been paid for). Never a new task."""
        record = self._records.get(key)
        if record is None or not can_check_again(record):
            return False
        base = record.spec or JobSpec(key=key, flavour=record.flavour)
        record.spec = replace(
            base,
            retry_of=None,
            resume_job_id=record.job_id,
            resume_task_id=record.task_id,
            # A history row's task lives on the server the journal names; a job of this run
            # on the endpoint in use.
            resume_base_url=record.base_url,
        )
        record.state, record.finished, record.detail = JobState.queued, None, None
        record.error = record.error_kind = record.raw = None
        self._changed(record, was_final=True)
        self._start(record)
        return True

    def fetch_again(self, key: str) -> None:
        """Kept for callers of the cancelled-job action: now check_again for every end."""
        self.check_again(key)

    def resume(self, job: Any, *, keep_unmasked: bool = True, feather: int = 8) -> str:
        """Carry on a journaled job: poll its async task by the saved id (never create it
        again), or send a job the journal says never left (it waited for the network)."""
        key = _new_id()
        params = dict(job.params or {})
        spec = JobSpec(
            key=key,
            flavour=str(job.flavour),
            resume_job_id=job.job_id,
            resume_task_id=job.task_id,
            resume_base_url=job.base_url,
            parent_item_id=job.parent_item_id,
            keep_unmasked=keep_unmasked,
            feather=feather,
        )
        record = JobRecord(
            key=key,
            prompt=str(params.get("prompt", "")),
            params=params,
            flavour=str(job.flavour),
            is_edit=job.parent_item_id is not None,
            job_id=job.job_id,
            task_id=job.task_id,
            base_url=job.base_url,
            spec=spec,
            detail=note("resuming"),
        )
        self._add(record)
        self._start(record)
        return key

    def add_history(
        self, job: Any, state: str, error: str | None = None, paths: list[str] | None = None
    ) -> str:
        """A journaled job from an earlier run: shown, retryable, not running."""
        key = _new_id()
        params = dict(job.params or {})
        record = JobRecord(
            key=key,
            prompt=str(params.get("prompt", "")),
            params=params,
            flavour=str(job.flavour),
            is_edit=job.parent_item_id is not None,
            state=JobState(state),
            job_id=job.job_id,
            task_id=job.task_id,
            error=error,
            error_kind=job.error_kind,
            item_ids=list(job.item_ids or []),
            paths=list(paths or []),
            server_status=job.server_status,
            base_url=job.base_url,
            raw=getattr(job, "raw_answer", None),
            spec=JobSpec(key=key, flavour=str(job.flavour), parent_item_id=job.parent_item_id),
            transparency_refused=refused_transparency(
                params.get("background"), job.error_kind, job.error_message or ""
            ),
        )
        self._add(record)
        return key

    def remove(self, key: str) -> None:
        record = self._records.get(key)
        if record is None or not record.final:
            return
        del self._records[key]
        self._order.remove(key)
        self.job_removed.emit(key)

    def save_again(self, key: str) -> None:
        """Retry writing a result the library could not save the first time."""
        record = self._records.get(key)
        if record is None or record.unsaved is None or record.job_id is None:
            return
        spec = record.spec or JobSpec(key=key, flavour=record.flavour)
        record.detail = note("saving")
        self._changed(record, was_final=record.final)
        self.calls.submit(
            save_in_worker,
            spec,
            record.job_id,
            record.unsaved,
            record.late_result,
            self.library,
            self._preview_fit,
            on_progress=lambda value: self._on_worker_event(key, value),
        )

    # -- events --

    def _on_worker_event(self, key: str, value: Any) -> None:
        event, pictures = value  # always (event, pictures): see _with_pictures
        self.on_event(key, event, pictures)

    @Slot(str, object)
    def on_event(self, key: str, event: object, pictures: Pictures | None = None) -> None:
        """Apply one pipeline event to the record of `key` (GUI thread)."""
        record = self._records.get(key)
        if record is None:
            return
        was_final = record.final
        apply_event(record, event, pictures, self.endpoints.waiting_reason)  # type: ignore[arg-type]
        if isinstance(event, Journaled):
            record.typical = self.timings.typical(self._timing_key(record))
        elif isinstance(event, Landed) and not event.late and record.elapsed:
            self.timings.add(self._timing_key(record), record.elapsed)
        if pictures is not None and pictures[1] is not None:
            self._trim_previews(key)
        self._changed(record, was_final)
        if isinstance(event, Preview) and record.live_preview is not None:
            self.preview_ready.emit(key, record.live_preview)

    def set_thumbnail(self, key: str, image: QImage) -> None:
        """A thumbnail decoded off the GUI thread for a history row."""
        record = self._records.get(key)
        if record is not None:
            record.thumbnail = QPixmap.fromImage(image)
            self._changed(record, record.final)

    def _changed(self, record: JobRecord, was_final: bool) -> None:
        if record.final:
            record.task = None
            if record.started is None:
                record.started = record.finished
        self._unannounced[record.key] = None
        if record.final and not was_final:
            self._announce()  # the window acts on an ending at once, its row first
            self.job_finished.emit(record.key)
        elif not self._frame.isActive():
            self._announce()  # the first change of a frame goes out now, the rest with the next
            self._frame.start()

    @property
    def announcing(self) -> bool:
        """Whether row changes are still gathered for a coming frame (a test waits for the
        list to be quiet before it counts paints)."""
        return self._frame.isActive()

    def _announce(self) -> None:
        keys, self._unannounced = list(self._unannounced), {}
        for key in keys:
            self.job_changed.emit(key)

    @Slot()
    def _on_frame(self) -> None:
        if self._unannounced:  # still busy: the next frame gathers again
            self._announce()
            self._frame.start()

    def _trim_previews(self, newest: str) -> None:
        with_preview = [k for k in reversed(self._order) if self._records[k].preview is not None]
        for key in with_preview[KEEP_PREVIEWS:]:
            if key != newest:
                self._records[key].preview = None

    # -- shutdown --

    @property
    def busy(self) -> bool:
        return any(not r.final for r in self._records.values())

    def shutdown(self) -> None:
        """Set every cancel flag, drop queued jobs, wait for running ones, close the client."""
        if self._shut:
            return
        self._shut = True
        self._stopping.set()
        for record in self._records.values():
            record.cancel.cancel()
            if record.task is not None:
                self.jobs.take_back(record.task)
        # Polls and back-off sleeps wake on the cancel flag at once; a Compat call may sit in a
        # read for minutes, and closing the client breaks that off. Workers treat whatever
        # this raises as "stopped by shutdown" and leave the journal for the next start.
        if not self.jobs.pool.waitForDone(300):
            self._close_http()
        self.jobs.shutdown(15000)
        if self._owns_calls:
            self.calls.shutdown(5000)
        self._close_http()

    def _close_http(self) -> None:
        with self._http_lock:
            if self._http is not None:
                try:
                    self._http.close()
                except Exception:
                    log.exception("closing the HTTP client")
                self._http = None
