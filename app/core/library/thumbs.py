"""Thumbnail files for the gallery's disk cache (Pillow; called from worker threads)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.library.files import write_atomic

if TYPE_CHECKING:  # Pillow is imported where it is used: ~50 ms start-up does not need
    from PIL import Image

THUMB_SIZE = 320  # 160 px cells at 2x (HiDPI) without upscaling


def _checkerboard(size: tuple[int, int], cell: int = 8) -> Image.Image:
    # Transparent results are shown over the usual checkerboard (a JPEG cache has no alpha).
    from PIL import Image

    board = Image.new("RGB", size, (236, 236, 236))
    dark = Image.new("RGB", (cell, cell), (204, 204, 204))
    for y in range(0, size[1], cell):
        for x in range((y // cell % 2) * cell, size[0], 2 * cell):
            board.paste(dark, (x, y))
    return board


def make_thumbnail(src: Path, dst: Path, size: int = THUMB_SIZE) -> None:
    """Write a JPEG at most `size` px on its long side for `src` (atomically; not fsynced: a cache)."""
    from PIL import Image, ImageOps

    with Image.open(src) as opened:
        opened.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, far faster
        im: Image.Image = ImageOps.exif_transpose(opened)
        im.thumbnail((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
            board = _checkerboard(im.size)
            board.paste(im, mask=im.getchannel("A"))
            im = board
        elif im.mode != "RGB":
            im = im.convert("RGB")
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)
    write_atomic(dst, buf.getvalue(), durable=False)


def thumbnail_is_fresh(src: Path, dst: Path) -> bool:
    try:
        return dst.stat().st_mtime >= src.stat().st_mtime
    except OSError:
        return False
