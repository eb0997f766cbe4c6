"""What runs on a job's worker thread besides the pipeline itself: the thumbnail and preview of
a landed result (QImage is safe off the GUI thread), and the box jobs take their endpoint from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QImage

from app.core import jobs
from app.core.api.cancel import CancelToken
from app.core.job_events import Endpoint, JobEvent, JobSpec, Landed, Preview
from app.services.job_records import note

if TYPE_CHECKING:
    from app.core.library import Library

THUMB_SIZE = 128

Pictures = tuple[QImage | None, QImage | None]


class EndpointBox:
    """Where jobs get their server and key. Jobs started before it is known simply wait."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._value: Endpoint | None = None
        # What a job shows while it waits for an endpoint (set by the window, read by workers).
        self.waiting_reason = note("key")

    def set(self, endpoint: Endpoint | None) -> None:
        with self._cond:
            self._value = endpoint
            self._cond.notify_all()

    def get(self) -> Endpoint | None:
        with self._cond:
            return self._value

    def wait(
        self, cancel: CancelToken, accept: Callable[[Endpoint], bool] = lambda e: True
    ) -> Endpoint:
        with self._cond:
            while True:
                if self._value is not None and accept(self._value):
                    return self._value
                cancel.raise_if_cancelled()
                self._cond.wait(0.2)


# Until the window says how big its result view is: about a laptop screen in device pixels.
DEFAULT_PREVIEW_FIT = (1920, 1200)


def make_thumbnail(path: str, fit: tuple[int, int] = DEFAULT_PREVIEW_FIT) -> Pictures:
    """(small thumbnail, preview) decoded in the worker; QImage is safe off the GUI thread.

    The preview is the picture scaled down to fit `fit` (the result view, in device pixels):
    what the GUI thread paints at once, so a 4K result's first paint costs it no scaling. The
    full resolution is read from the file when someone zooms in (ResultView)."""
    from app.services.thumbnails import load_picture

    preview, _full_size = load_picture(path, fit)
    if preview.isNull():
        return None, None
    return _thumbnail(preview), preview


def preview_thumbnail(data: bytes) -> Pictures:
    """(small thumbnail, None) of a streamed partial picture, decoded in the worker."""
    from app.services.thumbnails import decode_picture

    image = decode_picture(data)
    if image.isNull():
        return None, None
    return _thumbnail(image), None


def _thumbnail(image: QImage) -> QImage:
    from PySide6.QtCore import Qt

    return image.scaled(
        THUMB_SIZE,
        THUMB_SIZE,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _with_pictures(
    progress: Callable[[object], None], fit: Callable[[], tuple[int, int]]
) -> Callable[[JobEvent], None]:
    """The worker's emit: a landed result gets its thumbnail and preview decoded here, on the
    worker (inside the landing slot), before the event travels to the GUI thread; a streamed
    preview its thumbnail."""

    def emit(event: JobEvent) -> None:
        pictures: Pictures | None = None
        if isinstance(event, Landed) and event.paths:
            pictures = make_thumbnail(event.paths[0], fit())
        elif isinstance(event, Preview):
            pictures = preview_thumbnail(event.data)
        progress((event, pictures))

    return emit


def run_in_worker(
    spec: JobSpec,
    env: jobs.JobEnv,
    cancel: CancelToken,
    fit: Callable[[], tuple[int, int]],
    progress: Callable[[object], None],
) -> None:
    jobs.run_job(spec, env, cancel, _with_pictures(progress, fit))


def save_in_worker(
    spec: JobSpec,
    job_id: Any,
    unsaved: Any,
    late: bool,
    lib: Library,
    fit: Callable[[], tuple[int, int]],
    progress: Callable[[object], None],
) -> None:
    result, composited = unsaved
    jobs.land(spec, job_id, result, late, lib, _with_pictures(progress, fit), composited)
