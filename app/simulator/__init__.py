"""A local, faithful stand-in for Mountsea's gpt-image-2 service (no Qt): tests, demo mode, benchmarks."""

from app.simulator.faults import RESULT_SHAPES, Fault
from app.simulator.server import DEMO_KEY, RecordedRequest, Simulator, TaskRecord
from app.simulator.service import MODERATION_TRIGGER_WORDS

__all__ = [
    "DEMO_KEY", "Fault", "MODERATION_TRIGGER_WORDS", "RESULT_SHAPES", "RecordedRequest", "Simulator", "TaskRecord",
]
