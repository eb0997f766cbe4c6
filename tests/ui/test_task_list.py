"""The task list's row menu on real records: checking the same task comes before a retry that
bills again, and the server's unreadable answer can be copied."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication

from app.core.api.models import ImageRequest
from app.core.library import Library
from app.services.runner import Endpoint, JobRunner
from app.services.task_model import TaskModel
from app.simulator import Fault
from app.ui.task_list import TaskList, hover_action
from tests.conftest import TEST_KEY


@pytest.fixture
def runner(qtbot, library: Library, simulator) -> Iterator[JobRunner]:
    r = JobRunner(library, concurrency=2, client_options={"poll_interval": 0.02})
    r.endpoints.set(Endpoint(simulator.base_url, TEST_KEY, demo=False))
    yield r
    r.shutdown()


def finished(qtbot, runner: JobRunner, key: str) -> None:
    qtbot.waitUntil(lambda: runner.record(key).final, timeout=15000)


def texts(menu) -> list[str]:
    return [a.text() for a in menu.actions() if a.text()]


def test_a_failed_task_offers_check_again_before_a_billed_retry_and_its_answer(
    qtbot, runner: JobRunner, simulator
) -> None:
    simulator.inject(Fault(result_shape="unrecognised"))
    widget = TaskList(runner, TaskModel(runner))
    qtbot.addWidget(widget)
    key = runner.submit(ImageRequest(prompt="an unknown shape"), "async")
    finished(qtbot, runner, key)
    record = runner.record(key)
    menu = widget.context_menu(record)
    labels = texts(menu)
    assert labels.index("Check the server again") < labels.index("Retry (billed again)")
    assert "Copy the server's answer" in labels
    assert hover_action(record) == "check"
    copy = next(a for a in menu.actions() if a.text() == "Copy the server's answer")
    copy.trigger()
    assert QGuiApplication.clipboard().text() == record.raw and "artifact" in record.raw
    check = next(a for a in menu.actions() if a.text() == "Check the server again")
    check.trigger()
    assert not record.final and record.raw is None
    finished(qtbot, runner, key)
    assert simulator.created_tasks == 1  # checked again: the same task, never a new one


def test_a_compat_failure_offers_only_a_retry_that_says_it_bills(
    qtbot, runner: JobRunner, simulator
) -> None:
    simulator.inject(Fault(status=502), method="POST", path="/openai/v1/images/generations")
    widget = TaskList(runner, TaskModel(runner))
    qtbot.addWidget(widget)
    key = runner.submit(ImageRequest(prompt="a lost call"), "compat")
    finished(qtbot, runner, key)
    labels = texts(widget.context_menu(runner.record(key)))
    assert "Retry (billed again)" in labels and "Check the server again" not in labels
    assert "Copy the server's answer" not in labels
    assert hover_action(runner.record(key)) == "retry"
