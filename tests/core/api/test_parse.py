from __future__ import annotations

import base64
import json

import pytest

from app.core.api.errors import ApiError, ErrorKind
from app.core.api.parse import (
    error_from_response,
    parse_result,
    parse_task,
    parse_task_id,
    redact,
    task_failure,
)
from tests.core.api.imgs import picture, size_of

PNG = picture(40, 30)
B64 = base64.b64encode(PNG).decode()


def no_fetch(url: str) -> bytes:
    raise AssertionError(f"nothing should be downloaded, asked for {url}")


def test_images_response_with_every_field():
    body = {
        "created": 1712345678,
        "data": [{"b64_json": B64, "revised_prompt": "a fox, cinematic"}],
        "background": "opaque",
        "output_format": "png",
        "quality": "high",
        "size": "1024x1024",
        "usage": {
            "input_tokens": 45,
            "input_tokens_details": {"image_tokens": 5, "text_tokens": 40},
            "output_tokens": 3200,
            "total_tokens": 3245,
        },
        "something_new": {"ignored": True},
    }
    result = parse_result(body, no_fetch)
    [image] = result.images
    assert (
        image.data == PNG and image.format == "png" and image.revised_prompt == "a fox, cinematic"
    )
    assert (
        result.created,
        result.size,
        result.quality,
        result.background,
        result.output_format,
    ) == (1712345678, "1024x1024", "high", "opaque", "png")
    u = result.usage
    assert (
        u.input_tokens,
        u.output_tokens,
        u.total_tokens,
        u.text_input_tokens,
        u.image_input_tokens,
    ) == (45, 3200, 3245, 40, 5)


def test_values_outside_the_enums_and_missing_fields_are_fine():
    result = parse_result(
        {"created": 1, "data": [{"b64_json": B64}], "size": "2048x1152", "quality": "ultra"},
        no_fetch,
    )
    assert (
        result.size == "2048x1152" and result.quality == "ultra" and result.usage.total_tokens == 0
    )


@pytest.mark.parametrize(
    "shape",
    [
        {"b64_json": B64},
        {"image": B64},
        {"images": [B64, f"data:image/png;base64,{B64}"]},
        {"data": [{"url": f"data:image/png;base64,{B64}"}]},
        B64,
        f"data:image/png;base64,{B64}",
        [B64],
        json.dumps({"data": [{"b64_json": B64}]}),
        {"result": {"data": [{"b64_json": B64}]}},
    ],
    ids=[
        "b64_json",
        "image",
        "images",
        "data-url-in-data",
        "bare-b64",
        "bare-data-url",
        "list",
        "json-in-string",
        "nested",
    ],
)
def test_every_task_result_shape(shape):
    result = parse_result(shape, no_fetch)
    assert result.images and all(img.data == PNG for img in result.images)


def test_jpeg_and_webp_are_recognised():
    for fmt in ("jpeg", "webp"):
        data = picture(20, 20, fmt=fmt)
        [image] = parse_result({"b64_json": base64.b64encode(data).decode()}, no_fetch).images
        assert image.format == fmt and size_of(image.data) == (20, 20)


def test_url_values_go_through_fetch():
    seen = []

    def fetch(url: str) -> bytes:
        seen.append(url)
        return PNG

    result = parse_result({"data": [{"url": "https://cdn.example/x.png"}]}, fetch)
    assert seen == ["https://cdn.example/x.png"] and result.images[0].data == PNG


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x.png"])
def test_non_http_urls_are_refused(url):
    with pytest.raises(ApiError) as info:
        parse_result({"url": url}, no_fetch)
    assert info.value.kind is ErrorKind.malformed
    assert "only http and https" in info.value.message


def test_truncated_base64_is_malformed_not_a_crash():
    cut = B64[: len(B64) * 2 // 3]
    cut = cut[: len(cut) - len(cut) % 4]  # still valid base64, just missing the end of the picture
    with pytest.raises(ApiError) as info:
        parse_result({"data": [{"b64_json": cut}]}, no_fetch)
    assert info.value.kind is ErrorKind.malformed and "damaged" in info.value.message


@pytest.mark.parametrize(
    "damage",
    [
        lambda png: png[:-12],  # cut just before the end chunk: every pixel is there
        lambda png: png[:60] + bytes([png[60] ^ 1]) + png[61:],  # one bit garbled on the way
    ],
    ids=["cut-before-the-end", "one-bit-flipped"],
)
def test_a_png_damaged_on_the_way_is_refused_not_saved(damage):
    png = picture(300, 200, color=(10, 200, 90))
    bad = base64.b64encode(damage(png)).decode()
    with pytest.raises(ApiError) as info:
        parse_result({"data": [{"b64_json": bad}]}, no_fetch)
    assert info.value.kind is ErrorKind.malformed and "damaged PNG" in info.value.message


def test_unknown_shape_keeps_the_raw_body_without_secrets():
    body = {"weird": "thing", "auth": "Bearer sk-live-abcdef123456", "key": "my-secret-key-42"}
    with pytest.raises(ApiError) as info:
        parse_result(body, no_fetch, secrets=["my-secret-key-42"])
    err = info.value
    assert err.kind is ErrorKind.malformed and "weird" in err.raw
    assert (
        "sk-live" not in err.raw
        and "my-secret-key-42" not in err.raw
        and "abcdef123456" not in err.raw
    )


def test_redact_truncates_and_shortens_base64():
    text = redact("word " * 1000)
    assert len(text) < 2100 and "more characters" in text
    assert "characters of base64" in redact("data " + "A" * 1000)


def test_task_envelope_and_wrapped_envelope():
    env = {"taskId": "t1", "status": "Processing", "createdAt": "2026-02-06T10:25:00.000Z"}
    status = parse_task(env, "t1", b"")
    assert (
        status.status == "processing"
        and not status.is_final
        and status.created_at.startswith("2026")
    )
    wrapped = parse_task(
        {"code": 200, "data": {"taskId": "t2", "status": "completed", "result": B64}}, "t2", b""
    )
    assert wrapped.is_final and wrapped.result == B64
    with pytest.raises(ApiError) as info:
        parse_task({"hello": 1}, "t3", b'{"hello": 1}')
    assert info.value.kind is ErrorKind.malformed


def test_task_id_from_the_create_answer():
    assert parse_task_id({"taskId": "abc"}, b"") == "abc"
    assert parse_task_id({"code": 200, "data": {"taskId": "def"}}, b"") == "def"
    with pytest.raises(ApiError):
        parse_task_id({"ok": True}, b'{"ok": true}')


def test_task_failure_shows_message_code_and_trace_id():
    status = parse_task(
        {
            "taskId": "t",
            "status": "failed",
            "errorMessage": "upstream exploded",
            "errorCode": 5003,
            "traceId": "tr-9",
        },
        "t",
        b"",
    )
    err = task_failure(status)
    assert err.kind is ErrorKind.task_failed
    for part in ("upstream exploded", "5003", "tr-9"):
        assert part in err.message
    assert (err.code, err.trace_id, err.task_id) == (5003, "tr-9", "t")
    assert "timed out" in task_failure(parse_task({"status": "timeout"}, "t", b"")).message


def _err(status: int, body: object, **kw) -> ApiError:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_from_response(status, raw, **kw)


def test_error_bodies_in_every_shape_are_read():
    assert (
        _err(400, {"error": {"message": "bad size", "type": "invalid_request_error"}}).detail
        == "bad size"
    )
    assert _err(400, {"message": "m1"}).detail == "m1"
    assert _err(400, {"msg": "m2"}).detail == "m2"
    assert _err(400, {"errorMessage": "m3"}).detail == "m3"
    assert _err(400, {"error": "m4"}).detail == "m4"
    assert _err(502, b"<html>Bad gateway</html>").kind is ErrorKind.server


def test_error_kinds():
    auth = _err(
        401, {"error": {"message": "Incorrect API key provided: sk-abc123456789"}}, secrets=["x"]
    )
    assert auth.kind is ErrorKind.auth and auth.message.startswith(
        "The API key was refused. Check it in Settings."
    )
    assert "sk-abc123456789" not in auth.message
    assert _err(403, {}).kind is ErrorKind.auth
    refused = _err(
        400,
        {
            "error": {
                "message": "Your request was rejected by the safety system.",
                "type": "image_generation_user_error",
                "code": "moderation_blocked",
            }
        },
    )
    assert refused.kind is ErrorKind.refused and "rejected by the safety system" in refused.message
    assert (
        _err(
            429, {"error": {"code": "insufficient_quota", "message": "You exceeded your quota"}}
        ).kind
        is ErrorKind.quota
    )
    assert _err(429, {"error": {"message": "slow down"}}).kind is ErrorKind.rate_limited
    assert _err(404, {}).kind is ErrorKind.not_found
    assert _err(500, {}).kind is ErrorKind.server
    bad = _err(400, {"error": {"message": "Invalid size"}})
    assert bad.kind is ErrorKind.invalid_request and "Invalid size" in bad.message


def test_other_spellings_of_final_states_are_understood():
    for raw, status in (
        ("SUCCESS", "completed"),
        ("failure", "failed"),
        ("canceled", "cancelled"),
        ("Ready", "ready"),
    ):
        assert parse_task({"status": raw}, "t", b"").status == status
    assert not parse_task({"status": "ready"}, "t", b"").is_final


@pytest.mark.parametrize("urlsafe", [False, True])
def test_a_result_of_real_weight_decodes_in_pieces_to_the_same_bytes(urlsafe):
    import os

    from app.core.api import parse

    # A picture followed by random bytes: several decoding pieces, and every base64 letter.
    data = picture(64, 48) + os.urandom(3 * parse._B64_CHUNK // 2 + 5)
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()
    if urlsafe:
        text = text.rstrip("=")  # what URL-safe senders often leave off
    assert len(parse._b64_chunks(text)) > 1
    [image] = parse_result({"data": [{"b64_json": text}]}, no_fetch).images
    assert image.data == data
    broken = text[:-3] + "!" + text[-2:]
    with pytest.raises(ApiError):
        parse_result({"data": [{"b64_json": broken}]}, no_fetch)
