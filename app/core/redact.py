"""The one secret redactor: for log records, error details and server answers kept for a report.

Keys the app knows (the one in use) are removed by value; anything that looks like a key or a
bearer token is removed by shape. Long base64 runs are shortened so a kept answer stays small.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

RAW_LIMIT = 2000  # characters of an unreadable body kept for a bug report
MASK = "[redacted]"

_BEARER_RE = re.compile(r"(?i)(bearer\s+)[^\s\"',;}]+")
_AUTH_RE = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?!bearer\s)[^\s'\",}]+")
_SK_RE = re.compile(r"\bsk-[A-Za-z0-9_\-]{4,}")
_LONG_B64_RE = re.compile(r"[A-Za-z0-9+/=_\-]{300,}")

_known: set[str] = set()
_lock = threading.Lock()


def add_secret(secret: str | None) -> None:
    """Remember a key in use, so it is removed by value wherever it shows up later."""
    if secret and len(secret) >= 4:
        with _lock:
            _known.add(secret)


def redact(text: str, secrets: Iterable[str | None] = (), limit: int | None = RAW_LIMIT) -> str:
    """`text` with known and given secrets, bearer tokens and sk-... keys removed, long base64
    shortened, and cut to `limit` characters (None: no cut)."""
    with _lock:
        known = set(_known)
    known.update(s for s in secrets if s and len(s) >= 4)
    for secret in sorted(known, key=len, reverse=True):  # longest first: a key inside a key
        text = text.replace(secret, MASK)
    text = _BEARER_RE.sub(rf"\1{MASK}", text)
    text = _AUTH_RE.sub(rf"\1{MASK}", text)
    text = _SK_RE.sub(f"sk-{MASK}", text)
    text = _LONG_B64_RE.sub(lambda m: f"<{len(m.group(0))} characters of base64>", text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"... [{len(text) - limit} more characters]"
    return text
