"""The readers of what a server sends, fuzzed: any answer, however odd, ends as a value or as an
ApiError with a sentence, never as an unexpected exception. `make soak` runs 100,000 examples
(HYPOTHESIS_PROFILE=soak: 20,000 for each of the 5 tests); `make test` 3,000."""

from __future__ import annotations

import base64
import io
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.core.api.errors import ApiError, ErrorKind
from app.core.api.parse import (
    error_from_response,
    load_json,
    parse_result,
    parse_task,
    parse_task_id,
)
from app.core.library import metadata

settings.register_profile(
    "test",
    max_examples=600,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "soak",
    max_examples=20_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "test"))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
PNG_B64 = base64.b64encode(PNG).decode()

# Values a server might put anywhere: real images in every documented spelling, their broken
# cousins, URLs, and the usual JSON noise.
image_like = st.sampled_from(
    [
        PNG_B64,
        f"data:image/png;base64,{PNG_B64}",
        PNG_B64[:40],
        "iVBORw0KGgo",
        "/9j/",
        "UklGR",
        "https://example.invalid/a.png",
        "ftp://x/y",
        "data:,",
        "data:image/png;base64,!!!!",
    ]
)
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40)
)
keys = st.sampled_from(
    [
        "data",
        "b64_json",
        "url",
        "image",
        "images",
        "result",
        "status",
        "state",
        "taskId",
        "task_id",
        "id",
        "error",
        "errorMessage",
        "errorCode",
        "traceId",
        "usage",
        "created",
        "size",
        "code",
        "msg",
        "message",
        "revised_prompt",
        "output_format",
        "input_tokens",
    ]
) | st.text(max_size=10)
json_values = st.recursive(
    scalars | image_like,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=25,
)


def fetch(url: str) -> bytes:
    if url.endswith(".png"):
        return PNG
    raise ApiError(ErrorKind.network, "no network in the fuzzer")


@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_load_json_reads_or_says_why(body: bytes) -> None:
    try:
        load_json(body)
    except ApiError as exc:
        assert exc.message


@given(json_values)
def test_result_reader_never_crashes(payload: object) -> None:
    try:
        result = parse_result(payload, fetch, secrets=["sk-secret-key-123"])
    except ApiError as exc:
        assert exc.message and "sk-secret-key-123" not in (exc.raw or "")
    else:
        assert result.images and all(img.data for img in result.images)


@given(json_values)
def test_task_envelope_reader_never_crashes(payload: object) -> None:
    body = json.dumps(payload).encode()
    for read in (lambda: parse_task(payload, "t-1", body), lambda: parse_task_id(payload, body)):
        try:
            read()
        except ApiError as exc:
            assert exc.message


@given(
    st.integers(min_value=300, max_value=599),
    st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()),
)
def test_error_reader_always_gives_a_sentence(status: int, body: bytes) -> None:
    error = error_from_response(status, body, secrets=["sk-secret-key-123"])
    assert error.message and "sk-secret-key-123" not in error.message


@given(
    st.binary(max_size=400),
    st.sampled_from([b"", PNG[:33], b"\xff\xd8\xff", b"RIFF\x00\x00\x00\x00WEBP"]),
)
def test_metadata_reader_never_crashes(tail: bytes, head: bytes) -> None:
    data = head + tail
    found = metadata.extract(data)
    assert found is None or isinstance(found, dict)
