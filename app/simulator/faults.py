"""Faults a test (or the demo) can inject into the next answers of one route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RESULT_SHAPES = (
    "images_response",
    "url",
    "data_url",
    "bare_b64",
    "images_list",
    "b64_field",
    "unrecognised",
)
TASK_END_STATES = ("failed", "timeout", "cancelled")
STREAM_FAULTS = ("refuse", "plain", "cut", "garbled")


@dataclass
class Fault:
    """One injected misbehaviour. Fields combine: e.g. `delay` with `status`.

    status (+body/headers): answer that instead; nothing is created or billed. Without `body`
        the answer is OpenAI's error shape for that status; `code` picks a variant (429 with
        code="insufficient_quota"). `headers`, when given, replace the default extra headers
        (429's `retry-after: 1` and `retry-after-ms: 50`).
    after_work: with `status`, do the work first (the task is made, the picture billed), then
        answer that status: a gateway failing after the service did its job.
    delay: seconds to wait before answering (the work, if any, is already done).
    drop: read the request, do the work, then close the socket without an answer.
    malformed_json: a 200 whose body is cut-off JSON (the work is done).
    truncated_b64: the image's base64 is cut short (still valid base64: a truncated image).
    task_status / error_message / error_code: on POST /openai/images, the task ends
        "failed", "timeout" or "cancelled" with that message and numeric code.
    result_shape: how a completed task's `result` is shaped (see RESULT_SHAPES); "unrecognised"
        is a shape no reader should accept. On a Compat call the whole body takes that shape.
    stream: on a Compat call that asks for `stream: true`, "refuse" answers 400 (param
        "stream") as a gateway that cannot stream does, doing nothing; "plain" answers the
        ordinary JSON ImagesResponse instead of events; "cut" sends the partial pictures, then
        closes the connection before the completed event; "garbled" sends a completed event
        whose JSON is cut short. All but "refuse" do the work (the picture is billed).
    """

    status: int | None = None
    after_work: bool = False
    body: bytes | str | dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    delay: float = 0.0
    drop: bool = False
    malformed_json: bool = False
    truncated_b64: bool = False
    task_status: str | None = None
    error_message: str | None = None
    error_code: int | None = None
    result_shape: str | None = None
    code: str | None = None  # the OpenAI error code string for a `status` answer
    stream: str | None = None

    def __post_init__(self) -> None:
        if self.task_status is not None and self.task_status not in TASK_END_STATES:
            raise ValueError(
                f"task_status must be one of {TASK_END_STATES}, not {self.task_status!r}"
            )
        if self.result_shape is not None and self.result_shape not in RESULT_SHAPES:
            raise ValueError(
                f"result_shape must be one of {RESULT_SHAPES}, not {self.result_shape!r}"
            )
        if self.stream is not None and self.stream not in STREAM_FAULTS:
            raise ValueError(f"stream must be one of {STREAM_FAULTS}, not {self.stream!r}")
        if self.delay < 0:
            raise ValueError("delay must not be negative")


# OpenAI's own wording for the answers a client meets most.
_DEFAULT_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: (
        "Your request was rejected by the safety system. Your request may contain content that is not allowed by our safety system.",
        "image_generation_user_error",
        "moderation_blocked",
    ),
    401: (
        "Incorrect API key provided. You can find your API key in your account settings.",
        "invalid_request_error",
        "invalid_api_key",
    ),
    403: (
        "You are not allowed to use this model or endpoint with this API key.",
        "invalid_request_error",
        "unsupported_country_region_territory",
    ),
    404: ("The requested resource was not found.", "invalid_request_error", None),
    408: ("The request timed out before the server could answer.", "timeout", None),
    409: (
        "The request conflicts with another one in progress; try again.",
        "invalid_request_error",
        "conflict",
    ),
    429: (
        "Rate limit reached for gpt-image-2 on images per minute. Please try again in 1s.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: (
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    ),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}
_QUOTA = (
    "You exceeded your current quota, please check your plan and billing details.",
    "insufficient_quota",
    "insufficient_quota",
)


def error_answer(fault: Fault) -> tuple[int, dict[str, str], bytes | str | dict[str, Any]]:
    """(status, extra headers, body) for a `status` fault."""
    assert fault.status is not None
    status = fault.status
    headers: dict[str, str] = {}
    code: str | None
    if fault.code == "insufficient_quota":
        message, type_, code = _QUOTA
    else:
        message, type_, code = _DEFAULT_ERRORS.get(
            status,
            (
                "The server answered with an error.",
                "server_error" if status >= 500 else "invalid_request_error",
                None,
            ),
        )
        if fault.code is not None:
            code = fault.code
        if status == 429:
            # A short retry-after-ms keeps tests fast; a client honours it before Retry-After.
            headers = {"retry-after": "1", "retry-after-ms": "50"}
    if fault.error_message is not None:
        message = fault.error_message
    if fault.headers is not None:
        headers = dict(fault.headers)
    body = (
        fault.body
        if fault.body is not None
        else {"error": {"message": message, "type": type_, "param": None, "code": code}}
    )
    return status, headers, body
