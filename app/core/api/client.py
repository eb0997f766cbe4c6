"""The two flavours of Mountsea's image API over one shared httpx.Client.

Blocking calls meant for worker threads; a CancelToken set from any thread stops a job between
polls, during back-off sleeps and while a body is being read.
"""

from __future__ import annotations

import json
import logging
import random as _random
import time
from collections.abc import Callable
from typing import Any

import httpx

from app.core.api.cancel import CancelToken
from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.fields import common_fields, compat_root, data_url, tasks_root, upload_name
from app.core.api.http import (
    make_http_client,
)
from app.core.api.models import (
    DEFAULT_BASE_URL,
    Flavour,
    ImageRequest,
    ImageResult,
    TaskStatus,
    ValidationError,
    image_url_problems,
)
from app.core.api.parse import (
    error_from_response,
    load_json,
    malformed,
    parse_result,
    parse_task,
    parse_task_id,
    task_failure,
)
from app.core.api.sse import ImageStream, is_event_stream, refuses_stream, streamed_payload
from app.core.api.transport import (
    EventSink,
    ProgressEvent,
    Transport,
    emit,
)

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_BASE_URL",
    "MountseaClient",
    "ProgressEvent",
    "compat_root",
    "make_http_client",
    "tasks_root",
]

# A task id no server has: polling it costs nothing and proves whether the key is accepted.
PROBE_TASK_ID = "00000000-0000-4000-8000-000000000000"
# Poll at the base interval this long, then back off gently (Mountsea: every 3-5 s, slower for long tasks).
STEADY_POLL_SECONDS = 60.0
# While a task may be alive, these answers to a poll are passing problems (contract, retry
# rules): an HTML page from a gateway, an envelope without status, a 404 (not visible yet), 5xx.
PASSING_POLL_PROBLEMS = frozenset(
    {
        ErrorKind.network,
        ErrorKind.timeout,
        ErrorKind.server,
        ErrorKind.rate_limited,
        ErrorKind.malformed,
        ErrorKind.not_found,
    }
)
# An answer at least this big carries a picture (a 1024x1024 PNG is over 1 MB in base64).
PICTURE_ANSWER_BYTES = 256 * 1024
FRESH_LINK_ATTEMPTS = 2  # a completed task whose image link fails is asked again this often
POLL_GROWTH = 1.25


class MountseaClient:
    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        api_key: str,
        *,
        max_retries: int = 2,
        poll_interval: float = 3.0,
        max_poll_interval: float = 15.0,
        task_deadline: float = 900.0,
        max_download_bytes: int = 64 * 1024 * 1024,
        random: Callable[[], float] = _random.random,
        clock: Callable[[], float] = time.monotonic,
        partial_images: int | None = None,
        on_stream_refused: Callable[[str], None] | None = None,
    ) -> None:
        self.http = http
        # Compat calls ask for a stream with this many previews (None: a plain answer);
        # a server that refuses `stream` is told to `on_stream_refused` (its base URL).
        self.partial_images = partial_images
        self.on_stream_refused = on_stream_refused
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.api_key = api_key
        self.max_retries = max_retries
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.task_deadline = task_deadline
        self.max_download_bytes = max_download_bytes
        self._random = random
        self._clock = clock
        self._transport = Transport(
            http,
            self.base_url,
            api_key,
            max_retries=max_retries,
            max_download_bytes=max_download_bytes,
            random=random,
            clock=clock,
        )

    def __repr__(self) -> str:  # never shows the key
        return f"MountseaClient({self.base_url!r})"

    # --- addresses ----------------------------------------------------------------------------

    @property
    def compat_root(self) -> str:
        return compat_root(self.base_url)

    @property
    def tasks_create_url(self) -> str:
        return tasks_root(self.base_url) + "/openai/images"

    @property
    def tasks_poll_url(self) -> str:
        return tasks_root(self.base_url) + "/openai/tasks"

    # --- the whole job ------------------------------------------------------------------------

    def run(
        self,
        request: ImageRequest,
        flavour: Flavour,
        cancel: CancelToken,
        on_event: EventSink = None,
    ) -> ImageResult:
        """Validate, send, wait and read: the whole job in either flavour."""
        request.validate()
        if Flavour(flavour) is Flavour.compat:
            return self.create_compat(request, cancel, on_event)
        start = self._clock()
        emit(on_event, ProgressEvent("sending", elapsed=0.0))
        task_id = self.submit_task(request, cancel, on_event=on_event)
        emit(
            on_event,
            ProgressEvent(
                "submitted",
                task_id=task_id,
                elapsed=self._clock() - start,
                deadline=self.task_deadline,
            ),
        )
        return self.wait_task(task_id, cancel, on_event, _started=start)

    # --- Compat -------------------------------------------------------------------------------

    def create_compat(
        self, request: ImageRequest, cancel: CancelToken, on_event: EventSink = None
    ) -> ImageResult:
        """POST /images/generations (JSON) or /images/edits (multipart) and read the ImagesResponse,
        streamed with previews when `partial_images` is set (a server that answers plain JSON is
        read as such; one that refuses `stream` with a 400 did nothing: asked once more plainly).

        Once sent, a Compat call is paid for: a cancel that arrives while the server works does not
        drop the answer; it is returned so the caller can keep it (marked cancelled).
        """
        request.validate()
        start = self._clock()
        cancel.raise_if_cancelled()
        emit(on_event, ProgressEvent("sending"))
        if self.partial_images is not None:
            try:
                return self._compat_call(request, cancel, on_event, start, self.partial_images)
            except _StreamRefused:
                log.info("the server refuses streaming; sending once more without it")
                self.partial_images = None
                if self.on_stream_refused is not None:
                    self.on_stream_refused(self.base_url)
        return self._compat_call(request, cancel, on_event, start, None)

    def _compat_call(
        self,
        request: ImageRequest,
        cancel: CancelToken,
        on_event: EventSink,
        start: float,
        partials: int | None,
    ) -> ImageResult:
        fields = common_fields(request)
        if partials is not None:
            fields.update(stream=True, partial_images=partials)

        def preview(index: int, data: bytes) -> None:
            emit(
                on_event,
                ProgressEvent("preview", elapsed=self._clock() - start, index=index, data=data),
            )

        stream = ImageStream(preview) if partials is not None else None
        common: dict[str, Any] = {
            "cancel": cancel,
            "create": "compat",
            "on_event": on_event,
            "start": start,
            "abort_on_cancel": False,
            "on_stream": stream.feed if stream is not None else None,
        }
        if stream is not None:
            common["headers"] = {
                **self._transport.auth_headers(),
                "Accept": "text/event-stream, application/json",
            }
        if request.is_edit:
            # The multipart edit schema has no moderation; response_format is never sent.
            form = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()}
            files: list[tuple[str, tuple[str, bytes, str]]] = []
            part = "image" if len(request.images) == 1 else "image[]"
            for i, image in enumerate(request.images, start=1):
                files.append((part, (upload_name(image, f"image-{i}"), image.data, image.mime)))
            if request.mask is not None:
                files.append(
                    ("mask", (upload_name(request.mask, "mask"), request.mask.data, "image/png"))
                )
            url = self.compat_root + "/images/edits"
            body: dict[str, Any] = {"data": form, "files": files}
        else:
            fields["moderation"] = request.moderation
            url = self.compat_root + "/images/generations"
            body = {"json": fields}
        try:
            resp = self._transport.call("POST", url, **body, **common)
        except ApiError as exc:
            # Only the HTTP answer itself can say "no streaming here" (a 400 before any work).
            if stream is not None and refuses_stream(exc):
                raise _StreamRefused() from exc
            raise
        try:
            if stream is not None and is_event_stream(resp.headers):
                stream.close()
                payload = streamed_payload(stream, resp.body, self._secrets)
            else:
                # also a server that ignored `stream`
                payload = self._answer_json(resp.body, on_event, None)
            self._raise_envelope_error(payload)
            return self._read_result(payload, cancel, on_event, start, task_id=None)
        except ApiError as exc:
            if exc.kind is ErrorKind.malformed:
                # The call succeeded (and was billed) but its answer is unreadable: keep the raw
                # body on the error and say plainly that retrying bills again.
                exc.reword(
                    f"{exc.message} The server may have billed this picture; check your usage "
                    "before trying again."
                )
            raise

    # --- Async tasks --------------------------------------------------------------------------

    def submit_task(
        self, request: ImageRequest, cancel: CancelToken, *, on_event: EventSink = None
    ) -> str:
        """POST /openai/images; returns the task id. Never re-sent once it may have reached the server."""
        request.validate()
        too_big = image_url_problems(request)
        if too_big:
            raise ValidationError(too_big)
        body = common_fields(request)
        # The async docs do not list moderation: sent only when the user asks for "low".
        if request.moderation != "auto":
            body["moderation"] = request.moderation
        if request.images:
            urls = [data_url(img) for img in request.images]
            body["image"] = urls[0] if len(urls) == 1 else urls
        if request.mask is not None:
            body["mask"] = data_url(request.mask)
        resp = self._transport.call(
            "POST",
            self.tasks_create_url,
            cancel=cancel,
            create="async",
            on_event=on_event,
            start=self._clock(),
            json=body,
        )
        try:
            payload = load_json(resp.body, self._secrets)
            try:
                return parse_task_id(payload, resp.body, self._secrets)
            except ApiError:
                self._raise_envelope_error(payload)
                raise
        except ApiError as exc:
            if exc.kind is ErrorKind.malformed:
                # A 200 we cannot read: the task may well exist and be billed. Say so, never re-send.
                exc.reword(
                    "The server accepted the job but its answer could not be read, so the task may "
                    "exist anyway. It was not sent again to avoid paying twice; you can retry it "
                    "yourself."
                )
            raise

    def poll_task(
        self, task_id: str, cancel: CancelToken, *, on_event: EventSink = None
    ) -> TaskStatus:
        """GET /openai/tasks?taskId=...; a 404 is tried a few times (the task may not be visible yet)."""
        resp = self._transport.call(
            "GET",
            self.tasks_poll_url,
            cancel=cancel,
            create=None,
            on_event=on_event,
            start=self._clock(),
            params={"taskId": task_id},
            retry_404=True,
        )
        payload = self._answer_json(resp.body, on_event, task_id)
        try:
            return parse_task(payload, task_id, resp.body, self._secrets)
        except ApiError:
            self._raise_envelope_error(payload)
            raise

    def wait_task(
        self,
        task_id: str,
        cancel: CancelToken,
        on_event: EventSink = None,
        *,
        _started: float | None = None,
    ) -> ImageResult:
        """Poll with gentle backoff until the task is final, within task_deadline.

        Also the entry point to resume a task after a crash: it never creates anything.
        """
        start = self._clock() if _started is None else _started
        wait_start = self._clock()
        interval = self.poll_interval
        deadline = self.task_deadline
        fresh_links = 0
        last_problem: ApiError | None = None
        while True:
            cancel.raise_if_cancelled()
            status: TaskStatus | None = None
            try:
                status = self.poll_task(task_id, cancel, on_event=on_event)
            except ApiError as exc:
                exc.task_id = exc.task_id or task_id
                if exc.kind not in PASSING_POLL_PROBLEMS:
                    raise
                last_problem = exc
                self._say_still_trying(
                    on_event,
                    task_id,
                    start,
                    deadline,
                    _poll_problem(exc),
                    offline=exc.kind is ErrorKind.network,
                    retry_in=interval,
                )
            if status is not None:
                emit(
                    on_event,
                    ProgressEvent(
                        "polling",
                        task_id=task_id,
                        server_status=status.status,
                        elapsed=self._clock() - start,
                        deadline=deadline,
                    ),
                )
                if status.status == "completed":
                    if status.result is None:
                        last_problem = malformed(
                            "the task is completed but carries no result",
                            status.__dict__,
                            self._secrets,
                        )
                        self._say_still_trying(
                            on_event, task_id, start, deadline, _poll_problem(last_problem)
                        )
                    else:
                        try:
                            return self._read_result(
                                status.result, cancel, on_event, start, task_id=task_id
                            )
                        except ApiError as exc:
                            # The picture's link failed (expired, 404, 5xx): ask the task for a
                            # fresh one a few times before giving up on a paid result.
                            if not exc.download_failed or fresh_links >= FRESH_LINK_ATTEMPTS:
                                raise
                            fresh_links += 1
                            last_problem = exc
                            self._say_still_trying(
                                on_event,
                                task_id,
                                start,
                                deadline,
                                "The finished picture could not be downloaded; asking the server "
                                "for a fresh link.",
                            )
                elif status.is_final:
                    raise task_failure(status)
            waited = self._clock() - wait_start
            remaining = deadline - waited
            if remaining <= 0:
                words = f" Last problem: {_poll_problem(last_problem)}" if last_problem else ""
                error = ApiError(
                    ErrorKind.deadline,
                    f"The task did not finish within {_minutes(deadline)}. It may still finish on the "
                    f"server: check the server again later from the task list (task id {task_id})."
                    + words,
                    task_id=task_id,
                    raw=last_problem.raw if last_problem else None,
                )
                raise error
            if cancel.wait(min(interval, remaining)):
                raise Cancelled()
            if waited >= STEADY_POLL_SECONDS or last_problem is not None:
                interval = min(interval * POLL_GROWTH, self.max_poll_interval)

    def _say_still_trying(
        self,
        on_event: EventSink,
        task_id: str,
        start: float,
        deadline: float,
        message: str,
        *,
        offline: bool = False,
        retry_in: float | None = None,
    ) -> None:
        emit(
            on_event,
            ProgressEvent(
                "waiting",
                task_id=task_id,
                elapsed=self._clock() - start,
                deadline=deadline,
                message=message + " Still trying until the deadline.",
                offline=offline,
                retry_in=retry_in,
            ),
        )

    # --- key check ----------------------------------------------------------------------------

    def check_key(self, cancel: CancelToken | None = None) -> None:
        """Costs nothing: polls a task that does not exist. 401/403 -> ApiError(auth); 404 -> the key is fine."""
        try:
            resp = self._transport.call(
                "GET",
                self.tasks_poll_url,
                cancel=cancel or CancelToken(),
                create=None,
                on_event=None,
                start=self._clock(),
                params={"taskId": PROBE_TASK_ID},
            )
        except ApiError as exc:
            if exc.kind in (ErrorKind.not_found, ErrorKind.invalid_request):
                return
            raise
        try:
            payload = load_json(resp.body, self._secrets)
        except ApiError:
            return
        self._raise_envelope_error(payload, only_auth=True)

    # --- internals ----------------------------------------------------------------------------

    @property
    def _secrets(self) -> list[str]:
        return self._transport.secrets

    def _raise_envelope_error(self, payload: object, *, only_auth: bool = False) -> None:
        """Mountsea sometimes answers 200 with {"code": 401, "msg": ...}: turn that into the real error."""
        if not isinstance(payload, dict):
            return
        code = payload.get("code")
        status = (
            code
            if isinstance(code, int) and not isinstance(code, bool) and 400 <= code <= 599
            else None
        )
        if status is None and isinstance(payload.get("error"), dict | str):
            status = 400
        if status is None or (only_auth and status not in (401, 403)):
            return
        raise error_from_response(status, json.dumps(payload).encode(), secrets=self._secrets)

    def _answer_json(self, body: bytes, on_event: EventSink, task_id: str | None) -> Any:
        """The JSON of an answer that may carry a picture. A big one is announced first as
        "decoding": parsing it and then its base64 is CPU work that holds the GIL, so the job
        takes its landing slot before it starts. Eight 3.5 MB answers parsed side by side kept
        the GIL while their threads waited for a core (json.loads: 4-7 ms of CPU, 8-50 ms of
        wall time), and the GUI thread stalled as long (bench_landing sep)."""
        if len(body) >= PICTURE_ANSWER_BYTES:
            emit(on_event, ProgressEvent("decoding", task_id=task_id))
        return load_json(body, self._secrets)

    def _read_result(
        self,
        payload: object,
        cancel: CancelToken,
        on_event: EventSink,
        start: float,
        *,
        task_id: str | None,
    ) -> ImageResult:
        def fetch(url: str) -> bytes:
            emit(
                on_event,
                ProgressEvent("downloading", task_id=task_id, elapsed=self._clock() - start),
            )
            return self._transport.download(url, cancel, start)

        def decoding() -> None:
            emit(
                on_event, ProgressEvent("decoding", task_id=task_id, elapsed=self._clock() - start)
            )

        try:
            result = parse_result(payload, fetch, secrets=self._secrets, on_decode=decoding)
        except ApiError as exc:
            exc.task_id = exc.task_id or task_id
            raise
        result.task_id = task_id
        return result


class _StreamRefused(Exception):
    """The server answered a streamed Compat call with a 400 naming `stream`: nothing was made."""


def _poll_problem(exc: ApiError) -> str:
    if exc.kind is ErrorKind.not_found:
        return "The server does not show this task right now."
    if exc.kind is ErrorKind.malformed:
        return "The server's answers can't be read."
    return exc.message


def _minutes(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} seconds"
