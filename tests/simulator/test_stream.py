"""Compat streaming (`stream: true`, `partial_images`) as OpenAI documents it, read by hand and by
the official SDK, and the stream faults a gateway may show."""

from __future__ import annotations

import base64
import io
import json

import httpx
import pytest
from PIL import Image

from app.simulator import Fault
from tests.conftest import TEST_KEY
from tests.simulator.helpers import png, validator

GENERATIONS = "/openai/v1/images/generations"
EDITS = "/openai/v1/images/edits"


def _events(resp: httpx.Response) -> list[tuple[str, dict]]:
    """(event line, parsed data) per event: the frames the simulator writes."""
    out = []
    for frame in resp.text.split("\n\n"):
        if not frame.strip():
            continue
        lines = dict(line.split(": ", 1) for line in frame.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def _size(b64: str) -> tuple[int, int]:
    return Image.open(io.BytesIO(base64.b64decode(b64))).size


def test_generation_streams_partials_then_completed(client) -> None:
    r = client.post(
        GENERATIONS,
        json={"prompt": "a fox", "size": "1024x1024", "stream": True, "partial_images": 2},
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/event-stream"
    events = _events(r)
    assert [e for e, _ in events] == [
        "image_generation.partial_image",
        "image_generation.partial_image",
        "image_generation.completed",
    ]
    partial = validator("ImageGenPartialImageEvent")
    completed = validator("ImageGenCompletedEvent")
    for i, (kind, data) in enumerate(events[:2]):
        partial.validate(data)
        assert data["type"] == kind and data["partial_image_index"] == i
        assert _size(data["b64_json"]) == (256, 256)  # a quarter-size preview
    final = events[2][1]
    completed.validate(final)
    assert _size(final["b64_json"]) == (1024, 1024)
    assert final["usage"]["output_tokens"] > 0 and final["size"] == "1024x1024"


def test_zero_partials_is_one_completed_event(client) -> None:
    r = client.post(GENERATIONS, json={"prompt": "a fox", "stream": True, "partial_images": 0})
    assert [e for e, _ in _events(r)] == ["image_generation.completed"]


def test_multipart_edit_streams_image_edit_events(client) -> None:
    r = client.post(
        EDITS,
        files=[("image", ("src.png", png((300, 200)), "image/png"))],
        data={"prompt": "a moon", "stream": "true", "partial_images": "3"},
    )
    events = _events(r)
    assert [e for e, _ in events] == ["image_edit.partial_image"] * 3 + ["image_edit.completed"]
    for _, data in events[:3]:
        validator("ImageEditPartialImageEvent").validate(data)
    validator("ImageEditCompletedEvent").validate(events[-1][1])
    assert _size(events[-1][1]["b64_json"]) == (1536, 1024)


def test_stream_false_answers_plain_json(client) -> None:
    r = client.post(GENERATIONS, json={"prompt": "a fox", "stream": False, "partial_images": 2})
    assert r.headers["content-type"] == "application/json" and "data" in r.json()


def test_refused_stream_is_a_400_that_does_nothing(client, simulator) -> None:
    simulator.inject(Fault(stream="refuse"), path=GENERATIONS)
    r = client.post(GENERATIONS, json={"prompt": "a fox", "stream": True, "partial_images": 2})
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "stream"
    assert simulator.compat_calls == 0


def test_plain_fault_answers_json_to_a_stream_request(client, simulator) -> None:
    simulator.inject(Fault(stream="plain"), path=GENERATIONS)
    r = client.post(GENERATIONS, json={"prompt": "a fox", "stream": True, "partial_images": 2})
    assert r.headers["content-type"] == "application/json"
    assert r.json()["data"][0]["b64_json"]


def test_cut_stream_ends_before_completed(client, simulator) -> None:
    simulator.inject(Fault(stream="cut"), path=GENERATIONS)
    seen = b""
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream(
            "POST", GENERATIONS, json={"prompt": "a fox", "stream": True, "partial_images": 2}
        ) as r,
    ):
        for chunk in r.iter_bytes():
            seen += chunk
    assert seen.count(b"event: image_generation.partial_image") == 2
    assert b"completed" not in seen
    assert simulator.compat_calls == 1  # the work was done: billed


def test_garbled_stream_has_unreadable_completed_event(client, simulator) -> None:
    simulator.inject(Fault(stream="garbled"), path=GENERATIONS)
    r = client.post(GENERATIONS, json={"prompt": "a fox", "stream": True, "partial_images": 1})
    last = r.text.strip().split("\n\n")[-1]
    assert last.startswith("event: image_generation.completed")
    with pytest.raises(ValueError):
        json.loads(last.split("data: ", 1)[1])


def test_stream_faults_are_checked() -> None:
    with pytest.raises(ValueError):
        Fault(stream="sometimes")


# --- the official SDK --------------------------------------------------------------------------


@pytest.fixture
def sdk(simulator):
    from openai import OpenAI

    with OpenAI(api_key=TEST_KEY, base_url=simulator.base_url + "/v1", max_retries=0) as c:
        yield c


def test_sdk_generate_stream(sdk) -> None:
    events = list(
        sdk.images.generate(
            model="gpt-image-2",
            prompt="a lighthouse",
            size="1536x1024",
            stream=True,
            partial_images=2,
        )
    )
    assert [e.type for e in events] == [
        "image_generation.partial_image",
        "image_generation.partial_image",
        "image_generation.completed",
    ]
    assert [e.partial_image_index for e in events[:2]] == [0, 1]
    final = Image.open(io.BytesIO(base64.b64decode(events[-1].b64_json)))
    assert final.format == "PNG" and final.size == (1536, 1024)
    assert events[-1].usage.total_tokens > 0


def test_sdk_edit_stream(sdk) -> None:
    events = list(
        sdk.images.edit(
            model="gpt-image-2",
            image=("src.png", png((1024, 1024)), "image/png"),
            prompt="make it night",
            size="1024x1536",
            stream=True,
            partial_images=2,
        )
    )
    assert [e.type for e in events] == [
        "image_edit.partial_image",
        "image_edit.partial_image",
        "image_edit.completed",
    ]
    final = Image.open(io.BytesIO(base64.b64decode(events[-1].b64_json)))
    assert final.format == "PNG" and final.size == (1024, 1536)
