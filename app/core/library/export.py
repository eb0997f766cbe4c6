"""Getting pictures out of the library: copied into a folder, or stored in one ZIP file.

Plain Python, no Qt: the gallery runs `export_files` on a worker thread.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

from app.core.library.files import fsync_dir, unique_path


def archive_names(paths: Iterable[Path]) -> list[str]:
    """One name inside the archive per path: the file's name, or `stem (2).ext`, ... when an
    earlier file took it (pictures from different days may share a name)."""
    names: list[str] = []
    taken: set[str] = set()
    for p in paths:
        name, n = p.name, 2
        while name in taken:
            name = f"{p.stem} ({n}){p.suffix}"
            n += 1
        taken.add(name)
        names.append(name)
    return names


def export_zip(paths: list[Path], dest: Path) -> None:
    """Store `paths` in the ZIP file `dest`, which appears whole or not at all."""
    tmp = dest.with_name(f".{dest.name}.partial")
    try:
        with open(tmp, "wb") as f:
            # Stored, not deflated: the pictures are compressed already.
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
                for p, name in zip(paths, archive_names(paths), strict=True):
                    zf.write(p, name)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(dest.parent)


def export_folder(paths: list[Path], dest: Path) -> None:
    """Copy `paths` into the folder `dest` (made if missing), never over a file already there."""
    dest.mkdir(parents=True, exist_ok=True)
    for p in paths:
        shutil.copy2(p, unique_path(dest / p.name))


def export_files(paths: list[Path], dest: Path, as_zip: bool) -> tuple[str, int]:
    """Copy `paths` into the folder `dest`, or write them into the ZIP file `dest`; returns
    where they went and how many."""
    if as_zip:
        export_zip(paths, dest)
    else:
        export_folder(paths, dest)
    return str(dest), len(paths)
