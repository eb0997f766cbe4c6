"""Server-Sent Events, read as they arrive: the decoder of the WHATWG rules, and what a Compat
`stream: true` answer carries (OpenAI's `image_generation.*` / `image_edit.*` events).

The decoder takes bytes in any chunking: lines end in CRLF, LF or CR (a CR at the end of one
chunk and an LF at the start of the next are one line end); `data` lines of one event are
joined with newlines; lines starting with a colon are comments; a blank line ends an event.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.api import picture_json
from app.core.api.errors import ApiError, ErrorKind
from app.core.api.parse import b64decode_image, error_from_response, malformed

log = logging.getLogger("app.core.api.client")

_EOL = re.compile(rb"\r\n|\r|\n")
# The parameters a server that cannot stream names ("upstream" is not one of them).
_NAMES_STREAM = re.compile(r"\b(stream|partial_images)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    event: str  # the `event:` field; "message" when the server gave none
    data: str
    id: str | None = None


class Decoder:
    def __init__(self) -> None:
        self._buf = bytearray()  # appended in place: a long data line arrives in many chunks
        self._scan = 0  # where to look for the next line end (a long data line arrives in parts)
        self._skip_lf = False
        self._first = True
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, chunk: bytes) -> list[Event]:
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        self._buf += chunk
        out: list[Event] = []
        while (m := _EOL.search(self._buf, self._scan)) is not None:
            if m.group() == b"\r" and m.end() == len(self._buf):
                self._skip_lf = True  # maybe the first half of a CRLF split across chunks
            line = bytes(self._buf[: m.start()])
            del self._buf[: m.end()]
            self._scan = 0
            event = self._line(line.decode("utf-8", "replace"))
            if event is not None:
                out.append(event)
        self._scan = len(self._buf)
        return out

    def close(self) -> list[Event]:
        """The stream ended: a last event without its blank line still counts (a complete
        final picture is paid for; a cut one fails when its JSON is read)."""
        out = self.feed(b"\n") if self._buf else []
        event = self._line("")
        return out + ([event] if event is not None else [])

    def _line(self, line: str) -> Event | None:
        if self._first:
            self._first = False
            line = line.removeprefix("\ufeff")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment (keep-alive)
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
        return None  # "retry" and unknown fields are ignored

    def _dispatch(self) -> Event | None:
        data, kind = self._data, self._event
        self._data, self._event = [], ""
        if not data:
            return None
        return Event(kind or "message", "\n".join(data), self._id)


def is_event_stream(headers: Mapping[str, str]) -> bool:
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return ctype.split(";")[0].strip().lower() == "text/event-stream"


Preview = Callable[[int, bytes], None]  # (index from 0, the encoded picture)


class ImageStream:
    """Reads a Compat stream chunk by chunk: each partial picture goes to `on_preview` at once;
    the completed event (or an error event) is kept for the caller."""

    def __init__(self, on_preview: Preview | None) -> None:
        self._decoder = Decoder()
        self._on_preview = on_preview
        self.completed: dict[str, Any] | None = None
        self.error: dict[str, Any] | None = None
        self.unreadable: str | None = None  # the data of a final or error event that is not JSON
        self.previews = 0

    def feed(self, chunk: bytes) -> None:
        for event in self._decoder.feed(chunk):
            self._take(event)

    def close(self) -> None:
        for event in self._decoder.close():
            self._take(event)

    def _take(self, event: Event) -> None:
        try:
            data = picture_json.loads(event.data.encode())  # a picture's base64 inside
        except ValueError:
            data = None
        kind = data.get("type") if isinstance(data, dict) else None
        kind = kind if isinstance(kind, str) else event.event
        if kind.endswith(".partial_image"):
            self._preview(data)
        elif kind.endswith(".completed") or kind == "error" or event.event == "error":
            if not isinstance(data, dict):
                self.unreadable = event.data[:2000]
            elif kind.endswith(".completed") and "error" not in data:
                self.completed = data
            else:
                self.error = data
        elif isinstance(data, dict) and "error" in data:
            self.error = data
        # Other events (keep-alives under another name, future kinds) are not ours to read.

    def _preview(self, data: object) -> None:
        # A preview is only shown: one that cannot be read is skipped, the job goes on.
        b64 = data.get("b64_json") if isinstance(data, dict) else None
        if not isinstance(b64, str):
            log.info("a streamed preview could not be read; skipped")
            return
        try:
            picture = b64decode_image(b64)
        except ApiError:
            log.info("a streamed preview's base64 is damaged; skipped")
            return
        index = data.get("partial_image_index") if isinstance(data, dict) else None
        index = index if isinstance(index, int) and not isinstance(index, bool) else self.previews
        self.previews += 1
        if self._on_preview is not None:
            self._on_preview(index, picture)

    def response(self) -> dict[str, Any] | None:
        """The completed event as an ImagesResponse, read like a non-streamed answer."""
        done = self.completed
        if done is None:
            return None
        out: dict[str, Any] = {"data": [{"b64_json": done.get("b64_json")}]}
        if "created_at" in done:
            out["created"] = done["created_at"]
        for key in ("size", "quality", "background", "output_format", "usage"):
            if key in done:
                out[key] = done[key]
        return out


def streamed_payload(stream: ImageStream, body: bytes, secrets: Iterable[str | None]) -> object:
    """The completed event as an ImagesResponse (a paid picture wins over any error event);
    an error event or a stream that ended without its picture is an error (the picture may be
    billed: never sent again)."""
    payload = stream.response()
    if payload is not None:
        return payload
    if stream.error is not None:
        error = error_from_response(400, json.dumps(stream.error).encode(), secrets=secrets)
        if error.kind is not ErrorKind.refused:
            error = ApiError(
                ErrorKind.maybe_billed,
                "The server stopped the stream with an error"
                + (f": {error.detail}" if error.detail else "")
                + ". The server may have billed this picture; check your usage before "
                "trying again.",
                detail=error.detail,
                code=error.code,
            )
        raise error
    what = (
        "the stream's last event is not valid JSON"
        if stream.unreadable is not None
        else "the stream ended before the finished picture"
    )
    raise malformed(what, body[-2000:], secrets)


def refuses_stream(exc: ApiError) -> bool:
    """A 400 (or 422) that names `stream` or `partial_images`: a server that cannot stream and
    so did nothing; the same request without them is safe to send."""
    if exc.kind is not ErrorKind.invalid_request or exc.status not in (400, 422):
        return False
    words = f"{exc.detail or ''} {exc.code or ''}"
    return _NAMES_STREAM.search(words) is not None
