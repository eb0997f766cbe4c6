"""Fetch a picture by its web address (browsers often drag only the address of a picture).

Plain Python over httpx, for a worker thread: http and https only, redirects followed, the
body read in chunks and refused once it passes `limit` bytes, so a huge or endless answer
cannot fill memory. Failures raise DownloadError, which says in English what went wrong and
carries `reason`, `status` and `limit` so a UI can say the same in the user's language.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from app.core.imaging import ImageError

MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
TIMEOUT = 20.0


class DownloadError(ImageError):
    """Why a download failed. `reason` is "scheme" (not http/https), "status" (the server
    answered with an error `status`), "too_large" (more than `limit` bytes) or "failed"
    (connection, timeout or protocol error; `detail` names it)."""

    def __init__(
        self,
        message: str,
        reason: str,
        name: str,
        *,
        status: int = 0,
        limit: int = 0,
        detail: str = "",
    ) -> None:
        super().__init__(message, "io", name, detail)
        self.reason = reason
        self.status = status
        self.limit = limit


def download(
    url: str, name: str, limit: int = MAX_DOWNLOAD_BYTES, timeout: float = TIMEOUT
) -> bytes:
    """The body of `url` (at most `limit` bytes); `name` is what messages call the picture."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise DownloadError(f"“{name}” is not a web address (http or https).", "scheme", name)
    # Imported here: httpx takes ~0.3 s to import (it loads its command line's rich and
    # click), and the window imports this module while it starts.
    import httpx

    try:
        with (
            httpx.Client(follow_redirects=True, timeout=timeout) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise DownloadError(
                    f"“{name}” could not be downloaded: the server answered "
                    f"{response.status_code}.",
                    "status",
                    name,
                    status=response.status_code,
                )
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > limit:
                    raise DownloadError(
                        f"“{name}” is larger than {limit // (1024 * 1024)} MB: too large to "
                        "download.",
                        "too_large",
                        name,
                        limit=limit,
                    )
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        kind = type(exc).__name__
        raise DownloadError(
            f"“{name}” could not be downloaded ({kind}).", "failed", name, detail=kind
        ) from None
