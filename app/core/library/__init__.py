"""The local library: SQLite index + job journal, image files with embedded settings, spend."""

from app.core.library.library import (
    Cell,
    Item,
    Job,
    JobState,
    Library,
    RebuildReport,
    UnknownItemError,
    UnknownJobError,
)

__all__ = [
    "Cell",
    "Item",
    "Job",
    "JobState",
    "Library",
    "RebuildReport",
    "UnknownItemError",
    "UnknownJobError",
]
