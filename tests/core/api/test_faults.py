"""Each fault of the contract ends in the documented behaviour, with exactly the expected requests."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from app.core.api.cancel import CancelToken
from app.core.api.client import MountseaClient, make_http_client
from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.models import Flavour, ImageRequest
from app.simulator import Fault, Simulator
from tests.conftest import TEST_KEY

CREATE = "/openai/images"
POLL = "/openai/tasks"
GENERATIONS = "/openai/v1/images/generations"
REQ = ImageRequest(prompt="a red fox in the snow")


def routes(sim) -> list[str]:
    return [f"{r.method} {r.path}" for r in sim.requests]


def fails(client, flavour, token, request=REQ) -> ApiError:
    with pytest.raises(ApiError) as info:
        client.run(request, flavour, token)
    return info.value


def test_503_then_ok_is_retried_after_backoff(client, simulator, fake_time):
    simulator.inject(Fault(status=503), path=CREATE)
    result = client.run(REQ, Flavour.tasks, fake_time)
    assert result.images
    assert routes(simulator) == [f"POST {CREATE}", f"POST {CREATE}", f"GET {POLL}"]
    assert simulator.created_tasks == 1
    assert fake_time.waits[0] == 0.5  # min(0.5 * 2**0, 8) * (1 - 0.25 * 0)


def test_500_on_every_attempt_gives_up_after_two_retries(client, simulator, fake_time):
    simulator.inject(Fault(status=503), path=GENERATIONS, times=3)
    err = fails(client, Flavour.compat, fake_time)
    assert err.kind is ErrorKind.server and "HTTP 503" in err.message
    assert routes(simulator) == [f"POST {GENERATIONS}"] * 3
    assert fake_time.waits == [0.5, 1.0]


def test_429_with_retry_after_is_honoured(client, simulator, fake_time):
    simulator.inject(Fault(status=429, headers={"Retry-After": "2"}), path=GENERATIONS)
    assert client.run(REQ, Flavour.compat, fake_time).images
    assert routes(simulator) == [f"POST {GENERATIONS}"] * 2
    assert fake_time.waits == [2.0]


def test_retry_after_ms_wins_over_retry_after(client, simulator, fake_time):
    simulator.inject(
        Fault(status=429), path=CREATE
    )  # the simulator sends retry-after: 1, retry-after-ms: 50
    assert client.run(REQ, Flavour.tasks, fake_time).images
    assert fake_time.waits[0] == pytest.approx(0.05)
    assert routes(simulator)[:2] == [f"POST {CREATE}"] * 2


def test_retry_after_too_long_gives_up_and_says_when(client, simulator, fake_time):
    simulator.inject(Fault(status=429, headers={"retry-after": "600"}), path=CREATE)
    err = fails(client, Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.rate_limited
    assert "asks to wait about 10 minutes" in err.message and "try again then" in err.message
    assert err.retry_after == 600
    assert routes(simulator) == [f"POST {CREATE}"] and fake_time.waits == []


def test_x_should_retry_false_stops_a_retry(client, simulator, fake_time):
    simulator.inject(Fault(status=500, headers={"x-should-retry": "false"}), path=CREATE)
    err = fails(client, Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.server
    assert routes(simulator) == [f"POST {CREATE}"]


def test_x_should_retry_true_retries_a_409_create(client, simulator, fake_time):
    simulator.inject(Fault(status=409, headers={"x-should-retry": "true"}), path=CREATE)
    assert client.run(REQ, Flavour.tasks, fake_time).images
    assert routes(simulator)[:2] == [f"POST {CREATE}"] * 2


def test_insufficient_quota_is_not_retried(client, simulator, fake_time):
    simulator.inject(Fault(status=429, code="insufficient_quota"), path=CREATE)
    err = fails(client, Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.quota and "out of credit" in err.message
    assert routes(simulator) == [f"POST {CREATE}"]


def test_a_wrong_key_is_an_auth_error_sent_once(make_client, simulator, fake_time):
    err = fails(make_client(api_key="sk-not-the-key"), Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.auth
    assert err.message.startswith("The API key was refused. Check it in Settings.")
    assert "sk-not-the-key" not in err.message
    assert routes(simulator) == [f"POST {CREATE}"]


def test_moderation_blocked_shows_the_servers_words(client, simulator, fake_time):
    simulator.inject(Fault(status=400), path=GENERATIONS)  # OpenAI's moderation_blocked answer
    err = fails(client, Flavour.compat, fake_time)
    assert err.kind is ErrorKind.refused
    assert "rejected by the safety system" in err.message and err.code == "moderation_blocked"
    assert routes(simulator) == [f"POST {GENERATIONS}"]


def test_a_task_stopped_by_the_safety_system_is_a_refusal(client, simulator, fake_time):
    from app.simulator import MODERATION_TRIGGER_WORDS

    err = fails(
        client,
        Flavour.tasks,
        fake_time,
        ImageRequest(prompt=f"a {MODERATION_TRIGGER_WORDS[0]} thing"),
    )
    assert err.kind is ErrorKind.refused and "safety system" in err.message and err.task_id


def test_a_dropped_create_is_not_sent_again(client, simulator, fake_time):
    simulator.inject(Fault(drop=True), path=CREATE)
    err = fails(client, Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.network
    assert "the task may exist anyway" in err.message and "retry" in err.message
    assert routes(simulator) == [f"POST {CREATE}"]
    assert simulator.created_tasks == 1  # the server did the work: a re-send would have paid twice


def test_a_dropped_compat_call_may_be_billed_and_is_not_sent_again(client, simulator, fake_time):
    simulator.inject(Fault(drop=True), path=GENERATIONS)
    err = fails(client, Flavour.compat, fake_time)
    assert err.kind is ErrorKind.maybe_billed
    assert "the server may still have billed this" in err.message
    assert routes(simulator) == [f"POST {GENERATIONS}"]


def test_a_read_timeout_on_a_create_is_not_sent_again(simulator, fake_time):
    import httpx

    simulator.inject(Fault(delay=2.0), path=CREATE)
    with httpx.Client(timeout=httpx.Timeout(5.0, read=0.2)) as http:
        client = MountseaClient(http, simulator.base_url, TEST_KEY, clock=fake_time.clock)
        err = fails(client, Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.timeout and "the task may exist anyway" in err.message
    assert routes(simulator) == [f"POST {CREATE}"]


def test_a_dropped_poll_is_retried(client, simulator, fake_time):
    simulator.inject(Fault(drop=True), method="GET", path=POLL)
    assert client.run(REQ, Flavour.tasks, fake_time).images
    assert routes(simulator) == [f"POST {CREATE}", f"GET {POLL}", f"GET {POLL}"]


def test_connection_refused_is_retried_then_reported(make_client, fake_time):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    client = make_client(base_url=f"http://127.0.0.1:{port}")
    err = fails(client, Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.network and "Could not connect to 127.0.0.1" in err.message
    assert err.connect_failed
    assert fake_time.waits == [
        0.5,
        1.0,
    ]  # three attempts: a create that never arrived is safe to repeat


def test_malformed_json_keeps_the_raw_body(client, simulator, fake_time):
    simulator.inject(Fault(malformed_json=True), path=GENERATIONS)
    err = fails(client, Flavour.compat, fake_time)
    assert err.kind is ErrorKind.malformed and "not valid JSON" in err.message
    assert err.raw and TEST_KEY not in err.raw
    assert routes(simulator) == [f"POST {GENERATIONS}"]


@pytest.mark.parametrize("flavour", [Flavour.tasks, Flavour.compat])
def test_truncated_base64_is_a_clear_error(client, simulator, fake_time, flavour):
    simulator.inject(
        Fault(truncated_b64=True), path=CREATE if flavour is Flavour.tasks else GENERATIONS
    )
    err = fails(client, flavour, fake_time)
    assert err.kind is ErrorKind.malformed and "damaged" in err.message


def test_a_failed_task_shows_message_code_and_trace_id(client, simulator, fake_time):
    simulator.inject(
        Fault(task_status="failed", error_message="GPU fell over", error_code=5031), path=CREATE
    )
    err = fails(client, Flavour.tasks, fake_time)
    task = simulator.tasks[err.task_id]
    assert err.kind is ErrorKind.task_failed
    assert "GPU fell over" in err.message and "5031" in err.message and task.trace_id in err.message
    assert (err.code, err.trace_id) == (5031, task.trace_id)
    assert routes(simulator) == [f"POST {CREATE}", f"GET {POLL}"]


def test_a_task_that_timed_out_on_the_server(client, simulator, fake_time):
    simulator.inject(Fault(task_status="timeout"), path=CREATE)
    err = fails(client, Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.task_failed and "timed out on the server" in err.message
    assert simulator.created_tasks == 1


def test_our_own_poll_deadline(fake_time):
    with Simulator(api_keys=(TEST_KEY,), latency=3600.0) as sim, make_http_client() as http:
        client = MountseaClient(
            http,
            sim.base_url,
            TEST_KEY,
            poll_interval=3.0,
            task_deadline=10.0,
            clock=fake_time.clock,
        )
        events = []
        with pytest.raises(ApiError) as info:
            client.run(REQ, Flavour.tasks, fake_time, events.append)
        err = info.value
        assert err.kind is ErrorKind.deadline and err.task_id in err.message
        assert "did not finish within 10 seconds" in err.message
        # polls at 0, 3, 6 and 9 s, a last one at the deadline, then it stops
        assert routes(sim) == [f"POST {CREATE}"] + [f"GET {POLL}"] * 5
        assert fake_time.waits == [3.0, 3.0, 3.0, 1.0]
        assert {e.server_status for e in events if e.stage == "polling"} == {"pending"}


def test_polls_back_off_gently_on_a_long_task(fake_time):
    with Simulator(api_keys=(TEST_KEY,), latency=3600.0) as sim, make_http_client() as http:
        client = MountseaClient(
            http,
            sim.base_url,
            TEST_KEY,
            poll_interval=10.0,
            max_poll_interval=15.0,
            task_deadline=120.0,
            clock=fake_time.clock,
        )
        with pytest.raises(ApiError):
            client.run(REQ, Flavour.tasks, fake_time)
    # steady for the first minute, then growing by a quarter up to the cap, the last wait ends at the deadline
    assert fake_time.waits == [10.0] * 7 + [12.5, 15.0, 15.0, 7.5]


def test_404_on_poll_is_patient_until_the_deadline_and_offers_checking_again(
    make_client, simulator, fake_time
):
    client = make_client(poll_interval=3.0, task_deadline=30.0)
    with pytest.raises(ApiError) as info:
        client.wait_task("no-such-task", fake_time)
    err = info.value
    assert err.kind is ErrorKind.deadline and err.task_id == "no-such-task"
    assert "check the server again" in err.message and "does not show this task" in err.message
    assert len(routes(simulator)) > 3  # not given up after the three attempts of one poll
    assert sum(fake_time.waits) >= 30.0


def test_resume_polls_and_never_creates(client, simulator, fake_time):
    task_id = client.submit_task(REQ, fake_time)
    result = client.wait_task(task_id, fake_time)
    assert result.task_id == task_id and result.images
    assert simulator.created_tasks == 1


def test_cancel_mid_poll_from_another_thread():
    token = CancelToken()
    with Simulator(api_keys=(TEST_KEY,), latency=3600.0) as sim, make_http_client() as http:
        client = MountseaClient(http, sim.base_url, TEST_KEY, poll_interval=0.05)
        polled = threading.Event()

        def on_event(event) -> None:
            if event.stage == "polling":
                polled.set()

        timer = threading.Timer(0, lambda: polled.wait(30) and token.cancel())
        timer.start()
        began = time.monotonic()
        with pytest.raises(Cancelled):
            client.run(REQ, Flavour.tasks, token, on_event)
        timer.join()
        assert time.monotonic() - began < 10
        polls_at_cancel = len([r for r in sim.requests if r.path == POLL])
        assert polls_at_cancel >= 1 and sim.created_tasks == 1


def test_closing_the_shared_client_stops_a_long_compat_call_at_once():
    """Shutdown: a Compat call blocked for minutes on a socket read ends when the client is closed."""
    token = CancelToken()
    with Simulator(api_keys=(TEST_KEY,), latency=0.0) as sim:
        sim.inject(Fault(delay=60.0), path=GENERATIONS)
        http = make_http_client()
        client = MountseaClient(http, sim.base_url, TEST_KEY)
        outcome: list[BaseException] = []

        def work() -> None:
            try:
                client.run(REQ, Flavour.compat, token)
            except BaseException as exc:  # noqa: BLE001 - the main thread asserts on what it was
                outcome.append(exc)

        worker = threading.Thread(target=work)
        began = time.monotonic()
        worker.start()
        assert sim.wait_for_requests(1)
        token.cancel()
        http.close()
        worker.join(10)
        assert not worker.is_alive() and time.monotonic() - began < 10
        assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
        assert len(sim.requests) == 1  # sent once, never again


def test_polling_outlives_a_network_outage_within_the_deadline(client, simulator, fake_time):
    simulator.inject(
        Fault(drop=True), method="GET", path=POLL, times=3
    )  # one poll_task's three attempts
    events = []
    result = client.run(REQ, Flavour.tasks, fake_time, events.append)
    assert result.images
    assert routes(simulator) == [f"POST {CREATE}"] + [f"GET {POLL}"] * 4
    waiting = [e for e in events if e.stage == "waiting"]
    assert len(waiting) == 1 and "Still trying until the deadline" in waiting[0].message
    assert simulator.created_tasks == 1


@pytest.mark.parametrize("base_url", ["ftp://example.com", "http://[::1", "not a url"])
def test_an_unusable_server_address_is_one_clear_error(make_client, fake_time, base_url):
    err = fails(make_client(base_url=base_url), Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.network and "cannot be used" in err.message
    assert fake_time.waits == []


def test_the_key_never_reaches_a_log(client, simulator, fake_time, caplog):
    import logging

    simulator.inject(Fault(status=503), path=CREATE)
    simulator.inject(Fault(status=401), method="GET", path=POLL)
    with caplog.at_level(logging.DEBUG):
        err = fails(client, Flavour.tasks, fake_time)
    assert err.kind is ErrorKind.auth
    assert "retry 1" in caplog.text  # the log does say what happened
    assert (
        TEST_KEY not in caplog.text and TEST_KEY not in err.message and TEST_KEY not in repr(client)
    )


@pytest.mark.parametrize(
    ("flavour", "path", "kind"),
    [
        (Flavour.compat, GENERATIONS, ErrorKind.maybe_billed),
        (Flavour.tasks, CREATE, ErrorKind.timeout),
    ],
)
def test_a_gateway_timeout_on_a_create_is_not_sent_again(
    client, simulator, fake_time, flavour, path, kind
):
    simulator.inject(Fault(status=504), path=path)
    err = fails(client, flavour, fake_time)
    assert err.kind is kind and err.status == 504 and "gave up waiting" in err.message
    assert routes(simulator) == [f"POST {path}"]


def test_a_gateway_timeout_on_a_poll_is_retried(client, simulator, fake_time):
    simulator.inject(Fault(status=504), method="GET", path=POLL)
    assert client.run(REQ, Flavour.tasks, fake_time).images
    assert routes(simulator) == [f"POST {CREATE}", f"GET {POLL}", f"GET {POLL}"]
