"""The one background helper: results and errors come back on the GUI thread, cancel drops them."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from PySide6.QtCore import QObject, QThread

from app.core.api.cancel import CancelToken
from app.services.background import Background


@pytest.fixture
def bg(qtbot):
    helper = Background(max_threads=2)
    yield helper
    helper.shutdown()


def test_value_comes_back_on_the_gui_thread(qtbot, bg):
    seen = {}

    def work(a, b):
        seen["worker"] = QThread.currentThread()
        return a + b

    def done(value):
        seen["value"] = value
        seen["gui"] = QThread.currentThread()

    bg.submit(work, 2, 3, on_done=done)
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == 5
    assert seen["gui"] is not seen["worker"]
    assert bg.pending == 0


def test_error_comes_back_to_on_error(qtbot, bg):
    errors = []

    def boom():
        raise ValueError("broken file")

    bg.submit(boom, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValueError)


def test_progress_is_reported_before_the_result(qtbot, bg):
    events = []

    def count(progress):
        for i in range(3):
            progress(i)
        return "end"

    bg.submit(count, on_progress=events.append, on_done=events.append)
    qtbot.waitUntil(lambda: "end" in events)
    assert events == [0, 1, 2, "end"]


def test_cancelled_task_never_calls_back(qtbot, bg):
    release = threading.Event()
    called = []
    task = bg.submit(release.wait, 5, on_done=called.append)
    task.cancel()
    release.set()
    with qtbot.waitSignal(bg.idle, timeout=5000):
        pass
    assert called == []


def test_callback_of_a_deleted_owner_is_skipped(qtbot, bg):
    class Owner(QObject):
        def __init__(self):
            super().__init__()
            self.got = []

        def on_done(self, value):
            self.got.append(value)

    release = threading.Event()
    owner = Owner()
    bg.submit(release.wait, 5, on_done=owner.on_done)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _valid(owner))
    release.set()
    with qtbot.waitSignal(bg.idle, timeout=5000):
        pass


def test_shutdown_sets_the_cancel_flag_and_waits(qtbot):
    helper = Background(max_threads=1)
    started = threading.Event()
    tokens: list[CancelToken] = []

    def wait_for_cancel(cancel):
        tokens.append(cancel)
        started.set()
        cancel.wait(10)
        return "stopped"

    helper.submit(wait_for_cancel, pass_cancel=True)
    queued = []
    helper.submit(queued.append, 1)
    assert started.wait(5)
    assert helper.shutdown(wait_ms=5000)
    assert tokens[0].cancelled
    assert queued == []  # the queued one never ran


def test_queued_work_with_a_higher_priority_starts_first(qtbot):
    helper = Background(max_threads=1)
    release = threading.Event()
    order = []
    try:
        helper.submit(release.wait, 5)  # the only worker is busy: the rest queue
        for name, priority in (("low", 1), ("high", 3), ("middle", 2)):
            helper.submit(order.append, name, priority=priority)
        release.set()
        qtbot.waitUntil(lambda: len(order) == 3)
        assert order == ["high", "middle", "low"]
    finally:
        release.set()
        helper.shutdown()


def _valid(obj):
    import shiboken6

    return shiboken6.isValid(obj)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread nice values are Linux's")
def test_workers_run_below_the_gui_thread(qtbot, bg):
    # With every core busy, the GUI thread goes first: it must never wait behind a worker.
    def own_nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen = []
    for _ in range(3):  # each pool thread, however many tasks it has run
        bg.submit(own_nice, on_done=seen.append)
    qtbot.waitUntil(lambda: len(seen) == 3)
    gui = own_nice()
    assert all(nice > gui for nice in seen), (seen, gui)
