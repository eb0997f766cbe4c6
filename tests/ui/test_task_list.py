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


def test_a_rows_change_repaints_that_row_alone_and_a_taller_row_is_laid_out_again(
    qtbot, runner: JobRunner, simulator
) -> None:
    from PySide6.QtCore import QEvent, QObject, QRect

    widget = TaskList(runner, TaskModel(runner))
    qtbot.addWidget(widget)
    widget.resize(360, 600)
    widget.show()
    keys = [runner.submit(ImageRequest(prompt=f"picture {i}"), "async") for i in range(3)]
    for key in keys:
        finished(qtbot, runner, key)
    qtbot.waitUntil(lambda: not runner.announcing)  # the last rows' changes are painted
    view = widget.view
    painted: list[QRect] = []

    class Paints(QObject):
        def eventFilter(self, watched, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                painted.append(event.rect())
            return False

    watcher = Paints()
    view.viewport().installEventFilter(watcher)
    qtbot.waitExposed(widget)
    model = widget._model
    row = model.index_of(keys[1])
    short = view.visualRect(row)

    painted.clear()
    runner.job_changed.emit(keys[1])  # a change that keeps the row's height
    qtbot.waitUntil(lambda: bool(painted))
    assert painted == [short]  # that row alone, not the whole list (Qt's own way)

    # The same row gains an error: it is laid out taller, and the rows below move down.
    record = runner.record(keys[1])
    record.error = "The server said no. " * 6
    below = model.index(row.row() + 1, 0)
    top_before = view.visualRect(below).top()
    runner.job_changed.emit(keys[1])
    qtbot.waitUntil(lambda: view.visualRect(below).top() > top_before)
    assert view.indexAt(view.visualRect(row).bottomLeft()) == row
