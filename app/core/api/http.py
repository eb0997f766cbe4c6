"""The shared HTTP client and the retry rules of the contract (the official SDK's, adapted).

Nothing here knows about images: it decides whether and when to try again, and reads bodies in
chunks so a cancel from another thread and a size bound take effect while data arrives.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpcore
import httpx

from app import __version__ as _app_version
from app.core.api.cancel import CancelToken
from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.sse import is_event_stream

CONNECT_TIMEOUT = 10.0
# A Compat call answers only when the picture is done: often 30-200 s, sometimes longer.
READ_TIMEOUT = 600.0
# Polls and downloads answer at once when the server is well: a stalled one is given up soon and
# asked again, instead of holding the job for READ_TIMEOUT past its visible deadline.
SHORT_READ_TIMEOUT = 30.0
MAX_RETRY_AFTER = 120.0
CHUNK = 64 * 1024
# Gateway timeouts (504; Cloudflare's 524): the request reached the service, which may still be working.
GATEWAY_TIMEOUTS = frozenset({504, 524})

USER_AGENT = f"MountseaImageStudio/{_app_version}"


def make_http_client() -> httpx.Client:
    """The one client every job shares (connection pool, TLS session reuse).

    Closing it also wakes requests blocked on a socket read (a Compat call can wait minutes):
    that is how shutdown stops them.
    """
    client = httpx.Client(
        timeout=httpx.Timeout(
            CONNECT_TIMEOUT, read=READ_TIMEOUT, write=READ_TIMEOUT, pool=CONNECT_TIMEOUT
        ),
        # Redirects are followed by hand (downloads only) so the key never travels to another host.
        follow_redirects=False,
        verify=True,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
    )
    _wake_readers_on_close(client)
    return client


class _ShutdownStream(httpcore.NetworkStream):
    """close() shuts the socket down first: a plain close() leaves another thread's recv() blocked."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        sock = self._inner.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            # The base-class method: SSLSocket.shutdown would also drop its TLS state under a reader.
            # OSError: already closed or never connected.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):  # type: ignore[no-untyped-def]
        return _ShutdownStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _ShutdownBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # type: ignore[no-untyped-def]
        return _ShutdownStream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # type: ignore[no-untyped-def]
        return _ShutdownStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _wake_readers_on_close(client: httpx.Client) -> None:
    # httpx has no public hook for the network backend; without one (another httpcore), closing
    # the client still works, it just waits for blocked reads to end by themselves.
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(
            backend, _ShutdownBackend
        ):
            pool._network_backend = _ShutdownBackend(backend)  # type: ignore[union-attr]


def backoff_delay(attempt: int, random: Callable[[], float]) -> float:
    """The SDK's delay before retry number `attempt` (0-based), with jitter that only shortens it."""
    return min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random())


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """What the server asked us to wait: retry-after-ms first, then Retry-After (seconds or HTTP date)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    ms = lowered.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
            if value >= 0:
                return value
        except ValueError:
            pass
    ra = lowered.get("retry-after")
    if ra is None:
        return None
    ra = ra.strip()
    try:
        value = float(ra)
        return value if value >= 0 else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(ra)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def should_retry_header(headers: Mapping[str, str]) -> bool | None:
    value = {k.lower(): v for k, v in headers.items()}.get("x-should-retry")
    if value is None:
        return None
    value = value.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def status_is_retryable(
    status: int, code: str | int | None, headers: Mapping[str, str], *, create: bool
) -> bool:
    """The contract's table. A create (paid work) is re-sent only on answers that say the server
    certainly did nothing: 429 (not out of credit) and 503; any other 5xx may come after the
    picture was made and billed."""
    override = should_retry_header(headers)
    if override is not None:
        return override
    if status == 429:
        return str(code).lower() != "insufficient_quota"
    if create:
        return status == 503
    if status in (400, 401, 403):
        return False
    return status >= 500 or status in (408, 409)


def describe_wait(seconds: float) -> str:
    minutes = seconds / 60
    if minutes < 90:
        span = f"about {max(1, round(minutes))} minutes"
    else:
        span = f"about {round(minutes / 60, 1):g} hours"
    at = time.strftime("%H:%M", time.localtime(time.time() + seconds))
    return f"{span} (after {at})"


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str


def exchange(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    cancel: CancelToken | None,
    max_bytes: int,
    abort_on_cancel: bool = True,
    headers: Mapping[str, str] | None = None,
    on_stream: Callable[[bytes], None] | None = None,
    **kwargs: object,
) -> RawResponse:
    """One request; the body is read in chunks, checking the size bound and (if asked) the cancel token.
    A successful Server-Sent Events answer also goes to `on_stream` chunk by chunk, as it arrives.

    httpx exceptions pass through untouched: the caller knows whether the request may have reached
    the server and so whether it may be repeated.
    """
    with http.stream(method, url, headers=dict(headers or {}), **kwargs) as resp:  # type: ignore[arg-type]
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise too_large(url, int(declared), max_bytes)
        chunks: list[bytes] = []
        total = 0
        streamed = (
            on_stream
            if on_stream is not None
            and 200 <= resp.status_code < 300
            and is_event_stream(resp.headers)
            else None
        )
        # An event stream is read as it comes (no chunk size: what the server flushed), so a
        # preview is shown when it arrives rather than when 64 KB have gathered.
        source = resp.iter_bytes() if streamed is not None else resp.iter_bytes(CHUNK)
        for chunk in source:
            if abort_on_cancel and cancel is not None and cancel.cancelled:
                raise Cancelled()
            total += len(chunk)
            if total > max_bytes:
                raise too_large(url, total, max_bytes)
            chunks.append(chunk)
            if streamed is not None:
                streamed(chunk)
        return RawResponse(resp.status_code, dict(resp.headers), b"".join(chunks), str(resp.url))


def too_large(url: str, size: int, limit: int) -> ApiError:
    host = httpx.URL(url).host
    return ApiError(
        ErrorKind.malformed,
        f"The answer from {host} is larger than the {limit / (1024 * 1024):g} MB limit "
        f"(at least {size / (1024 * 1024):.1f} MB), so it was not downloaded.",
    )


def same_origin(a: str, b: str) -> bool:
    ua, ub = httpx.URL(a), httpx.URL(b)
    return (ua.scheme, ua.host, ua.port) == (ub.scheme, ub.host, ub.port)
