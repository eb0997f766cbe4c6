"""What start-up defers, and why: every start-up tweak of the app, in one place.

Each one stays only if it buys at least 5 ms on `bench/bench_gui.py` (start-up) or on the
GUI-thread stall benchmark; what it buys is written beside it. In order:

1. `before_qt()`: the cyclic GC off until the window has settled, and a 1 ms GIL switch
   interval (it came back once results had real weight: see the function).
2. `StartUp.begin()`, once the window is shown: the session asks the keyring and the
   journal is read, both on workers; the warm-up (httpx, Pillow's codecs) runs 300 ms later.
3. `StartUp.on_warmed_up()`: everything alive is frozen for the GC and the collector comes
   back on; `end()` unfreezes at close. No collection first: with the collector off since
   before Qt, every object is still in the youngest generation, so any collection walks all
   ~60,000 of them, 80-95 ms on the GUI thread in the frame after the first paint, to free
   ~600 objects of start-up garbage (measured); those now wait, frozen, for the close.

Removed, as they bought less than 5 ms (issue 10's measurements): the keyring lookup's
wait for the first paint (first-tick times within noise). Also measured
and kept, outside this module: app/__main__.py freezes every object before the
interpreter's exit (its final collections cost ~100 ms of CPU time in a `--smoke-test`).

Start-up also keeps its heavy imports off the first paint: app.simulator (~120 ms), keyring
(~100 ms) and httpx (~170 ms) are imported on workers, when first needed (see app.main).
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from typing import TYPE_CHECKING, Any, Protocol

# Nothing heavy at import: app.main imports this module before `before_qt()` turns the
# collector off, and Qt's and the services' modules should load with it off (see below).
if TYPE_CHECKING:
    from app.services.background import Background
    from app.services.journal import JournalResume
    from app.services.runner import JobRunner
    from app.services.session import Session

log = logging.getLogger(__name__)

# Long enough for the first paints to be on screen; short enough that a person has not
# finished typing a prompt yet.
WARM_UP_DELAY_MS = 300


class Window(Protocol):
    def warm_up(self) -> None: ...


def before_qt() -> None:
    """For `python -m app` only, before the QApplication is made."""
    # Start-up creates ~40,000 long-lived objects the collector tracks (modules, classes,
    # functions, widget wrappers) and little cyclic garbage: its young-generation passes
    # over them cost ~20 ms of a `--smoke-test` run (measured with gc.callbacks: 81
    # collections, 27 ms with it on; 13 collections, 3 ms with it off from here).
    # StartUp.on_warmed_up turns it back on; a window closed before that leaves it off, as
    # the process is exiting then.
    gc.disable()
    # Landing results of real weight keeps several workers in and out of the GIL at once
    # (reading 3.5 MB bodies, parsing, saving); each holds it up to the switch interval
    # while the GUI thread waits its turn behind them. bench_landing `sep`, 4 runs each way
    # in one sitting: worst gap 12-24 ms (median 19) at 1 ms against 16-60 ms (median 47) at
    # Python's default 5 ms; 0.2 ms was no better than 1 ms.
    sys.setswitchinterval(0.001)


def warm_up(runner: JobRunner) -> None:
    """Worker thread: what the first Generate and the first result would import."""
    import uuid  # noqa: F401  (the first job id; it pulls in platform: 7-15 ms on the GUI thread)

    import PIL.Image

    PIL.Image.init()  # registers (imports) every codec plugin now rather than on the first result
    runner.http()  # imports httpx (~170 ms of interpreter time) and opens the shared client


class StartUp:
    """The steps that wait until the window is shown; the window holds it."""

    def __init__(
        self,
        window: Window,
        *,
        session: Session,
        journal: JournalResume,
        runner: JobRunner,
        background: Background,
    ) -> None:
        self.window = window
        self.session = session
        self.journal = journal
        self.runner = runner
        self.background = background
        self.frozen = False
        self._ended = False

    def begin(self) -> None:
        """After show: pick the endpoint (the keyring is asked on a worker), land the
        journal, warm up."""
        from PySide6.QtCore import QTimer  # loaded by now; here to keep this module light

        self.session.start()
        self.journal.start()
        # Importing httpx and Pillow's codecs takes ~100 ms of interpreter time: do it off the
        # GUI thread once the window is up, before the first Generate, not during start-up.
        # Buys ~200 ms of a `--smoke-test` run (cpu 579 vs 374 ms with a 0 ms delay).
        QTimer.singleShot(WARM_UP_DELAY_MS, self.on_warm_up)

    def on_warm_up(self) -> None:
        if self._ended:
            return
        self.background.submit(
            warm_up, self.runner, on_done=self.on_warmed_up, on_error=self.on_warm_up_failed
        )

    def on_warm_up_failed(self, error: BaseException) -> None:
        log.warning("warm-up failed: %r", error)  # the first job imports what it needs itself
        self.on_warmed_up(None)

    def on_warmed_up(self, _result: Any) -> None:
        """Start-up is over: what is alive now (modules, classes, widgets, httpx and Pillow
        after the warm-up) lives as long as the window. Freezing it takes those objects out
        of the cyclic GC's full collections, which otherwise walk all of them: a 25-35 ms
        GUI-thread pause while scrolling a 100,000-item gallery. Frozen objects are still
        freed by reference counting; only cycles among them wait for the unfreeze at close."""
        if self._ended or self.frozen:
            return
        started = time.perf_counter()
        self.window.warm_up()
        gc.freeze()  # no gc.collect() first: see the module's note 3
        gc.enable()
        self.frozen = True
        log.info(
            "start-up objects frozen for the GC: %d (%.0f ms)",
            gc.get_freeze_count(),
            (time.perf_counter() - started) * 1000,
        )

    def end(self) -> None:
        """The window closed: cycles among start-up objects can be collected again (tests
        open many windows in one process)."""
        self._ended = True
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
