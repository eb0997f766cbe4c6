"""Background work below the window: the demo server's process and the workers' threads give
the cores to the GUI thread. With every core busy (8 results landing on a 2-core laptop) the
GUI thread otherwise waits its turn behind them: 20-60 ms in the run queue per stall."""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

BELOW_NORMAL_NICE = 10


def run_below_normal(ident: int, what: str) -> None:
    """Raise the nice value of a process (its pid) or, on Linux, of one thread (its native
    id). A sandbox may forbid it, or a child may have ended already: the work runs all the
    same, at the normal priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, ident, BELOW_NORMAL_NICE)
    except OSError as exc:
        log.debug("could not lower the priority of %s: %r", what, exc)
