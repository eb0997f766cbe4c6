"""The packaging tests build the PyInstaller bundle (minutes on a small machine), so a plain
`make test` skips them; they run when selected: `pytest -m packaging tests/packaging`."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if (
        "packaging" in (config.option.markexpr or "")
        and "not packaging" not in config.option.markexpr
    ):
        return
    skip = pytest.mark.skip(reason="builds the bundle; run with -m packaging")
    for item in items:
        if item.get_closest_marker("packaging"):
            item.add_marker(skip)
