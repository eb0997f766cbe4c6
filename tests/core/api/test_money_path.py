"""The money path: a create is re-sent only when the server certainly did nothing, and a poll
that cannot be read never loses a task that may be alive (contract: retry rules)."""

from __future__ import annotations

import pytest

from app.core.api.errors import ApiError, ErrorKind
from app.core.api.models import Flavour, ImageRequest
from app.simulator import Fault, Simulator
from app.simulator.server import FILES
from tests.conftest import TEST_KEY

CREATE = "/openai/images"
POLL = "/openai/tasks"
GENERATIONS = "/openai/v1/images/generations"
REQ = ImageRequest(prompt="a lighthouse at dusk")


def routes(sim) -> list[str]:
    return [f"{r.method} {r.path}" for r in sim.requests]


@pytest.mark.parametrize("status", [500, 502, 504, 524])
@pytest.mark.parametrize(
    ("flavour", "path", "kind"),
    [(Flavour.tasks, CREATE, None), (Flavour.compat, GENERATIONS, ErrorKind.maybe_billed)],
)
def test_a_server_error_on_a_create_is_never_sent_again(
    client, simulator, fake_time, status, flavour, path, kind
):
    simulator.inject(Fault(status=status), path=path)
    with pytest.raises(ApiError) as info:
        client.run(REQ, flavour, fake_time)
    err = info.value
    assert routes(simulator) == [f"POST {path}"]  # one create: never billed twice
    assert err.status == status
    if kind is not None:
        assert err.kind is kind
    assert "may" in err.message and ("billed" in err.message or "may exist" in err.message)


@pytest.mark.parametrize(("status", "code"), [(503, None), (429, None)])
def test_answers_that_say_nothing_was_done_are_sent_again(
    client, simulator, fake_time, status, code
):
    simulator.inject(Fault(status=status, code=code), path=CREATE)
    assert client.run(REQ, Flavour.tasks, fake_time).images
    assert routes(simulator)[:2] == [f"POST {CREATE}"] * 2
    assert simulator.created_tasks == 1


def test_a_garbled_200_on_a_create_says_the_task_may_exist(client, simulator, fake_time):
    simulator.inject(Fault(malformed_json=True), path=CREATE)
    with pytest.raises(ApiError) as info:
        client.run(REQ, Flavour.tasks, fake_time)
    assert info.value.kind is ErrorKind.malformed and "may exist anyway" in info.value.message
    assert routes(simulator) == [f"POST {CREATE}"]


@pytest.mark.parametrize(
    "body",
    [
        "<!DOCTYPE html><title>Just a moment...</title>",
        {"code": 0, "msg": "busy"},
        {"taskId": "x"},  # JSON without status
    ],
)
def test_garbled_poll_answers_are_passing_problems(client, simulator, fake_time, body):
    task_id = client.submit_task(REQ, fake_time)
    simulator.inject(Fault(status=200, body=body), method="GET", path=POLL, times=3)
    events = []
    result = client.wait_task(task_id, fake_time, events.append)
    assert result.images and result.task_id == task_id
    assert any("can't be read" in (e.message or "") for e in events if e.stage == "waiting")
    assert simulator.created_tasks == 1


@pytest.mark.parametrize("status", [404, 500, 502])
def test_error_statuses_on_polls_are_passing_problems(client, simulator, fake_time, status):
    task_id = client.submit_task(REQ, fake_time)
    simulator.inject(Fault(status=status), method="GET", path=POLL, times=5)
    assert client.wait_task(task_id, fake_time).images
    assert simulator.created_tasks == 1


def test_a_refused_key_on_a_poll_is_final_at_once(client, simulator, fake_time):
    task_id = client.submit_task(REQ, fake_time)
    simulator.inject(Fault(status=401), method="GET", path=POLL)
    with pytest.raises(ApiError) as info:
        client.wait_task(task_id, fake_time)
    assert info.value.kind is ErrorKind.auth


@pytest.mark.parametrize(
    ("flavour", "path"), [(Flavour.tasks, CREATE), (Flavour.compat, GENERATIONS)]
)
@pytest.mark.parametrize("status", [500, 502])
def test_a_server_error_after_the_work_was_done_bills_once(
    client, simulator, fake_time, flavour, path, status
):
    simulator.inject(Fault(status=status, after_work=True), path=path)
    with pytest.raises(ApiError) as info:
        client.run(REQ, flavour, fake_time)
    assert routes(simulator) == [f"POST {path}"]
    assert "may" in info.value.message
    if flavour is Flavour.tasks:
        assert simulator.created_tasks == 1  # made once, never a second time


class _FlakyFiles(Simulator):
    """Result links that fail a few times before they serve the picture."""

    def __init__(self, failures: int, **kw) -> None:
        super().__init__(**kw)
        self.failures = failures

    def take_fault(self, method: str, path: str) -> Fault | None:
        if path.startswith(FILES) and self.failures > 0:
            self.failures -= 1
            return Fault(status=503 if self.failures % 2 else 404)
        return super().take_fault(method, path)


def test_a_compat_result_link_that_fails_a_few_times_is_still_fetched(fake_time) -> None:
    from app.core.api.client import MountseaClient, make_http_client

    with _FlakyFiles(4, api_keys=(TEST_KEY,)) as sim, make_http_client() as http:
        sim.inject(Fault(result_shape="url"), path=GENERATIONS)
        client = MountseaClient(
            http, sim.base_url, TEST_KEY, random=lambda: 0.0, clock=fake_time.clock
        )
        result = client.run(REQ, Flavour.compat, fake_time)
    assert result.images  # billed, and not lost to a flaky link
    assert sim.compat_calls == 1
