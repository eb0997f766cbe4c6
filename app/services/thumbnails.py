"""Gallery thumbnails: made and decoded in pool workers, cached on disk and in memory.

Workers hand back a QImage (safe off the GUI thread); the QPixmap is made on the GUI thread.
Requests are deduplicated; ones for cells scrolled out of view are dropped before they start.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from app.core.library.thumbs import make_thumbnail, thumbnail_is_fresh


class _Relay(QObject):
    # Lives on the GUI thread; workers emit through it, so delivery is queued to the GUI thread.
    done = Signal(int, int, int, QImage)  # serial, item id, generation, image (null: failed)


class _ThumbJob(QRunnable):
    def __init__(
        self,
        relay: _Relay,
        serial: int,
        item_id: int,
        generation: int,
        src: Path,
        thumb: Path,
        size: QSize,
    ):
        super().__init__()
        self.setAutoDelete(False)  # the loader keeps it, so tryTake() never sees a dead object
        self.relay, self.serial, self.item_id, self.generation = relay, serial, item_id, generation
        self.src, self.thumb, self.size = src, thumb, size

    def run(self) -> None:
        image = QImage()
        try:
            if not thumbnail_is_fresh(self.src, self.thumb):
                make_thumbnail(self.src, self.thumb)
            loaded = QImage(str(self.thumb))
            if not loaded.isNull():
                image = loaded.scaled(
                    self.size,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
        except Exception:  # a broken or vanished file: shown as "no preview", never a crash
            image = QImage()
        self.relay.done.emit(self.serial, self.item_id, self.generation, image)


class ThumbnailLoader(QObject):
    ready = Signal(int)  # item id: its pixmap() is now available (or known to be unavailable)

    def __init__(
        self,
        icon_size: QSize | None = None,
        capacity: int = 400,
        pool: QThreadPool | None = None,
        parent: QObject | None = None,
        *,
        device_pixel_ratio: float = 1.0,
    ):
        super().__init__(parent)
        self.icon_size = icon_size or QSize(160, 160)
        # On a HiDPI screen thumbnails are made at device pixels (sharp), and fewer are kept
        # so memory stays about the same.
        self.dpr = max(1.0, float(device_pixel_ratio))
        self._pixel_size = QSize(
            round(self.icon_size.width() * self.dpr), round(self.icon_size.height() * self.dpr)
        )
        self.capacity = max(50, int(capacity / (self.dpr * self.dpr)))
        self._pool = pool or QThreadPool(self)
        if pool is None:
            # Leave a core to the GUI thread: painting a scrolling grid must not compete.
            ideal = QThreadPool.globalInstance().maxThreadCount()
            self._pool.setMaxThreadCount(max(1, min(4, ideal - 1)))
        self._cache: OrderedDict[int, QPixmap] = OrderedDict()
        self._failed: set[int] = set()
        self._pending: dict[int, _ThumbJob] = {}  # item id -> queued or running job
        self._alive: dict[int, _ThumbJob] = {}  # serial -> job, until its result is back
        self._serial = 0
        self._generation = 0
        self._relay = _Relay(self)
        self._relay.done.connect(self.on_done)
        self._to_start: list[_ThumbJob] = []
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

    def request(self, item_id: int, src: Path, thumb: Path) -> None:
        if item_id in self._cache or item_id in self._pending or item_id in self._failed:
            return
        self._serial += 1
        job = _ThumbJob(
            self._relay, self._serial, item_id, self._generation, src, thumb, self._pixel_size
        )
        self._pending[item_id] = job
        self._alive[job.serial] = job
        # Requests come from paint(): hand them to the pool once the frame is painted, so a
        # waking worker does not compete with the paint for the CPU.
        self._to_start.append(job)
        if not self._start_timer.isActive():
            self._start_timer.start()

    @Slot()
    def on_start_timer(self) -> None:
        jobs, self._to_start = self._to_start, []
        for job in jobs:
            if self._pending.get(job.item_id) is job:  # not dropped or cleared meanwhile
                # Newer requests first: what is on screen now matters more than a moment ago.
                self._pool.start(job, priority=job.serial & 0x3FFFFFFF)

    def retain(self, item_ids: set[int]) -> int:
        """Drop queued requests for items no longer wanted (scrolled away); returns how many."""
        dropped = 0
        for item_id in [i for i in self._pending if i not in item_ids]:
            job = self._pending[item_id]
            if job in self._to_start or self._pool.tryTake(job):
                if job in self._to_start:
                    self._to_start.remove(job)
                del self._pending[item_id]
                del self._alive[job.serial]
                dropped += 1
        return dropped

    def forget(self, item_id: int) -> None:
        """The item's file changed or went away: the next request makes it afresh."""
        self._cache.pop(item_id, None)
        self._failed.discard(item_id)

    def clear(self) -> None:
        """Forget everything (e.g. after a rebuild gave items new ids)."""
        self._generation += 1
        for job in list(self._pending.values()):
            if job in self._to_start or self._pool.tryTake(job):
                del self._alive[job.serial]
        self._to_start.clear()
        self._pending.clear()
        self._cache.clear()
        self._failed.clear()

    def shutdown(self) -> None:
        self.clear()
        self._pool.waitForDone()
        self._alive.clear()

    @Slot(int, int, int, QImage)
    def on_done(self, serial: int, item_id: int, generation: int, image: QImage) -> None:
        self._alive.pop(serial, None)
        if generation != self._generation:
            return  # made before a clear(): its id may now mean another picture
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
