"""A local Mountsea-compatible HTTP server: both flavours, real images, injectable faults.

This file answers requests (keys, Compat calls, task creation and polls, result files); the
HTTP plumbing is in wire.py, the task's state walk in tasks.py."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import random
import socket
import threading
import time
import uuid
from collections import deque
from typing import Any

from app.core.api.models import MIME_BY_FORMAT
from app.simulator import multipart, painter, service, stream
from app.simulator.faults import Fault
from app.simulator.process import DEMO_KEY
from app.simulator.service import ApiProblem, Job, SourceImage, bad
from app.simulator.tasks import TASK_END_DEFAULTS, TaskRecord, iso
from app.simulator.wire import (
    EDITS,
    FILES,
    GENERATIONS,
    TASKS_CREATE,
    TASKS_POLL,
    Answer,
    Handler,
    RecordedRequest,
    Server,
    canonical_path,
)

log = logging.getLogger(__name__)


# Importable from here as before the split.
__all__ = [
    "DEMO_KEY",
    "EDITS",
    "FILES",
    "GENERATIONS",
    "TASKS_CREATE",
    "TASKS_POLL",
    "Answer",
    "RecordedRequest",
    "Simulator",
    "TaskRecord",
    "canonical_path",
]


class Simulator:
    """The service on 127.0.0.1. Start it, point a client at `base_url`, inspect `requests`."""

    def __init__(
        self,
        api_keys: tuple[str, ...] | list[str] = (DEMO_KEY,),
        latency: float = 0.0,
        *,
        task_step_delay: float | None = None,
        seed: int | None = None,
        edit_auto_size: str = "preset",
        max_recorded: int = 1000,
        task_ttl: float = 3600.0,
    ):
        if edit_auto_size not in ("preset", "nearest"):
            raise ValueError("edit_auto_size must be 'preset' or 'nearest'")
        self.api_keys = frozenset(api_keys)
        self.latency = float(latency)
        self.task_step_delay = task_step_delay
        # An edit with size=auto: "preset", the 1K size closest in shape to the first picture
        # (app.core.sizes); "nearest", only the three sizes Mountsea documents.
        self.edit_auto_size = edit_auto_size
        # Bounds for a long demo session: only the newest requests are kept (with their bodies),
        # and finished tasks expire (404) after task_ttl seconds, as on the real service.
        self.max_recorded = max_recorded
        self.task_ttl = task_ttl
        self._request_count = 0
        self._random = random.Random(seed)
        self._id_lock = threading.Lock()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._faults: dict[tuple[str, str], deque[list[Any]]] = {}
        self.tasks: dict[str, TaskRecord] = {}
        self._files: dict[str, tuple[str, bytes]] = {}
        self._created_tasks = 0
        self._compat_calls = 0
        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self, port: int = 0) -> str:
        if self._server is not None:
            return self.base_url
        self._stopping.clear()
        self._server = Server(("127.0.0.1", port), Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            daemon=True,
            name="simulator",
        )
        self._thread.start()  # the socket already listens: connections queue until served
        return self.base_url

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()  # wakes handlers waiting out latency or a delay fault
        closer = threading.Thread(target=server.shutdown, name="simulator-stop")
        closer.start()
        # serve_forever only notices shutdown between polls; a connection wakes it at once.
        while closer.is_alive():
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                pass
            closer.join(0.05)
        thread.join()
        server.server_close()
        for t in server.close_connections():
            t.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------ for tests

    @property
    def requests(self) -> list[RecordedRequest]:
        # The live list (appends are atomic), so a test may also clear() it between phases.
        return self._requests

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least `count` requests have arrived (read in full); False on timeout."""
        with self._lock:
            return self._arrived.wait_for(lambda: self._request_count >= count, timeout)

    @property
    def request_count(self) -> int:
        """Requests received since start, including any no longer kept in `requests`."""
        return self._request_count

    @property
    def created_tasks(self) -> int:
        return self._created_tasks

    @property
    def compat_calls(self) -> int:
        return self._compat_calls

    def inject(
        self, fault: Fault, *, method: str = "POST", path: str = TASKS_CREATE, times: int = 1
    ) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.setdefault((method.upper(), canonical_path(path)), deque()).append(
                [fault, times]
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # ------------------------------------------------------------ internals

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get((method, path))
            if not queue:
                return None
            entry = queue[0]
            entry[1] -= 1
            if entry[1] <= 0:
                queue.popleft()
            return entry[0]

    def record_request(self, rec: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(rec)
            self._request_count += 1
            if len(self._requests) > self.max_recorded:
                del self._requests[: len(self._requests) - self.max_recorded]
            self._arrived.notify_all()

    def new_id(self, kind: str = "uuid") -> str:
        with self._id_lock:
            bits = self._random.getrandbits(128)
        if kind == "uuid":
            return str(uuid.UUID(int=bits, version=4))
        return f"{bits:032x}"

    def wait(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def is_stopping(self) -> bool:
        return self._stopping.is_set()

    def _check_key(self, headers: dict[str, str]) -> None:
        auth = headers.get("authorization", "")
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiProblem(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization "
                "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code="invalid_api_key",
            )
        if key.strip() not in self.api_keys:
            # The key itself is never echoed, not even masked.
            raise ApiProblem(
                401,
                "Incorrect API key provided. Check the key in the app's settings.",
                code="invalid_api_key",
            )

    def handle(
        self, rec: RecordedRequest, route: str, request_id: str, fault: Fault | None
    ) -> Answer:
        if rec.method == "GET" and route.startswith(FILES):
            # Result URLs work without the key, like a signed storage URL would.
            return self._file(route[len(FILES) :])
        self._check_key(rec.headers)
        if rec.method == "POST" and route == GENERATIONS:
            return self._compat(self._json_object(rec), None, request_id, fault)
        if rec.method == "POST" and route == EDITS:
            return self._compat(None, rec, request_id, fault)
        if rec.method == "POST" and route == TASKS_CREATE:
            return self._create_task(self._json_object(rec), request_id, fault)
        if rec.method == "GET" and route == TASKS_POLL:
            return self._poll(rec.query.get("taskId"))
        raise ApiProblem(404, f"Invalid URL ({rec.method} {rec.path})", code=None)

    @staticmethod
    def _json_object(rec: RecordedRequest) -> dict[str, Any]:
        if rec.json is None or not isinstance(rec.json, dict):
            raise ApiProblem(
                400,
                "We could not parse the JSON body of your request. The API expects a JSON object "
                "(Content-Type: application/json).",
                code=None,
            )
        return rec.json

    def _compat(
        self,
        params: dict[str, Any] | None,
        rec: RecordedRequest | None,
        request_id: str,
        fault: Fault | None,
    ) -> Answer:
        began = time.monotonic()
        if rec is not None:
            job = self._multipart_job(rec)
        else:
            assert params is not None
            job = service.read_job(params, from_form=False, edit=False)
        blocked = service.moderation_problem(job, request_id)
        if blocked:
            raise blocked
        stream_fault = fault.stream if fault and job.stream else None
        if stream_fault == "refuse":
            raise ApiProblem(
                400, stream.REFUSED["message"], param="stream", code=stream.REFUSED["code"]
            )
        if stream_fault == "plain":
            job.stream = False  # a server that ignores `stream` answers plain JSON
        out = service.make(job, edit_auto_size=self.edit_auto_size)
        with self._lock:
            self._compat_calls += 1
        remaining = self.latency - (time.monotonic() - began)
        if job.stream:
            framed = stream.events(job, out, garbled=stream_fault == "garbled")
            if stream_fault == "cut":
                framed = framed[:-1]
            # The latency is spread over the events: previews come while the "model" works.
            pause = max(0.0, remaining) / max(1, len(framed))
            return Answer(
                200,
                None,
                content_type="text/event-stream",
                events=[(pause, data) for _, data in framed],
                cut=stream_fault == "cut",
            )
        self.wait(remaining)
        shape = fault.result_shape if fault else None
        truncated = bool(fault and fault.truncated_b64)
        if shape or truncated:
            # json.dumps so that a bare string shape is still a JSON document.
            return Answer(
                200, json.dumps(self._shape(out, shape or "images_response", truncated)).encode()
            )
        return Answer(200, out.response)

    def _multipart_job(self, rec: RecordedRequest) -> Job:
        try:
            form = multipart.parse(rec.body, rec.headers.get("content-type", ""))
        except multipart.MultipartError as exc:
            raise ApiProblem(400, f"Invalid multipart/form-data body: {exc}.", code=None) from None
        # Unknown fields are ignored, as in a JSON body (Mountsea ignores unknown parameters).
        images = form.files.get("image", []) + form.files.get("image[]", [])
        if not images:
            if "image" in form.fields or "image[]" in form.fields:
                raise bad(
                    "Invalid 'image': expected a file upload, not a text field.",
                    "image",
                    "invalid_type",
                )
            raise bad("Missing required parameter: 'image'.", "image", "missing_required_parameter")
        if "mask" in form.fields:
            raise bad(
                "Invalid 'mask': expected a file upload, not a text field.", "mask", "invalid_type"
            )
        params = {k: v[-1] for k, v in form.fields.items()}
        job = service.read_job(params, from_form=True, edit=True)
        job.images = [SourceImage(data=data, param="image") for _, _, data in images]
        masks = form.files.get("mask", [])
        if masks:
            job.mask = SourceImage(data=masks[0][2], param="mask")
        return job

    def _create_task(self, params: dict[str, Any], request_id: str, fault: Fault | None) -> Answer:
        image = params.get("image")
        edit = image is not None
        job = service.read_job(params, from_form=False, edit=edit)
        values = image if isinstance(image, list) else [] if image is None else [image]
        if edit and not values:
            raise bad(
                "Invalid 'image': empty array. Leave 'image' out for text-to-image.",
                "image",
                "empty_array",
            )
        if len(values) > service.MAX_IMAGES:
            raise bad(
                f"Invalid 'image': array too long. Expected an array with maximum length {service.MAX_IMAGES}, "
                f"but got an array with length {len(values)} instead.",
                "image",
                "array_above_max_length",
            )
        many = isinstance(image, list)
        job.images = [
            service.source_from_string(v, f"image[{i}]" if many else "image", self._own_file)
            for i, v in enumerate(values)
        ]
        if params.get("mask") is not None:
            if not edit:
                raise bad("'mask' needs an 'image' to apply to.", "mask")
            job.mask = service.source_from_string(params["mask"], "mask", self._own_file)
        decoded = None
        if edit and all(
            s.data is not None for s in [*job.images, *([job.mask] if job.mask else [])]
        ):
            decoded = service.decode_inputs(job)  # inline inputs are checked now, as a 400
        step = self.task_step_delay
        record = TaskRecord(
            id=self.new_id(),
            job=job,
            request=params,
            created=time.time(),
            started=time.monotonic(),
            duration=self.latency if step is None else 4 * step,
            step=step,
            trace_id=self.new_id("hex"),
            blocked=service.moderation_problem(job, request_id),
            decoded=decoded,
        )
        if fault is not None:
            record.end_state = fault.task_status
            record.error_message = fault.error_message
            record.error_code = fault.error_code
            record.result_shape = fault.result_shape or "images_response"
            record.truncated_b64 = fault.truncated_b64
        with self._lock:
            self._expire_tasks(record.started)
            self.tasks[record.id] = record
            self._created_tasks += 1
        return Answer(200, {"taskId": record.id})

    def _expire_tasks(self, now: float) -> None:
        expired = [
            t.id for t in self.tasks.values() if now - t.started - t.duration > self.task_ttl
        ]
        for task_id in expired:
            del self.tasks[task_id]

    def _poll(self, task_id: str | None) -> Answer:
        if not task_id:
            raise bad(
                "Missing required query parameter: 'taskId'.",
                "taskId",
                "missing_required_parameter",
            )
        record = self.tasks.get(task_id)
        if record is None:
            # Mountsea's own (non-OpenAI) endpoints answer in their own shape.
            return Answer(
                404,
                {"statusCode": 404, "message": f"Task not found: {task_id}", "error": "Not Found"},
            )
        with record.lock:
            record.polls += 1
            if record._final is None and record.walk_status() == "final":
                self._finish(record)
            status = record.status
            return Answer(
                200,
                {
                    "taskId": record.id,
                    "status": status,
                    "result": record.result if status == "completed" else None,
                    "errorMessage": record.error_message if status in TASK_END_DEFAULTS else None,
                    "errorCode": record.error_code if status in TASK_END_DEFAULTS else None,
                    "createdAt": iso(record.created),
                    "finishedAt": record.finished_at,
                    "traceId": record.trace_id,
                },
            )

    def _finish(self, record: TaskRecord) -> None:
        record.finished_at = iso(record.created + record.duration)
        decoded, record.decoded = record.decoded, None  # the inputs are not needed after this
        end = record.end_state
        if end is None and record.blocked is not None:
            end = "failed"
            record.error_message = record.error_message or record.blocked.message
            record.error_code = record.error_code if record.error_code is not None else 400
        if end is None:
            try:
                if decoded is None and record.job.is_edit:
                    decoded = service.decode_inputs(record.job)
                out = service.make(record.job, edit_auto_size=self.edit_auto_size, decoded=decoded)
            except ApiProblem as problem:  # e.g. an input URL that could not be fetched
                end = "failed"
                record.error_message = record.error_message or problem.message
                record.error_code = (
                    record.error_code if record.error_code is not None else problem.status
                )
            except Exception as exc:  # a bug or an odd input ends the task, not every poll
                log.exception("simulated task %s failed", record.id)
                end = "failed"
                record.error_message = (
                    record.error_message or f"The image could not be generated: {exc}"
                )
                record.error_code = record.error_code if record.error_code is not None else 500
            else:
                record.result = self._shape(out, record.result_shape, record.truncated_b64)
                record._final = "completed"
                return
        message, code = TASK_END_DEFAULTS[end]
        record.error_message = record.error_message or message
        record.error_code = record.error_code if record.error_code is not None else code
        record._final = end

    def _shape(self, out: service.Output, shape: str, truncated: bool) -> Any:
        data = out.data
        b64 = painter.base64_text(data)
        if truncated:
            # Cut to a multiple of 4: valid base64 that decodes to an incomplete image.
            b64 = b64[: (len(b64) // 2) // 4 * 4]
            data = base64.b64decode(b64)
        mime = MIME_BY_FORMAT[out.fmt]
        revised = out.response["data"][0]["revised_prompt"]
        response = dict(out.response)
        if shape == "images_response":
            response["data"] = [{"b64_json": b64, "revised_prompt": revised}]
            return response
        if shape == "url":
            file_id = f"{self.new_id('hex')}.{out.fmt}"
            with self._lock:
                self._files[file_id] = (mime, data)
            response["data"] = [
                {"url": f"{self.base_url}{FILES}{file_id}", "revised_prompt": revised}
            ]
            return response
        if shape == "data_url":
            response["data"] = [{"url": f"data:{mime};base64,{b64}", "revised_prompt": revised}]
            return response
        if shape == "bare_b64":
            return b64
        if shape == "images_list":
            return {"images": [b64]}
        if shape == "b64_field":
            return {"b64_json": b64}
        return {"artifact": {"kind": "image", "ref": self.new_id()}}  # "unrecognised"

    def _own_file(self, url: str) -> bytes | None:
        """Bytes of a URL that points at this simulator's /files route, else None."""
        prefix = f"{self.base_url}{FILES}"
        if not url.startswith(prefix):
            return None
        with self._lock:
            entry = self._files.get(url[len(prefix) :])
        return entry[1] if entry else None

    def _file(self, file_id: str) -> Answer:
        with self._lock:
            entry = self._files.get(file_id)
        if entry is None:
            return Answer(
                404,
                {
                    "error": {
                        "message": "File not found.",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
            )
        return Answer(200, entry[1], content_type=entry[0])
