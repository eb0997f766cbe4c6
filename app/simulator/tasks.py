"""The simulator's async tasks: each one walks pending -> ready -> assigned -> processing by the
clock and ends completed, or failed / timeout / cancelled when a fault says so."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.simulator.service import ApiProblem, Job

# Share of `latency` a task spends before entering each next state; it completes at 1.0.
STAGES = (("pending", 0.0), ("ready", 0.1), ("assigned", 0.2), ("processing", 0.3))

TASK_END_DEFAULTS = {
    "failed": ("The image could not be generated: the upstream model returned an error.", 500),
    "timeout": ("The task did not finish in time and was stopped.", 504),
    "cancelled": ("The task was cancelled.", 499),
}


def iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


@dataclass
class TaskRecord:
    """One async task. Its status follows the clock; the image is made when it first shows final."""

    id: str
    job: Job
    request: dict[str, Any]
    created: float  # wall clock, for createdAt
    started: float  # monotonic, for the state walk
    duration: float
    step: float | None
    trace_id: str
    end_state: str | None = None  # injected failed / timeout / cancelled
    error_message: str | None = None
    error_code: int | None = None
    result_shape: str = "images_response"
    truncated_b64: bool = False
    blocked: ApiProblem | None = None  # refused by moderation: fails when it would have finished
    decoded: Any = None  # inputs already checked at creation
    result: Any = None
    finished_at: str | None = None
    polls: int = 0
    _final: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def walk_status(self, now: float | None = None) -> str:
        """pending -> ready -> assigned -> processing by elapsed time; "final" once done."""
        elapsed = (time.monotonic() if now is None else now) - self.started
        if self.step is not None:
            index = int(elapsed // self.step) if self.step > 0 else len(STAGES)
            return STAGES[index][0] if index < len(STAGES) else "final"
        if elapsed >= self.duration:
            return "final"
        current = "pending"
        for name, share in STAGES:
            if elapsed >= share * self.duration:
                current = name
        return current

    @property
    def status(self) -> str:
        if self._final is not None:
            return self._final
        walked = self.walk_status()
        if walked != "final":
            return walked
        return self.end_state or ("failed" if self.blocked else "completed")
