"""Small real pictures for API tests, made with Pillow."""

from __future__ import annotations

import io

from PIL import Image


def picture(
    width: int = 64, height: int = 48, fmt: str = "png", mode: str = "RGB", color=(200, 40, 30)
) -> bytes:
    img = Image.new(mode, (width, height), color if mode in ("RGB", "RGBA") else 128)
    buf = io.BytesIO()
    img.save(buf, format={"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt])
    return buf.getvalue()


def mask(width: int = 64, height: int = 48, mode: str = "RGBA") -> bytes:
    img = Image.new(mode, (width, height), (0, 0, 0, 255) if mode == "RGBA" else 0)
    if mode == "RGBA":
        img.paste((0, 0, 0, 0), (0, 0, width // 2, height // 2))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size
