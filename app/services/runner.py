"""The job runner: one long-lived QObject on the GUI thread that owns a QThreadPool, the shared
HTTP client and every job's cancel flag.

A job is a thin QRunnable that calls plain core functions (build the request, journal it, send,
poll, composite, save, make a thumbnail) and reports each step through the runner's `_event`
signal, tagged with the job's key. The runner applies those events to plain records on the GUI
thread and tells the world through `job_added` / `job_changed` / `job_removed`; widgets listen
to the TaskModel built on top, never to runnables.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from app.core.api.cancel import CancelToken
from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.models import ImageRequest

if TYPE_CHECKING:
    from app.core.library import Library

log = logging.getLogger(__name__)

THUMB_SIZE = 128
NETWORK_PROBE_INTERVAL = 5.0
KEEP_PREVIEWS = 6  # full-size previews kept in memory; older ones are reloaded from disk

# The six states of the design contract, plus "waiting" (not yet able to run: no network, no key).
QUEUED, WAITING, RUNNING = "queued", "waiting", "running"
COMPLETED, FAILED, CANCELLED, INTERRUPTED = "completed", "failed", "cancelled", "interrupted"
FINAL_STATES = frozenset({COMPLETED, FAILED, CANCELLED, INTERRUPTED})


def _new_id() -> str:
    import uuid  # here, not at import: start-up does not need it (~2 ms)

    return uuid.uuid4().hex


# --- plain values ------------------------------------------------------------------------------


class Endpoint(NamedTuple):
    base_url: str
    api_key: str
    demo: bool


class EndpointBox:
    """Where jobs get their server and key. Jobs started before it is known simply wait."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._value: Endpoint | None = None
        # What a job shows while it waits for an endpoint (set by the window, read by workers).
        self.waiting_reason = QCoreApplication.translate("JobRunner", "waiting for an API key")

    def set(self, endpoint: Endpoint | None) -> None:
        with self._cond:
            self._value = endpoint
            self._cond.notify_all()

    def get(self) -> Endpoint | None:
        with self._cond:
            return self._value

    def wait(
        self, cancel: CancelToken, accept: Callable[[Endpoint], bool] = lambda e: True
    ) -> Endpoint:
        with self._cond:
            while True:
                if self._value is not None and accept(self._value):
                    return self._value
                cancel.raise_if_cancelled()
                self._cond.wait(0.2)


@dataclass
class JobSpec:
    """Everything a worker needs, as plain values."""

    key: str
    flavour: str
    request: ImageRequest | None = None  # text-to-image, or the parameters of an edit
    snapshot: Any = None  # an EditSnapshot: source and mask PNGs are built in the worker
    retry_of: Any = None  # a journaled job id whose saved request (with images) is re-sent
    resume_job_id: Any = None  # a journaled async job whose task id is polled, never re-created
    resume_task_id: str | None = None
    resume_base_url: str | None = None
    parent_item_id: int | None = None
    keep_unmasked: bool = True
    feather: int = 8


@dataclass
class JobRecord:
    """What the GUI knows about one job; only the runner (GUI thread) changes it."""

    key: str
    prompt: str
    params: dict[str, Any]
    flavour: str
    is_edit: bool = False
    state: str = QUEUED
    detail: str | None = None  # a short note: "waiting for the network", "cancelling…"
    offline: bool = False  # waiting because the server could not be reached at all
    server_status: str | None = None
    error: str | None = None
    error_kind: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None  # wall clock, for the ticking elapsed time
    finished: float | None = None
    job_id: Any = None  # the library's journal id
    task_id: str | None = None
    item_ids: list[int] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    raw_paths: list[str | None] = field(default_factory=list)
    thumbnail: QPixmap | None = None
    preview: QImage | None = None
    info: dict[str, Any] = field(
        default_factory=dict
    )  # revised prompt, usage, returned size/quality/format
    late_result: bool = False  # the result arrived after cancel (saved and marked)
    unsaved: Any = None  # an ImageResult the library could not write: kept for "Save again"
    spec: JobSpec | None = None
    cancel: CancelToken = field(default_factory=CancelToken)
    runnable: QRunnable | None = None

    @property
    def elapsed(self) -> float | None:
        if self.started is None:
            return None
        end = self.finished if self.finished is not None else time.time()
        return max(0.0, end - self.started)

    @property
    def contract_state(self) -> str:
        """The state under the contract's six names: a waiting job is still queued."""
        return QUEUED if self.state == WAITING else self.state


# --- error sentences ---------------------------------------------------------------------------


def error_sentence(exc: BaseException) -> str:
    """One translated sentence for the user, with the server's own words when it gave any."""
    if isinstance(exc, ApiError):
        base = {
            ErrorKind.invalid_request: QCoreApplication.translate(
                "JobRunner", "The server refused the request as invalid."
            ),
            ErrorKind.auth: QCoreApplication.translate(
                "JobRunner", "The API key was refused. Check it in Settings, then retry."
            ),
            ErrorKind.refused: QCoreApplication.translate(
                "JobRunner", "The safety system refused this prompt. Rephrase it and try again."
            ),
            ErrorKind.quota: QCoreApplication.translate(
                "JobRunner", "Your account has run out of credit. Top it up, then retry."
            ),
            ErrorKind.rate_limited: QCoreApplication.translate(
                "JobRunner", "Too many requests right now. Wait a minute, then retry."
            ),
            ErrorKind.server: QCoreApplication.translate(
                "JobRunner", "The server had a problem. Retry in a moment."
            ),
            ErrorKind.network: QCoreApplication.translate(
                "JobRunner",
                "The connection to the server was lost. Check your network, then retry.",
            ),
            ErrorKind.timeout: QCoreApplication.translate(
                "JobRunner", "The server did not answer in time. Retry later."
            ),
            ErrorKind.maybe_billed: QCoreApplication.translate(
                "JobRunner",
                "The server stopped answering after it got the request; it may still have billed it. "
                "Check your account before retrying.",
            ),
            ErrorKind.not_found: QCoreApplication.translate(
                "JobRunner", "The server no longer knows this task (unknown or expired)."
            ),
            ErrorKind.task_failed: QCoreApplication.translate(
                "JobRunner", "The server reported that the task failed."
            ),
            ErrorKind.deadline: QCoreApplication.translate(
                "JobRunner", "The task took longer than the time limit. Retry later."
            ),
            ErrorKind.malformed: QCoreApplication.translate(
                "JobRunner", "The server's answer could not be read. The details are in the log."
            ),
            ErrorKind.cancelled: QCoreApplication.translate("JobRunner", "Cancelled."),
        }.get(exc.kind, QCoreApplication.translate("JobRunner", "The job failed."))
        extras = []
        if exc.detail:
            extras.append(
                QCoreApplication.translate("JobRunner", "Server said: {0}").format(
                    exc.detail.strip()[:300]
                )
            )
        if exc.code not in (None, ""):
            extras.append(QCoreApplication.translate("JobRunner", "code {0}").format(exc.code))
        if exc.trace_id:
            extras.append(QCoreApplication.translate("JobRunner", "trace {0}").format(exc.trace_id))
        return (
            " ".join([base, *(f"({e})" if i else e for i, e in enumerate(extras))])
            if extras
            else base
        )
    if isinstance(exc, OSError):
        return QCoreApplication.translate("JobRunner", "Could not write the image: {0}.").format(
            exc.strerror or exc
        )
    return QCoreApplication.translate(
        "JobRunner", "Something unexpected went wrong ({0}). The details are in the log."
    ).format(type(exc).__name__)


def cannot_connect(exc: BaseException) -> bool:
    """True when the request certainly never reached the server (refused, no route, DNS)."""
    # The client marks exactly these: it knows whether the connection was ever opened.
    return isinstance(exc, ApiError) and exc.connect_failed


def probe(base_url: str, timeout: float = 3.0) -> bool:
    """A cheap reachability check: can we open a TCP connection to the server?"""
    import socket  # here: probing is rare, and socket is not needed at start-up

    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "localhost", port), timeout=timeout):
            return True
    except OSError:
        return False


def is_loopback(base_url: str) -> bool:
    return (urlsplit(base_url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def make_thumbnail(path: str) -> tuple[QImage | None, QImage | None]:
    """(small thumbnail, full image) decoded in the worker; QImage is safe off the GUI thread."""
    image = QImage(path)
    if image.isNull():
        return None, None
    from PySide6.QtCore import Qt

    # Convert here to the format a QPixmap uses on screen, so QPixmap.fromImage on the GUI
    # thread is a plain copy instead of a pixel-by-pixel conversion (tens of ms at 1536x1024).
    native = (
        QImage.Format.Format_ARGB32_Premultiplied
        if image.hasAlphaChannel()
        else QImage.Format.Format_RGB32
    )
    if image.format() != native:
        image = image.convertToFormat(native)
    thumb = image.scaled(
        THUMB_SIZE,
        THUMB_SIZE,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return thumb, image


# --- the worker --------------------------------------------------------------------------------


class _Ctx(NamedTuple):
    library: Library
    endpoints: EndpointBox
    http: Callable[[], Any]
    client_options: dict[str, Any]
    probe_interval: float
    stopping: threading.Event  # set at shutdown: a cancel then is not the user's


def _result_info(result: Any) -> dict[str, Any]:
    usage = result.usage
    first = result.images[0] if result.images else None
    return {
        "revised_prompt": first.revised_prompt if first else None,
        "size": result.size,
        "quality": result.quality,
        "format": result.output_format or (first.format if first else None),
        "background": result.background,
        "input_tokens": usage.input_tokens,
        "text_input_tokens": usage.text_input_tokens,
        "image_input_tokens": usage.image_input_tokens,
        "output_tokens": usage.output_tokens,
    }


def execute(
    spec: JobSpec, cancel: CancelToken, ctx: _Ctx, emit: Callable[[str, dict], None]
) -> None:
    """One job from start to saved result. Runs in a pool thread; talks only through `emit`."""
    from app.core.api.client import MountseaClient
    from app.core.api.models import Flavour
    from app.core.library import JobState

    key = spec.key
    lib = ctx.library

    def send(**changes: Any) -> None:
        emit(key, changes)

    send(state=RUNNING, started=time.time(), detail=None)
    job_id = spec.resume_job_id
    request: ImageRequest | None = None
    landing = [False]  # holds the landing slot (taken when decoding starts)
    try:
        if job_id is None:
            request = _build_request(spec, lib)
            cancel.raise_if_cancelled()
            endpoint = _wait_endpoint(spec, cancel, ctx, send)
            job_id = lib.begin_job(
                request,
                Flavour(spec.flavour),
                endpoint.base_url,
                origin="gui",
                parent_item_id=spec.parent_item_id,
            )
            send(job_id=job_id)
        else:
            endpoint = _wait_endpoint(spec, cancel, ctx, send)
            if spec.resume_base_url and spec.resume_base_url != endpoint.base_url:
                endpoint = endpoint._replace(base_url=spec.resume_base_url)
            try:
                request = lib.load_request(job_id)
            except Exception:  # the inputs are only needed to paste an edit back
                log.warning("job %s: could not load its request", job_id, exc_info=True)
        client = MountseaClient(
            ctx.http(), endpoint.base_url, endpoint.api_key, **ctx.client_options
        )

        def on_event(event: Any) -> None:
            if event.stage == "decoding" and not landing[0]:
                # Decoding the answer (base64, checking the picture) is CPU work like landing:
                # take the landing slot now and keep it until the result is saved.
                _LANDING.acquire()
                landing[0] = True
            status = event.server_status or event.stage
            send(server_status=status)

        task_id = spec.resume_task_id
        while True:
            try:
                if spec.flavour == Flavour.tasks.value:
                    if task_id is None:
                        send(server_status="sending")
                        assert request is not None, "the journal lost this job's request"
                        task_id = client.submit_task(request, cancel)
                        lib.set_task_id(job_id, task_id)  # journaled before the first poll
                        send(task_id=task_id, server_status="submitted")
                    lib.update_job(job_id, state=JobState.running)
                    result = client.wait_task(task_id, cancel, on_event=on_event)
                else:
                    assert request is not None, "the journal lost this job's request"
                    lib.update_job(job_id, state=JobState.running)
                    result = client.run(request, Flavour.compat, cancel, on_event)
                break
            except ApiError as exc:
                # No network (refused, DNS): wait for it and try again, cancellable. Anything
                # that may have reached the server is not re-sent here.
                if exc.kind == ErrorKind.network and cannot_connect(exc):
                    _wait_for_network(
                        job_id,
                        endpoint.base_url,
                        cancel,
                        lib,
                        send,
                        ctx.probe_interval,
                    )
                    continue
                raise
        late = cancel.cancelled and not ctx.stopping.is_set()
        if landing[0]:
            _land_now(spec, job_id, request, result, late, lib, send, None)
        else:
            _land(spec, job_id, request, result, late, lib, send)
    except Exception as exc:
        if ctx.stopping.is_set():
            # The app is closing (cancel flags set, HTTP client closed under a running read):
            # leave the journal as it is, so the next start resumes the async task by its id
            # or offers a Compat job as interrupted.
            log.info("job %s stopped by shutdown (%s)", job_id, type(exc).__name__)
            send(state=INTERRUPTED, detail=None, finished=time.time())
            return
        _report_failure(exc, job_id, lib, send)
    finally:
        if landing[0]:
            _LANDING.release()


def _report_failure(exc: Exception, job_id: Any, lib: Library, send: Callable[..., None]) -> None:
    """Journal and show how a job ended when it did not land a result."""
    if isinstance(exc, Cancelled):
        if job_id is not None:
            _safe(lib.update_job, job_id, state="cancelled")
        send(state=CANCELLED, detail=None, finished=time.time())
        return
    if isinstance(exc, ApiError):
        log.info("job %s failed: %s (%s)", job_id, exc.kind, exc.message)
        kind, message = str(exc.kind), exc.message
    else:
        log.error("job %s crashed", job_id, exc_info=exc)
        kind, message = "internal", repr(exc)
    if job_id is not None:
        _safe(lib.update_job, job_id, state="failed", error_kind=kind, error_message=message)
    send(
        state=FAILED, error=error_sentence(exc), error_kind=kind, detail=None, finished=time.time()
    )


def _safe(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except Exception:
        log.exception("journal update failed")


def _build_request(spec: JobSpec, lib: Library) -> ImageRequest:
    if spec.retry_of is not None:
        return lib.load_request(spec.retry_of)
    assert spec.request is not None
    request = spec.request
    if spec.snapshot is not None:
        images, mask = spec.snapshot.build()  # encodes PNGs: worker thread only
        request = replace(request, images=list(images), mask=mask)
    request.validate()
    return request


def _wait_endpoint(
    spec: JobSpec, cancel: CancelToken, ctx: _Ctx, send: Callable[..., None]
) -> Endpoint:
    def accept(endpoint: Endpoint) -> bool:
        # A resumed task lives on its own server: the demo key is useless for a real one.
        if spec.resume_base_url and not is_loopback(spec.resume_base_url):
            return not endpoint.demo
        return True

    current = ctx.endpoints.get()
    if current is None or not accept(current):
        needs_real_key = bool(spec.resume_base_url and not is_loopback(spec.resume_base_url))
        reason = (
            QCoreApplication.translate("JobRunner", "waiting for an API key")
            if needs_real_key
            else ctx.endpoints.waiting_reason
        )
        send(state=WAITING, detail=reason)
        endpoint = ctx.endpoints.wait(cancel, accept)
        send(state=RUNNING, detail=None)
        return endpoint
    return current


def _wait_for_network(
    job_id: Any,
    base_url: str,
    cancel: CancelToken,
    lib: Library,
    send: Callable[..., None],
    interval: float,
) -> None:
    log.info("job %s: server unreachable, waiting for the network", job_id)
    _safe(lib.update_job, job_id, state="waiting")
    send(
        state=WAITING,
        offline=True,
        detail=QCoreApplication.translate("JobRunner", "waiting for the network"),
    )
    while not probe(base_url):
        if cancel.wait(interval):
            raise Cancelled()
    # "waiting" in the journal promises that nothing was sent: leave it before sending again,
    # so a crash from here on is never mistaken for a job that is safe to send once more.
    _safe(lib.update_job, job_id, state="running")
    send(state=RUNNING, offline=False, detail=None)


# Landing a result (compositing, writing, decoding for the preview) is CPU work. Eight jobs
# finishing together would otherwise put eight busy threads next to the GUI thread on a small
# machine; one at a time keeps a core for the GUI and costs little (tens of ms per picture).
_LANDING = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) - 1))


def _land(
    spec: JobSpec,
    job_id: Any,
    request: ImageRequest | None,
    result: Any,
    late: bool,
    lib: Library,
    send: Callable[..., None],
    composited: list[bytes | None] | None = None,
) -> None:
    with _LANDING:
        _land_now(spec, job_id, request, result, late, lib, send, composited)


def _land_now(
    spec: JobSpec,
    job_id: Any,
    request: ImageRequest | None,
    result: Any,
    late: bool,
    lib: Library,
    send: Callable[..., None],
    composited: list[bytes | None] | None,
) -> None:
    if (
        composited is None
        and request is not None
        and request.mask is not None
        and request.images
        and spec.keep_unmasked
    ):
        from app.core import imaging

        send(server_status="compositing")
        composited = [
            imaging.keep_unmasked(
                request.images[0].data, request.mask.data, img.data, spec.feather, img.format
            )
            for img in result.images
        ]
    info = _result_info(result)
    try:
        items = lib.save_result(job_id, result, cancelled=late, composited=composited)
    except OSError as exc:
        log.exception("job %s: saving the result failed", job_id)
        send(
            state=FAILED,
            error=QCoreApplication.translate(
                "JobRunner", "Could not save the image ({0}). It is kept in memory: use Save again."
            ).format(exc.strerror or exc),
            error_kind="save",
            unsaved=(result, composited),
            info=info,
            finished=time.time(),
        )
        return
    paths = [str(item.path) for item in items]
    thumb, full = make_thumbnail(paths[0]) if paths else (None, None)
    send(
        state=CANCELLED if late else COMPLETED,
        late_result=late,
        item_ids=[item.id for item in items],
        paths=paths,
        raw_paths=[
            str(item.raw_path) if getattr(item, "raw_path", None) else None for item in items
        ],
        info=info,
        thumbnail=thumb,
        preview=full,
        unsaved=None,
        error=None,
        detail=None,
        server_status="completed",
        finished=time.time(),
    )


class _JobRunnable(QRunnable):
    def __init__(
        self, spec: JobSpec, cancel: CancelToken, ctx: _Ctx, emit: Callable[[str, dict], None]
    ):
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps it so a queued job can be taken back
        self._args = (spec, cancel, ctx, emit)

    def run(self) -> None:
        execute(*self._args)


class _CallRunnable(QRunnable):
    def __init__(
        self,
        call_id: int,
        fn: Callable[..., Any],
        args: tuple,
        emit: Callable[[int, object, object], None],
    ):
        super().__init__()
        self._call = (call_id, fn, args, emit)

    def run(self) -> None:
        call_id, fn, args, emit = self._call
        try:
            value = fn(*args)
        except BaseException as exc:  # handed to the GUI thread, which decides what to say
            log.debug("background call failed", exc_info=True)
            emit(call_id, None, exc)
        else:
            emit(call_id, value, None)


# --- the runner --------------------------------------------------------------------------------


class JobRunner(QObject):
    job_added = Signal(str)
    job_changed = Signal(str)
    job_removed = Signal(str)
    job_finished = Signal(str)  # reached completed / failed / cancelled / interrupted
    endpoint_needed = (
        Signal()
    )  # a job starts and no server is known yet (demo: start the simulator)
    # From worker threads (queued to the GUI thread by Qt):
    _event = Signal(str, object)
    _call_done = Signal(int, object, object)

    def __init__(
        self,
        library: Library,
        *,
        concurrency: int = 4,
        client_options: dict[str, Any] | None = None,
        http_factory: Callable[[], Any] | None = None,
        probe_interval: float = NETWORK_PROBE_INTERVAL,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.probe_interval = probe_interval  # seconds between reachability checks while offline
        self.library = library
        self.endpoints = EndpointBox()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(1, concurrency))
        self.calls_pool = QThreadPool(
            self
        )  # short calls (keyring, key check, loading) never wait behind jobs
        self.calls_pool.setMaxThreadCount(4)
        self._records: dict[str, JobRecord] = {}
        self._order: list[str] = []  # oldest first
        self._http: Any = None
        self._http_lock = threading.Lock()
        self._http_factory = http_factory
        self._client_options = client_options or {}
        self._calls: dict[int, tuple[Callable | None, Callable | None, QObject | None]] = {}
        self._call_ids = itertools.count(1)
        self._shut = False
        self._stopping = threading.Event()
        self._event.connect(self.on_event)
        self._call_done.connect(self.on_call_done)

    # -- shared resources --

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

    def _ctx(self) -> _Ctx:
        return _Ctx(
            self.library,
            self.endpoints,
            self.http,
            self._client_options,
            self.probe_interval,
            self._stopping,
        )

    def set_concurrency(self, n: int) -> None:
        self.pool.setMaxThreadCount(max(1, n))

    # -- background calls for short work (keyring, check key, loading an image) --

    def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        receiver: QObject | None = None,
    ) -> None:
        """Run fn(*args) off the GUI thread; on_done/on_error run on the GUI thread afterwards,
        unless `receiver` (by default the object the callbacks are methods of) is gone by then:
        a dialog closed while its keyring call was still running."""
        if self._shut:
            return
        if receiver is None:
            for callback in (on_done, on_error):
                owner = getattr(callback, "__self__", None)
                if isinstance(owner, QObject):
                    receiver = owner
                    break
        call_id = next(self._call_ids)
        self._calls[call_id] = (on_done, on_error, receiver)
        self.calls_pool.start(_CallRunnable(call_id, fn, args, self._call_done.emit))

    @Slot(int, object, object)
    def on_call_done(self, call_id: int, value: object, error: object) -> None:
        on_done, on_error, receiver = self._calls.pop(call_id, (None, None, None))
        if self._shut or (receiver is not None and not shiboken6.isValid(receiver)):
            return
        if error is not None:
            if on_error is not None:
                on_error(error)  # type: ignore[arg-type]
            else:
                log.error("background call failed: %r", error)
        elif on_done is not None:
            on_done(value)

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
        runnable = _JobRunnable(record.spec, record.cancel, self._ctx(), self._event.emit)
        record.runnable = runnable
        self.pool.start(runnable)
        if self.endpoints.get() is None:
            self.endpoint_needed.emit()

    def cancel(self, key: str) -> None:
        record = self._records.get(key)
        if record is None or record.state in FINAL_STATES:
            return
        record.cancel.cancel()
        if record.runnable is not None and self.pool.tryTake(record.runnable):
            # Never started: nothing was sent, nothing journaled.
            record.runnable = None
            self._apply(record, {"state": CANCELLED, "finished": time.time(), "detail": None})
        else:
            self._apply(record, {"detail": QCoreApplication.translate("JobRunner", "cancelling…")})

    def retry(self, key: str) -> str | None:
        """A new job with the same inputs (the journal's saved request when there is one)."""
        old = self._records.get(key)
        if (
            old is None
            or old.state not in (FAILED, CANCELLED, INTERRUPTED)
            or old.spec is None
            and old.job_id is None
        ):
            return None
        new_key = _new_id()
        base = old.spec or JobSpec(key=new_key, flavour=old.flavour)
        spec = replace(
            base,
            key=new_key,
            retry_of=old.job_id if old.job_id is not None else None,
            resume_job_id=None,
            resume_task_id=None,
            resume_base_url=None,
        )
        if spec.retry_of is not None:
            spec.snapshot = None
        record = JobRecord(
            key=new_key,
            prompt=old.prompt,
            params=dict(old.params),
            flavour=old.flavour,
            is_edit=old.is_edit,
            spec=spec,
        )
        self._add(record)
        self._start(record)
        return new_key

    def fetch_again(self, key: str) -> None:
        """Poll a cancelled async task once more: it may have finished (and been paid for)."""
        record = self._records.get(key)
        if (
            record is None
            or record.state != CANCELLED
            or not record.task_id
            or record.job_id is None
        ):
            return
        base = record.spec or JobSpec(key=key, flavour=record.flavour)
        record.spec = replace(
            base, resume_job_id=record.job_id, resume_task_id=record.task_id, resume_base_url=None
        )
        self._apply(record, {"state": QUEUED, "finished": None, "error": None, "detail": None})
        self._start(record)

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
            spec=spec,
            detail=QCoreApplication.translate("JobRunner", "resuming"),
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
            state=state,
            job_id=job.job_id,
            task_id=job.task_id,
            error=error,
            error_kind=job.error_kind,
            item_ids=list(job.item_ids or []),
            paths=list(paths or []),
            server_status=job.server_status,
            spec=JobSpec(key=key, flavour=str(job.flavour), parent_item_id=job.parent_item_id),
        )
        self._add(record)
        return key

    def remove(self, key: str) -> None:
        record = self._records.get(key)
        if record is None or record.state not in FINAL_STATES:
            return
        del self._records[key]
        self._order.remove(key)
        self.job_removed.emit(key)

    def save_again(self, key: str) -> None:
        """Retry writing a result the library could not save the first time."""
        record = self._records.get(key)
        if record is None or record.unsaved is None or record.job_id is None:
            return
        (result, composited), job_id, late = record.unsaved, record.job_id, record.late_result
        spec = record.spec or JobSpec(key=key, flavour=record.flavour)
        self._apply(record, {"detail": QCoreApplication.translate("JobRunner", "saving…")})
        lib = self.library
        emit = self._event.emit

        def send(**changes: Any) -> None:
            emit(key, changes)

        self.call(_land, spec, job_id, None, result, late, lib, send, composited)

    # -- events from workers --

    @Slot(str, object)
    def on_event(self, key: str, changes: object) -> None:
        record = self._records.get(key)
        if record is None or not isinstance(changes, dict):
            return
        self._apply(record, changes)

    def _apply(self, record: JobRecord, changes: dict[str, Any]) -> None:
        was_final = record.state in FINAL_STATES
        thumb = changes.pop("thumbnail", None)
        if thumb is not None:
            record.thumbnail = QPixmap.fromImage(thumb)  # QPixmap only here, on the GUI thread
        for name, value in changes.items():
            setattr(record, name, value)
        if "preview" in changes:
            self._trim_previews(record.key)
        if record.state in FINAL_STATES:
            record.runnable = None
            if record.started is None:
                record.started = record.finished
        self.job_changed.emit(record.key)
        if record.state in FINAL_STATES and not was_final:
            self.job_finished.emit(record.key)

    def _trim_previews(self, newest: str) -> None:
        with_preview = [k for k in reversed(self._order) if self._records[k].preview is not None]
        for key in with_preview[KEEP_PREVIEWS:]:
            if key != newest:
                self._records[key].preview = None

    # -- shutdown --

    @property
    def busy(self) -> bool:
        return any(r.state not in FINAL_STATES for r in self._records.values())

    def shutdown(self) -> None:
        """Set every cancel flag, drop queued jobs, wait for running ones, close the client."""
        if self._shut:
            return
        self._shut = True
        self._stopping.set()
        for record in self._records.values():
            record.cancel.cancel()
        self.pool.clear()
        self.calls_pool.clear()
        # Polls and back-off sleeps wake on the cancel flag at once; a Compat call may sit in a
        # read for minutes, and closing the client breaks that off. Workers treat whatever
        # this raises as "stopped by shutdown" and leave the journal for the next start.
        if not self.pool.waitForDone(300):
            self._close_http()
        if not self.pool.waitForDone(15000):
            log.error("jobs still running 15 s after shutdown began")
        self.calls_pool.waitForDone(5000)
        self._close_http()

    def _close_http(self) -> None:
        with self._http_lock:
            if self._http is not None:
                try:
                    self._http.close()
                except Exception:
                    log.exception("closing the HTTP client")
                self._http = None
