"""Requests the real service would refuse get a 400 in OpenAI's error shape, with `param`."""

from __future__ import annotations

import pytest

from tests.simulator.helpers import data_url, encoded, mask_png, png

GOOD = {"prompt": "a fox", "model": "gpt-image-2"}

# (fields to merge into a good request, param, code or None, words the message must hold)
JSON_CASES = [
    ({"prompt": None}, "prompt", "missing_required_parameter", "Missing required parameter"),
    ({"prompt": ""}, "prompt", "empty_string", "empty string"),
    ({"prompt": "   "}, "prompt", "empty_string", "empty string"),
    ({"prompt": 5}, "prompt", "invalid_type", "expected a string"),
    ({"prompt": "x" * 32001}, "prompt", "string_above_max_length", "maximum length 32000"),
    ({"n": 2}, "n", "invalid_value", "only n=1"),
    ({"n": "1"}, "n", "invalid_type", "integer"),
    ({"size": "1000x1000"}, "size", "invalid_value", "multiples of 16"),
    ({"size": "3072x1008"}, "size", "invalid_value", "1:3"),
    ({"size": "4096x2304"}, "size", "invalid_value", "3840x2160"),
    ({"size": "big"}, "size", "invalid_value", "WIDTHxHEIGHT"),
    ({"quality": "ultra"}, "quality", "invalid_value", "Supported values are: 'auto', 'low'"),
    ({"background": "white"}, "background", "invalid_value", "Supported values"),
    ({"output_format": "gif"}, "output_format", "invalid_value", "'png', 'jpeg', and 'webp'"),
    ({"moderation": "high"}, "moderation", "invalid_value", "'auto', and 'low'"),
    ({"response_format": "file"}, "response_format", "invalid_value", "Supported values"),
    ({"output_compression": 80}, "output_compression", "invalid_value", "not 'png'"),
    (
        {"output_format": "jpeg", "output_compression": 101},
        "output_compression",
        "integer_above_max_value",
        "<= 100",
    ),
    (
        {"output_format": "webp", "output_compression": -1},
        "output_compression",
        "integer_below_min_value",
        ">= 0",
    ),
    ({"output_format": "jpeg", "background": "transparent"}, "background", "invalid_value", "jpeg"),
    ({"model": "dall-e-3"}, "model", "invalid_value", "gpt-image-2"),
    ({"stream": "yes"}, "stream", "invalid_type", "boolean"),
    ({"stream": True, "partial_images": 4}, "partial_images", "integer_above_max_value", "<= 3"),
    ({"stream": True, "partial_images": -1}, "partial_images", "integer_below_min_value", ">= 0"),
    ({"user": 7}, "user", "invalid_type", "string"),
]


def _body(extra: dict) -> dict:
    body = {**GOOD, **extra}
    return {k: v for k, v in body.items() if v is not None}


def _assert_400(r, param, code, words) -> None:
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert error["code"] == code
    assert words in error["message"]


@pytest.mark.parametrize(("extra", "param", "code", "words"), JSON_CASES)
@pytest.mark.parametrize("path", ["/openai/v1/images/generations", "/openai/images"])
def test_json_requests_are_checked(client, simulator, path, extra, param, code, words) -> None:
    _assert_400(client.post(path, json=_body(extra)), param, code, words)
    assert simulator.created_tasks == 0 and simulator.compat_calls == 0


@pytest.mark.parametrize(
    "size", ["auto", "1024x1024", "1024x1536", "1536x1024", "1536x864", "2560x1440", "3840x2160"]
)
def test_documented_and_custom_sizes_are_accepted(client, size) -> None:
    assert client.post("/openai/images", json={**GOOD, "size": size}).status_code == 200


def test_accepted_extras_are_ignored(client) -> None:
    # response_format is accepted for DALL-E compatibility; unknown JSON fields are ignored (Mountsea's note).
    r = client.post(
        "/openai/v1/images/generations",
        json={**GOOD, "response_format": "url", "style": "vivid", "foo": 1},
    )
    assert r.status_code == 200
    assert "b64_json" in r.json()["data"][0]


def _edit(client, *, images=None, mask=None, **fields):
    files = [
        ("image", ("src.png", data, "image/png"))
        for data in (images if images is not None else [png()])
    ]
    if mask is not None:
        files.append(("mask", ("mask.png", mask, "image/png")))
    return client.post("/openai/v1/images/edits", files=files, data={"prompt": "a moon", **fields})


def test_multipart_unknown_fields_are_ignored_like_json(client, simulator) -> None:
    # Mountsea ignores unknown parameters; `moderation` is not in the multipart edit schema.
    for extra in ({"moderation": "low"}, {"colour": "red", "style": "vivid"}):
        r = _edit(client, **extra)
        assert r.status_code == 200, r.text
        assert "b64_json" in r.json()["data"][0]
    assert simulator.compat_calls == 2


def test_multipart_response_format_is_accepted_and_ignored(client) -> None:
    r = _edit(client, response_format="url")
    assert r.status_code == 200 and "b64_json" in r.json()["data"][0]


def test_multipart_without_image_is_refused(client) -> None:
    r = client.post("/openai/v1/images/edits", files=[("prompt", (None, "x"))])
    _assert_400(r, "image", "missing_required_parameter", "'image'")


def test_multipart_form_values_are_checked_like_json(client) -> None:
    _assert_400(_edit(client, n="3"), "n", "invalid_value", "only n=1")
    _assert_400(
        _edit(client, output_format="jpeg", output_compression="abc"),
        "output_compression",
        "invalid_type",
        "integer",
    )
    _assert_400(
        _edit(client, input_fidelity="max"), "input_fidelity", "invalid_value", "'high', and 'low'"
    )


def test_multipart_garbage_is_refused(client) -> None:
    r = client.post(
        "/openai/v1/images/edits",
        content=b"--x\r\nnonsense",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code == 400 and "multipart" in r.json()["error"]["message"]


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_jpeg_and_webp_inputs_are_accepted(client, fmt) -> None:
    assert _edit(client, images=[encoded((640, 480), fmt)]).status_code == 200


def test_input_that_is_not_an_image_is_refused(client) -> None:
    _assert_400(
        _edit(client, images=[b"GIF89a not allowed"]),
        "image",
        "unsupported_file_mimetype",
        "image/png",
    )


def test_corrupt_png_is_refused(client) -> None:
    _assert_400(
        _edit(client, images=[png()[:60]]), "image", "invalid_image_file", "could not be read"
    )


def test_more_than_16_images_are_refused(client) -> None:
    small = png((64, 64))
    _assert_400(
        _edit(client, images=[small] * 17), "image", "array_above_max_length", "maximum length 16"
    )
    assert _edit(client, images=[small] * 16).status_code == 200


def test_mask_must_be_png(client) -> None:
    _assert_400(
        _edit(client, mask=encoded((1024, 1024), "jpeg")), "mask", "invalid_image_file", "PNG"
    )


def test_mask_must_have_alpha(client) -> None:
    _assert_400(
        _edit(client, mask=mask_png(alpha=False)), "mask", "invalid_image_file", "alpha channel"
    )


def test_mask_must_match_the_first_image(client) -> None:
    _assert_400(
        _edit(client, mask=mask_png((512, 512), (0, 0, 100, 100))),
        "mask",
        "invalid_image_file",
        "512x512",
    )


def test_async_image_must_be_a_data_url_or_https_url(client, simulator) -> None:
    raw = png()
    r = client.post(
        "/openai/images", json={**GOOD, "image": __import__("base64").b64encode(raw).decode()}
    )
    _assert_400(r, "image", "invalid_image_url", "bare base64")
    r = client.post("/openai/images", json={**GOOD, "image": ["/home/me/cat.png"]})
    _assert_400(r, "image[0]", "invalid_image_url", "data URL")
    r = client.post("/openai/images", json={**GOOD, "image": "data:image/png;base64,@@@"})
    _assert_400(r, "image", "invalid_image_url", "does not decode")
    r = client.post("/openai/images", json={**GOOD, "image": [7]})
    _assert_400(r, "image[0]", "invalid_type", "data URL")
    r = client.post("/openai/images", json={**GOOD, "image": []})
    _assert_400(r, "image", "empty_array", "empty array")
    assert simulator.created_tasks == 0


def test_async_inline_images_are_checked_at_once(client, simulator) -> None:
    r = client.post("/openai/images", json={**GOOD, "image": [data_url(png())] * 17})
    _assert_400(r, "image", "array_above_max_length", "16")
    r = client.post(
        "/openai/images",
        json={**GOOD, "image": data_url(png()), "mask": data_url(mask_png(alpha=False))},
    )
    _assert_400(r, "mask", "invalid_image_file", "alpha")
    r = client.post("/openai/images", json={**GOOD, "mask": data_url(mask_png())})
    _assert_400(r, "mask", "invalid_value", "needs an 'image'")
    assert simulator.created_tasks == 0


def test_async_unreachable_url_fails_the_task(client) -> None:
    # Nothing listens on port 9 of 127.0.0.1: the download fails at once, and so does the task.
    task_id = client.post(
        "/openai/images", json={**GOOD, "image": "http://127.0.0.1:9/cat.png"}
    ).json()["taskId"]
    envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
    assert envelope["status"] == "failed"
    assert "Failed to download" in envelope["errorMessage"]
    assert envelope["errorCode"] == 400


class TestModeration:
    def test_compat_refusal(self, client, simulator) -> None:
        r = client.post(
            "/openai/v1/images/generations", json={**GOOD, "prompt": "a Forbidden door"}
        )
        assert r.status_code == 400
        error = r.json()["error"]
        assert error["code"] == "moderation_blocked"
        assert error["type"] == "image_generation_user_error"
        assert "safety system" in error["message"]
        assert r.headers["x-request-id"] in error["message"]
        assert simulator.compat_calls == 0

    def test_edit_refusal(self, client) -> None:
        r = _edit(client, prompt="forbidden fruit")
        assert r.json()["error"]["code"] == "moderation_blocked"

    def test_only_the_whole_word_triggers(self, client) -> None:
        assert (
            client.post(
                "/openai/v1/images/generations", json={**GOOD, "prompt": "unforbiddenish"}
            ).status_code
            == 200
        )

    def test_async_refusal_fails_the_task(self, client) -> None:
        # The task is accepted at once; the model refuses when it runs, as on the real service.
        task_id = client.post("/openai/images", json={**GOOD, "prompt": "forbidden"}).json()[
            "taskId"
        ]
        envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
        assert envelope["status"] == "failed"
        assert "safety system" in envelope["errorMessage"]
        assert envelope["errorCode"] == 400
        assert envelope["result"] is None
