"""A tolerant reader of everything the service may answer: images, task envelopes and errors.

The task `result` shape is undocumented, so anything plausible is accepted; what nothing matches
becomes ApiError(malformed) that carries the raw body, secrets removed, for a bug report.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.core.api import picture_json
from app.core.api.errors import ApiError, ErrorKind
from app.core.api.models import ImageResult, ResultImage, TaskStatus, Usage, sniff_format
from app.core.redact import redact  # the one redactor (callers import it from here too)

Fetch = Callable[[str], bytes]  # downloads an http(s) URL with the size bound, or raises ApiError

_DATA_URL_RE = re.compile(r"^data:([\w.+\-]+/[\w.+\-]+)?((?:;[^,;]*)*?);base64,(.*)$", re.S | re.I)


def body_text(body: bytes | str) -> str:
    if isinstance(body, str):
        return body
    return body.decode("utf-8", errors="replace")


def malformed(
    what: str, body: bytes | str | object, secrets: Iterable[str | None] = ()
) -> ApiError:
    if isinstance(body, bytes | str):
        raw = body_text(body)
    else:
        try:
            raw = json.dumps(body, ensure_ascii=False)
        except (TypeError, ValueError):
            raw = repr(body)
    return ApiError(
        ErrorKind.malformed,
        f"The server's answer could not be read ({what}). "
        "Try again; if it keeps happening, report it with the details.",
        raw=redact(raw, secrets),
    )


def load_json(body: bytes, secrets: Iterable[str | None] = ()) -> Any:
    try:
        return picture_json.loads(body)  # json.loads, without holding the GIL for a picture
    except (ValueError, UnicodeDecodeError):
        raise malformed("it is not valid JSON", body, secrets) from None


# --- errors ------------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def error_fields(payload: object) -> tuple[str | None, str | None, str | int | None]:
    """(message, type, code) from OpenAI's {"error": {...}} or Mountsea's message/msg/errorMessage/error."""
    if not isinstance(payload, Mapping):
        return (_text(payload), None, None)
    message: str | None = None
    err_type: str | None = None
    code: str | int | None = None
    err = payload.get("error")
    if isinstance(err, Mapping):
        message = _text(err.get("message"))
        err_type = _text(err.get("type"))
        raw_code = err.get("code")
        code = (
            raw_code if isinstance(raw_code, str | int) and not isinstance(raw_code, bool) else None
        )
    elif isinstance(err, str):
        message = _text(err)
    for key in ("message", "msg", "errorMessage", "error_message", "detail"):
        if message:
            break
        message = _text(payload.get(key))
    if code is None:
        for key in ("code", "errorCode", "error_code"):
            raw_code = payload.get(key)
            if isinstance(raw_code, str | int) and not isinstance(raw_code, bool):
                code = raw_code
                break
    if err_type is None:
        err_type = _text(payload.get("type"))
    return message, err_type, code


def error_from_response(
    status: int,
    body: bytes,
    *,
    secrets: Iterable[str | None] = (),
    retry_after: float | None = None,
) -> ApiError:
    """An ApiError with a sentence a person understands for a non-2xx answer."""
    secrets = list(secrets)
    try:
        payload: object = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        payload = body_text(body).strip()[:500] or None
    message, err_type, code = error_fields(payload)
    detail = redact(message, secrets, limit=1000) if message else None
    said = f" The server said: {detail}" if detail else ""
    code_s = str(code).lower() if code is not None else ""

    def make(kind: ErrorKind, message: str) -> ApiError:
        return ApiError(
            kind, message, detail=detail, status=status, code=code, retry_after=retry_after
        )

    if status in (401, 403):
        return make(ErrorKind.auth, "The API key was refused. Check it in Settings." + said)
    if code_s == "moderation_blocked" or (
        err_type == "image_generation_user_error" and "moderation" in (detail or "").lower()
    ):
        words = detail or "no reason given"
        return make(
            ErrorKind.refused,
            f"The safety system refused this request: {words} Change the prompt or the picture and try again.",
        )
    if code_s == "insufficient_quota":
        return make(
            ErrorKind.quota,
            "Your account has run out of credit (insufficient quota). Top it up, then try again."
            + said,
        )
    if status == 429:
        return make(
            ErrorKind.rate_limited,
            "The service is receiving too many requests. Wait a minute and try again." + said,
        )
    if status == 404:
        return make(
            ErrorKind.not_found,
            "The server does not know this address or task (HTTP 404). Check the server address; "
            "a task may also have expired." + said,
        )
    if status == 408:
        return make(
            ErrorKind.timeout, "The server timed out handling the request. Try again." + said
        )
    if status >= 500:
        return make(
            ErrorKind.server,
            f"The service had a problem (HTTP {status}). Try again in a few minutes." + said,
        )
    return make(
        ErrorKind.invalid_request,
        f"The service refused the request (HTTP {status})." + (said or " It gave no reason."),
    )


# --- images ------------------------------------------------------------------------------------


def verify_image(data: bytes) -> str:
    """The format of `data` after checking that the whole picture arrived intact, else
    ApiError(malformed).

    A PNG is checked chunk by chunk (every CRC, and the end chunk), which catches a body cut
    short or garbled on the way, even one cut just before its end chunk, which decoding lets
    pass. It takes 0.8 ms for a 1536x1024 result and 3 ms at 3840x2160, where decoding it took
    25 and 228 ms of a landing (the result view decodes it anyway). JPEG and WebP have no such
    checksums: they are decoded whole."""
    fmt = sniff_format(data)
    if fmt is None:
        raise malformed("the image is not PNG, JPEG or WebP", data[:64].hex())
    from PIL import Image  # here, not at import: the GUI imports this module at start-up

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if fmt == "png":
                    img.verify()
                else:
                    img.load()
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for damaged files
        raise ApiError(
            ErrorKind.malformed,
            f"The server sent a damaged {fmt.upper()} image ({exc}). Try again.",
            raw=f"{len(data)} bytes",
        ) from None
    return fmt


_WHITESPACE = str.maketrans("", "", " \t\r\n")


# Base64 decoding holds the GIL throughout: 9 ms for a 1536x1024 result of real weight, 35 ms
# for a 4K one, a stall of the GUI thread as long. In pieces of ~0.5 ms each, the GUI thread
# gets the GIL between two (bench_landing 4k: see the commit that added this).
_B64_CHUNK = 1 << 17  # characters, a multiple of 4: every piece but the last is unpadded


def _b64_chunks(text: str) -> list[str]:
    return [text[i : i + _B64_CHUNK] for i in range(0, len(text), _B64_CHUNK)] or [text]


def b64decode_image(text: str) -> bytes:
    """A picture's base64 as servers send it (line breaks, URL-safe alphabet), in pieces;
    ApiError(malformed) when it is cut short or damaged."""
    # str.translate is ~100x faster than re.sub on a multi-megabyte string, and the regex held
    # the GIL long enough (~29 ms per 1536x1024 PNG) to stall the GUI thread.
    cleaned = text.translate(_WHITESPACE) if any(c in text for c in " \t\r\n") else text
    try:
        if "-" in cleaned or "_" in cleaned:
            cleaned += "=" * (-len(cleaned) % 4)
            return b"".join(map(base64.urlsafe_b64decode, _b64_chunks(cleaned)))
        return b"".join(base64.b64decode(chunk, validate=True) for chunk in _b64_chunks(cleaned))
    except (binascii.Error, ValueError):
        raise ApiError(
            ErrorKind.malformed,
            "The server sent an image whose base64 data is cut short or damaged. Try again.",
            raw=redact(text[:200]),
        ) from None


def _looks_like_b64_image(text: str) -> bool:
    head = text.lstrip()[:12]
    return head.startswith(("iVBORw0KGgo", "/9j/", "UklGR"))


_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")


def is_image_value(value: object) -> bool:
    """A string that claims to be an image: data URL, any URL (refused later unless http/https) or base64."""
    if not isinstance(value, str):
        return False
    v = value.strip()
    low = v[:256].lower()
    if low.startswith("data:"):
        return ";base64," in low or "," in low
    return bool(_SCHEME_RE.match(v) or low.startswith("file:") or _looks_like_b64_image(v))


def decode_value(value: str, fetch: Fetch) -> bytes:
    """Image bytes from a data URL, an http(s) URL (fetched at once) or raw base64."""
    v = value.strip()
    lower = v[:16].lower()
    if lower.startswith("data:"):
        m = _DATA_URL_RE.match(v)
        if not m:
            raise malformed("a data URL without base64 content", v[:200])
        return b64decode_image(m.group(3))
    if lower.startswith(("http://", "https://")):
        return fetch(v)
    if "://" in v[:32] or lower.startswith("file:"):
        scheme = v.split(":", 1)[0]
        raise ApiError(
            ErrorKind.malformed,
            f"The server pointed to the result with a {scheme}: address; only http and https are fetched.",
            raw=redact(v[:200]),
        )
    return b64decode_image(v)


# --- results -----------------------------------------------------------------------------------

_VALUE_KEYS = ("b64_json", "b64", "base64", "url", "image_url", "imageUrl", "image", "img")
_LIST_KEYS = ("data", "images", "output", "outputs", "urls", "results")


def _collect(obj: object, depth: int = 0) -> list[tuple[str, str | None]]:
    """Every (image value, revised prompt) found in a result, in order."""
    if depth > 4:
        return []
    if isinstance(obj, str):
        text = obj.strip()
        if text[:1] in "{[":
            try:
                return _collect(json.loads(text), depth + 1)
            except ValueError:
                return []
        return [(text, None)] if is_image_value(text) else []
    if isinstance(obj, list):
        found: list[tuple[str, str | None]] = []
        for entry in obj:
            found.extend(_collect(entry, depth + 1))
        return found
    if not isinstance(obj, Mapping):
        return []
    revised = obj.get("revised_prompt") or obj.get("revisedPrompt")
    revised = revised if isinstance(revised, str) else None
    for key in _VALUE_KEYS:
        value = obj.get(key)
        if isinstance(value, str) and is_image_value(value):
            return [(value.strip(), revised)]
        if isinstance(value, Mapping) and isinstance(value.get("url"), str):
            return [(value["url"], revised)]
    for key in (*_LIST_KEYS, "result"):
        if key in obj:
            found = _collect(obj[key], depth + 1)
            if found:
                return found
    return []


def _int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return 0


def _usage(obj: object) -> Usage:
    if not isinstance(obj, Mapping):
        return Usage()
    details = obj.get("input_tokens_details")
    details = details if isinstance(details, Mapping) else {}
    return Usage(
        input_tokens=_int(obj.get("input_tokens")),
        output_tokens=_int(obj.get("output_tokens")),
        total_tokens=_int(obj.get("total_tokens")),
        text_input_tokens=_int(details.get("text_tokens")),
        image_input_tokens=_int(details.get("image_tokens")),
    )


def _meta_source(obj: object, depth: int = 0) -> Mapping[str, Any] | None:
    """The ImagesResponse-like mapping that carries created/size/usage, if any."""
    if depth > 3:
        return None
    if isinstance(obj, str) and obj.strip()[:1] == "{":
        try:
            obj = json.loads(obj)
        except ValueError:
            return None
    if not isinstance(obj, Mapping):
        return None
    if any(k in obj for k in ("created", "usage", "output_format", "size", "quality")):
        return obj
    return _meta_source(obj.get("result"), depth + 1)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_result(
    payload: object,
    fetch: Fetch,
    *,
    secrets: Iterable[str | None] = (),
    on_decode: Callable[[], None] | None = None,
) -> ImageResult:
    """An ImageResult from a Compat ImagesResponse or an async task's `result`, whatever its shape."""
    secrets = list(secrets)
    values = _collect(payload)
    if not values:
        raise malformed("it holds no image in any known shape", payload, secrets)
    raws = [(decode_value(value, fetch), revised) for value, revised in values]
    if on_decode:
        on_decode()
    images = [
        ResultImage(data=data, format=verify_image(data), revised_prompt=revised)
        for data, revised in raws
    ]
    meta = _meta_source(payload) or {}
    created = meta.get("created")
    return ImageResult(
        images=images,
        created=created if isinstance(created, int) and not isinstance(created, bool) else None,
        size=_opt_str(meta.get("size")),
        quality=_opt_str(meta.get("quality")),
        background=_opt_str(meta.get("background")),
        output_format=_opt_str(meta.get("output_format")),
        usage=_usage(meta.get("usage")),
    )


# --- tasks -------------------------------------------------------------------------------------


def _unwrap(payload: object, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
    """The mapping that has one of `keys`, looking inside Mountsea's {"code":..,"data":{...}} wrapper."""
    if not isinstance(payload, Mapping):
        return None
    if any(k in payload for k in keys):
        return payload
    inner = payload.get("data")
    if isinstance(inner, Mapping) and any(k in inner for k in keys):
        return inner
    return None


def parse_task_id(payload: object, body: bytes, secrets: Iterable[str | None] = ()) -> str:
    source = _unwrap(payload, ("taskId", "task_id", "id"))
    if source is not None:
        for key in ("taskId", "task_id", "id"):
            value = source.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
    raise malformed("no task id in the answer to the create call", body, secrets)


# Spellings other task services use for the documented final states.
_STATUS_ALIASES = {
    "success": "completed",
    "succeeded": "completed",
    "done": "completed",
    "finished": "completed",
    "failure": "failed",
    "error": "failed",
    "errored": "failed",
    "canceled": "cancelled",
    "timed_out": "timeout",
    "expired": "timeout",
}


def parse_task(
    payload: object, task_id: str, body: bytes, secrets: Iterable[str | None] = ()
) -> TaskStatus:
    source = _unwrap(payload, ("status", "state"))
    if source is None:
        raise malformed("no task status in the answer", body, secrets)
    status = source.get("status", source.get("state"))
    if not isinstance(status, str) or not status.strip():
        raise malformed("the task status is not text", body, secrets)
    code = source.get("errorCode", source.get("error_code"))
    trace = source.get("traceId", source.get("trace_id"))
    message = source.get("errorMessage", source.get("error_message"))
    if message is None and isinstance(source.get("error"), str | Mapping):
        message = error_fields({"error": source["error"]})[0]
    return TaskStatus(
        task_id=str(source.get("taskId") or source.get("task_id") or task_id),
        status=_STATUS_ALIASES.get(status.strip().lower(), status.strip().lower()),
        result=source.get("result"),
        error_message=redact(message, secrets, limit=1000)
        if isinstance(message, str) and message
        else None,
        error_code=code if isinstance(code, str | int) and not isinstance(code, bool) else None,
        trace_id=str(trace)
        if isinstance(trace, str | int) and not isinstance(trace, bool)
        else None,
        created_at=_opt_str(source.get("createdAt")),
        finished_at=_opt_str(source.get("finishedAt")),
    )


def task_failure(status: TaskStatus) -> ApiError:
    how = {
        "failed": "failed on the server",
        "timeout": "timed out on the server",
        "cancelled": "was cancelled on the server",
    }.get(status.status, f"ended as {status.status!r}")
    parts = [f"The task {how}"]
    parts.append(
        f": {status.error_message}" if status.error_message else " without giving a reason"
    )
    extra = []
    if status.error_code is not None:
        extra.append(f"error code {status.error_code}")
    if status.trace_id:
        extra.append(f"trace id {status.trace_id}")
    words = (status.error_message or "").lower()
    if "moderation" in words or "safety system" in words:
        # A task the safety system stopped: the same refusal as a 400 moderation_blocked on Compat.
        return ApiError(
            ErrorKind.refused,
            f"The safety system refused this request: {status.error_message} "
            "Change the prompt or the picture and try again.",
            detail=status.error_message,
            code=status.error_code,
            trace_id=status.trace_id,
            task_id=status.task_id,
        )
    sentence = "".join(parts) + (f" ({', '.join(extra)})" if extra else "") + "."
    sentence += (
        " You can try again; quote the trace id if you contact support."
        if status.trace_id
        else " You can try again."
    )
    return ApiError(
        ErrorKind.task_failed,
        sentence,
        detail=status.error_message,
        code=status.error_code,
        trace_id=status.trace_id,
        task_id=status.task_id,
    )
