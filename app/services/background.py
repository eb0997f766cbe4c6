"""The one way to run work off the GUI thread.

`Background.submit(fn, *args, on_done=..., on_error=...)` runs a plain function on a pool
thread and hands its value (or its exception) back on the GUI thread. A callback whose owner
(the QObject it is a method of, or `receiver`) was deleted meanwhile is not called: a dialog
closed while its keyring call ran. `on_progress` lets the function report partial values.
`shutdown()` cancels everything queued, sets every running task's cancel flag, and waits.

Workers hand back plain data (superqt's rule): a QImage is fine, a QPixmap or a widget is not.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from app.core.api.cancel import CancelToken
from app.core.priority import run_below_normal

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


@dataclass
class Task:
    """A handle on submitted work: cancel it, or ask whether it is still to come back."""

    id: int
    cancel_token: CancelToken = field(default_factory=CancelToken)
    runnable: QRunnable | None = None
    on_done: Callback | None = None
    on_error: Callable[[BaseException], None] | None = None
    on_progress: Callback | None = None
    receiver: QObject | None = None
    done: bool = False

    def cancel(self) -> None:
        """Drop the result; the function sees `cancel_token` set if it was handed one."""
        self.cancel_token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled


def _below_the_gui() -> None:
    """Lower the calling worker thread's priority (app.core.priority). Qt's LowPriority does
    it on Windows and macOS; on Linux a thread priority means nothing to the normal
    scheduler, and a thread's own nice value does it. A syscall per task: Python's
    per-thread state of a pool thread does not outlive the task, so there is nowhere to
    remember it."""
    if (
        sys.platform.startswith("linux")
        and threading.current_thread() is not threading.main_thread()
    ):
        run_below_normal(threading.get_native_id(), "a worker thread")


class _Runnable(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], relay: Background) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Background keeps it, so tryTake() never sees a dead object
        self._task_id, self._fn, self._relay = task_id, fn, relay

    def run(self) -> None:
        _below_the_gui()
        try:
            value = self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, which decides what to say
            self._relay.finished_in_worker.emit(self._task_id, None, exc)
        else:
            self._relay.finished_in_worker.emit(self._task_id, value, None)


class Background(QObject):
    """A pool of worker threads whose results come back on the GUI thread.

    Lives on the GUI thread; workers emit its signals, so Qt queues delivery to the GUI thread.
    """

    finished_in_worker = Signal(int, object, object)  # task id, value, error
    progress_in_worker = Signal(int, object)  # task id, value
    idle = Signal()  # nothing queued or running any more

    def __init__(self, max_threads: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(1, max_threads))
        self.pool.setThreadPriority(QThread.Priority.LowPriority)
        self._tasks: dict[int, Task] = {}
        self._ids = itertools.count(1)
        self._shut = False
        self.finished_in_worker.connect(self.on_finished)
        self.progress_in_worker.connect(self.on_progress)

    def set_max_threads(self, n: int) -> None:
        self.pool.setMaxThreadCount(max(1, n))

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callback | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callback | None = None,
        receiver: QObject | None = None,
        pass_cancel: bool = False,
        priority: int = 0,
        **kwargs: Any,
    ) -> Task:
        """Run fn(*args, **kwargs) on a worker. With `on_progress`, fn also gets `progress=`
        (call it from the worker with one value); with `pass_cancel`, it gets `cancel=` (a
        CancelToken set by Task.cancel() and by shutdown). Queued work with a higher
        `priority` starts first (QThreadPool's order)."""
        task = Task(next(self._ids), on_done=on_done, on_error=on_error, on_progress=on_progress)
        task.receiver = receiver or _owner(on_done, on_error, on_progress)
        if self._shut:
            task.cancel()
            return task
        if on_progress is not None:
            task_id = task.id
            kwargs["progress"] = lambda value: self.progress_in_worker.emit(task_id, value)
        if pass_cancel:
            kwargs["cancel"] = task.cancel_token

        def call() -> Any:
            return fn(*args, **kwargs)

        task.runnable = _Runnable(task.id, call, self)
        self._tasks[task.id] = task
        self.pool.start(task.runnable, priority)
        return task

    def take_back(self, task: Task) -> bool:
        """Remove a task that has not started yet; True if it will now never run."""
        if task.runnable is not None and self.pool.tryTake(task.runnable):
            task.cancel()
            self._forget(task.id)
            return True
        return False

    @property
    def pending(self) -> int:
        return len(self._tasks)

    @Slot(int, object, object)
    def on_finished(self, task_id: int, value: object, error: object) -> None:
        task = self._forget(task_id)
        if task is None or task.cancelled or not _alive(task.receiver):
            return
        task.done = True
        if isinstance(error, BaseException):
            if task.on_error is not None:
                task.on_error(error)
            else:
                log.error("background task failed", exc_info=error)
        elif task.on_done is not None:
            task.on_done(value)

    @Slot(int, object)
    def on_progress(self, task_id: int, value: object) -> None:
        task = self._tasks.get(task_id)
        if task is None or task.cancelled or task.on_progress is None or not _alive(task.receiver):
            return
        task.on_progress(value)

    def _forget(self, task_id: int) -> Task | None:
        task = self._tasks.pop(task_id, None)
        if not self._tasks:
            self.idle.emit()
        return task

    def shutdown(self, wait_ms: int = 5000) -> bool:
        """Drop queued work, set every cancel flag, wait for running work; True if all ended."""
        self._shut = True
        self.pool.clear()
        for task in self._tasks.values():
            task.cancel()
        drained = self.pool.waitForDone(wait_ms)
        if not drained:
            log.error("background work still running %d ms after shutdown began", wait_ms)
        self._tasks.clear()
        return drained


def _owner(*callbacks: Callable[..., Any] | None) -> QObject | None:
    for callback in callbacks:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject):
            return owner
    return None


def _alive(receiver: QObject | None) -> bool:
    return receiver is None or shiboken6.isValid(receiver)
