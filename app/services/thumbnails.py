"""Gallery thumbnails: made and decoded on background workers, cached on disk and in memory.

Workers hand back a QImage (safe off the GUI thread); the QPixmap is made on the GUI thread.
Requests are deduplicated; ones for cells scrolled out of view are dropped before they start.
"""

from __future__ import annotations

import itertools
import logging
from collections import OrderedDict
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QSize,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage, QImageReader, QPixmap

from app.core.library.thumbs import make_thumbnail, thumbnail_is_fresh
from app.services.background import Background, Task

log = logging.getLogger(__name__)


def load_thumbnail(src: Path, thumb: Path, size: QSize) -> QImage:
    """Runs on a worker: make the cached file if it is missing or stale, then decode and scale
    it. A null image means "no preview" (a file Qt cannot read)."""
    if not thumbnail_is_fresh(src, thumb):
        make_thumbnail(src, thumb)
    image = QImage(str(thumb))
    if image.isNull():
        return image
    return image.scaled(
        size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def decode_picture(data: bytes) -> QImage:
    """Runs on a worker: a picture in memory, decoded. Null: unreadable. QImage.fromData keeps
    the GIL for the whole decode (35 ms of GUI-thread stall for a 2.6 MB PNG, measured with a
    1 ms sleeper beside it); QImageReader releases it, as QImage(path) does (3 ms)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return QImageReader(buffer).read()


def load_picture(path: str, fit: tuple[int, int] | None) -> tuple[QImage, QSize]:
    """Runs on a worker: the picture in the pixel format a QPixmap uses on screen, scaled down
    to fit `fit` (device pixels; None: full resolution), and its full size. Null: unreadable."""
    image = QImage(path)  # PySide releases the GIL while Qt decodes
    if image.isNull():
        return image, QSize()
    full = image.size()
    # The screen's own format, so QPixmap.fromImage on the GUI thread is a plain copy instead of
    # a pixel-by-pixel conversion (tens of ms at 1536x1024).
    native = (
        QImage.Format.Format_ARGB32_Premultiplied
        if image.hasAlphaChannel()
        else QImage.Format.Format_RGB32
    )
    if image.format() != native:
        image = image.convertToFormat(native)
    if fit is not None and (full.width() > fit[0] or full.height() > fit[1]):
        image = image.scaled(
            QSize(*fit),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image, full


def default_threads() -> int:
    # Leave a core to the GUI thread: painting a scrolling grid must not compete.
    return max(1, min(4, QThread.idealThreadCount() - 1))


class ThumbnailLoader(QObject):
    ready = Signal(int)  # item id: its pixmap() is now available (or known to be unavailable)

    def __init__(
        self,
        icon_size: QSize | None = None,
        capacity: int = 400,
        background: Background | None = None,
        parent: QObject | None = None,
        *,
        device_pixel_ratio: float = 1.0,
    ) -> None:
        """`background`: where thumbnails are made; its owner shuts it down. By default the
        loader makes its own (default_threads() workers) and shutdown() drains it."""
        super().__init__(parent)
        self.icon_size = icon_size or QSize(160, 160)
        # On a HiDPI screen thumbnails are made at device pixels (sharp), and fewer are kept
        # so memory stays about the same.
        self.dpr = max(1.0, float(device_pixel_ratio))
        self._pixel_size = QSize(
            round(self.icon_size.width() * self.dpr), round(self.icon_size.height() * self.dpr)
        )
        self.capacity = max(50, int(capacity / (self.dpr * self.dpr)))
        self._own_background = background is None
        self.background = background or Background(default_threads(), self)
        self._cache: OrderedDict[int, QPixmap] = OrderedDict()
        self._failed: set[int] = set()
        # item id -> its task once handed to the workers; None while it waits in _to_start.
        self._pending: dict[int, Task | None] = {}
        self._to_start: dict[int, tuple[Path, Path]] = {}
        self._serial = itertools.count(1)
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.setInterval(0)
        self._start_timer.timeout.connect(self.on_start_timer)

    def pixmap(self, item_id: int) -> QPixmap | None:
        pm = self._cache.get(item_id)
        if pm is not None:
            self._cache.move_to_end(item_id)
        return pm

    def failed(self, item_id: int) -> bool:
        return item_id in self._failed

    def is_pending(self, item_id: int) -> bool:
        return item_id in self._pending

    @property
    def pending(self) -> int:
        """How many requests are queued or being made."""
        return len(self._pending)

    def request(self, item_id: int, src: Path, thumb: Path) -> None:
        if item_id in self._cache or item_id in self._pending or item_id in self._failed:
            return
        self._pending[item_id] = None
        # Requests come from paint(): hand them to the workers once the frame is painted, so
        # a waking worker does not compete with the paint for the CPU.
        self._to_start[item_id] = (src, thumb)
        if not self._start_timer.isActive():
            self._start_timer.start()

    @Slot()
    def on_start_timer(self) -> None:
        wanted, self._to_start = self._to_start, {}
        for item_id, (src, thumb) in wanted.items():
            self._pending[item_id] = self.background.submit(
                load_thumbnail,
                src,
                thumb,
                self._pixel_size,
                on_done=partial(self.on_done, item_id),
                on_error=partial(self.on_failed, item_id),
                receiver=self,
                # Newer requests first: what is on screen now matters more than a moment ago.
                priority=next(self._serial) & 0x3FFFFFFF,
            )

    def retain(self, item_ids: set[int]) -> int:
        """Drop queued requests for items no longer wanted (scrolled away); returns how many."""
        dropped = 0
        for item_id in [i for i in self._pending if i not in item_ids]:
            task = self._pending[item_id]
            if task is None:
                del self._to_start[item_id]
            elif not self.background.take_back(task):
                continue  # already being made: let it finish, it will be cached
            del self._pending[item_id]
            dropped += 1
        return dropped

    def forget(self, item_id: int) -> None:
        """The item's file changed or went away: the next request makes it afresh."""
        self._cache.pop(item_id, None)
        self._failed.discard(item_id)

    def clear(self) -> None:
        """Forget everything (e.g. after a rebuild gave items new ids)."""
        for task in self._pending.values():
            if task is not None and not self.background.take_back(task):
                # Already being made: its result is dropped when it comes back, since the
                # id it was made for may now mean another picture.
                task.cancel()
        self._to_start.clear()
        self._pending.clear()
        self._cache.clear()
        self._failed.clear()

    def shutdown(self) -> None:
        self.clear()
        if self._own_background:
            self.background.shutdown(wait_ms=-1)

    def on_done(self, item_id: int, image: QImage) -> None:
        self._pending.pop(item_id, None)
        if image.isNull():
            self._failed.add(item_id)
        else:
            pm = QPixmap.fromImage(image)
            pm.setDevicePixelRatio(self.dpr)
            self._cache[item_id] = pm
            self._cache.move_to_end(item_id)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        self.ready.emit(item_id)

    def on_failed(self, item_id: int, error: BaseException) -> None:
        # A broken or vanished file: shown as "no preview", never a crash.
        log.debug("no thumbnail for item %d: %r", item_id, error)
        self.on_done(item_id, QImage())
