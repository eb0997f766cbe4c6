"""The local library: SQLite index + job journal, image files with embedded settings, spend."""

from app.core.library.items import Cell, Item, UnknownItemError
from app.core.library.journal import Job, JobState, UnknownJobError
from app.core.library.library import Library
from app.core.library.rebuild import RebuildReport
from app.core.library.search import DEMO_FILTERS, DemoFilter

__all__ = [
    "DEMO_FILTERS",
    "Cell",
    "DemoFilter",
    "Item",
    "Job",
    "JobState",
    "Library",
    "RebuildReport",
    "UnknownItemError",
    "UnknownJobError",
]
