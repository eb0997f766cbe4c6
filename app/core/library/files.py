"""Files on disk: atomic, durable writes (a reader, or a crash, never sees half a file), the
cleanup of what a crashed writer left, free names, and an image file's size in pixels."""

from __future__ import annotations

import contextlib
import io
import os
import time
from pathlib import Path

PARTIAL_DIR = ".partial"  # temp files live here; rebuild and the gallery never look inside
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def new_id() -> str:
    """A fresh random id (uuid4, 32 hex digits): job ids, temp file names."""
    import uuid  # on first use: it pulls in `platform`, 5-7 ms of start-up (-X importtime)

    return uuid.uuid4().hex


def fsync_dir(path: Path) -> None:
    # A rename is only durable once its directory entry is on disk (POSIX); Windows has no
    # directory handles to fsync and makes the rename durable itself.
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(
    path: Path, data: bytes, *, partial_dir: Path | None = None, durable: bool = True
) -> None:
    """Write to a temp file, fsync it, rename it over `path`, fsync the directory.

    `partial_dir` must be on the same file system as `path` (the rename must not copy).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = partial_dir if partial_dir is not None else path.parent
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f".{path.name}.{new_id()[:12]}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        fsync_dir(path.parent)


def clean_partials(partial_dir: Path, older_than: float = 3600.0) -> int:
    """Remove temp files a crashed writer left behind (only old ones: another process may be writing)."""
    removed = 0
    if not partial_dir.is_dir():
        return 0
    cutoff = time.time() - older_than
    for entry in os.scandir(partial_dir):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def unique_path(path: Path) -> Path:
    """`path`, or `name (2).ext`, ... when it is taken."""
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def image_size(data: bytes) -> tuple[int | None, int | None]:
    """(width, height) from an image's header, or (None, None) when Pillow cannot read it."""
    from PIL import Image, UnidentifiedImageError  # on first use: ~50 ms start-up need not pay

    try:
        with Image.open(io.BytesIO(data)) as im:  # reads the header only
            return im.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None, None
