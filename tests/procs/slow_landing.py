"""`python -m app` with a slow commit: a fault-injecting wrapper for the kill loop.

    python tests/procs/slow_landing.py generate PROMPT --base-url URL --data-dir DIR --api async

Runs the command line exactly as `python -m app` does, except that a result's files, once
written, wait SLOW_COMMIT seconds before the library commits them. The gap between writing
and committing lasts milliseconds otherwise; widened, a kill lands in it on purpose, and the
next start must index those files once (never save the task again under a new name).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.core.library import saving  # noqa: E402
from app.main import main  # noqa: E402

SLOW_COMMIT = float(os.environ.get("KILL_LOOP_SLOW_COMMIT", "1.5"))


def install(seconds: float = SLOW_COMMIT) -> None:
    """From now on, this process's library waits `seconds` between writing and committing."""
    commit = saving._commit

    def slow_commit(*args: Any, **kwargs: Any) -> Any:
        print("files written, committing", file=sys.stderr, flush=True)
        time.sleep(seconds)
        return commit(*args, **kwargs)

    saving._commit = slow_commit


if __name__ == "__main__":
    install()
    sys.exit(main(sys.argv[1:]))
