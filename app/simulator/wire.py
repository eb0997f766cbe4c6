"""The simulator's HTTP side: its routes, the request as recorded, the answer, and the
threaded server and handler that read one and send the other. What an answer says is the
Simulator's business (server.py); this file only carries it."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from app.simulator import multipart
from app.simulator.faults import Fault, error_answer
from app.simulator.service import ApiProblem

log = logging.getLogger(__name__)

GENERATIONS = "/openai/v1/images/generations"
EDITS = "/openai/v1/images/edits"
TASKS_CREATE = "/openai/images"
TASKS_POLL = "/openai/tasks"
FILES = "/files/"
# A base URL ending in /v1 (plain OpenAI style) reaches the same Compat routes.
_ALIASES = {"/v1/images/generations": GENERATIONS, "/v1/images/edits": EDITS}


def canonical_path(path: str) -> str:
    path = urlsplit(path).path.rstrip("/") or "/"
    return _ALIASES.get(path, path)


def content_type_of(body: object) -> str:
    """What a raw fault body would be served as: a proxy's HTML page, plain text, or bytes."""
    if isinstance(body, (dict, list)):
        return "application/json"
    if isinstance(body, str):
        text = body.lstrip()
        if text.startswith(("{", "[")):
            return "application/json"
        return "text/html; charset=utf-8" if text.startswith("<") else "text/plain; charset=utf-8"
    return "application/octet-stream"


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    json: Any
    form: dict[str, list[str]]
    files: dict[str, list[tuple[str, str, bytes]]]
    body: bytes


@dataclass
class Answer:
    status: int
    body: bytes | str | dict[str, Any] | list[Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    # A streamed answer (Server-Sent Events): (seconds to wait first, bytes) sent one by one in
    # chunked encoding; `cut` closes the connection after them, without the final chunk.
    events: list[tuple[float, bytes]] | None = None
    cut: bool = False


class Backend(Protocol):
    """What the handler asks of the simulator behind it."""

    def record_request(self, rec: RecordedRequest) -> None: ...

    def new_id(self, kind: str = "uuid") -> str: ...

    def take_fault(self, method: str, path: str) -> Fault | None: ...

    def handle(
        self, rec: RecordedRequest, route: str, request_id: str, fault: Fault | None
    ) -> Answer: ...

    def wait(self, seconds: float) -> None: ...

    def is_stopping(self) -> bool: ...


class Server(ThreadingHTTPServer):
    # Our own thread bookkeeping: daemon threads (a forgotten stop() never blocks exit) that
    # stop() still joins, after shutting down any keep-alive socket they are blocked on.
    daemon_threads = True
    block_on_close = False

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], sim: Backend
    ):
        self.sim = sim
        self.live: dict[threading.Thread, socket.socket] = {}
        self.live_lock = threading.Lock()
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request (killed, or gave up) resets the connection: what a
        # real server shrugs off, not a traceback on stderr.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        t = threading.Thread(
            target=self._serve, args=(request, client_address), daemon=True, name="simulator-conn"
        )
        with self.live_lock:
            self.live[t] = request
        t.start()

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self.live_lock:
                self.live.pop(threading.current_thread(), None)

    def close_connections(self) -> list[threading.Thread]:
        with self.live_lock:
            live = dict(self.live)
        for sock in live.values():
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return list(live)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real service behind its proxy
    # Nagle + delayed ACK added ~40 ms to every small answer on loopback.
    disable_nagle_algorithm = True
    server_version = "mountsea-simulator"
    sys_version = ""
    server: Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        # The request line only: headers (and so the bearer key) are never logged.
        log.debug("%s %s", self.address_string(), format % args)

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        sim = self.server.sim
        split = urlsplit(self.path)
        body = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        ctype = headers.get("content-type", "")
        parsed_json: Any = None
        form: dict[str, list[str]] = {}
        files: dict[str, list[tuple[str, str, bytes]]] = {}
        if body and "json" in ctype:
            try:
                parsed_json = json.loads(body)
            except ValueError:
                parsed_json = None
        elif body and ctype.startswith("multipart/"):
            try:
                parsed = multipart.parse(body, ctype)
                form, files = parsed.fields, parsed.files
            except multipart.MultipartError:
                pass
        rec = RecordedRequest(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query)),
            headers=headers,
            json=parsed_json,
            form=form,
            files=files,
            body=body,
        )
        sim.record_request(rec)
        route = canonical_path(split.path)
        request_id = f"req_{sim.new_id('hex')}"
        fault = sim.take_fault(self.command, route)

        if fault is not None and fault.status is not None:
            if fault.after_work:
                # Made and billed, then the answer is lost (a refused request makes nothing).
                with contextlib.suppress(ApiProblem):
                    sim.handle(rec, route, request_id, None)
            status, extra, err_body = error_answer(fault)
            answer = Answer(status, err_body, extra, content_type=content_type_of(err_body))
        else:
            try:
                answer = sim.handle(rec, route, request_id, fault)
            except ApiProblem as problem:
                answer = Answer(problem.status, problem.body(), problem.headers)
            except Exception:
                log.exception("simulator failed on %s %s", self.command, split.path)
                answer = Answer(
                    500,
                    {
                        "error": {
                            "message": "The simulator failed on this request.",
                            "type": "server_error",
                            "param": None,
                            "code": None,
                        }
                    },
                )
        if fault is not None:
            sim.wait(fault.delay)
            if fault.drop:
                self.close_connection = True
                return
        if sim.is_stopping():
            self.close_connection = True
            return
        self._send(
            answer,
            request_id,
            malformed=bool(fault and fault.malformed_json and fault.status is None),
        )

    def _send_events(self, answer: Answer, request_id: str) -> None:
        sim = self.server.sim
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("x-request-id", request_id)
            self.end_headers()
            for pause, data in answer.events or []:
                sim.wait(pause)
                if sim.is_stopping():
                    self.close_connection = True
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            if answer.cut:
                # A proxy giving up mid-stream: no final chunk, the connection just ends.
                self.close_connection = True
                return
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, answer: Answer, request_id: str, *, malformed: bool) -> None:
        if answer.events is not None:
            self._send_events(answer, request_id)
            return
        body = answer.body
        if isinstance(body, (dict, list)):
            payload = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            payload = body.encode("utf-8")
        else:
            payload = body or b""
        if malformed:
            # What a proxy cutting the body short looks like: JSON that stops mid-way.
            payload = payload[: max(1, min(len(payload) // 2, 200))]
        extra = {
            k: v
            for k, v in answer.headers.items()
            if k.lower() not in ("content-length", "content-type")
        }
        content_type = next(
            (v for k, v in answer.headers.items() if k.lower() == "content-type"),
            answer.content_type,
        )
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-request-id", request_id)
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
