"""A small multipart/form-data reader (the stdlib's `cgi` is deprecated and gone in 3.13)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PARAM_RE = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class MultipartError(ValueError):
    pass


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[tuple[str, str, bytes]]] = field(default_factory=dict)


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """`multipart/form-data; boundary=x` -> ("multipart/form-data", {"boundary": "x"})."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for m in _PARAM_RE.finditer(";" + rest):
        raw = m.group(2).strip()
        if raw.startswith('"') and raw.endswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[m.group(1).lower()] = raw
    return main.strip().lower(), params


def parse(body: bytes, content_type: str) -> Form:
    kind, params = header_params(content_type)
    if kind != "multipart/form-data":
        raise MultipartError(f"expected multipart/form-data, got {kind or 'no content type'}")
    boundary = params.get("boundary")
    if not boundary:
        raise MultipartError("multipart body without a boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise MultipartError("multipart body is incomplete (no closing boundary)")
    form = Form()
    for chunk in chunks[1:-1]:
        # Each part is framed as CRLF headers CRLF CRLF data CRLF.
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("multipart part without headers")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition, dparams = header_params(headers.get("content-disposition", ""))
        name = dparams.get("name")
        if disposition != "form-data" or name is None:
            raise MultipartError("multipart part without a form-data name")
        if "filename" in dparams or "filename*" in dparams:
            filename = dparams.get("filename") or dparams.get("filename*", "").split("''")[-1]
            ctype = headers.get("content-type", "application/octet-stream")
            form.files.setdefault(name, []).append((filename, ctype, data))
        else:
            form.fields.setdefault(name, []).append(data.decode("utf-8", "replace"))
    return form
