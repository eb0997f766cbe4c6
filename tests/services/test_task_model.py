"""The task list model: newest first, the contract's state role, one ticking timer for running rows only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from app.core.job_events import Landed, Started, Waiting
from app.core.library import JobState, Library
from app.services.runner import JobRunner
from app.services.task_model import Roles, TaskModel, format_elapsed

STATE = Qt.ItemDataRole.UserRole + 1


@pytest.fixture
def runner(qtbot, data_dir: Path) -> Iterator[JobRunner]:
    lib = Library.open(data_dir)
    r = JobRunner(lib)
    yield r
    r.shutdown()
    lib.close()


def journal_job(prompt: str, state: str = "completed") -> SimpleNamespace:
    return SimpleNamespace(
        job_id=prompt,
        flavour="async",
        task_id=None,
        state=state,
        server_status=None,
        error_kind=None,
        error_message=None,
        params={"prompt": prompt, "size": "1024x1024", "output_format": "png"},
        item_ids=[],
        parent_item_id=None,
        base_url="http://x",
    )


def test_rows_are_newest_first_with_the_contract_states(qtbot, runner: JobRunner) -> None:
    model = TaskModel(runner)
    a = runner.add_history(journal_job("older"), "completed")
    b = runner.add_history(journal_job("newer"), "failed", error="It broke. Retry.")
    assert model.rowCount() == 2
    assert [model.data(model.index(r, 0)) for r in range(2)] == ["newer", "older"]
    assert [model.data(model.index(r, 0), STATE) for r in range(2)] == ["failed", "completed"]
    assert model.data(model.index(0, 0), Roles.Error) == "It broke. Retry."
    # "waiting" is not one of the contract's six: the state role says queued, the detailed role says waiting.
    runner.on_event(a, Waiting("offline"))
    row = model.index_of(a).row()
    assert model.data(model.index(row, 0), STATE) == "queued"
    assert type(model.data(model.index(row, 0), STATE)) is str  # a plain string, for QML too
    assert model.data(model.index(row, 0), Roles.Detail) == "waiting for the network"
    assert model.data(model.index(row, 0), Roles.DetailedState) == "waiting"
    runner.remove(b)
    assert model.rowCount() == 1 and model.key_at(0) == a


def test_elapsed_ticks_only_for_running_rows(qtbot, runner: JobRunner) -> None:
    model = TaskModel(runner)
    done = runner.add_history(journal_job("done"), "completed")
    running = runner.add_history(journal_job("running"), "completed")
    runner.on_event(running, Started(time.time() - 65))
    assert model._ticker.isActive()
    assert model.data(model.index_of(running), Roles.Elapsed) >= 65
    assert format_elapsed(65.2) == "1:05" and format_elapsed(3725) == "1:02:05"
    changed_rows: list[int] = []
    model.dataChanged.connect(lambda top, bottom, roles=(): changed_rows.append(top.row()))
    with qtbot.waitSignal(model.dataChanged, timeout=3000):
        pass
    assert set(changed_rows) == {model.index_of(running).row()}
    assert model.index_of(done).row() not in changed_rows
    runner.on_event(running, Landed(items=()))
    assert not model._ticker.isActive()  # nothing runs: no timer


def test_a_history_row_with_a_task_can_be_checked_again_on_its_own_server(
    qtbot, runner: JobRunner
) -> None:
    from app.core.job_events import ServerStatus

    model = TaskModel(runner)
    job = journal_job("timed out", state="failed")
    job.task_id, job.error_kind = "task-1", "deadline"
    key = runner.add_history(job, "failed", error="The task took longer than the time limit.")
    row = model.index_of(key)
    assert model.data(row, Roles.CanCheckAgain) is True
    assert model.data(row, Roles.RawAnswer) is None
    failed_there = journal_job("refused", state="failed")
    failed_there.task_id, failed_there.error_kind = "task-2", "task_failed"
    other = runner.add_history(failed_there, "failed", error="The task failed.")
    assert model.data(model.index_of(other), Roles.CanCheckAgain) is False
    # A note about unreadable answers shows while it lasts and goes with the next real answer.
    record = runner.record(key)
    record.state = JobState.running
    row = model.index_of(key)  # a row was added above it
    note = "The server's answers can't be read. Still trying until the deadline."
    runner.on_event(key, ServerStatus("waiting", "waiting", 1.0, note))
    assert "can't be read" in model.data(row, Roles.Detail)
    runner.on_event(key, ServerStatus("processing", "polling", 2.0))
    assert model.data(row, Roles.Detail) is None
    assert model.data(row, Roles.ServerStatus) == "processing"


def test_offline_rows_count_down_and_clear_with_the_next_answer(qtbot, runner: JobRunner) -> None:
    from app.core.job_events import Resumed, ServerStatus

    model = TaskModel(runner)
    key = runner.add_history(journal_job("polling"), "completed")
    record = runner.record(key)
    record.state, record.finished = JobState.running, None
    row = model.index_of(key)
    # A poll that cannot reach the server: Offline, with when it tries again.
    runner.on_event(key, ServerStatus("retrying", "retrying", 3.0, "no route", True, 20.0))
    assert model.data(row, Roles.Offline) is True
    assert 19 < record.retry_in <= 20
    assert model.counts().get("waiting_network") == 1  # the status bar says Offline
    runner.on_event(key, ServerStatus("processing", "polling", 25.0))
    assert model.data(row, Roles.Offline) is False and record.retry_in is None
    assert model.counts().get("waiting_network") is None
    # No network before sending: waiting, counting down to each probe, then running again.
    runner.on_event(key, Waiting("offline", retry_in=5.0))
    assert record.state == JobState.waiting and 4 < record.retry_in <= 5
    runner.on_event(key, Resumed("offline"))
    assert not record.offline and record.state == JobState.running


def test_the_offer_follows_why_a_job_failed(qtbot, runner: JobRunner) -> None:
    model = TaskModel(runner)
    key_job = journal_job("refused key", state="failed")
    key_job.error_kind = "auth"
    a = runner.add_history(key_job, "failed", error="The API key was refused.")
    transparent = journal_job("a sticker", state="failed")
    transparent.params["background"] = "transparent"
    transparent.error_kind = "invalid_request"
    transparent.error_message = "Transparent background is not supported for this model."
    b = runner.add_history(transparent, "failed", error="Refused.")
    other = journal_job("other", state="failed")
    other.error_kind = "invalid_request"
    c = runner.add_history(other, "failed", error="Refused.")
    assert model.data(model.index_of(a), Roles.Offer) == "settings"
    assert model.data(model.index_of(b), Roles.Offer) == "cutout"
    assert model.data(model.index_of(c), Roles.Offer) is None
    # A task on a real server waiting for a real key (the demo one will not do): settings too.
    waiting = runner.add_history(journal_job("resumed elsewhere"), "completed")
    record = runner.record(waiting)
    record.state, record.finished = JobState.running, None
    runner.on_event(waiting, Waiting("endpoint", needs_real_key=True))
    assert model.data(model.index_of(waiting), Roles.Offer) == "settings"
    assert record.detail == "waiting for an API key"
