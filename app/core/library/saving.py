"""Landing a result: the files are written (atomically, fsynced, with the settings embedded),
then one transaction adds the items and the spend and marks the job done.

Before the files are written, the job records where they go (`jobs.landing`); the commit
clears it. A kill in between leaves files without rows (never rows without files), and the
landing says which: recover() indexes them at the next start, once, checked against the job
id each file carries, so the task is not saved again under a new name.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

from app import APP_NAME
from app.core.api.models import ImageResult, ResultImage, sniff_format
from app.core.library import items, journal, metadata, rebuild, usage
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
    # A landing this process (or a dead one) began and never committed: those files are this
    # result, written already. (A live process's landing is its own; the commit race decides.)
    if journal.claim(store, job_id):
        adopted = _adopt(store, job, expected=len(result.images))
        if adopted:
            return adopted
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    folder = store.images_dir / time.strftime("%Y-%m", time.localtime(now))
    parent_file = items.parent_file(store, job.parent_item_id)
    source_paths = journal.input_paths(store, job_id)
    plans = [
        _plan(
            folder,
            _stem(stamp, job_id, i, len(result.images)),
            image,
            _pasted_for(image, composited, i),
        )
        for i, image in enumerate(result.images)
    ]
    _set_landing(store, job_id, [p for plan in plans for p in plan.paths(store)])
    rows: list[dict[str, Any]] = []
    for i, (image, plan) in enumerate(zip(result.images, plans, strict=True)):
        # n=1 per job: the usage belongs to the first image.
        spent = _tokens(result) if i == 0 else dict.fromkeys(_tokens(result), 0)
        record = _record(job, result, image, now, parent_file, spent, cancelled)
        record["index"] = i
        row = _write_files(store, plan, image, _pasted_for(image, composited, i), record)
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
                "demo": int(job.demo),
                "source_paths": _source_paths(store, source_paths),
            }
        )
    ids = _commit(store, job, result, rows, now, cancelled)
    if ids is None:
        return _lost_the_race(store, job_id, rows)
    return [items.get(store, i) for i in ids]


def _stem(stamp: str, job_id: str, i: int, n: int) -> str:
    return f"{stamp}-{job_id[:8]}-{i}" if n > 1 else f"{stamp}-{job_id[:8]}"


def _pasted(composited: list[bytes | None] | None, i: int) -> bytes | None:
    return composited[i] if composited is not None and i < len(composited) else None


def _pasted_for(image: ResultImage, composited: list[bytes | None] | None, i: int) -> bytes | None:
    """The pasted-back picture for image i, None when it is shown as the server sent it."""
    pasted = _pasted(composited, i)
    return None if pasted is image.data else pasted


def _source_paths(store: Store, paths: list[Path]) -> str | None:
    return json.dumps([store.store_path(p) for p in paths]) if paths else None


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
        "demo": job.demo,
    }


class _Plan:
    """Where one image's files go: the main picture, and the raw original when pasted back."""

    def __init__(self, main: Path, raw: Path | None, main_fmt: str | None):
        self.main, self.raw, self.main_fmt = main, raw, main_fmt

    def paths(self, store: Store) -> list[str]:
        return [store.store_path(p) for p in (self.main, self.raw) if p is not None]


def _plan(folder: Path, stem: str, image: ResultImage, pasted: bytes | None) -> _Plan:
    raw_fmt = sniff_format(image.data) or image.format
    main_fmt = raw_fmt if pasted is None else (sniff_format(pasted) or raw_fmt)
    main = folder / f"{stem}{EXT_BY_FORMAT.get(main_fmt, '.png')}"
    raw = folder / f"{stem}-raw{EXT_BY_FORMAT.get(raw_fmt, '.png')}" if pasted is not None else None
    return _Plan(main, raw, main_fmt)


def _write_files(
    store: Store, plan: _Plan, image: ResultImage, pasted: bytes | None, record: dict[str, Any]
) -> dict[str, Any]:
    """Write the picture (and the raw original when it was pasted back); the row's file columns."""
    partial = store.images_dir / PARTIAL_DIR
    if plan.raw is not None:
        raw_bytes = _embed_or_keep(image.data, {**record, "raw": True})
        write_atomic(plan.raw, raw_bytes, partial_dir=partial)
    main_bytes = _embed_or_keep(pasted if pasted is not None else image.data, record)
    write_atomic(plan.main, main_bytes, partial_dir=partial)
    width, height = image_size(main_bytes)
    return {
        "path": store.store_path(plan.main),
        "raw_path": store.store_path(plan.raw) if plan.raw else None,
        "width": width,
        "height": height,
        "format": plan.main_fmt,
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
            usage.record(
                c, job.job_id, now, job.params.get("model"), _tokens(result), demo=job.demo
            )
        c.execute(
            "UPDATE jobs SET state = ?, finished_at = ?, task_id = COALESCE(task_id, ?), "
            "landing = NULL WHERE job_id = ?",
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


# --- results written but not committed ------------------------------------------------------


def _set_landing(store: Store, job_id: str, paths: list[str]) -> None:
    # Added to, not replaced: two processes landing one resumed task at once both record
    # theirs (the commit that wins clears the list; the loser removes its own copies).
    with store.write() as c:
        row = c.execute("SELECT landing FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        before = json.loads(row["landing"]) if row is not None and row["landing"] else []
        c.execute(
            "UPDATE jobs SET landing = ? WHERE job_id = ?",
            (json.dumps([*before, *[p for p in paths if p not in before]]), job_id),
        )


def _landed(store: Store, job: Job) -> tuple[list[dict[str, Any]], list[Path]] | None:
    """The rows for the files a killed landing of `job` left behind (each checked against the
    job id it carries), and those files; None when the job has no landing on record."""
    with store.read() as c:
        row = c.execute("SELECT landing FROM jobs WHERE job_id = ?", (job.job_id,)).fetchone()
    if row is None or not row["landing"]:
        return None
    mains: list[dict[str, Any]] = []
    raw_of: dict[str, str] = {}
    files: list[Path] = []
    for key in json.loads(row["landing"]):
        found = rebuild.row_from_file(store.load_path(key), key)
        if found is None or found.get("_bare") or found.get("job_id") != job.job_id:
            continue  # not written (killed before), or not this job's
        files.append(store.load_path(key))
        if found.pop("_raw", False):
            raw_of[Path(key).stem.removesuffix("-raw")] = key
        else:
            mains.append(found)
    source_paths = _source_paths(store, journal.input_paths(store, job.job_id))
    for r in mains:
        r["raw_path"] = raw_of.get(Path(r["path"]).stem)
        r["parent_id"] = job.parent_item_id
        r["source_paths"] = source_paths
        r["demo"] = int(job.demo)
    return mains, files


def _adopt(store: Store, job: Job, expected: int | None = None) -> list[Item] | None:
    """Index what a killed landing of `job` wrote (all `expected` images, when given), mark
    the job done, and clear the landing; None when there was nothing (complete) to adopt."""
    landed = _landed(store, job)
    if landed is None:
        return None
    mains, files = landed
    if not mains or (expected is not None and len(mains) != expected):
        # Nothing usable: the caller writes the result afresh (its own names), so these go.
        for p in files:
            with contextlib.suppress(OSError):
                p.unlink()
        with store.write() as c:
            c.execute("UPDATE jobs SET landing = NULL WHERE job_id = ?", (job.job_id,))
        return None
    mains.sort(key=lambda r: r["path"])
    with store.write() as c:
        if c.execute("SELECT 1 FROM items WHERE job_id = ? LIMIT 1", (job.job_id,)).fetchone():
            # Indexed already (a rebuild found the files first): the job is done all the same.
            c.execute(
                "UPDATE jobs SET landing = NULL, finished_at = coalesce(finished_at, ?), "
                f"state = CASE WHEN state IN ({','.join('?' * len(journal.UNFINISHED))}) "
                "THEN ? ELSE state END WHERE job_id = ?",
                (time.time(), *map(str, journal.UNFINISHED), str(JobState.completed), job.job_id),
            )
            ids = None
        else:
            ids = [items.insert(c, r) for r in mains]
            for r in mains:
                spent = r.get("_usage") or {}
                if spent.get("input_tokens") or spent.get("output_tokens"):
                    usage.record(
                        c, job.job_id, r["created_at"], r.get("model"), spent, demo=job.demo
                    )
            cancelled = any(r.get("cancelled") for r in mains)
            c.execute(
                "UPDATE jobs SET state = ?, finished_at = ?, landing = NULL, "
                "task_id = COALESCE(task_id, ?) WHERE job_id = ?",
                (
                    str(JobState.cancelled if cancelled else JobState.completed),
                    time.time(),
                    mains[0].get("task_id"),
                    job.job_id,
                ),
            )
    if ids is None:
        return [items.get(store, i) for i in journal.get(store, job.job_id).item_ids]
    return [items.get(store, i) for i in ids]


def recover(store: Store) -> list[int]:
    """Index the results a killed process wrote but did not commit (its jobs are marked done);
    the ids of the items added. Landings of a live process (still writing) are left alone."""
    with store.read() as c:
        rows = c.execute(
            "SELECT job_id, owner FROM jobs WHERE landing IS NOT NULL ORDER BY created_at"
        ).fetchall()
    added: list[int] = []
    for r in rows:
        if store.is_live(r["owner"]) or not journal.claim(store, r["job_id"]):
            continue
        job = journal.get(store, r["job_id"])
        adopted = _adopt(store, job)
        if adopted:
            # Already indexed (by a rebuild) counts as found, not as added.
            added += [i.id for i in adopted if i.id not in job.item_ids]
            continue
        # Nothing was written: the job is still an orphan for whoever resumes jobs at start.
        with store.write() as c:
            c.execute(
                "UPDATE jobs SET owner = ? WHERE job_id = ? AND owner = ?",
                (r["owner"], r["job_id"], store.owner()),
            )
    return added
