"""Every route over a real socket, the key check, and what gets recorded."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import TEST_KEY
from tests.simulator.helpers import SSL_CONTEXT, data_url, decode_b64, mask_png, png

ROUTES = [
    ("POST", "/openai/v1/images/generations"),
    ("POST", "/openai/v1/images/edits"),
    ("POST", "/openai/images"),
    ("GET", "/openai/tasks?taskId=x"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("auth", [None, "Bearer sk-wrong", "Basic abc", "Bearer"])
def test_every_route_refuses_a_missing_or_wrong_key(simulator, method, path, auth) -> None:
    headers = {"Authorization": auth} if auth else {}
    r = httpx.request(
        method, simulator.base_url + path, headers=headers, json={"prompt": "x"}, verify=SSL_CONTEXT
    )
    assert r.status_code == 401
    assert r.json()["error"]["type"] == "invalid_request_error"
    assert r.json()["error"]["code"] == "invalid_api_key"
    assert r.json()["error"]["param"] is None
    assert "sk-wrong" not in r.text  # the key is never echoed


def test_generation_answers_an_images_response(client) -> None:
    r = client.post(
        "/openai/v1/images/generations", json={"prompt": "a lighthouse", "model": "gpt-image-2"}
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-request-id"].startswith("req_")
    body = r.json()
    assert set(body) == {
        "created",
        "data",
        "background",
        "output_format",
        "quality",
        "size",
        "usage",
    }
    assert (
        body["size"] == "1024x1024" and body["quality"] == "high" and body["background"] == "opaque"
    )
    assert body["data"][0]["revised_prompt"].startswith("a lighthouse")
    assert decode_b64(body["data"][0]["b64_json"]).size == (1024, 1024)
    usage = body["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"]["image_tokens"] == 0


def test_routes_under_plain_v1_work_too(client, simulator) -> None:
    r = client.post("/v1/images/generations", json={"prompt": "a lighthouse"})
    assert r.status_code == 200
    r = client.post(
        "/v1/images/edits", files={"image": ("a.png", png(), "image/png")}, data={"prompt": "night"}
    )
    assert r.status_code == 200
    assert simulator.compat_calls == 2


def test_multipart_edit_with_single_image_and_mask(client, simulator) -> None:
    r = client.post(
        "/openai/v1/images/edits",
        files=[
            ("image", ("src.png", png(), "image/png")),
            ("mask", ("mask.png", mask_png(), "image/png")),
        ],
        data={
            "prompt": "a moon",
            "model": "gpt-image-2",
            "size": "1024x1024",
            "input_fidelity": "high",
        },
    )
    assert r.status_code == 200, r.text
    usage = r.json()["usage"]
    assert usage["input_tokens_details"]["image_tokens"] > 4096  # high fidelity costs input tokens
    rec = simulator.requests[-1]
    assert rec.form["prompt"] == ["a moon"]
    assert [name for name, _, _ in rec.files["image"]] == ["src.png"]
    assert rec.files["mask"][0][1] == "image/png"
    assert rec.files["mask"][0][2] == mask_png()


def test_multipart_edit_with_repeated_image_parts(client, simulator) -> None:
    parts = [("image[]", (f"{i}.png", png(colour=(i * 20, 50, 50)), "image/png")) for i in range(3)]
    r = client.post("/openai/v1/images/edits", files=parts, data={"prompt": "a collage"})
    assert r.status_code == 200, r.text
    assert len(simulator.requests[-1].files["image[]"]) == 3


def test_async_create_then_poll(client, simulator) -> None:
    r = client.post(
        "/openai/images", json={"prompt": "a harbour", "model": "gpt-image-2", "size": "1024x1536"}
    )
    assert r.status_code == 200
    task_id = r.json()["taskId"]
    assert simulator.created_tasks == 1
    envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
    assert set(envelope) == {
        "taskId",
        "status",
        "result",
        "errorMessage",
        "errorCode",
        "createdAt",
        "finishedAt",
        "traceId",
    }
    assert envelope["taskId"] == task_id
    assert envelope["status"] == "completed"
    assert envelope["errorMessage"] is None and envelope["errorCode"] is None
    assert envelope["createdAt"].endswith("Z") and envelope["finishedAt"].endswith("Z")
    assert decode_b64(envelope["result"]["data"][0]["b64_json"]).size == (1024, 1536)
    assert simulator.tasks[task_id].status == "completed"
    rec = simulator.requests[-1]
    assert (rec.method, rec.path, rec.query) == ("GET", "/openai/tasks", {"taskId": task_id})


def test_async_edit_with_data_urls(client) -> None:
    src = png((1536, 1024))
    body = {
        "prompt": "snow",
        "image": [data_url(src), data_url(png((512, 512)))],
        "mask": data_url(mask_png((1536, 1024))),
    }
    task_id = client.post("/openai/images", json=body).json()["taskId"]
    envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
    assert envelope["status"] == "completed"
    assert decode_b64(envelope["result"]["data"][0]["b64_json"]).size == (1536, 1024)


def test_async_edit_with_a_single_string_image(client) -> None:
    task_id = client.post(
        "/openai/images", json={"prompt": "snow", "image": data_url(png())}
    ).json()["taskId"]
    assert client.get("/openai/tasks", params={"taskId": task_id}).json()["status"] == "completed"


def test_async_edit_from_a_url_of_the_simulators_own(client, simulator) -> None:
    from app.simulator import Fault

    simulator.inject(Fault(result_shape="url"))
    first = client.post("/openai/images", json={"prompt": "a boat"}).json()["taskId"]
    url = client.get("/openai/tasks", params={"taskId": first}).json()["result"]["data"][0]["url"]
    second = client.post("/openai/images", json={"prompt": "at night", "image": url}).json()[
        "taskId"
    ]
    assert client.get("/openai/tasks", params={"taskId": second}).json()["status"] == "completed"


def test_unknown_task_is_404(client) -> None:
    r = client.get("/openai/tasks", params={"taskId": "00000000-0000-4000-8000-000000000000"})
    assert r.status_code == 404
    assert "not found" in r.json()["message"].lower()


def test_poll_without_task_id_is_400(client) -> None:
    r = client.get("/openai/tasks")
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "taskId"


def test_unknown_route_is_404_in_openai_shape(client) -> None:
    r = client.post("/openai/v1/images/variations", json={})
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "Invalid URL (POST /openai/v1/images/variations)"


def test_non_json_body_is_400(client) -> None:
    r = client.post(
        "/openai/images",
        content=b"prompt=hi",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    assert "JSON" in r.json()["error"]["message"]


def test_requests_are_recorded_with_lowercase_headers(client, simulator) -> None:
    client.post("/openai/images?trace=1", json={"prompt": "hi"}, headers={"X-Custom": "yes"})
    rec = simulator.requests[-1]
    assert rec.method == "POST" and rec.path == "/openai/images" and rec.query == {"trace": "1"}
    assert rec.headers["x-custom"] == "yes"
    assert rec.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert rec.json == {"prompt": "hi"}
    assert rec.body == b'{"prompt":"hi"}'
    assert rec.form == {} and rec.files == {}


def test_chunked_request_bodies_are_read(client) -> None:
    def chunks():
        yield b'{"prompt": '
        yield b'"chunked"}'

    r = client.post(
        "/openai/images", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 200, r.text


def test_demo_key_is_the_default(monkeypatch) -> None:
    from app.simulator import DEMO_KEY, Simulator

    assert DEMO_KEY == "sk-demo"
    with Simulator(latency=0) as sim:
        r = httpx.post(
            sim.base_url + "/openai/images",
            json={"prompt": "x"},
            headers={"Authorization": "Bearer sk-demo"},
            verify=SSL_CONTEXT,
        )
        assert r.status_code == 200
