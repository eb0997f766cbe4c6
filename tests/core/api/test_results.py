"""Every result shape the simulator can produce, URL downloads and their limits."""

from __future__ import annotations

import pytest

from app.core.api.errors import ApiError, ErrorKind
from app.core.api.models import Flavour, ImageRequest
from app.simulator import RESULT_SHAPES, Fault
from tests.core.api.imgs import size_of

CREATE = "/openai/images"
POLL = "/openai/tasks"
REQ = ImageRequest(
    prompt="a blue whale", size="1024x1536", output_format="jpeg", output_compression=80
)
READABLE = [s for s in RESULT_SHAPES if s != "unrecognised"]


@pytest.mark.parametrize("shape", READABLE)
def test_every_task_result_shape_gives_the_picture(client, simulator, fake_time, shape):
    simulator.inject(Fault(result_shape=shape), path=CREATE)
    result = client.run(REQ, Flavour.tasks, fake_time)
    [image] = result.images
    assert image.format == "jpeg" and size_of(image.data) == (1024, 1536)


@pytest.mark.parametrize("shape", ["url", "data_url", "bare_b64"])
def test_compat_answers_in_other_shapes_are_read_too(client, simulator, fake_time, shape):
    simulator.inject(Fault(result_shape=shape), path="/openai/v1/images/generations")
    [image] = client.run(REQ, Flavour.compat, fake_time).images
    assert size_of(image.data) == (1024, 1536)


def test_an_unrecognised_result_keeps_the_raw_body(client, simulator, fake_time):
    simulator.inject(Fault(result_shape="unrecognised"), path=CREATE)
    with pytest.raises(ApiError) as info:
        client.run(REQ, Flavour.tasks, fake_time)
    err = info.value
    assert err.kind is ErrorKind.malformed and "artifact" in err.raw and err.task_id


def test_a_url_result_is_downloaded_at_once(client, simulator, fake_time):
    simulator.inject(Fault(result_shape="url"), path=CREATE)
    events = []
    result = client.run(REQ, Flavour.tasks, fake_time, events.append)
    downloads = [r for r in simulator.requests if r.path.startswith("/files/")]
    assert len(downloads) == 1 and downloads[0].method == "GET"
    assert "downloading" in [e.stage for e in events]
    assert size_of(result.images[0].data) == (1024, 1536)


def test_an_oversized_download_is_refused(make_client, simulator, fake_time):
    simulator.inject(Fault(result_shape="url"), path=CREATE)
    client = make_client(max_download_bytes=10_000)
    with pytest.raises(ApiError) as info:
        client.run(REQ, Flavour.tasks, fake_time)
    assert info.value.kind is ErrorKind.malformed and "larger than" in info.value.message


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x.png"])
def test_a_non_http_result_url_is_refused(client, simulator, fake_time, url):
    task_id = client.submit_task(REQ, fake_time)
    envelope = {"taskId": task_id, "status": "completed", "result": {"data": [{"url": url}]}}
    simulator.inject(Fault(status=200, body=envelope), method="GET", path=POLL)
    with pytest.raises(ApiError) as info:
        client.wait_task(task_id, fake_time)
    assert info.value.kind is ErrorKind.malformed and "only http and https" in info.value.message
    assert [r.path for r in simulator.requests] == [CREATE, POLL]


def _expired_link_envelope(client, simulator, fake_time):
    task_id = client.submit_task(REQ, fake_time)
    gone = f"{simulator.base_url}/files/does-not-exist.png"
    return task_id, {"taskId": task_id, "status": "completed", "result": {"url": gone}}


def test_an_expired_result_link_asks_the_task_for_a_fresh_one(client, simulator, fake_time):
    task_id, envelope = _expired_link_envelope(client, simulator, fake_time)
    simulator.inject(Fault(status=200, body=envelope), method="GET", path=POLL)
    events = []
    result = client.wait_task(task_id, fake_time, events.append)
    assert result.images and result.task_id == task_id  # the paid picture is not lost
    assert any("fresh link" in (e.message or "") for e in events)
    assert simulator.created_tasks == 1


def test_a_link_that_stays_expired_says_so(client, simulator, fake_time):
    task_id, envelope = _expired_link_envelope(client, simulator, fake_time)
    simulator.inject(Fault(status=200, body=envelope), method="GET", path=POLL, times=10)
    with pytest.raises(ApiError) as info:
        client.wait_task(task_id, fake_time)
    assert info.value.kind is ErrorKind.not_found and "link may have expired" in info.value.message
    assert simulator.created_tasks == 1


def test_a_200_with_an_error_envelope_is_that_error(client, simulator, fake_time):
    simulator.inject(
        Fault(status=200, body={"code": 401, "msg": "token invalid"}), method="GET", path=POLL
    )
    with pytest.raises(ApiError) as info:
        client.wait_task("some-task", fake_time)
    assert info.value.kind is ErrorKind.auth and "token invalid" in info.value.message


def _url_result(client, sim, fake_time) -> str:
    """A real file URL served by `sim` (a task finished with a URL result)."""
    sim.inject(Fault(result_shape="url"), path=CREATE)
    task_id = client.submit_task(REQ, fake_time)
    client.poll_task(task_id, fake_time)
    return sim.tasks[task_id].result["data"][0]["url"]


def test_the_key_never_goes_to_another_host(make_client, simulator, fake_time):
    from app.simulator import Simulator
    from tests.conftest import TEST_KEY

    with Simulator(api_keys=(TEST_KEY,)) as storage:
        url = _url_result(make_client(base_url=storage.base_url), storage, fake_time)
        client = make_client()
        task_id = client.submit_task(REQ, fake_time)
        simulator.inject(
            Fault(
                status=200, body={"taskId": task_id, "status": "completed", "result": {"url": url}}
            ),
            method="GET",
            path=POLL,
        )
        [image] = client.wait_task(task_id, fake_time).images
        [download] = [r for r in storage.requests if r.path.startswith("/files/")]
        assert "authorization" not in download.headers
        assert size_of(image.data) == (1024, 1536)


def test_a_redirected_download_is_followed_by_hand(client, simulator, fake_time):
    url = _url_result(client, simulator, fake_time)
    hop = f"{simulator.base_url}/files/moved.png"
    simulator.inject(
        Fault(status=302, body=b"", headers={"Location": url}),
        method="GET",
        path="/files/moved.png",
    )
    task_id = client.submit_task(REQ, fake_time)
    simulator.inject(
        Fault(status=200, body={"taskId": task_id, "status": "completed", "result": hop}),
        method="GET",
        path=POLL,
    )
    [image] = client.wait_task(task_id, fake_time).images
    assert [r.path for r in simulator.requests][-2:] == [
        "/files/moved.png",
        url.split(simulator.base_url)[1],
    ]
    assert size_of(image.data) == (1024, 1536)


def test_a_redirect_to_a_local_file_is_refused(client, simulator, fake_time):
    simulator.inject(
        Fault(status=302, body=b"", headers={"Location": "file:///etc/passwd"}),
        method="GET",
        path="/files/evil.png",
    )
    task_id = client.submit_task(REQ, fake_time)
    simulator.inject(
        Fault(
            status=200,
            body={
                "taskId": task_id,
                "status": "completed",
                "result": f"{simulator.base_url}/files/evil.png",
            },
        ),
        method="GET",
        path=POLL,
    )
    with pytest.raises(ApiError) as info:
        client.wait_task(task_id, fake_time)
    assert info.value.kind is ErrorKind.malformed and "only http and" in info.value.message
