"""Library test fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.library import Library


@pytest.fixture
def lib(data_dir: Path) -> Iterator[Library]:
    library = Library.open(data_dir)
    yield library
    library.close()
