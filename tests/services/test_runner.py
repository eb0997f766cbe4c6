"""The job runner without any window: real library, real simulator, real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.api.errors import ApiError, ErrorKind
from app.core.api.models import ImageRequest
from app.core.job_events import ServerStatus
from app.core.library import Library
from app.services.runner import Endpoint, JobRunner, cannot_connect, error_sentence
from app.simulator import Fault
from tests.conftest import TEST_KEY


@pytest.fixture
def runner(qtbot, library: Library, simulator) -> Iterator[JobRunner]:
    r = JobRunner(library, concurrency=2, client_options={"poll_interval": 0.05})
    r.endpoints.set(Endpoint(simulator.base_url, TEST_KEY, demo=False))
    yield r
    r.shutdown()


def finish(qtbot, runner: JobRunner, key: str, timeout: int = 15000) -> None:
    record = runner.record(key)
    if record.state in ("completed", "failed", "cancelled", "interrupted"):
        return
    with qtbot.waitSignal(runner.job_finished, timeout=timeout, check_params_cb=lambda k: k == key):
        pass


def test_a_job_is_journaled_saved_and_thumbnailed(
    qtbot, runner: JobRunner, library: Library, simulator
) -> None:
    key = runner.submit(ImageRequest(prompt="a red kite", output_format="jpeg"), "async")
    finish(qtbot, runner, key)
    record = runner.record(key)
    assert record.state == "completed", record.error
    job = library.job(record.job_id)
    assert (
        job.state == "completed"
        and job.task_id == record.task_id
        and job.item_ids == record.item_ids
    )
    assert Path(record.paths[0]).suffix == ".jpg" and Path(record.paths[0]).is_file()
    assert (
        record.thumbnail is not None
        and max(record.thumbnail.width(), record.thumbnail.height()) <= 128
    )
    assert record.preview is not None and not record.preview.isNull()
    assert record.info["output_tokens"] > 0


def test_a_queued_job_cancelled_before_it_starts_sends_nothing(
    qtbot, library: Library, simulator
) -> None:
    runner = JobRunner(library, concurrency=1, client_options={"poll_interval": 0.05})
    runner.endpoints.set(Endpoint(simulator.base_url, TEST_KEY, demo=False))
    try:
        simulator.latency = 30.0
        first = runner.submit(ImageRequest(prompt="first"), "async")
        second = runner.submit(ImageRequest(prompt="second"), "async")
        runner.cancel(second)
        assert runner.record(second).state == "cancelled"
        qtbot.waitUntil(lambda: runner.record(first).task_id is not None, timeout=10000)
        runner.cancel(first)
        finish(qtbot, runner, first)
        assert runner.record(first).state == "cancelled"
        assert simulator.created_tasks == 1
        assert runner.record(second).job_id is None  # never journaled: nothing was sent
    finally:
        runner.shutdown()


def test_a_compat_result_that_arrives_after_cancel_is_saved_and_marked(
    qtbot, runner: JobRunner, library, simulator
) -> None:
    simulator.inject(Fault(delay=1.0), method="POST", path="/openai/v1/images/generations")
    key = runner.submit(ImageRequest(prompt="paid for anyway"), "compat")
    # Cancel once the server has the request (before that, a cancel means nothing is sent).
    qtbot.waitUntil(lambda: any(r.method == "POST" for r in simulator.requests), timeout=10000)
    runner.cancel(key)
    finish(qtbot, runner, key)
    record = runner.record(key)
    assert record.state == "cancelled" and record.late_result
    assert Path(record.paths[0]).is_file()
    assert library.item(record.item_ids[0]).cancelled


@pytest.mark.expect_log_error
def test_a_failed_write_keeps_the_result_for_save_again(
    qtbot, runner: JobRunner, library, monkeypatch
) -> None:
    real_save = library.save_result
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(library, "save_result", failing_once)
    key = runner.submit(ImageRequest(prompt="disk full"), "async")
    finish(qtbot, runner, key)
    record = runner.record(key)
    assert (
        record.state == "failed" and "No space left" in record.error and record.unsaved is not None
    )
    runner.save_again(key)
    qtbot.waitUntil(lambda: runner.record(key).state == "completed", timeout=10000)
    assert Path(runner.record(key).paths[0]).is_file() and runner.record(key).unsaved is None


def test_retry_uses_the_journaled_request(qtbot, runner: JobRunner, simulator) -> None:
    simulator.inject(
        Fault(status=400, code="moderation_blocked"), method="POST", path="/openai/images"
    )
    key = runner.submit(ImageRequest(prompt="try twice", quality="low"), "async")
    finish(qtbot, runner, key)
    assert runner.record(key).state == "failed"
    again = runner.retry(key)
    finish(qtbot, runner, again)
    assert runner.record(again).state == "completed"
    assert runner.record(again).params["quality"] == "low"
    bodies = [r for r in simulator.requests if r.method == "POST"]
    assert len(bodies) == 2


def test_jobs_wait_for_an_endpoint(qtbot, library, simulator) -> None:
    runner = JobRunner(library, client_options={"poll_interval": 0.05})
    try:
        key = runner.submit(ImageRequest(prompt="before the key is known"), "async")
        qtbot.waitUntil(lambda: runner.record(key).state == "waiting", timeout=5000)
        runner.endpoints.set(Endpoint(simulator.base_url, TEST_KEY, demo=False))
        finish(qtbot, runner, key)
        assert runner.record(key).state == "completed"
    finally:
        runner.shutdown()


def test_a_burst_of_steps_changes_the_row_once_a_frame_and_the_last_step_shows(
    qtbot, library
) -> None:
    runner = JobRunner(library)  # no server yet: the job waits, and only these steps come
    try:
        key = runner.submit(ImageRequest(prompt="a burst of steps"), "async")
        qtbot.waitUntil(lambda: runner.record(key).state == "waiting", timeout=5000)
        seen: list[str | None] = []
        runner.job_changed.connect(lambda k: seen.append(runner.record(k).server_status))
        steps = ["sending", "submitted", "queued", "in_progress", "finalizing"]
        for status in steps:  # as a worker's first steps come: all before the next frame
            runner.on_event(key, ServerStatus(status))
        assert len(seen) <= 1  # not one repaint per step
        qtbot.waitUntil(lambda: seen[-1:] == ["finalizing"], timeout=1000)
        assert len(seen) <= 2
    finally:
        runner.shutdown()


def test_error_sentences_and_connect_failures() -> None:
    auth = ApiError(ErrorKind.auth, "bad key", status=401, code="invalid_api_key", trace_id="t1")
    text = error_sentence(auth)
    assert "API key was refused" in text and "invalid_api_key" in text and "t1" in text
    assert "safety system" in error_sentence(
        ApiError(ErrorKind.refused, "no", detail="blocked words")
    )
    assert "blocked words" in error_sentence(
        ApiError(ErrorKind.refused, "no", detail="blocked words")
    )
    assert "Could not write" in error_sentence(OSError(13, "Permission denied"))
    assert cannot_connect(ApiError(ErrorKind.network, "Could not connect", connect_failed=True))
    # A dropped connection may have reached the server: never treated as "offline".
    assert not cannot_connect(ApiError(ErrorKind.network, "The connection to x was lost."))


def test_shutdown_stops_running_jobs(qtbot, library, simulator) -> None:
    runner = JobRunner(library, client_options={"poll_interval": 0.05})
    runner.endpoints.set(Endpoint(simulator.base_url, TEST_KEY, demo=False))
    simulator.latency = 60.0
    keys = [runner.submit(ImageRequest(prompt=f"long {i}"), "async") for i in range(3)]
    qtbot.waitUntil(lambda: all(runner.record(k).task_id for k in keys), timeout=10000)
    runner.shutdown()
    assert runner.pool.activeThreadCount() == 0
    # The async tasks stay in the journal as unfinished: the next start resumes them.
    unfinished = {j.job_id: j for j in library.unfinished_jobs()}
    assert all(unfinished[runner.record(k).job_id].resumable for k in keys)


def test_shutdown_breaks_off_a_long_compat_call_and_leaves_the_journal(
    qtbot, library, simulator
) -> None:
    import time

    runner = JobRunner(library, client_options={"poll_interval": 0.05})
    runner.endpoints.set(Endpoint(simulator.base_url, TEST_KEY, demo=False))
    simulator.inject(Fault(delay=30.0), method="POST", path="/openai/v1/images/generations")
    key = runner.submit(ImageRequest(prompt="a slow compat call"), "compat")
    qtbot.waitUntil(lambda: any(r.method == "POST" for r in simulator.requests), timeout=10000)
    started = time.monotonic()
    runner.shutdown()
    assert time.monotonic() - started < 5.0
    # Not "failed": the next start offers it as interrupted, with one-click retry.
    assert [j.job_id for j in library.unfinished_jobs()] == [runner.record(key).job_id]


def test_the_network_coming_back_wakes_a_waiting_job(qtbot, library) -> None:
    import socket as _socket

    from app.simulator import Simulator

    with _socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runner = JobRunner(library, client_options={"poll_interval": 0.05}, probe_interval=0.05)
    runner.endpoints.set(Endpoint(f"http://127.0.0.1:{port}", TEST_KEY, demo=False))
    sim = Simulator(api_keys=(TEST_KEY,))
    try:
        key = runner.submit(ImageRequest(prompt="offline for now"), "async")
        qtbot.waitUntil(lambda: runner.record(key).state == "waiting", timeout=10000)
        assert runner.record(key).offline
        sim.start(port)  # the server answers again: the next probe sends the job
        finish(qtbot, runner, key, timeout=10000)
        assert not runner.record(key).offline
        assert runner.record(key).state == "completed"
    finally:
        runner.shutdown()
        sim.stop()


def test_a_job_past_its_deadline_is_checked_again_on_the_same_task(
    qtbot, library: Library, simulator
) -> None:
    runner = JobRunner(
        library, concurrency=1, client_options={"poll_interval": 0.02, "task_deadline": 0.3}
    )
    runner.endpoints.set(Endpoint(simulator.base_url, TEST_KEY, demo=False))
    try:
        simulator.latency = 1.0
        key = runner.submit(ImageRequest(prompt="a patient heron"), "async")
        finish(qtbot, runner, key)
        record = runner.record(key)
        assert record.state == "failed" and record.error_kind == "deadline"
        assert runner.can_check_again(key)
        assert "Check the server again" in record.error and "Retry later" not in record.error
        task = simulator.tasks[record.task_id]
        qtbot.waitUntil(lambda: task.walk_status() == "final", timeout=5000)
        assert runner.check_again(key)
        assert record.state == "queued" and record.error is None
        finish(qtbot, runner, key)
        assert record.state == "completed", record.error
        assert simulator.created_tasks == 1  # one task, polled twice, never made again
        assert library.job(record.job_id).state == "completed"
    finally:
        runner.shutdown()


def test_a_compat_job_has_nothing_to_check_again(qtbot, runner: JobRunner, simulator) -> None:
    simulator.inject(Fault(status=500), method="POST", path="/openai/v1/images/generations")
    key = runner.submit(ImageRequest(prompt="a lost call"), "compat")
    finish(qtbot, runner, key)
    assert runner.record(key).state == "failed"
    assert not runner.can_check_again(key) and not runner.check_again(key)
    assert simulator.compat_calls == 0


def test_the_row_says_why_polls_are_not_getting_through_while_it_lasts(
    qtbot, runner: JobRunner, simulator
) -> None:
    simulator.latency = 0.5
    simulator.inject(
        Fault(status=200, body={"code": 0, "msg": "busy"}),
        method="GET",
        path="/openai/tasks",
        times=3,
    )
    details: list[str | None] = []
    runner.job_changed.connect(lambda k: details.append(runner.record(k).detail))
    key = runner.submit(ImageRequest(prompt="a busy gateway"), "async")
    finish(qtbot, runner, key)
    record = runner.record(key)
    assert record.state == "completed", record.error
    note = "The server's answers can't be read. Still trying until the deadline."
    assert note in details
    after = details[details.index(note) :]
    assert None in after  # it went as soon as an answer got through
    assert record.detail is None


def test_an_unreadable_answer_is_kept_on_the_record(qtbot, runner: JobRunner, simulator) -> None:
    simulator.inject(Fault(result_shape="unrecognised"))
    key = runner.submit(ImageRequest(prompt="an unknown shape"), "async")
    finish(qtbot, runner, key)
    record = runner.record(key)
    assert record.state == "failed" and record.raw and "artifact" in record.raw
    assert "Copy the server's answer" in record.error
