"""Landing a result: the files are written (atomically, fsynced, with the settings embedded),
then one transaction adds the items and the spend and marks the job done.

A crash in between leaves files without rows, which rebuild can still find; never rows
without files.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

from app import APP_NAME
from app.core.api.models import ImageResult, ResultImage, sniff_format
from app.core.library import items, journal, metadata, usage
from app.core.library.files import PARTIAL_DIR, image_size, write_atomic
from app.core.library.items import Item
from app.core.library.journal import EXT_BY_FORMAT, Job, JobState
from app.core.library.store import Store


def save_result(
    store: Store,
    job_id: str,
    result: ImageResult,
    *,
    cancelled: bool = False,
    composited: list[bytes | None] | None = None,
) -> list[Item]:
    """Land a result: files written and fsynced, then rows, then the job marked done.

    `composited[i]`, when given, is what the user sees for image i (the edit pasted back into
    the original); the image as the server sent it is kept beside it as `...-raw`. Saving a
    job that already has its items returns them (a resumed task landing twice must not make
    two copies).
    """
    job = journal.get(store, job_id)
    if job.item_ids:
        return [items.get(store, i) for i in job.item_ids]
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    folder = store.images_dir / time.strftime("%Y-%m", time.localtime(now))
    parent_file = items.parent_file(store, job.parent_item_id)
    source_paths = journal.input_paths(store, job_id)
    rows: list[dict[str, Any]] = []
    for i, image in enumerate(result.images):
        pasted = composited[i] if composited is not None and i < len(composited) else None
        base = f"{stamp}-{job_id[:8]}-{i}" if len(result.images) > 1 else f"{stamp}-{job_id[:8]}"
        # n=1 per job: the usage belongs to the first image.
        spent = _tokens(result) if i == 0 else dict.fromkeys(_tokens(result), 0)
        record = _record(job, result, image, now, parent_file, spent, cancelled)
        row = _write_files(store, folder, base, image, pasted, record)
        rows.append(
            {
                **row,
                "prompt": str(job.params.get("prompt") or ""),
                "revised_prompt": image.revised_prompt,
                "params": json.dumps(job.params, ensure_ascii=False),
                "flavour": str(job.flavour),
                "model": job.params.get("model"),
                "size_returned": result.size,
                "quality_returned": result.quality,
                "background_returned": result.background,
                "created_at": now,
                "task_id": result.task_id or job.task_id,
                "job_id": job_id,
                "parent_id": job.parent_item_id,
                "base_url": job.base_url,
                **spent,
                "cancelled": int(cancelled),
                "source_paths": json.dumps([store.store_path(p) for p in source_paths])
                if source_paths
                else None,
            }
        )
    ids = _commit(store, job, result, rows, now, cancelled)
    if ids is None:
        return _lost_the_race(store, job_id, rows)
    return [items.get(store, i) for i in ids]


def _tokens(result: ImageResult) -> dict[str, int]:
    u = result.usage
    return {
        "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens,
        "text_input_tokens": u.text_input_tokens,
        "image_input_tokens": u.image_input_tokens,
    }


def _record(
    job: Job,
    result: ImageResult,
    image: ResultImage,
    now: float,
    parent_file: str | None,
    spent: dict[str, int],
    cancelled: bool,
) -> dict[str, Any]:
    """What the file itself carries, so rebuild can restore its row from it alone."""
    return {
        "app": APP_NAME,
        "params": job.params,
        "revised_prompt": image.revised_prompt,
        "flavour": str(job.flavour),
        "base_url": job.base_url,
        "model": job.params.get("model"),
        "created_at": now,
        "job_id": job.job_id,
        "task_id": result.task_id or job.task_id,
        "size": result.size,
        "quality": result.quality,
        "background": result.background,
        "parent_file": parent_file,
        "usage": spent,
        "cancelled": cancelled,
    }


def _write_files(
    store: Store,
    folder: Path,
    stem: str,
    image: ResultImage,
    pasted: bytes | None,
    record: dict[str, Any],
) -> dict[str, Any]:
    """Write the picture (and the raw original when it was pasted back); the row's file columns."""
    partial = store.images_dir / PARTIAL_DIR
    raw_fmt = sniff_format(image.data) or image.format
    main_data = pasted if pasted is not None else image.data
    main_fmt = sniff_format(main_data) or raw_fmt
    main_path = folder / f"{stem}{EXT_BY_FORMAT.get(main_fmt, '.png')}"
    raw_path = None
    if main_data is not image.data:
        raw_path = folder / f"{stem}-raw{EXT_BY_FORMAT.get(raw_fmt, '.png')}"
        raw_bytes = _embed_or_keep(image.data, {**record, "raw": True})
        write_atomic(raw_path, raw_bytes, partial_dir=partial)
    main_bytes = _embed_or_keep(main_data, record)
    write_atomic(main_path, main_bytes, partial_dir=partial)
    width, height = image_size(main_bytes)
    return {
        "path": store.store_path(main_path),
        "raw_path": store.store_path(raw_path) if raw_path else None,
        "width": width,
        "height": height,
        "format": main_fmt,
        "file_size": len(main_bytes),
    }


def _embed_or_keep(data: bytes, record: dict[str, Any]) -> bytes:
    # An image we cannot edit is still saved as it came: losing metadata beats losing the picture.
    try:
        return metadata.embed(data, record)
    except metadata.MetadataError:
        return data


def _commit(
    store: Store,
    job: Job,
    result: ImageResult,
    rows: list[dict[str, Any]],
    now: float,
    cancelled: bool,
) -> list[int] | None:
    """Add the rows and the spend, mark the job done: the new ids, or None when another
    process (a resumed task in the CLI and the GUI) landed this job first."""
    with store.write() as c:
        if c.execute("SELECT 1 FROM items WHERE job_id = ? LIMIT 1", (job.job_id,)).fetchone():
            return None
        ids = [items.insert(c, r) for r in rows]
        if result.usage.input_tokens or result.usage.output_tokens:
            usage.record(c, job.job_id, now, job.params.get("model"), _tokens(result))
        c.execute(
            "UPDATE jobs SET state = ?, finished_at = ?, task_id = COALESCE(task_id, ?) "
            "WHERE job_id = ?",
            (
                str(JobState.cancelled if cancelled else JobState.completed),
                now,
                result.task_id,
                job.job_id,
            ),
        )
    return ids


def _lost_the_race(store: Store, job_id: str, rows: list[dict[str, Any]]) -> list[Item]:
    winners = [items.get(store, i) for i in journal.get(store, job_id).item_ids]
    # Our copies lost: remove them, unless the winner landed under the very same name (same
    # second), in which case the file is the winner's now.
    theirs = {p for w in winners for p in (w.path, w.raw_path) if p is not None}
    for r in rows:
        for stored in (r["path"], r["raw_path"]):
            if stored and store.load_path(stored) not in theirs:
                with contextlib.suppress(OSError):
                    store.load_path(stored).unlink()
    return winners
