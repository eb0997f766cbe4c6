"""How long a worker's picture decode stalls the GUI thread (prints figures, not a test).

A worker decodes a 1536x1024 PNG of real weight (the simulator's heavy painter, ~2.6 MB) over
and over; the main thread sleeps 1 ms at a time and records its worst lateness: what the GUI
thread would lose while a streamed preview (or any picture held in memory) is decoded.
Baseline: QImage.fromData, which keeps the GIL for the whole decode; measured in the same run.

    .venv/bin/python bench/bench_decode.py [--seconds 1.5]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from PySide6.QtGui import QImage

from app.services.thumbnails import decode_picture
from app.simulator import painter

GOAL_MS = 16.0


def worst_gap(decode: Callable[[], object], seconds: float) -> tuple[float, float]:
    """(worst main-thread lateness in ms, ms per decode) while a thread decodes nonstop."""
    stop = threading.Event()
    count = [0]

    def work() -> None:
        while not stop.is_set():
            decode()
            count[0] += 1

    worker = threading.Thread(target=work)
    worker.start()
    worst, start = 0.0, time.perf_counter()
    last = start
    while time.perf_counter() - start < seconds:
        time.sleep(0.001)
        now = time.perf_counter()
        worst, last = max(worst, now - last - 0.001), now
    stop.set()
    worker.join()
    return worst * 1000, seconds * 1000 / max(count[0], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args()
    sys.setswitchinterval(0.001)  # as the app runs (app.startup.before_qt)
    data = painter.encode(painter.heavy("benchmark decode", (1536, 1024)), "png", None)
    print(
        f"decoding a {len(data) / 1e6:.1f} MB 1536x1024 PNG on a worker; goal worst < {GOAL_MS:.0f} ms"
    )
    for label, decode in (
        ("app       decode_picture (QImageReader)", lambda: decode_picture(data)),
        ("baseline  QImage.fromData", lambda: QImage.fromData(data)),
    ):
        worst, each = worst_gap(decode, args.seconds)
        print(f"  {label:40s} main thread worst late {worst:6.1f} ms  ({each:.0f} ms per decode)")


if __name__ == "__main__":
    main()
