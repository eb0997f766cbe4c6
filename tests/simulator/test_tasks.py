"""Async tasks walk their states by the clock and end however a fault says; every result shape."""

from __future__ import annotations

import base64
import time

import httpx
import pytest

from app.simulator import RESULT_SHAPES, Fault, Simulator
from tests.simulator.helpers import SSL_CONTEXT, decode_b64, http_client

ORDER = ["pending", "ready", "assigned", "processing", "completed"]


def _poll_until_final(client, task_id: str, deadline: float = 10.0) -> tuple[list[str], dict]:
    seen: list[str] = []
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
        if not seen or seen[-1] != envelope["status"]:
            seen.append(envelope["status"])
        if envelope["status"] in ("completed", "failed", "timeout", "cancelled"):
            return seen, envelope
    raise AssertionError(f"task never finished; saw {seen}")


def test_the_walk_is_observable_through_polls() -> None:
    with (
        Simulator(api_keys=("k",), task_step_delay=0.15) as sim,
        http_client(sim.base_url, key="k") as c,
    ):
        task_id = c.post("/openai/images", json={"prompt": "slowly"}).json()["taskId"]
        seen, envelope = _poll_until_final(c, task_id)
    assert seen == ORDER
    assert envelope["result"]["data"][0]["b64_json"]


def test_latency_spreads_the_walk_over_that_time() -> None:
    # Long enough that a loaded machine still sees the early states: processing takes 0.42 s.
    with Simulator(api_keys=("k",), latency=0.6) as sim, http_client(sim.base_url, key="k") as c:
        started = time.monotonic()
        task_id = c.post("/openai/images", json={"prompt": "slowly"}).json()["taskId"]
        first = c.get("/openai/tasks", params={"taskId": task_id}).json()
        assert first["status"] in ("pending", "ready", "assigned")
        assert first["result"] is None and first["finishedAt"] is None
        seen, _ = _poll_until_final(c, task_id)
        assert time.monotonic() - started >= 0.6
    assert seen[-1] == "completed"
    assert "processing" in seen
    assert seen == sorted(seen, key=ORDER.index)  # never goes backwards


def test_walk_follows_the_clock() -> None:
    sim = Simulator(latency=10)
    from app.simulator.server import TaskRecord
    from app.simulator.service import Job

    record = TaskRecord(
        id="t",
        job=Job(prompt="p"),
        request={},
        created=0,
        started=100.0,
        duration=10,
        step=None,
        trace_id="x",
    )
    at = {
        0: "pending",
        0.99: "pending",
        1: "ready",
        2.5: "assigned",
        3: "processing",
        9.9: "processing",
        10: "final",
    }
    assert {dt: record.walk_status(100.0 + dt) for dt in at} == at
    del sim


def test_zero_latency_completes_on_first_poll(client) -> None:
    task_id = client.post("/openai/images", json={"prompt": "now"}).json()["taskId"]
    assert client.get("/openai/tasks", params={"taskId": task_id}).json()["status"] == "completed"


@pytest.mark.parametrize(("end", "code"), [("failed", 500), ("timeout", 504), ("cancelled", 499)])
def test_task_can_end_badly(client, simulator, end, code) -> None:
    simulator.inject(Fault(task_status=end))
    task_id = client.post("/openai/images", json={"prompt": "doomed"}).json()["taskId"]
    envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
    assert envelope["status"] == end
    assert envelope["errorMessage"]
    assert envelope["errorCode"] == code
    assert envelope["traceId"]
    assert envelope["finishedAt"]
    assert envelope["result"] is None
    assert simulator.tasks[task_id].status == end


def test_failure_message_and_code_can_be_chosen(client, simulator) -> None:
    simulator.inject(
        Fault(task_status="failed", error_message="upstream exploded", error_code=1234)
    )
    task_id = client.post("/openai/images", json={"prompt": "doomed"}).json()["taskId"]
    envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
    assert (envelope["errorMessage"], envelope["errorCode"]) == ("upstream exploded", 1234)


def test_failure_comes_only_at_the_end_of_the_walk() -> None:
    with (
        Simulator(api_keys=("k",), task_step_delay=0.1) as sim,
        http_client(sim.base_url, key="k") as c,
    ):
        sim.inject(Fault(task_status="timeout"))
        task_id = c.post("/openai/images", json={"prompt": "doomed"}).json()["taskId"]
        seen, _ = _poll_until_final(c, task_id)
    assert seen[-1] == "timeout"
    assert "processing" in seen and seen[0] in ("pending", "ready")  # it walked before it failed


def test_a_fault_applies_to_one_task_only(client, simulator) -> None:
    simulator.inject(Fault(task_status="failed"))
    doomed = client.post("/openai/images", json={"prompt": "a"}).json()["taskId"]
    fine = client.post("/openai/images", json={"prompt": "b"}).json()["taskId"]
    assert client.get("/openai/tasks", params={"taskId": doomed}).json()["status"] == "failed"
    assert client.get("/openai/tasks", params={"taskId": fine}).json()["status"] == "completed"


def test_result_is_stable_across_polls(client) -> None:
    task_id = client.post("/openai/images", json={"prompt": "a"}).json()["taskId"]
    first = client.get("/openai/tasks", params={"taskId": task_id}).json()
    second = client.get("/openai/tasks", params={"taskId": task_id}).json()
    assert first == second


def _result(client, simulator, shape: str, **fault):
    simulator.inject(Fault(result_shape=shape, **fault))
    task_id = client.post(
        "/openai/images", json={"prompt": "shaped", "output_format": "webp"}
    ).json()["taskId"]
    envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
    assert envelope["status"] == "completed"
    return envelope["result"]


def test_shape_images_response(client, simulator) -> None:
    result = _result(client, simulator, "images_response")
    assert decode_b64(result["data"][0]["b64_json"]).format == "WEBP"
    assert result["output_format"] == "webp"


def test_shape_url_is_served_by_the_simulator(client, simulator) -> None:
    result = _result(client, simulator, "url")
    url = result["data"][0]["url"]
    assert url.startswith(simulator.base_url + "/files/")
    assert "b64_json" not in result["data"][0]
    # A result URL works without the key, like a signed storage URL.
    r = httpx.get(url, verify=SSL_CONTEXT)
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    assert r.content[8:12] == b"WEBP"
    assert httpx.get(simulator.base_url + "/files/nope.png", verify=SSL_CONTEXT).status_code == 404


def test_shape_data_url(client, simulator) -> None:
    url = _result(client, simulator, "data_url")["data"][0]["url"]
    head, _, payload = url.partition(",")
    assert head == "data:image/webp;base64"
    assert base64.b64decode(payload)[8:12] == b"WEBP"


def test_shape_bare_b64(client, simulator) -> None:
    result = _result(client, simulator, "bare_b64")
    assert isinstance(result, str) and result.startswith("UklGR")


def test_shape_images_list(client, simulator) -> None:
    result = _result(client, simulator, "images_list")
    assert set(result) == {"images"} and decode_b64(result["images"][0]).format == "WEBP"


def test_shape_b64_field(client, simulator) -> None:
    result = _result(client, simulator, "b64_field")
    assert set(result) == {"b64_json"} and decode_b64(result["b64_json"]).format == "WEBP"


def test_shape_unrecognised(client, simulator) -> None:
    result = _result(client, simulator, "unrecognised")
    assert (
        "data" not in result
        and "b64_json" not in result
        and "images" not in result
        and "url" not in result
    )


def test_every_documented_shape_is_tested() -> None:
    assert set(RESULT_SHAPES) == {
        "images_response",
        "url",
        "data_url",
        "bare_b64",
        "images_list",
        "b64_field",
        "unrecognised",
    }


def test_unknown_fault_values_are_refused() -> None:
    with pytest.raises(ValueError):
        Fault(task_status="exploded")
    with pytest.raises(ValueError):
        Fault(result_shape="jpeg")


@pytest.mark.expect_log_error  # the simulator logs the painter's crash with its traceback
def test_an_unexpected_error_fails_the_task_instead_of_every_poll(client, monkeypatch) -> None:
    from app.simulator import service

    def broken(*args, **kwargs):
        raise RuntimeError("painter broke")

    monkeypatch.setattr(service, "make", broken)
    task_id = client.post("/openai/images", json={"prompt": "x"}).json()["taskId"]
    for _ in range(2):
        envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
        assert envelope["status"] == "failed"
        assert "painter broke" in envelope["errorMessage"] and envelope["errorCode"] == 500
