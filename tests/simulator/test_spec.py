"""The simulator speaks the real shape: answers validate against OpenAI's spec, and the
official `openai` SDK generates and edits against it."""

from __future__ import annotations

import base64
import io

import openai
import pytest
from PIL import Image

from tests.conftest import TEST_KEY
from tests.simulator.helpers import data_url, decode_b64, mask_png, png, validator


def _check(body) -> None:
    errors = sorted(validator("ImagesResponse").iter_errors(body), key=str)
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"size": "1536x1024", "quality": "low", "output_format": "jpeg", "output_compression": 50},
        {
            "size": "1024x1536",
            "background": "transparent",
            "output_format": "webp",
            "model": "gpt-image-1.5",
        },
    ],
)
def test_generation_answers_validate(client, fields) -> None:
    _check(client.post("/openai/v1/images/generations", json={"prompt": "a fox", **fields}).json())


def test_edit_answers_validate(client) -> None:
    r = client.post(
        "/openai/v1/images/edits",
        files=[
            ("image", ("a.png", png(), "image/png")),
            ("mask", ("m.png", mask_png(), "image/png")),
        ],
        data={"prompt": "a moon"},
    )
    _check(r.json())


def test_task_results_validate(client) -> None:
    task_id = client.post(
        "/openai/images", json={"prompt": "a fox", "image": data_url(png())}
    ).json()["taskId"]
    _check(client.get("/openai/tasks", params={"taskId": task_id}).json()["result"])


def test_errors_validate(client) -> None:
    body = client.post("/openai/v1/images/generations", json={"prompt": ""}).json()
    assert not list(validator("ErrorResponse").iter_errors(body))


def test_the_schema_check_is_not_vacuous() -> None:
    assert list(validator("ImagesResponse").iter_errors({"data": []}))  # no `created`
    assert list(
        validator("ImagesResponse").iter_errors({"created": 1, "usage": {"input_tokens": 1}})
    )


@pytest.fixture
def sdk(simulator):
    with openai.OpenAI(
        api_key=TEST_KEY, base_url=simulator.base_url + "/openai/v1", max_retries=0
    ) as client:
        yield client


def test_sdk_generate(sdk, simulator) -> None:
    response = sdk.images.generate(
        model="gpt-image-2",
        prompt="A cat in a space helmet",
        size="1024x1536",
        quality="high",
        n=1,
        output_format="png",
    )
    assert decode_b64(response.data[0].b64_json).size == (1024, 1536)
    assert response.usage.total_tokens > 0
    sent = simulator.requests[-1]
    assert sent.path == "/openai/v1/images/generations"
    assert sent.headers["authorization"] == f"Bearer {TEST_KEY}"


def test_sdk_edit_with_mask(sdk, simulator) -> None:
    response = sdk.images.edit(
        model="gpt-image-2",
        image=("source.png", png(), "image/png"),
        mask=("mask.png", mask_png(), "image/png"),
        prompt="Replace the masked area with a sunset beach",
        size="1024x1024",
        input_fidelity="high",
    )
    img = Image.open(io.BytesIO(base64.b64decode(response.data[0].b64_json)))
    assert img.size == (1024, 1024)
    assert set(simulator.requests[-1].files) == {"image", "mask"}


def test_sdk_edit_with_several_images(sdk, simulator) -> None:
    response = sdk.images.edit(
        model="gpt-image-2",
        image=[("a.png", png(), "image/png"), ("b.png", png((512, 512)), "image/png")],
        prompt="Combine them",
    )
    assert decode_b64(response.data[0].b64_json).size == (1024, 1024)
    assert len(simulator.requests[-1].files["image[]"]) == 2


def test_sdk_sees_errors_as_its_own_exceptions(sdk, simulator) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.images.generate(model="gpt-image-2", prompt="something forbidden")
    assert caught.value.code == "moderation_blocked"
    bad_key = openai.OpenAI(
        api_key="sk-nope", base_url=simulator.base_url + "/openai/v1", max_retries=0
    )
    with bad_key, pytest.raises(openai.AuthenticationError):
        bad_key.images.generate(model="gpt-image-2", prompt="x")
