"""Requests as the contract's retry rules want them: one call repeated only when it is safe
(a create only when the server certainly did nothing), bodies read in bounded chunks, result
links downloaded with the key sent to our own host alone.

The client (client.py) says what to ask; this says how, and when to ask again.
"""

from __future__ import annotations

import logging
import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from app.core.api.cancel import CancelToken
from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.http import (
    CONNECT_TIMEOUT,
    GATEWAY_TIMEOUTS,
    MAX_RETRY_AFTER,
    SHORT_READ_TIMEOUT,
    RawResponse,
    backoff_delay,
    describe_wait,
    retry_after_seconds,
    same_origin,
    status_is_retryable,
)
from app.core.api.http import exchange as _exchange
from app.core.api.parse import error_from_response

log = logging.getLogger("app.core.api.client")  # one logger for the client's story

# Generous: a Compat answer carries the images as base64 inside JSON.
MAX_API_BODY = 512 * 1024 * 1024
MAX_REDIRECTS = 5
DOWNLOAD_RETRIES = 5  # backoff 0.5, 1, 2, 4, 8 s, plus what Retry-After asks
SHORT_TIMEOUT = httpx.Timeout(CONNECT_TIMEOUT, read=SHORT_READ_TIMEOUT)


@dataclass
class ProgressEvent:
    """One step of a job. stage: sending, retrying, submitted, polling, waiting, preview,
    downloading, decoding."""

    stage: str
    task_id: str | None = None
    server_status: str | None = None
    elapsed: float = 0.0
    deadline: float | None = None
    message: str | None = None  # retrying / waiting: why (an English sentence)
    index: int = 0  # preview: which partial picture, from 0
    data: bytes | None = None  # preview: the partial picture as the server encoded it
    offline: bool = False  # retrying / waiting because the server cannot be reached
    retry_in: float | None = None  # retrying / waiting: seconds until the next try


EventSink = Callable[[ProgressEvent], None] | None


class Transport:
    """One server, one key, one shared httpx.Client: calls with the contract's retries."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        api_key: str,
        *,
        max_retries: int = 2,
        max_download_bytes: int = 64 * 1024 * 1024,
        random: Callable[[], float] = _random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.api_key = api_key
        self.max_retries = max_retries
        self.max_download_bytes = max_download_bytes
        self._random = random
        self._clock = clock

    @property
    def secrets(self) -> list[str]:
        return [self.api_key] if self.api_key else []

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}

    def call(
        self,
        method: str,
        url: str,
        *,
        cancel: CancelToken,
        create: str
        | None,  # "async" / "compat" for POSTs that create paid work, None when repeatable
        on_event: EventSink,
        start: float,
        retry_404: bool = False,
        abort_on_cancel: bool = True,
        headers: dict[str, str] | None = None,
        max_bytes: int = MAX_API_BODY,
        allow_redirect: bool = False,
        retries: int | None = None,  # how often to try again (default: max_retries)
        **kwargs: Any,
    ) -> RawResponse:
        attempt = 0
        try:
            host = httpx.URL(url).host or url
        except httpx.InvalidURL as exc:
            raise ApiError(
                ErrorKind.network,
                f"The address {url} cannot be used ({reason(exc)}). Check the server address in Settings.",
            ) from None
        if create is None:
            kwargs.setdefault("timeout", SHORT_TIMEOUT)
        while True:
            cancel.raise_if_cancelled()
            headers_seen: dict[str, str] = {}
            try:
                resp = self.exchange(
                    method,
                    url,
                    cancel=cancel,
                    max_bytes=max_bytes,
                    abort_on_cancel=abort_on_cancel,
                    headers=self.auth_headers() if headers is None else headers,
                    **kwargs,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Never reached the server: safe to repeat even for a create.
                error = ApiError(
                    ErrorKind.network,
                    f"Could not connect to {host} ({reason(exc)}). Check your internet connection "
                    "and the server address.",
                    connect_failed=True,
                )
                error.__cause__ = exc
                retryable = True
            except httpx.TimeoutException as exc:
                if create:
                    raise self.lost_create(create, exc, timed_out=True) from None
                error = ApiError(
                    ErrorKind.timeout, f"{host} did not answer in time. Try again later."
                )
                retryable = True
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if create:
                    raise self.lost_create(create, exc, timed_out=False) from None
                error = ApiError(
                    ErrorKind.network,
                    f"The connection to {host} was lost ({reason(exc)}). Check your internet connection.",
                )
                retryable = True
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise ApiError(
                    ErrorKind.network,
                    f"The address {url} cannot be used ({reason(exc)}). Check the server address in Settings.",
                ) from None
            else:
                if 200 <= resp.status < 300:
                    return resp
                if 300 <= resp.status < 400:
                    if allow_redirect:
                        return resp
                    where = resp.headers.get("location", "another address")
                    raise ApiError(
                        ErrorKind.invalid_request,
                        f"{host} answered with a redirect to {where}. Put the final address "
                        "(usually https://...) in the server setting.",
                        status=resp.status,
                    )
                headers_seen = resp.headers
                retry_after = retry_after_seconds(resp.headers)
                error = error_from_response(
                    resp.status, resp.body, secrets=self.secrets, retry_after=retry_after
                )
                if (
                    create
                    and resp.status >= 500
                    and not status_is_retryable(resp.status, error.code, resp.headers, create=True)
                ):
                    # The request reached the service, which may have made (and billed) the
                    # picture before failing to answer: never re-sent (contract, retry rules).
                    raise self.lost_create(
                        create, None, timed_out=resp.status in GATEWAY_TIMEOUTS, status=resp.status
                    )
                if resp.status == 404 and retry_404:
                    retryable = True
                else:
                    retryable = status_is_retryable(
                        resp.status, error.code, resp.headers, create=create is not None
                    )
                if retryable and retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    error.reword(
                        f"{error.message} The server asks to wait "
                        f"{describe_wait(retry_after)}; try again then."
                    )
                    raise error
            if not retryable or attempt >= (self.max_retries if retries is None else retries):
                log.info("%s %s failed: %s (HTTP %s)", method, host, error.kind, error.status)
                raise error
            retry_after = retry_after_seconds(headers_seen) if headers_seen else None
            delay = retry_after if retry_after is not None else backoff_delay(attempt, self._random)
            emit(
                on_event,
                ProgressEvent(
                    "retrying",
                    elapsed=self._clock() - start,
                    message=f"{error.message} Trying again in {delay:.1f} s.",
                    offline=error.kind is ErrorKind.network,
                    retry_in=delay,
                ),
            )
            log.info(
                "%s %s: %s (HTTP %s); retry %d in %.2f s",
                method,
                host,
                error.kind,
                error.status,
                attempt + 1,
                delay,
            )
            if cancel.wait(delay):
                raise Cancelled()
            attempt += 1

    def exchange(self, method: str, url: str, *, cancel: CancelToken, **kwargs: Any) -> RawResponse:
        if self.http.is_closed:
            raise Cancelled()
        try:
            return _exchange(self.http, method, url, cancel=cancel, **kwargs)
        except (httpx.HTTPError, RuntimeError):
            if self.http.is_closed:
                # Shutdown closed the shared client under this request: not a network fault.
                raise Cancelled() from None
            raise

    def lost_create(
        self, flavour: str, exc: Exception | None, *, timed_out: bool, status: int | None = None
    ) -> ApiError:
        if status is not None and status in GATEWAY_TIMEOUTS:
            what = f"(a gateway on the way) gave up waiting (HTTP {status})"
        elif status is not None:
            what = f"answered with an error (HTTP {status})"
        elif timed_out or exc is None:
            what = "did not answer in time"
        else:
            what = f"dropped the connection ({reason(exc)})"
        if flavour == "compat":
            return ApiError(
                ErrorKind.maybe_billed,
                f"The server {what} after the request was sent; the server may still have billed this. "
                "Check your usage before trying again. The Async API copes better with long jobs.",
                status=status,
            )
        if status is not None and not timed_out:
            kind = ErrorKind.server
        else:
            kind = ErrorKind.timeout if timed_out else ErrorKind.network
        return ApiError(
            kind,
            f"The server {what} after the job was sent, so the task may exist anyway. "
            "It was not sent again to avoid paying twice; you can retry it yourself.",
            status=status,
        )

    def download(self, url: str, cancel: CancelToken, start: float) -> bytes:
        """GET a result URL: http(s) only, bounded size, redirects followed by hand, key only to our host."""
        for _hop in range(MAX_REDIRECTS + 1):
            scheme = httpx.URL(url).scheme.lower()
            if scheme not in ("http", "https"):
                raise ApiError(
                    ErrorKind.malformed,
                    f"The server pointed to the result with a {scheme or 'relative'}: address; only http and "
                    "https are fetched.",
                    raw=url[:200] if not scheme.startswith("data") else None,
                )
            headers = self.auth_headers() if same_origin(url, self.base_url) else {"Accept": "*/*"}
            try:
                resp = self.call(
                    "GET",
                    url,
                    cancel=cancel,
                    create=None,
                    on_event=None,
                    start=start,
                    headers=headers,
                    max_bytes=self.max_download_bytes,
                    # A finished picture is paid for and a Compat answer has no task to ask
                    # again: its link gets more patience than an ordinary call (~30 s in all).
                    retries=max(self.max_retries, DOWNLOAD_RETRIES),
                    allow_redirect=True,
                    retry_404=True,
                )
            except ApiError as exc:
                if exc.status in (401, 403, 404, 410):
                    exc = ApiError(
                        ErrorKind.not_found,
                        f"The finished image could not be downloaded from {httpx.URL(url).host} "
                        f"(HTTP {exc.status}); the link may have expired.",
                        status=exc.status,
                    )
                if exc.kind in (
                    ErrorKind.not_found,
                    ErrorKind.network,
                    ErrorKind.timeout,
                    ErrorKind.server,
                ):
                    exc.download_failed = True
                raise exc from None
            if 300 <= resp.status < 400:
                location = resp.headers.get("location")
                if not location:
                    break
                url = str(httpx.URL(url).join(location))
                continue
            return resp.body
        raise ApiError(
            ErrorKind.network, "The finished image's address redirects too often to be downloaded."
        )


def emit(sink: EventSink, event: ProgressEvent) -> None:
    if sink is not None:
        sink(event)


def reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text[:200] if text else type(exc).__name__
