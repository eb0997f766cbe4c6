"""The one job pipeline, for the window and the command line alike.

    run_job(spec, env, cancel, emit)

prepares the request (an edit's pictures are encoded here, in the worker), journals it, waits
for an endpoint and for the network if need be, creates and polls the async task (its id is
journaled before the first poll) or makes the one Compat call, saves the result, pastes the
untouched pixels of a masked edit back, and reports each step to `emit` as a typed event from
app.core.job_events. It runs on whatever thread the caller gives it and never raises.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.core.api import errors
from app.core.api.cancel import CancelToken
from app.core.api.errors import ApiError, ErrorKind
from app.core.api.models import Flavour, ImageRequest, ImageResult, InputImage, sniff_format
from app.core.job_events import (
    Cancelled,
    Endpoint,
    Endpoints,
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
from app.core.library import JobState
from app.core.redact import redact

if TYPE_CHECKING:
    from app.core.api.client import MountseaClient, ProgressEvent
    from app.core.library import Library

log = logging.getLogger(__name__)

Emit = Callable[[JobEvent], None]

NETWORK_PROBE_INTERVAL = 5.0

# Landing a result (decoding, compositing, writing) is CPU work. Eight jobs finishing together
# would otherwise put eight busy threads next to the GUI thread on a small machine; one at a
# time keeps a core for the GUI and costs little (tens of ms per picture).
LANDING = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) - 1))


# --- the network -------------------------------------------------------------------------------


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


@dataclass
class JobEnv:
    """What a job uses besides its spec: the library, a client for an endpoint, where the
    endpoint comes from, and how to tell that the network is back."""

    library: Library
    client: Callable[[Endpoint], MountseaClient]
    endpoints: Endpoints
    probe: Callable[[str], bool] = probe
    probe_interval: float = NETWORK_PROBE_INTERVAL
    stopping: Callable[[], bool] = lambda: False  # the program is closing: not the user's cancel
    # No network: wait until the server answers (the window), or fail at once (a script).
    wait_for_network: bool = True


# --- the pipeline ------------------------------------------------------------------------------


class _Slot:
    """The landing slot, taken at most once per job and released at its end."""

    def __init__(self) -> None:
        self.held = False

    def take(self) -> None:
        if not self.held:
            LANDING.acquire()
            self.held = True

    def release(self) -> None:
        if self.held:
            LANDING.release()
            self.held = False


def run_job(spec: JobSpec, env: JobEnv, cancel: CancelToken, emit: Emit) -> None:
    """One job from start to saved result, reported through `emit`; never raises."""
    lib = env.library
    emit(Started(time.time()))
    job_id = spec.resume_job_id
    slot = _Slot()
    try:
        request: ImageRequest | None
        if job_id is None and spec.resume_task_id:
            endpoint = _endpoint(spec, env, cancel, emit)
            if spec.resume_base_url and spec.resume_base_url != endpoint.base_url:
                endpoint = endpoint._replace(base_url=spec.resume_base_url)
            job_id = _adopt(spec, spec.resume_task_id, endpoint.base_url, lib)
            emit(Journaled(job_id))
            request = None
        elif job_id is None:
            try:
                request = prepare(spec, lib)
            except (ValueError, OSError) as exc:  # ValidationError, ImageError, unreadable file
                _report_input_failure(exc, emit)
                return
            cancel.raise_if_cancelled()
            endpoint = _endpoint(spec, env, cancel, emit)
            job_id = lib.begin_job(
                request,
                Flavour(spec.flavour),
                endpoint.base_url,
                origin=spec.origin,
                parent_item_id=spec.parent_item_id,
                demo=endpoint.demo,  # the demo simulator's pictures cost nothing
            )
            emit(Journaled(job_id))
        else:
            endpoint = _endpoint(spec, env, cancel, emit)
            if spec.resume_base_url and spec.resume_base_url != endpoint.base_url:
                endpoint = endpoint._replace(base_url=spec.resume_base_url)
            request = _saved_request(lib, job_id)
        result = _send(spec, env, job_id, request, endpoint, cancel, emit, slot)
        late = cancel.cancelled and not env.stopping()
        slot.take()
        _land_now(spec, job_id, request, result, late, lib, emit, None)
    except Exception as exc:  # noqa: BLE001 - every way a job ends is reported, never raised
        if env.stopping():
            # The program is closing (cancel flags set, HTTP client closed under a running
            # read): leave the journal as it is, so the next start resumes the async task by
            # its id or offers a Compat job as interrupted.
            log.info("job %s stopped by shutdown (%s)", job_id, type(exc).__name__)
            emit(Interrupted())
            return
        _report_failure(spec, exc, job_id, lib, emit)
    finally:
        slot.release()


def prepare(spec: JobSpec, lib: Library) -> ImageRequest:
    """The request to send: the journal's copy for a retry, else the spec's with its pictures
    encoded (PNGs of the window's edit, or files from the command line through the same intake)."""
    if spec.retry_of is not None:
        request = lib.load_request(spec.retry_of)
    else:
        assert spec.request is not None, "a new job needs a request"
        request = spec.request
        if spec.snapshot is not None:
            images, mask = spec.snapshot.build()  # slow encoding: the worker's job
            request = replace(request, images=list(images), mask=mask)
    if spec.as_cutout and request.cutout_key is None:
        from app.core.key_colour import as_cutout

        request = as_cutout(request)
    if spec.retry_of is None or spec.as_cutout:
        request.validate()
    return request


def _adopt(spec: JobSpec, task_id: str, base_url: str, lib: Library) -> Any:
    """Journal a task made elsewhere (another machine, a lost journal) as a job of this
    library, so that polling it and landing its picture go the usual way."""
    request = spec.request or ImageRequest(prompt=f"Task {task_id}")
    job_id = lib.begin_job(request, Flavour.tasks, base_url, origin=spec.origin)
    lib.set_task_id(job_id, task_id)
    return job_id


def _saved_request(lib: Library, job_id: Any) -> ImageRequest | None:
    try:
        return lib.load_request(job_id)
    except Exception:  # logged: the inputs are only needed to paste an edit back
        log.warning("job %s: could not load its request", job_id, exc_info=True)
        return None


def _endpoint(spec: JobSpec, env: JobEnv, cancel: CancelToken, emit: Emit) -> Endpoint:
    # A resumed task lives on its own server: the demo key is useless for a real one.
    needs_real_key = bool(spec.resume_base_url and not is_loopback(spec.resume_base_url))

    def accept(endpoint: Endpoint) -> bool:
        return not (needs_real_key and endpoint.demo)

    current = env.endpoints.get()
    if current is not None and accept(current):
        return current
    emit(Waiting("endpoint", needs_real_key=needs_real_key))
    endpoint = env.endpoints.wait(cancel, accept)
    emit(Resumed("endpoint"))
    return endpoint


def _send(
    spec: JobSpec,
    env: JobEnv,
    job_id: Any,
    request: ImageRequest | None,
    endpoint: Endpoint,
    cancel: CancelToken,
    emit: Emit,
    slot: _Slot,
) -> ImageResult:
    """Create and poll the task, or make the Compat call; wait for the network when it is gone."""
    lib = env.library
    client = env.client(endpoint)
    journaled_status: list[str | None] = [None]

    def on_event(event: ProgressEvent) -> None:
        if event.stage == "preview":
            # A streamed partial picture: shown by whoever listens, never saved.
            if event.data:
                emit(Preview(event.index, event.data, sniff_format(event.data) or "png"))
            return
        if event.stage == "decoding":
            # Decoding the answer (base64, checking the picture) is CPU work like landing:
            # take the landing slot now and keep it until the result is saved.
            slot.take()
        elif event.stage in ("waiting", "retrying"):
            # The answer could not be used (garbled, a dead link) and the job waits on the
            # server again: let other jobs land meanwhile, however long this one waits.
            slot.release()
        status = event.server_status or event.stage
        if event.stage == "polling" and status != journaled_status[0]:
            journaled_status[0] = status
            _safe(lib.update_job, job_id, server_status=status)
        emit(
            ServerStatus(
                status,
                event.stage,
                event.elapsed,
                event.message,
                offline=event.offline,
                retry_in=event.retry_in,
            )
        )

    task_id = spec.resume_task_id
    while True:
        try:
            if spec.flavour == Flavour.tasks.value:
                if task_id is None:
                    emit(ServerStatus("sending", "sending"))
                    assert request is not None, "the journal lost this job's request"
                    task_id = client.submit_task(request, cancel, on_event=on_event)
                    lib.set_task_id(job_id, task_id)  # journaled before the first poll
                    emit(TaskCreated(task_id, client.task_deadline))
                lib.update_job(job_id, state=JobState.running)
                return client.wait_task(task_id, cancel, on_event=on_event)
            assert request is not None, "the journal lost this job's request"
            lib.update_job(job_id, state=JobState.running)
            return client.run(request, Flavour.compat, cancel, on_event)
        except ApiError as exc:
            exc.task_id = exc.task_id or task_id  # the task to check again, whatever failed
            # No network (refused, DNS): wait for it and try again, cancellable. Anything that
            # may have reached the server is not re-sent here.
            if env.wait_for_network and exc.kind == ErrorKind.network and cannot_connect(exc):
                _wait_for_network(job_id, endpoint.base_url, env, cancel, emit)
                continue
            raise


def _wait_for_network(
    job_id: Any, base_url: str, env: JobEnv, cancel: CancelToken, emit: Emit
) -> None:
    log.info("job %s: server unreachable, waiting for the network", job_id)
    _safe(env.library.update_job, job_id, state=JobState.waiting)
    emit(Waiting("offline"))
    while not env.probe(base_url):
        # Said again before each wait, so the row can count down to the next try.
        emit(Waiting("offline", retry_in=env.probe_interval))
        if cancel.wait(env.probe_interval):
            raise errors.Cancelled()
    # "waiting" in the journal promises that nothing was sent: leave it before sending again,
    # so a crash from here on is never mistaken for a job that is safe to send once more.
    _safe(env.library.update_job, job_id, state=JobState.running)
    emit(Resumed("offline"))


# --- landing -----------------------------------------------------------------------------------


def land(
    spec: JobSpec,
    job_id: Any,
    result: ImageResult,
    late: bool,
    lib: Library,
    emit: Emit,
    composited: list[bytes | None] | None,
) -> None:
    """Save a result again (the first write failed): the same landing, in the landing slot."""
    with LANDING:
        _land_now(spec, job_id, None, result, late, lib, emit, composited)


def _land_now(
    spec: JobSpec,
    job_id: Any,
    request: ImageRequest | None,
    result: ImageResult,
    late: bool,
    lib: Library,
    emit: Emit,
    composited: list[bytes | None] | None,
) -> None:
    if composited is None and request is not None and spec.keep_unmasked:
        composited = _composites(request, result, spec.feather, emit)
    if request is not None and request.cutout_key is not None:
        composited = _cut_out(request, result, composited, emit)
    info = result_info(result)
    if composited and request is not None:
        info.update(_paste_back_info(request, result))
    try:
        items = lib.save_result(job_id, result, cancelled=late, composited=composited)
    except OSError as exc:
        log.exception("job %s: saving the result failed", job_id)
        message = f"Could not save the image: {exc.strerror or exc}"
        emit(Failed("save", message, exc, job_id, unsaved=(result, composited), info=info))
        return
    emit(Landed(tuple(items), info, late))


def _composites(
    request: ImageRequest, result: ImageResult, feather: int, emit: Emit
) -> list[bytes | None] | None:
    """A masked edit keeps the untouched pixels of its source (the server's own picture is
    saved too); a result that cannot be pasted back is saved as it came."""
    if request.mask is None or not request.images:
        return None
    from app.core import imaging

    emit(ServerStatus("compositing", "compositing"))
    out: list[bytes | None] = []
    for image in result.images:
        try:
            out.append(
                imaging.keep_unmasked(
                    request.images[0].data, request.mask.data, image.data, feather, image.format
                )
            )
        except (imaging.ImageError, OSError, ValueError):
            log.warning("could not paste the unmasked pixels back", exc_info=True)
            out.append(None)
    return out


def _paste_back_info(request: ImageRequest, result: ImageResult) -> dict[str, Any]:
    """The result's and the picture's sizes when they differ in shape, so the row and the
    command line can say how it was pasted back (sizes.fit_sentence): cropped or letterboxed."""
    from app.core import sizes
    from app.core.library.files import image_size

    if not request.images or not result.images:
        return {}
    rw, rh = image_size(result.images[0].data)
    sw, sh = image_size(request.images[0].data)
    if not (rw and rh and sw and sh) or sizes.fit_sentence((rw, rh), (sw, sh)) is None:
        return {}
    return {"paste_back": [rw, rh, sw, sh]}


def _cut_out(
    request: ImageRequest,
    result: ImageResult,
    composited: list[bytes | None] | None,
    emit: Emit,
) -> list[bytes | None]:
    """ "Transparent (cut out)": the server painted the subject on a flat key colour; that colour
    is removed here. The uncut picture is kept too (saved as the raw result)."""
    from app.core import cutout

    assert request.cutout_key is not None
    emit(ServerStatus("cutting out", "compositing"))
    fmt = "webp" if request.output_format == "webp" else "png"
    out: list[bytes | None] = []
    for i, image in enumerate(result.images):
        pasted = composited[i] if composited else None
        base = pasted if pasted is not None else image.data
        try:
            out.append(cutout.cut_out(base, request.cutout_key, fmt=fmt))
        except (OSError, ValueError):
            log.warning("could not cut the picture out; saved as it came", exc_info=True)
            out.append(composited[i] if composited else None)
    return out


def result_info(result: ImageResult) -> dict[str, Any]:
    """What the server said about the picture: revised prompt, size, quality, format, usage."""
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


# --- how a job ends without a result -----------------------------------------------------------


def _report_input_failure(exc: ValueError | OSError, emit: Emit) -> None:
    """The request or a picture cannot be sent: nothing was journaled or sent."""
    log.info("job not started: %s", exc)
    emit(Failed("input", str(exc), exc))


def _report_failure(spec: JobSpec, exc: Exception, job_id: Any, lib: Library, emit: Emit) -> None:
    """Journal and report how a job ended when it did not land a result."""
    if isinstance(exc, errors.Cancelled):
        if job_id is not None:
            _safe(lib.update_job, job_id, state=JobState.cancelled)
        emit(Cancelled())
        return
    raw: str | None = None
    task_id = spec.resume_task_id
    if isinstance(exc, ApiError):
        log.info("job %s failed: %s (%s)", job_id, exc.kind, exc.message)
        kind, message = str(exc.kind), exc.message
        task_id = exc.task_id or task_id
        if exc.raw:
            # The evidence of an answer nobody could read: one line a person can find in the
            # log (the client removed the secrets already; redact caps it and checks again).
            raw = redact(exc.raw)
            log.info("job %s: the server's answer: %s", job_id, raw.replace("\n", " "))
    else:
        log.error("job %s crashed", job_id, exc_info=exc)
        kind, message = "internal", repr(exc)
    if job_id is not None:
        _safe(
            lib.update_job,
            job_id,
            state=JobState.failed,
            error_kind=kind,
            error_message=message,
            raw_answer=raw,
        )
    emit(Failed(kind, message, exc, job_id, task_id=task_id, raw=raw))


# A failed async job whose task may still be alive on the server: one more round of polling
# the same task (never a new one) may land it. Not when the server itself said the task is over.
_FINAL_ON_SERVER = frozenset({"task_failed", "refused", "invalid_request", "input", "save"})


def can_check_again(flavour: str, task_id: str | None, kind: str | None) -> bool:
    """True when "Check the server again" makes sense for a job that ended without a result."""
    return flavour == Flavour.tasks.value and bool(task_id) and kind not in _FINAL_ON_SERVER


def _safe(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except Exception:  # logged: a journal write must not end the job
        log.exception("journal update failed")


# --- the command line's pictures ---------------------------------------------------------------


class FileSources:
    """Pictures given as files (the command line), prepared exactly as the window prepares a
    picture dropped on it: upright, RGB/RGBA, sRGB, camera details removed, under 50 MB."""

    def __init__(self, images: list[InputImage], mask: InputImage | None = None) -> None:
        self.images = images
        self.mask = mask

    def build(self) -> tuple[list[InputImage], InputImage | None]:
        from app.core import imaging

        images = []
        for i, image in enumerate(self.images):
            prepared = imaging.prepare_source(image.data, image.filename)
            images.append(InputImage(prepared.data, prepared.upload_name(i)))
        if self.mask is not None:
            imaging.open_image(self.mask.data, self.mask.filename)  # one sentence if unreadable
        return images, self.mask
