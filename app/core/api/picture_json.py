"""JSON answers that carry pictures inline, read without one long hold of the GIL.

json.loads parses a picture's base64 (3.5 MB for a 1536x1024 result, 13 MB at 3840x2160) in
one C call that keeps the GIL throughout: 4-30 ms of wall time on a busy 2-core machine, and
the GUI thread waits as long (bench_landing: the stalls came while an answer was parsed). So
the long strings are cut out first (bytes.find, memchr speed), the rest of the answer is parsed
as usual, and each long string is put back as str (a UTF-8 decode, ~10x faster than json's
string scanner). A long string with an escape in it (`\\/`, `\\n`) is left to json.loads: it
knows what the escapes mean. A 13.3 MB answer: 11-13 ms in json.loads, 2.2-2.6 ms here;
bench_landing 4k worst gap 13.4 ms against 31.9 (medians of 4, same run).
"""

from __future__ import annotations

import json
from typing import Any

LONG = 64 * 1024  # bytes: a string this long is a picture (a prompt is at most 32,000 characters)

# What stands in for a cut-out string while the rest is parsed. Raw NUL cannot occur in a JSON
# string, so no answer holds this text of its own.
_MARK = "\x00mountsea-long-string-"


def loads(body: bytes) -> Any:
    """json.loads(body), the long unescaped strings cut out and put back. Raises as json.loads
    does (ValueError, UnicodeDecodeError) when the body is not valid JSON."""
    if len(body) < LONG:
        return json.loads(body)
    kept: list[bytes] = []  # the parts of the body that json.loads reads
    long: list[memoryview] = []
    view = memoryview(body)
    start = 0
    opening = body.find(b'"')
    while opening != -1:
        closing = _closing_quote(body, opening)
        if closing == -1:
            break  # unterminated: json.loads says so
        if closing - opening > LONG and body.find(b"\\", opening, closing) == -1:
            kept += [body[start:opening], json.dumps(f"{_MARK}{len(long)}").encode()]
            long.append(view[opening + 1 : closing])
            start = closing + 1
        opening = body.find(b'"', closing + 1)  # outside strings, a quote opens the next one
    if not long:
        return json.loads(body)
    kept.append(body[start:])
    return _put_back(json.loads(b"".join(kept)), long)


def _closing_quote(body: bytes, opening: int) -> int:
    """Where the string opened at `opening` ends: the next quote not escaped by a backslash."""
    at = body.find(b'"', opening + 1)
    while at != -1:
        backslashes = 0
        while body[at - 1 - backslashes] == 0x5C:  # "\\"
            backslashes += 1
        if backslashes % 2 == 0:
            return at
        at = body.find(b'"', at + 1)
    return -1


def _put_back(value: Any, long: list[memoryview]) -> Any:
    if isinstance(value, str):
        if value.startswith(_MARK):
            return str(long[int(value[len(_MARK) :])], "utf-8")
        return value
    if isinstance(value, list):
        return [_put_back(v, long) for v in value]
    if isinstance(value, dict):
        return {_put_back(k, long): _put_back(v, long) for k, v in value.items()}
    return value
