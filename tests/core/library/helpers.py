"""Real images from Pillow and finished results, for library, model and gallery tests."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

from PIL import Image

from app.core.api.models import ImageRequest, ImageResult, ResultImage, Usage
from app.core.library import Library, db


def make_image(
    fmt: str = "png", size: tuple[int, int] = (48, 32), seed: int = 1, **save: Any
) -> bytes:
    g = Image.effect_noise(size, 30 + seed).convert("L")
    im = Image.merge("RGB", (g, g.point(lambda v: (v * seed) % 256), g.point(lambda v: 255 - v)))
    if fmt == "png":
        im = im.convert("RGBA")
    buf = io.BytesIO()
    im.save(buf, {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt], **save)
    return buf.getvalue()


def make_result(
    fmt: str = "png",
    *,
    seed: int = 1,
    revised: str | None = None,
    task_id: str | None = None,
    usage: Usage | None = None,
    size: tuple[int, int] = (48, 32),
) -> ImageResult:
    return ImageResult(
        images=[ResultImage(make_image(fmt, size=size, seed=seed), fmt, revised_prompt=revised)],
        created=1_700_000_000,
        size="1024x1024",
        quality="high",
        background="opaque",
        output_format=fmt,
        usage=usage
        or Usage(input_tokens=50, output_tokens=4160, total_tokens=4210, text_input_tokens=50),
        task_id=task_id,
    )


def add_item(lib: Library, prompt: str, fmt: str = "png", **kw: Any) -> int:
    from app.core.api.models import Flavour

    job = lib.begin_job(
        ImageRequest(prompt=prompt, output_format=fmt, quality="high", size="1024x1024"),
        Flavour.tasks,
        "http://127.0.0.1:1",
        **kw,
    )
    return lib.save_result(job, make_result(fmt, seed=len(prompt)))[0].id


def old_library(data_dir: Path, version: int, items: list[dict[str, Any]]) -> dict[str, int]:
    """A library file as the app at schema `version` wrote it (its own migrations, up to there
    and no further), holding `items` (column -> value; `params` and `created_at` filled in).
    Returns each item's id by its prompt."""
    conn = sqlite3.connect(data_dir / "library.sqlite3", isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        assert db.migrate(conn, target=version) == 0
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        for item in items:
            row = {"params": "{}", "created_at": 1.0e9, **item}
            conn.execute(
                f"INSERT INTO items ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
        return {prompt: item_id for item_id, prompt in conn.execute("SELECT id, prompt FROM items")}
    finally:
        conn.close()
