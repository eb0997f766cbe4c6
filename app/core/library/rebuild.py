"""Re-creating the index from the image files alone, from the settings each file carries.

Used when the index was lost or damaged, and on request: known files keep their rows (and
favourites), new files are added (from their embedded metadata, or bare), rows whose file is
gone are removed. One task is shown once: a second copy of a result (a task saved again after
a kill, by an older version) is left on disk but not indexed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.api.models import sniff_format
from app.core.library import items, metadata, usage
from app.core.library.files import IMAGE_SUFFIXES, image_size
from app.core.library.store import Store

BATCH = 500  # rows per transaction: the GUI thread reads between them (and a CLI may write)


@dataclass
class RebuildReport:
    added: int = 0
    kept: int = 0
    removed: int = 0
    without_metadata: int = 0
    duplicates: int = 0  # copies of a result already shown, not indexed


def read_embedded(path: Path) -> dict[str, Any] | None:
    """The settings (ImageRequest.parameters() form) a file carries, or None."""
    record = metadata.read_file(Path(path))
    if record is None:
        return None
    return dict(record["params"])


def rebuild_from_files(
    store: Store, progress: Callable[[int, int], None] | None = None
) -> RebuildReport:
    """Bring the index in line with the files in the images folder; `progress(done, total)`."""
    if not store.images_dir.is_dir():
        # A disconnected drive must not empty the library.
        raise FileNotFoundError(
            f"the images folder {store.images_dir} is not there (a disconnected drive?); "
            "nothing was changed"
        )
    report = RebuildReport()
    with store.read() as c:
        known = {r["path"]: r["id"] for r in c.execute("SELECT path, id FROM items")}
        landed = _landings(c.execute("SELECT job_id, task_id, base_url, created_at FROM items"))
        raw_known = {
            r["raw_path"]
            for r in c.execute("SELECT raw_path FROM items WHERE raw_path IS NOT NULL")
        }
    empty_before = not known
    files = _image_files(store.images_dir)
    if empty_before and store.thumbnails_dir.exists():
        # Ids start afresh: cached thumbnails would show the wrong pictures.
        shutil.rmtree(store.thumbnails_dir, ignore_errors=True)
        store.thumbnails_dir.mkdir(parents=True, exist_ok=True)
    stored = {store.store_path(p): p for p in files}
    new_rows: list[dict[str, Any]] = []
    raw_of: dict[str, str] = {}
    total = len(stored)
    for n, (key, p) in enumerate(stored.items()):
        if progress is not None and n % 200 == 0:
            progress(n, total)
        if key in known:
            report.kept += 1
            continue
        if key in raw_known:
            continue
        row = row_from_file(p, key)
        if row is None:
            continue
        if row.pop("_raw", False):
            raw_of[p.stem.removesuffix("-raw")] = key
            continue
        if row.get("_bare"):
            report.without_metadata += 1
        new_rows.append(row)
    for row in new_rows:  # pair each composited main file with its raw original
        stem = Path(row["path"]).stem
        if stem in raw_of:
            row["raw_path"] = raw_of[stem]
    before = len(new_rows)
    new_rows = _once_per_task(new_rows, landed)
    report.duplicates = before - len(new_rows)
    missing = [item_id for key, item_id in known.items() if not store.load_path(key).exists()]
    report.added = _add(store, new_rows, known, spend_too=empty_before)
    report.removed = _remove(store, missing)
    if progress is not None:
        progress(total, total)
    return report


def _task_key(row: Any) -> str | None:
    # The task (on its server) says which paid result it is; a Compat job (no task) is named
    # by its job.
    if row["task_id"]:
        return f"task:{row['base_url']}:{row['task_id']}"
    return f"job:{row['job_id']}" if row["job_id"] else None


def _landings(rows: Iterable[Any]) -> dict[str, float]:
    """Result (task or job) -> when the copy the index shows was landed."""
    out: dict[str, float] = {}
    for r in rows:
        key = _task_key(r)
        if key is not None:
            out.setdefault(key, r["created_at"])
    return out


def _once_per_task(
    new_rows: list[dict[str, Any]], landed: dict[str, float]
) -> list[dict[str, Any]]:
    """`new_rows` without second copies of a result: of each task (or job) only the landing
    the index shows already is kept, or else the first one. One landing is every image it
    wrote together (one `created_at`), so the images of an n>1 result all stay."""
    first = dict(landed)
    for row in sorted(new_rows, key=lambda r: r["created_at"]):
        key = _task_key(row) if not row.get("_bare") else None
        if key is not None:
            first.setdefault(key, row["created_at"])
    return [
        r
        for r in new_rows
        if r.get("_bare") or (key := _task_key(r)) is None or first[key] == r["created_at"]
    ]


def _image_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]  # .partial and the like
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(IMAGE_SUFFIXES):
                files.append(Path(dirpath) / name)
    return sorted(files)


def _add(
    store: Store, new_rows: list[dict[str, Any]], known: dict[str, int], *, spend_too: bool
) -> int:
    """Insert `new_rows` in creation order (ids follow it), then restore their parent links."""
    new_rows.sort(key=lambda r: (r["created_at"], r["path"]))
    path_to_id = dict(known)
    links: list[tuple[str, int]] = []
    for start in range(0, len(new_rows), BATCH):
        with store.write() as c:
            for row in new_rows[start : start + BATCH]:
                item_id = items.insert(c, row)
                path_to_id[row["path"]] = item_id
                if row.get("_parent_file"):
                    links.append((row["_parent_file"], item_id))
                spent = row.get("_usage")
                if (
                    spend_too
                    and spent
                    and (spent.get("input_tokens") or spent.get("output_tokens"))
                ):
                    # The index was lost: the files are the only record of what was spent.
                    usage.record(
                        c,
                        row.get("job_id"),
                        row["created_at"],
                        row.get("model"),
                        spent,
                        demo=bool(row.get("demo")),
                    )
    parents = [(path_to_id[parent], child) for parent, child in links if parent in path_to_id]
    if parents:
        with store.write() as c:
            c.executemany("UPDATE items SET parent_id = ? WHERE id = ?", parents)
    return len(new_rows)


def _remove(store: Store, missing: list[int]) -> int:
    """Drop the rows whose file is gone (and their thumbnails)."""
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        with store.write() as c:
            for item_id in chunk:
                c.execute("UPDATE items SET parent_id = NULL WHERE parent_id = ?", (item_id,))
                c.execute("DELETE FROM items WHERE id = ?", (item_id,))
        for item_id in chunk:
            with contextlib.suppress(OSError):
                store.thumbnail_path(item_id).unlink()
    return len(missing)


def row_from_file(p: Path, key: str) -> dict[str, Any] | None:
    """An items row for the file `p` (stored as `key`) from the settings it carries; None when
    it is not a picture. Keys starting with `_` are for rebuild itself, not columns:
    `_bare` (no metadata), `_raw` (the original of a pasted-back edit), `_parent_file`,
    `_usage`."""
    try:
        data = p.read_bytes()
        st = p.stat()
    except OSError:
        return None
    fmt = sniff_format(data)
    if fmt is None:
        return None
    width, height = image_size(data)
    record = metadata.extract(data)
    if record is None:
        return {
            "path": key,
            "prompt": "",
            "params": "{}",
            "format": fmt,
            "width": width,
            "height": height,
            "created_at": st.st_mtime,
            "file_size": len(data),
            "_bare": True,
        }
    params = record.get("params") or {}
    spent = record.get("usage") or {}
    return {
        "path": key,
        "prompt": str(params.get("prompt") or ""),
        "revised_prompt": record.get("revised_prompt"),
        "params": json.dumps(params, ensure_ascii=False),
        "flavour": record.get("flavour"),
        "model": record.get("model") or params.get("model"),
        "width": width,
        "height": height,
        "format": fmt,
        "size_returned": record.get("size"),
        "quality_returned": record.get("quality"),
        "background_returned": record.get("background"),
        "created_at": float(record.get("created_at") or st.st_mtime),
        "task_id": record.get("task_id"),
        "job_id": record.get("job_id"),
        "base_url": record.get("base_url"),
        "input_tokens": int(spent.get("input_tokens") or 0),
        "output_tokens": int(spent.get("output_tokens") or 0),
        "text_input_tokens": int(spent.get("text_input_tokens") or 0),
        "image_input_tokens": int(spent.get("image_input_tokens") or 0),
        "cancelled": int(bool(record.get("cancelled"))),
        "demo": int(bool(record.get("demo"))),
        "file_size": len(data),
        "_parent_file": record.get("parent_file"),
        "_usage": spent,
        "_raw": bool(record.get("raw")),
    }
