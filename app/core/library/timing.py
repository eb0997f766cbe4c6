"""How long a job usually takes, learned from this library's own history.

The journal keeps when each job was written down and when its result was saved; the typical
time for a (flavour, size, quality) is the median of the latest finished jobs with those
settings. The median, not the mean: a job that waited out an outage, or a task checked again
the next day, must not drag the estimate. Jobs made by the demo simulator are learned apart
from real ones (the simulator answers in a second or two).

Plain Python: the window loads it once off the GUI thread, then adds each job that lands.
"""

from __future__ import annotations

import json
import statistics
import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

from app.core.library.store import Store

MIN_SAMPLES = 3  # fewer than this, and a bar would be a guess
KEEP = 20  # the latest this many per key: the service gets faster or slower over time
MAX_SECONDS = 3600.0  # longer is not how long the work took (a task checked again later)
LOAD_LIMIT = 2000  # finished jobs read at start, newest first

Key = tuple[str, str, str, bool]


def timing_key(flavour: str, params: Mapping[str, Any], demo: bool) -> Key:
    return (
        str(flavour),
        str(params.get("size") or "auto"),
        str(params.get("quality") or "auto"),
        bool(demo),
    )


class Timings:
    """The latest durations per key; thread-safe (loaded on a worker, read on the GUI thread)."""

    def __init__(self) -> None:
        self._samples: dict[Key, deque[float]] = {}
        self._lock = threading.Lock()
        self.loaded = False

    def add(self, key: Key, seconds: float) -> None:
        if not 0 < seconds <= MAX_SECONDS:
            return
        with self._lock:
            self._samples.setdefault(key, deque(maxlen=KEEP)).append(float(seconds))

    def count(self, key: Key) -> int:
        with self._lock:
            return len(self._samples.get(key, ()))

    def typical(self, key: Key) -> float | None:
        """The median duration for `key`, or None below MIN_SAMPLES."""
        with self._lock:
            samples = list(self._samples.get(key, ()))
        if len(samples) < MIN_SAMPLES:
            return None
        return statistics.median(samples)

    def load(self, store: Store) -> Timings:
        """Learn from the library's completed jobs (oldest first, so the newest are kept)."""
        with store.read() as c:
            rows = c.execute(
                "SELECT flavour, params, created_at, finished_at, demo FROM jobs "
                "WHERE state = 'completed' AND finished_at IS NOT NULL "
                "ORDER BY finished_at DESC LIMIT ?",
                (LOAD_LIMIT,),
            ).fetchall()
        for row in reversed(rows):
            try:
                params = json.loads(row["params"] or "{}")
            except ValueError:
                continue
            if isinstance(params, dict):
                key = timing_key(row["flavour"], params, bool(row["demo"]))
                self.add(key, float(row["finished_at"]) - float(row["created_at"]))
        self.loaded = True
        return self


def progress(elapsed: float, typical: float | None) -> float | None:
    """How far along a running job probably is (0..0.95), or None without an estimate: never
    100 % before the result is there, however long the job takes."""
    if typical is None or typical <= 0:
        return None
    return max(0.0, min(0.95, elapsed / typical))
