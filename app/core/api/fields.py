"""What a request looks like on the wire: where each flavour's routes live under a base URL,
and the fields, data URLs and upload names both flavours send."""

from __future__ import annotations

import base64
from pathlib import PurePosixPath
from typing import Any

import httpx

from app.core.api.models import MIME_BY_FORMAT, ImageRequest, InputImage


def _path(url: str) -> str:
    try:
        return httpx.URL(url).path.rstrip("/")
    except httpx.InvalidURL:
        return ""  # reported as one clear error when the request is made


def compat_root(base_url: str) -> str:
    """Where /images/generations lives: the base itself when it already ends in /v1."""
    base = base_url.rstrip("/")
    path = _path(base)
    return base if path.endswith("/v1") else base + "/openai/v1"


def tasks_root(base_url: str) -> str:
    """Where /openai/images and /openai/tasks live: a pasted Compat root (.../openai/v1) is stepped out of."""
    base = base_url.rstrip("/")
    path = _path(base)
    return base[: -len("/openai/v1")] if path.endswith("/openai/v1") else base


def data_url(image: InputImage) -> str:
    mime = MIME_BY_FORMAT.get(image.format or "png", "image/png")
    return f"data:{mime};base64,{base64.b64encode(image.data).decode('ascii')}"


def upload_name(image: InputImage, fallback: str) -> str:
    """A file name whose extension matches the bytes: servers guess the type from it."""
    fmt = image.format or "png"
    stem = PurePosixPath(image.filename.replace("\\", "/")).stem or fallback
    return f"{stem}.{'jpg' if fmt == 'jpeg' else fmt}"


def common_fields(req: ImageRequest) -> dict[str, Any]:
    """Fields both flavours send. `n` stays out: Mountsea takes only 1, which is everyone's default."""
    fields: dict[str, Any] = {
        "model": req.model,
        "prompt": req.prompt,
        "size": req.size,
        "quality": req.quality,
        "background": req.background,
        "output_format": req.output_format,
    }
    if req.output_compression is not None:
        fields["output_compression"] = req.output_compression
    if req.user:
        fields["user"] = req.user
    if req.is_edit and req.input_fidelity:
        fields["input_fidelity"] = req.input_fidelity
    return fields
