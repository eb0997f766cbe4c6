"""Every injectable fault, on the route and for the number of requests it was meant for."""

from __future__ import annotations

import base64
import io
import json
import threading

import httpx
import pytest
from PIL import Image

from app.simulator import Fault, Simulator
from tests.simulator.helpers import http_client, png

GEN = "/openai/v1/images/generations"


def test_429_by_default_is_a_rate_limit_with_retry_headers(client, simulator) -> None:
    simulator.inject(Fault(status=429))
    r = client.post("/openai/images", json={"prompt": "x"})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limit_exceeded"
    assert r.headers["retry-after"] == "1" and r.headers["retry-after-ms"] == "50"
    assert simulator.created_tasks == 0  # a refused create did nothing
    assert client.post("/openai/images", json={"prompt": "x"}).status_code == 200  # used up


def test_429_insufficient_quota(client, simulator) -> None:
    simulator.inject(Fault(status=429, code="insufficient_quota"))
    r = client.post("/openai/images", json={"prompt": "x"})
    error = r.json()["error"]
    assert (r.status_code, error["code"], error["type"]) == (
        429,
        "insufficient_quota",
        "insufficient_quota",
    )
    assert "quota" in error["message"]
    assert "retry-after" not in r.headers


def test_400_by_default_is_a_moderation_refusal(client, simulator) -> None:
    simulator.inject(Fault(status=400), path=GEN)
    error = client.post(GEN, json={"prompt": "x"}).json()["error"]
    assert (error["code"], error["type"]) == ("moderation_blocked", "image_generation_user_error")


@pytest.mark.parametrize("status", [401, 403, 404, 408, 409, 500, 502, 503, 504, 418])
def test_other_statuses_answer_in_openai_shape(client, simulator, status) -> None:
    simulator.inject(Fault(status=status))
    r = client.post("/openai/images", json={"prompt": "x"})
    assert r.status_code == status
    assert set(r.json()["error"]) == {"message", "type", "param", "code"}


def test_status_headers_and_bodies_can_be_chosen(client, simulator) -> None:
    simulator.inject(Fault(status=503, headers={"x-should-retry": "false", "Retry-After": "7"}))
    simulator.inject(Fault(status=502, body="<html>Bad gateway</html>"))
    simulator.inject(Fault(status=500, body={"msg": "boom"}))
    simulator.inject(Fault(status=500, body=b"\x00raw"))
    simulator.inject(Fault(status=400, error_message="custom words", code="invalid_value"))
    r = client.post("/openai/images", json={"prompt": "x"})
    assert r.headers["x-should-retry"] == "false" and r.headers["retry-after"] == "7"
    html = client.post("/openai/images", json={"prompt": "x"})
    assert html.text == "<html>Bad gateway</html>" and html.headers["content-type"].startswith(
        "text/html"
    )
    assert client.post("/openai/images", json={"prompt": "x"}).json() == {"msg": "boom"}
    raw = client.post("/openai/images", json={"prompt": "x"})
    assert raw.content == b"\x00raw" and raw.headers["content-type"] == "application/octet-stream"
    error = client.post("/openai/images", json={"prompt": "x"}).json()["error"]
    assert (error["message"], error["code"]) == ("custom words", "invalid_value")


def test_a_fault_may_set_its_own_content_type(client, simulator) -> None:
    simulator.inject(Fault(status=502, body="oops", headers={"Content-Type": "text/x-proxy"}))
    r = client.post("/openai/images", json={"prompt": "x"})
    assert r.headers.get_list("content-type") == ["text/x-proxy"]


def test_times_and_fifo_order(client, simulator) -> None:
    simulator.inject(Fault(status=500), times=2)
    simulator.inject(Fault(status=503))
    codes = [client.post("/openai/images", json={"prompt": "x"}).status_code for _ in range(4)]
    assert codes == [500, 500, 503, 200]


def test_faults_stay_on_their_route(client, simulator) -> None:
    simulator.inject(Fault(status=500), path=GEN)
    simulator.inject(Fault(status=502), method="GET", path="/openai/tasks")
    task_id = client.post("/openai/images", json={"prompt": "x"}).json()["taskId"]
    assert client.get("/openai/tasks", params={"taskId": task_id}).status_code == 502
    assert client.get("/openai/tasks", params={"taskId": task_id}).status_code == 200
    assert client.post(GEN, json={"prompt": "x"}).status_code == 500


def test_a_v1_alias_shares_its_routes_faults(client, simulator) -> None:
    simulator.inject(Fault(status=500), path="/v1/images/generations")
    assert client.post(GEN, json={"prompt": "x"}).status_code == 500


def test_clear_faults(client, simulator) -> None:
    simulator.inject(Fault(status=500), times=5)
    simulator.clear_faults()
    assert client.post("/openai/images", json={"prompt": "x"}).status_code == 200


def test_delay_makes_a_create_time_out_after_the_work_was_done(simulator) -> None:
    simulator.inject(Fault(delay=2.0))
    with (
        http_client(simulator.base_url, timeout=httpx.Timeout(5, read=0.2)) as c,
        pytest.raises(httpx.ReadTimeout),
    ):
        c.post("/openai/images", json={"prompt": "x"})
    assert simulator.created_tasks == 1  # it reached the server: a blind re-send would pay twice


def test_delay_then_answer(client, simulator) -> None:
    simulator.inject(Fault(delay=0.2), method="GET", path="/openai/tasks")
    task_id = client.post("/openai/images", json={"prompt": "x"}).json()["taskId"]
    import time

    started = time.monotonic()
    assert client.get("/openai/tasks", params={"taskId": task_id}).json()["status"] == "completed"
    assert time.monotonic() - started >= 0.2


def test_drop_closes_without_an_answer(client, simulator) -> None:
    simulator.inject(Fault(drop=True))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/openai/images", json={"prompt": "x"})
    assert simulator.created_tasks == 1
    assert simulator.requests[-1].json == {"prompt": "x"}  # the request was read in full
    assert client.post("/openai/images", json={"prompt": "x"}).status_code == 200


def test_drop_on_compat_after_the_work(client, simulator) -> None:
    simulator.inject(Fault(drop=True), path=GEN)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(GEN, json={"prompt": "x"})
    assert simulator.compat_calls == 1


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/openai/images"), ("POST", GEN), ("GET", "/openai/tasks")]
)
def test_malformed_json_is_a_200_that_does_not_parse(client, simulator, method, path) -> None:
    task_id = client.post("/openai/images", json={"prompt": "x"}).json()["taskId"]
    simulator.inject(Fault(malformed_json=True), method=method, path=path)
    if method == "GET":
        r = client.get(path, params={"taskId": task_id})
    else:
        r = client.post(path, json={"prompt": "x"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.content
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def _truncated_image_fails(b64: str) -> None:
    data = base64.b64decode(b64, validate=True)  # still valid base64 ...
    assert data.startswith(b"\x89PNG")
    with pytest.raises(OSError):  # ... of an image cut short
        Image.open(io.BytesIO(data)).load()


def test_truncated_b64_on_compat(client, simulator) -> None:
    simulator.inject(Fault(truncated_b64=True), path=GEN)
    body = client.post(GEN, json={"prompt": "x"}).json()
    _truncated_image_fails(body["data"][0]["b64_json"])
    assert body["size"] == "1024x1024"  # everything else looks normal


def test_truncated_b64_on_task(client, simulator) -> None:
    simulator.inject(Fault(truncated_b64=True))
    task_id = client.post("/openai/images", json={"prompt": "x"}).json()["taskId"]
    _truncated_image_fails(
        client.get("/openai/tasks", params={"taskId": task_id}).json()["result"]["data"][0][
            "b64_json"
        ]
    )


def test_result_shape_on_compat_changes_the_whole_body(client, simulator) -> None:
    simulator.inject(Fault(result_shape="bare_b64"), path=GEN)
    r = client.post(GEN, json={"prompt": "x"})
    assert isinstance(r.json(), str) and r.json().startswith("iVBORw0KGgo")


def test_a_status_fault_answers_before_the_key_check(simulator) -> None:
    simulator.inject(Fault(status=503))
    with http_client(simulator.base_url, key=None) as c:
        assert c.post("/openai/images", json={"prompt": "x"}).status_code == 503


def test_stop_is_prompt_even_while_a_request_waits_out_a_delay() -> None:
    import time

    sim = Simulator(api_keys=("k",), latency=30)
    sim.start()
    sim.inject(Fault(delay=30))
    errors: list[Exception] = []
    arrived = threading.Event()

    def call() -> None:
        with http_client(sim.base_url, key="k", timeout=60) as c:
            arrived.set()
            try:
                c.post("/openai/images", json={"prompt": "x"})
            except httpx.HTTPError as exc:
                errors.append(exc)

    t = threading.Thread(target=call)
    t.start()
    arrived.wait(5)
    assert sim.wait_for_requests(1)  # the server holds the request, waiting out the delay
    started = time.monotonic()
    sim.stop()
    t.join(10)
    assert time.monotonic() - started < 5
    assert not t.is_alive()
    assert len(errors) == 1  # the client saw the connection close, no answer


def test_compat_latency_blocks_then_answers() -> None:
    import time

    with Simulator(api_keys=("k",), latency=0.3) as sim, http_client(sim.base_url, key="k") as c:
        started = time.monotonic()
        assert c.post(GEN, json={"prompt": "x"}).status_code == 200
        assert time.monotonic() - started >= 0.3
        r = c.post(
            "/openai/v1/images/edits",
            files={"image": ("a.png", png(), "image/png")},
            data={"prompt": "y"},
        )
        assert r.status_code == 200
