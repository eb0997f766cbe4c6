"""Clients pointed at the simulator, and a cancel token that records back-off sleeps instead of sleeping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.api.cancel import CancelToken
from app.core.api.client import MountseaClient, make_http_client
from tests.conftest import TEST_KEY


class FakeTime(CancelToken):
    """A token whose waits advance a fake clock at once: retries and polls cost no real time."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += max(0.0, seconds)
        return self.cancelled


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(simulator, fake_time) -> Iterator:
    http = make_http_client()

    def make(**kwargs) -> MountseaClient:
        kwargs.setdefault("poll_interval", 0.01)
        kwargs.setdefault("random", lambda: 0.0)
        kwargs.setdefault("clock", fake_time.clock)
        base_url = kwargs.pop("base_url", simulator.base_url)
        api_key = kwargs.pop("api_key", TEST_KEY)
        return MountseaClient(http, base_url, api_key, **kwargs)

    yield make
    http.close()


@pytest.fixture
def client(make_client) -> MountseaClient:
    return make_client()
