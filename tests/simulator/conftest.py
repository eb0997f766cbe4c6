from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import TEST_KEY


@pytest.fixture
def client(simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.base_url, headers={"Authorization": f"Bearer {TEST_KEY}"}, timeout=30) as c:
        yield c
