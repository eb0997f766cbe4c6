from __future__ import annotations

import email.utils

import httpx
import pytest

from app.core.api.client import compat_root, tasks_root
from app.core.api.http import (
    backoff_delay,
    make_http_client,
    retry_after_seconds,
    status_is_retryable,
)


def test_backoff_follows_the_sdk_formula():
    assert [backoff_delay(n, lambda: 0.0) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff_delay(0, lambda: 1.0) == pytest.approx(0.375)
    assert backoff_delay(10, lambda: 0.5) == pytest.approx(7.0)


def test_retry_after_ms_wins_then_seconds_then_http_date():
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds({"retry-after": date}, now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


@pytest.mark.parametrize(
    ("status", "code", "headers", "create", "expected"),
    [
        (400, None, {}, False, False),
        (401, None, {}, False, False),
        (403, None, {}, False, False),
        (429, None, {}, True, True),
        (429, "insufficient_quota", {}, True, False),
        (500, None, {}, True, False),
        (502, None, {}, True, False),
        (503, None, {}, True, True),
        (500, None, {}, False, True),
        (502, None, {}, False, True),
        (503, None, {}, False, True),
        (504, None, {}, True, False),
        (504, None, {}, False, True),
        (524, None, {"x-should-retry": "true"}, True, True),
        (500, None, {"x-should-retry": "false"}, True, False),
        (400, None, {"x-should-retry": "true"}, True, True),
        (408, None, {}, False, True),
        (409, None, {}, False, True),
        (408, None, {}, True, False),
        (404, None, {}, False, False),
    ],
)
def test_which_statuses_are_retried(status, code, headers, create, expected):
    assert status_is_retryable(status, code, headers, create=create) is expected


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("https://api.mountsea.ai", "https://api.mountsea.ai/openai/v1"),
        ("https://api.mountsea.ai/", "https://api.mountsea.ai/openai/v1"),
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("http://127.0.0.1:9/openai/v1/", "http://127.0.0.1:9/openai/v1"),
    ],
)
def test_compat_root(base, root):
    assert compat_root(base) == root


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("https://api.mountsea.ai", "https://api.mountsea.ai"),
        ("https://api.mountsea.ai/openai/v1/", "https://api.mountsea.ai"),
        ("http://127.0.0.1:9/proxy", "http://127.0.0.1:9/proxy"),
    ],
)
def test_tasks_root_steps_out_of_a_pasted_compat_root(base, root):
    assert tasks_root(base) == root


def test_shared_client_settings():
    with make_http_client() as http:
        assert http.timeout.connect == 10.0 and http.timeout.read >= 600
        assert http.follow_redirects is False
        assert isinstance(http, httpx.Client)
