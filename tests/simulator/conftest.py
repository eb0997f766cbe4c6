from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.simulator.helpers import http_client


@pytest.fixture
def client(simulator) -> Iterator[httpx.Client]:
    with http_client(simulator.base_url, timeout=30) as c:
        yield c
