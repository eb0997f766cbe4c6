"""The Library: the gallery index, the job journal and the image files, behind one object.

One SQLite connection guarded by a lock, so GUI-thread reads and worker-thread writes may
share a Library; a CLI process at the same time coordinates through SQLite's own locking
(WAL, busy_timeout). Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from app.core.api.models import Flavour, ImageRequest, ImageResult, InputImage, sniff_format
from app.core.api.parse import redact
from app.core.library import db, metadata
from app.core.library.files import IMAGE_SUFFIXES, PARTIAL_DIR, clean_partials, write_atomic
from app.core.library.search import build_sql

APP_NAME = "Mountsea Image Studio"
DB_NAME = "library.sqlite3"
EXT_BY_FORMAT = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}
FORMAT_BY_SUFFIX = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}
TRASH_GRACE_SECONDS = 3600.0  # soft-deleted items are purged this long after deletion (undo window)


def _new_id() -> str:
    import uuid  # here, not at import: start-up does not need it (~2 ms)

    return uuid.uuid4().hex


def safe_url(url: str) -> str:
    """The endpoint without anything that may be a secret (user:password@, ?query, #fragment):
    the journal, the index and the files' metadata record where an image came from, never a key."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class JobState(StrEnum):
    queued = "queued"
    waiting = "waiting"  # waiting for the network
    running = "running"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"
    interrupted = "interrupted"


UNFINISHED = (JobState.queued, JobState.waiting, JobState.running)


class UnknownJobError(KeyError):
    pass


class UnknownItemError(KeyError):
    pass


@dataclass
class Job:
    job_id: str
    flavour: Flavour
    base_url: str
    task_id: str | None
    state: JobState
    server_status: str | None
    error_kind: str | None
    error_message: str | None
    created_at: float
    finished_at: float | None
    params: dict[str, Any]
    item_ids: list[int]
    parent_item_id: int | None
    origin: str

    @property
    def resumable(self) -> bool:
        """An async task the server already has: poll it, never create it again."""
        return self.flavour == Flavour.tasks and bool(self.task_id)


@dataclass
class Item:
    id: int
    path: Path
    raw_path: Path | None
    prompt: str
    revised_prompt: str | None
    params: dict[str, Any]
    flavour: str | None
    model: str | None
    width: int | None
    height: int | None
    format: str | None
    size_returned: str | None
    quality_returned: str | None
    created_at: float
    task_id: str | None
    job_id: str | None
    parent_id: int | None
    favourite: bool
    collection: str | None
    input_tokens: int
    output_tokens: int
    text_input_tokens: int
    image_input_tokens: int
    cancelled: bool
    base_url: str | None = None
    background_returned: str | None = None
    file_size: int | None = None
    source_paths: list[Path] = field(default_factory=list)
    deleted: bool = False

    @property
    def is_edit(self) -> bool:
        return self.parent_id is not None or bool(self.source_paths)


class Cell(NamedTuple):
    """What a gallery cell needs: cheap to fetch a page of (no JSON, no Path objects)."""

    id: int
    path: str  # absolute
    prompt: str
    favourite: bool
    created_at: float
    width: int | None
    height: int | None


@dataclass
class RebuildReport:
    added: int = 0
    kept: int = 0
    removed: int = 0
    without_metadata: int = 0


_ITEM_COLS = (
    "id, path, raw_path, prompt, revised_prompt, params, flavour, model, width, height, format, "
    "size_returned, quality_returned, created_at, task_id, job_id, parent_id, favourite, collection, "
    "input_tokens, output_tokens, text_input_tokens, image_input_tokens, cancelled, base_url, "
    "background_returned, file_size, source_paths, deleted_at"
)
_JOB_COLS = (
    "job_id, flavour, base_url, task_id, state, server_status, error_kind, error_message, "
    "created_at, finished_at, params, parent_item_id, origin"
)


class Library:
    def __init__(self, data_dir: Path, images_dir: Path | None, conn: sqlite3.Connection):
        self.data_dir = data_dir
        self.images_dir = images_dir or data_dir / "images"
        self.thumbnails_dir = data_dir / "thumbnails"
        self.inputs_dir = data_dir / "inputs"
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.RLock()
        # Set when open() found the index damaged, moved it here and rebuilt it from the files
        # (the journal of unfinished jobs was in it): the app should say so.
        self.recovered_from: Path | None = None

    # --- lifecycle -----------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, images_dir: Path | None = None) -> Library:
        # Absolute, so every Item.path is (a relative --data-dir must not leak into paths).
        data_dir = Path(data_dir).absolute()
        images_dir = Path(images_dir).absolute() if images_dir is not None else None
        data_dir.mkdir(parents=True, exist_ok=True)
        lib_images = images_dir or data_dir / "images"
        for d in (lib_images, data_dir / "thumbnails", data_dir / "inputs"):
            d.mkdir(parents=True, exist_ok=True)
        recovered_from = None
        try:
            conn = db.connect(data_dir / DB_NAME)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) or not _is_corrupt(exc):
                raise  # locked, read-only, too new...: not ours to repair
            # A damaged index must not lock the user out of their pictures: keep the damaged
            # file for inspection, start a fresh one and rebuild it from the files below.
            recovered_from = _set_aside(data_dir / DB_NAME)
            conn = db.connect(data_dir / DB_NAME)
        lib = cls(data_dir, images_dir, conn)
        lib.recovered_from = recovered_from
        try:
            clean_partials(lib_images / PARTIAL_DIR)
            clean_partials(data_dir / PARTIAL_DIR)
            lib.purge_deleted(older_than=TRASH_GRACE_SECONDS)
            if recovered_from is not None:
                lib.rebuild_from_files()
        except BaseException:
            lib.close()
            raise
        return lib

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._conn is None

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the library is closed")
            yield self._conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so two processes never deadlock
        # upgrading a read to a write; busy_timeout makes the second one wait.
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the library is closed")
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- paths ---------------------------------------------------------------------------

    def _store_path(self, path: Path) -> str:
        # Relative to the data dir when inside it, so a portable data dir may move.
        try:
            return path.resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def _load_path(self, stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else self.data_dir / p

    def thumbnail_path(self, item_id: int) -> Path:
        return self.thumbnails_dir / str(item_id // 1000) / f"{item_id}.jpg"

    def set_images_dir(self, images_dir: Path) -> None:
        """Future results go to `images_dir`; earlier ones stay where they are."""
        images_dir = Path(images_dir)
        images_dir.mkdir(parents=True, exist_ok=True)
        self.images_dir = images_dir

    # --- the job journal -----------------------------------------------------------------

    def begin_job(
        self,
        request: ImageRequest,
        flavour: Flavour,
        base_url: str,
        *,
        origin: str = "gui",
        parent_item_id: int | None = None,
    ) -> str:
        """Journal a job before anything is sent; its inputs are kept for retry and resume."""
        job_id = _new_id()
        inputs: dict[str, Any] = {"images": [], "mask": None}
        if request.images or request.mask is not None:
            folder = self.inputs_dir / job_id
            partial = self.data_dir / PARTIAL_DIR
            for i, img in enumerate(request.images):
                name = f"image-{i}{EXT_BY_FORMAT.get(img.format or '', '.bin')}"
                write_atomic(folder / name, img.data, partial_dir=partial)
                inputs["images"].append({"file": name, "filename": img.filename})
            if request.mask is not None:
                write_atomic(folder / "mask.png", request.mask.data, partial_dir=partial)
                inputs["mask"] = {"file": "mask.png", "filename": request.mask.filename}
        with self._write() as c:
            c.execute(
                "INSERT INTO jobs (job_id, flavour, base_url, state, created_at, params, "
                "parent_item_id, origin, inputs) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    job_id,
                    str(Flavour(flavour)),
                    safe_url(base_url),
                    str(JobState.queued),
                    time.time(),
                    json.dumps(request.parameters(), ensure_ascii=False),
                    parent_item_id,
                    origin,
                    json.dumps(inputs),
                ),
            )
        return job_id

    def set_task_id(self, job_id: str, task_id: str) -> None:
        with self._write() as c:
            cur = c.execute("UPDATE jobs SET task_id = ? WHERE job_id = ?", (task_id, job_id))
            if cur.rowcount == 0:
                raise UnknownJobError(job_id)

    def update_job(
        self,
        job_id: str,
        *,
        state: JobState | None = None,
        server_status: str | None = None,
        error_kind: str | None = None,
        error_message: str | None = None,
    ) -> None:
        sets: list[str] = []
        args: list[Any] = []
        if state is not None:
            sets.append("state = ?")
            args.append(str(JobState(state)))
            if JobState(state) in UNFINISHED:
                sets.append("finished_at = NULL")
            else:
                sets.append("finished_at = ?")
                args.append(time.time())
        for name, value in (
            ("server_status", server_status),
            ("error_kind", error_kind),
            ("error_message", error_message),
        ):
            if value is not None:
                sets.append(f"{name} = ?")
                # Defence in depth: an error text quoting a request must not carry a key to disk.
                args.append(redact(str(value), limit=None))
        if not sets:
            return
        with self._write() as c:
            cur = c.execute(f"UPDATE jobs SET {', '.join(sets)} WHERE job_id = ?", (*args, job_id))
            if cur.rowcount == 0:
                raise UnknownJobError(job_id)

    def _job_from_row(self, c: sqlite3.Connection, row: tuple[Any, ...]) -> Job:
        item_ids = [
            r[0] for r in c.execute("SELECT id FROM items WHERE job_id = ? ORDER BY id", (row[0],))
        ]
        return Job(
            job_id=row[0],
            flavour=Flavour(row[1]),
            base_url=row[2],
            task_id=row[3],
            state=JobState(row[4]),
            server_status=row[5],
            error_kind=row[6],
            error_message=row[7],
            created_at=row[8],
            finished_at=row[9],
            params=json.loads(row[10]),
            item_ids=item_ids,
            parent_item_id=row[11],
            origin=row[12],
        )

    def job(self, job_id: str) -> Job:
        with self._read() as c:
            row = c.execute(f"SELECT {_JOB_COLS} FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
            if row is None:
                raise UnknownJobError(job_id)
            return self._job_from_row(c, row)

    def recent_jobs(self, limit: int = 200) -> list[Job]:
        with self._read() as c:
            rows = c.execute(
                f"SELECT {_JOB_COLS} FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (limit,),
            ).fetchall()
            return [self._job_from_row(c, r) for r in rows]

    def unfinished_jobs(self) -> list[Job]:
        with self._read() as c:
            rows = c.execute(
                f"SELECT {_JOB_COLS} FROM jobs WHERE state IN (?,?,?) ORDER BY created_at",
                tuple(str(s) for s in UNFINISHED),
            ).fetchall()
            return [self._job_from_row(c, r) for r in rows]

    def load_request(self, job_id: str) -> ImageRequest:
        with self._read() as c:
            row = c.execute(
                "SELECT params, inputs FROM jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
        if row is None:
            raise UnknownJobError(job_id)
        request = ImageRequest.from_parameters(json.loads(row[0]))
        inputs = json.loads(row[1]) if row[1] else {"images": [], "mask": None}
        folder = self.inputs_dir / job_id
        request.images = [
            InputImage((folder / e["file"]).read_bytes(), e.get("filename") or e["file"])
            for e in inputs.get("images", [])
        ]
        mask = inputs.get("mask")
        if mask:
            request.mask = InputImage(
                (folder / mask["file"]).read_bytes(), mask.get("filename") or "mask.png"
            )
        return request

    # --- results -------------------------------------------------------------------------

    def save_result(
        self,
        job_id: str,
        result: ImageResult,
        *,
        cancelled: bool = False,
        composited: list[bytes | None] | None = None,
    ) -> list[Item]:
        """Land a result: files written and fsynced, then rows, then the job marked done.

        Saving a job that already has its items returns them (a resumed task landing twice
        must not make two copies).
        """
        job = self.job(job_id)
        if job.item_ids:
            return [self.item(i) for i in job.item_ids]
        now = time.time()
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
        folder = self.images_dir / time.strftime("%Y-%m", time.localtime(now))
        partial = self.images_dir / PARTIAL_DIR
        parent_file = self._parent_file(job.parent_item_id)
        source_paths = self._input_paths(job_id)
        usage = result.usage
        rows: list[dict[str, Any]] = []
        for i, image in enumerate(result.images):
            raw_fmt = sniff_format(image.data) or image.format
            main_data = image.data
            pasted = composited[i] if composited is not None and i < len(composited) else None
            if pasted is not None:
                main_data = pasted
            main_fmt = sniff_format(main_data) or raw_fmt
            first = i == 0  # n=1 per job: usage belongs to the first image
            spent = {
                "input_tokens": usage.input_tokens if first else 0,
                "output_tokens": usage.output_tokens if first else 0,
                "text_input_tokens": usage.text_input_tokens if first else 0,
                "image_input_tokens": usage.image_input_tokens if first else 0,
            }
            record: dict[str, Any] = {
                "app": APP_NAME,
                "params": job.params,
                "revised_prompt": image.revised_prompt,
                "flavour": str(job.flavour),
                "base_url": job.base_url,
                "model": job.params.get("model"),
                "created_at": now,
                "job_id": job_id,
                "task_id": result.task_id or job.task_id,
                "size": result.size,
                "quality": result.quality,
                "background": result.background,
                "parent_file": parent_file,
                "usage": spent,
                "cancelled": cancelled,
            }
            base = (
                f"{stamp}-{job_id[:8]}-{i}" if len(result.images) > 1 else f"{stamp}-{job_id[:8]}"
            )
            main_path = folder / f"{base}{EXT_BY_FORMAT.get(main_fmt, '.png')}"
            raw_path = None
            if main_data is not image.data:
                raw_path = folder / f"{base}-raw{EXT_BY_FORMAT.get(raw_fmt, '.png')}"
                write_atomic(
                    raw_path,
                    _embed_or_keep(image.data, {**record, "raw": True}),
                    partial_dir=partial,
                )
            main_bytes = _embed_or_keep(main_data, record)
            write_atomic(main_path, main_bytes, partial_dir=partial)
            width, height = _image_size(main_bytes)
            rows.append(
                {
                    "path": self._store_path(main_path),
                    "raw_path": self._store_path(raw_path) if raw_path else None,
                    "prompt": str(job.params.get("prompt") or ""),
                    "revised_prompt": image.revised_prompt,
                    "params": json.dumps(job.params, ensure_ascii=False),
                    "flavour": str(job.flavour),
                    "model": job.params.get("model"),
                    "width": width,
                    "height": height,
                    "format": main_fmt,
                    "size_returned": result.size,
                    "quality_returned": result.quality,
                    "background_returned": result.background,
                    "created_at": now,
                    "task_id": result.task_id or job.task_id,
                    "job_id": job_id,
                    "parent_id": job.parent_item_id,
                    "base_url": job.base_url,
                    "input_tokens": spent["input_tokens"],
                    "output_tokens": spent["output_tokens"],
                    "text_input_tokens": spent["text_input_tokens"],
                    "image_input_tokens": spent["image_input_tokens"],
                    "cancelled": int(cancelled),
                    "file_size": len(main_bytes),
                    "source_paths": json.dumps([self._store_path(p) for p in source_paths])
                    if source_paths
                    else None,
                }
            )
        ids: list[int] = []
        with self._write() as c:
            # Another process (a resumed task in the CLI and the GUI) may have landed it first.
            if c.execute("SELECT 1 FROM items WHERE job_id = ? LIMIT 1", (job_id,)).fetchone():
                existing = True
            else:
                existing = False
                for r in rows:
                    ids.append(_insert_item(c, r))
                if usage.input_tokens or usage.output_tokens:
                    c.execute(
                        "INSERT INTO usage (job_id, at, model, input_tokens, output_tokens, "
                        "text_input_tokens, image_input_tokens) VALUES (?,?,?,?,?,?,?)",
                        (
                            job_id,
                            now,
                            job.params.get("model"),
                            usage.input_tokens,
                            usage.output_tokens,
                            usage.text_input_tokens,
                            usage.image_input_tokens,
                        ),
                    )
                c.execute(
                    "UPDATE jobs SET state = ?, finished_at = ?, task_id = COALESCE(task_id, ?) WHERE job_id = ?",
                    (
                        str(JobState.cancelled if cancelled else JobState.completed),
                        now,
                        result.task_id,
                        job_id,
                    ),
                )
        if existing:
            winners = [self.item(i) for i in self.job(job_id).item_ids]
            # Our copies lost the race: remove them, unless the winner landed under the very
            # same name (same second), in which case the file is the winner's now.
            theirs = {p for w in winners for p in (w.path, w.raw_path) if p is not None}
            for r in rows:
                for stored in (r["path"], r["raw_path"]):
                    if stored and self._load_path(stored) not in theirs:
                        with contextlib.suppress(OSError):
                            self._load_path(stored).unlink()
            return winners
        return [self.item(i) for i in ids]

    def _parent_file(self, parent_id: int | None) -> str | None:
        if parent_id is None:
            return None
        with self._read() as c:
            row = c.execute("SELECT path FROM items WHERE id = ?", (parent_id,)).fetchone()
        return row[0] if row else None

    def _input_paths(self, job_id: str) -> list[Path]:
        folder = self.inputs_dir / job_id
        if not folder.is_dir():
            return []
        return sorted(folder.iterdir())

    # --- items ---------------------------------------------------------------------------

    def _item_from_row(self, row: tuple[Any, ...]) -> Item:
        return Item(
            id=row[0],
            path=self._load_path(row[1]),
            raw_path=self._load_path(row[2]) if row[2] else None,
            prompt=row[3],
            revised_prompt=row[4],
            params=json.loads(row[5]) if row[5] else {},
            flavour=row[6],
            model=row[7],
            width=row[8],
            height=row[9],
            format=row[10],
            size_returned=row[11],
            quality_returned=row[12],
            created_at=row[13],
            task_id=row[14],
            job_id=row[15],
            parent_id=row[16],
            favourite=bool(row[17]),
            collection=row[18],
            input_tokens=row[19],
            output_tokens=row[20],
            text_input_tokens=row[21],
            image_input_tokens=row[22],
            cancelled=bool(row[23]),
            base_url=row[24],
            background_returned=row[25],
            file_size=row[26],
            source_paths=[self._load_path(p) for p in json.loads(row[27])] if row[27] else [],
            deleted=row[28] is not None,
        )

    def item(self, item_id: int) -> Item:
        with self._read() as c:
            row = c.execute(f"SELECT {_ITEM_COLS} FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise UnknownItemError(item_id)
        return self._item_from_row(row)

    def items(self, item_ids: Iterable[int]) -> dict[int, Item]:
        """Several items in one query (the gallery fetches a page at a time)."""
        ids = list(item_ids)
        out: dict[int, Item] = {}
        with self._read() as c:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in c.execute(
                    f"SELECT {_ITEM_COLS} FROM items WHERE id IN ({marks})", chunk
                ):
                    out[row[0]] = self._item_from_row(row)
        return out

    def cells(self, item_ids: list[int]) -> dict[int, Cell]:
        """Gallery cells for several items at once (a page of the view)."""
        out: dict[int, Cell] = {}
        base = str(self.data_dir)
        with self._read() as c:
            for start in range(0, len(item_ids), 500):
                chunk = item_ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for r in c.execute(
                    f"SELECT id, path, prompt, favourite, created_at, width, height FROM items WHERE id IN ({marks})",
                    chunk,
                ):
                    path = r[1] if os.path.isabs(r[1]) else os.path.join(base, r[1])
                    out[r[0]] = Cell(r[0], path, r[2], bool(r[3]), r[4], r[5], r[6])
        return out

    def search(
        self,
        text: str = "",
        *,
        favourites: bool = False,
        collection: str | None = None,
        edits_only: bool = False,
        since: float | None = None,
        until: float | None = None,
        order: str = "newest",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[int]:
        """Ids of the live items that match, in gallery order: `newest` (the default) or
        `oldest` first by when they were added, or `relevance` for a text search."""
        sql, args = build_sql(text, favourites, collection, edits_only, since, until, order)
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            args = [*args, -1 if limit is None else limit, offset]
        with self._read() as c:
            return [r[0] for r in c.execute(sql, args)]

    def matches(
        self,
        item_id: int,
        text: str = "",
        *,
        favourites: bool = False,
        collection: str | None = None,
        edits_only: bool = False,
        since: float | None = None,
        until: float | None = None,
        order: str = "newest",
    ) -> bool:
        """Would `search` with these settings list this item? (One indexed lookup.)"""
        sql, args = build_sql(
            text, favourites, collection, edits_only, since, until, count=True, only_id=item_id
        )
        with self._read() as c:
            return bool(c.execute(sql, args).fetchone()[0])

    def count(
        self,
        text: str = "",
        *,
        favourites: bool = False,
        collection: str | None = None,
        edits_only: bool = False,
        since: float | None = None,
        until: float | None = None,
    ) -> int:
        sql, args = build_sql(text, favourites, collection, edits_only, since, until, count=True)
        with self._read() as c:
            return int(c.execute(sql, args).fetchone()[0])

    def set_favourite(self, item_ids: int | Iterable[int], favourite: bool = True) -> None:
        ids = [item_ids] if isinstance(item_ids, int) else list(item_ids)
        with self._write() as c:
            c.executemany(
                "UPDATE items SET favourite = ? WHERE id = ?", [(int(favourite), i) for i in ids]
            )

    def set_collection(self, item_ids: int | Iterable[int], collection: str | None) -> None:
        ids = [item_ids] if isinstance(item_ids, int) else list(item_ids)
        name = (collection or "").strip() or None
        with self._write() as c:
            c.executemany("UPDATE items SET collection = ? WHERE id = ?", [(name, i) for i in ids])

    def collections(self) -> list[str]:
        with self._read() as c:
            return [
                r[0]
                for r in c.execute(
                    "SELECT DISTINCT collection FROM items WHERE collection IS NOT NULL "
                    "AND deleted_at IS NULL ORDER BY collection COLLATE NOCASE"
                )
            ]

    # --- delete, undo, purge ---------------------------------------------------------------

    def delete_items(self, item_ids: Iterable[int]) -> None:
        """Move to the trash: hidden at once, files kept until purged (so undo is instant)."""
        now = time.time()
        with self._write() as c:
            c.executemany(
                "UPDATE items SET deleted_at = ? WHERE id = ?", [(now, i) for i in item_ids]
            )

    def undelete_items(self, item_ids: Iterable[int]) -> None:
        with self._write() as c:
            c.executemany(
                "UPDATE items SET deleted_at = NULL WHERE id = ?", [(i,) for i in item_ids]
            )

    def purge_deleted(
        self, older_than: float = 0.0, *, item_ids: Iterable[int] | None = None
    ) -> int:
        """Remove trashed items deleted more than `older_than` seconds ago (or just `item_ids`,
        if they are in the trash): rows, files, thumbnails. Returns how many."""
        cutoff = time.time() - older_than
        with self._read() as c:
            if item_ids is not None:
                wanted = list(item_ids)
                rows = []
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    rows += c.execute(
                        f"SELECT id, path, raw_path FROM items WHERE deleted_at IS NOT NULL "
                        f"AND id IN ({','.join('?' * len(chunk))})",
                        chunk,
                    ).fetchall()
            else:
                rows = c.execute(
                    "SELECT id, path, raw_path FROM items WHERE deleted_at IS NOT NULL AND deleted_at <= ?",
                    (cutoff,),
                ).fetchall()
        if not rows:
            return 0
        for item_id, path, raw in rows:
            for p in (path, raw):
                if p:
                    with contextlib.suppress(OSError):
                        self._load_path(p).unlink()
            with contextlib.suppress(OSError):
                self.thumbnail_path(item_id).unlink()
        with self._write() as c:
            # Children keep existing; their parent link now points nowhere and is cleared.
            c.executemany(
                "UPDATE items SET parent_id = NULL WHERE parent_id = ?", [(r[0],) for r in rows]
            )
            c.executemany("DELETE FROM items WHERE id = ?", [(r[0],) for r in rows])
        return len(rows)

    # --- lineage ---------------------------------------------------------------------------

    def lineage(self, item_id: int) -> tuple[list[int], list[int]]:
        """(ancestors, oldest first; descendants, breadth first) of an item, trash excluded."""
        with self._read() as c:
            anc = [
                r[0]
                for r in c.execute(
                    "WITH RECURSIVE up(id, parent_id, depth) AS ("
                    " SELECT id, parent_id, 0 FROM items WHERE id = ?"
                    " UNION ALL SELECT i.id, i.parent_id, up.depth + 1 FROM items i JOIN up ON i.id = up.parent_id"
                    " WHERE up.depth < 1000)"
                    " SELECT up.id FROM up JOIN items USING (id) WHERE up.depth > 0 AND items.deleted_at IS NULL"
                    " ORDER BY up.depth DESC",
                    (item_id,),
                )
            ]
            desc = [
                r[0]
                for r in c.execute(
                    "WITH RECURSIVE down(id, depth) AS ("
                    " SELECT id, 0 FROM items WHERE id = ?"
                    " UNION ALL SELECT i.id, down.depth + 1 FROM items i JOIN down ON i.parent_id = down.id"
                    " WHERE down.depth < 1000)"
                    " SELECT down.id FROM down JOIN items USING (id) WHERE down.depth > 0 AND items.deleted_at IS NULL"
                    " ORDER BY down.depth, down.id",
                    (item_id,),
                )
            ]
        return anc, desc

    # --- embedded metadata and rebuild -----------------------------------------------------

    @staticmethod
    def read_embedded(path: Path) -> dict[str, Any] | None:
        """The settings (ImageRequest.parameters() form) a file carries, or None."""
        record = metadata.read_file(Path(path))
        if record is None:
            return None
        return dict(record["params"])

    def rebuild_from_files(
        self, progress: Callable[[int, int], None] | None = None
    ) -> RebuildReport:
        """Re-create the index from the image files: known files keep their rows (and
        favourites), new files are added (from their embedded metadata, or bare), rows whose
        file is gone are removed."""
        if not self.images_dir.is_dir():
            # A disconnected drive must not empty the library.
            raise FileNotFoundError(
                f"the images folder {self.images_dir} is not there (a disconnected drive?); nothing was changed"
            )
        report = RebuildReport()
        with self._read() as c:
            known = {r[0]: r[1] for r in c.execute("SELECT path, id FROM items")}
            raw_known = {
                r[0] for r in c.execute("SELECT raw_path FROM items WHERE raw_path IS NOT NULL")
            }
            empty_before = not known
        roots = {self.images_dir}
        files: list[Path] = []
        for root in roots:
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    if name.startswith(".") or not name.lower().endswith(IMAGE_SUFFIXES):
                        continue
                    files.append(Path(dirpath) / name)
        files.sort()
        if empty_before and self.thumbnails_dir.exists():
            # Ids start afresh: cached thumbnails would show the wrong pictures.
            shutil.rmtree(self.thumbnails_dir, ignore_errors=True)
            self.thumbnails_dir.mkdir(parents=True, exist_ok=True)
        stored = {self._store_path(p): p for p in files}
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
            row = self._row_from_file(p, key)
            if row is None:
                continue
            if row.pop("_raw", False):
                stem = p.stem.removesuffix("-raw")
                raw_of[stem] = key
                continue
            if row.get("_bare"):
                report.without_metadata += 1
            new_rows.append(row)
        for row in new_rows:  # pair each composited main file with its raw original
            stem = Path(row["path"]).stem
            if stem in raw_of:
                row["raw_path"] = raw_of[stem]
        missing = [
            (key, item_id) for key, item_id in known.items() if not self._load_path(key).exists()
        ]
        new_rows.sort(key=lambda r: (r["created_at"], r["path"]))  # ids follow creation order
        path_to_id = dict(known)
        # Short transactions: the GUI thread reads between them (and a CLI process may write).
        for start in range(0, len(new_rows), 500):
            with self._write() as c:
                for row in new_rows[start : start + 500]:
                    parent_file = row.pop("_parent_file", None)
                    row.pop("_bare", None)
                    usage = row.pop("_usage", None)
                    item_id = _insert_item(c, row)
                    path_to_id[row["path"]] = item_id
                    row["_id"] = item_id
                    row["_parent_file"] = parent_file
                    if (
                        empty_before
                        and usage
                        and (usage.get("input_tokens") or usage.get("output_tokens"))
                    ):
                        # The index was lost: the files are the only record of what was spent.
                        c.execute(
                            "INSERT INTO usage (job_id, at, model, input_tokens, output_tokens, "
                            "text_input_tokens, image_input_tokens) VALUES (?,?,?,?,?,?,?)",
                            (
                                row.get("job_id"),
                                row["created_at"],
                                row.get("model"),
                                int(usage.get("input_tokens") or 0),
                                int(usage.get("output_tokens") or 0),
                                int(usage.get("text_input_tokens") or 0),
                                int(usage.get("image_input_tokens") or 0),
                            ),
                        )
                    report.added += 1
        links = [
            (path_to_id[row["_parent_file"]], row["_id"])
            for row in new_rows
            if row.get("_parent_file") and row["_parent_file"] in path_to_id
        ]
        if links:
            with self._write() as c:
                c.executemany("UPDATE items SET parent_id = ? WHERE id = ?", links)
        for start in range(0, len(missing), 500):
            with self._write() as c:
                for _key, item_id in missing[start : start + 500]:
                    c.execute("UPDATE items SET parent_id = NULL WHERE parent_id = ?", (item_id,))
                    c.execute("DELETE FROM items WHERE id = ?", (item_id,))
                    report.removed += 1
            for _key, item_id in missing[start : start + 500]:
                with contextlib.suppress(OSError):
                    self.thumbnail_path(item_id).unlink()
        if progress is not None:
            progress(total, total)
        return report

    def _row_from_file(self, p: Path, key: str) -> dict[str, Any] | None:
        try:
            data = p.read_bytes()
            st = p.stat()
        except OSError:
            return None
        fmt = sniff_format(data)
        if fmt is None:
            return None
        width, height = _image_size(data)
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
        usage = record.get("usage") or {}
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
            "input_tokens": int(usage.get("input_tokens") or 0),
            "output_tokens": int(usage.get("output_tokens") or 0),
            "text_input_tokens": int(usage.get("text_input_tokens") or 0),
            "image_input_tokens": int(usage.get("image_input_tokens") or 0),
            "cancelled": int(bool(record.get("cancelled"))),
            "file_size": len(data),
            "_parent_file": record.get("parent_file"),
            "_usage": usage,
            "_raw": bool(record.get("raw")),
        }

    # --- spend (see spend.py for the arithmetic) ---------------------------------------------

    def meta_get(self, key: str) -> str | None:
        with self._read() as c:
            row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def meta_set(self, key: str, value: str | None) -> None:
        with self._write() as c:
            if value is None:
                c.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def usage_rows(
        self, since: float | None = None, until: float | None = None
    ) -> list[tuple[float, int, int, int, int]]:
        """(at, input, output, text input, image input) per paid result, oldest first."""
        sql = "SELECT at, input_tokens, output_tokens, text_input_tokens, image_input_tokens FROM usage WHERE 1"
        args: list[Any] = []
        if since is not None:
            sql += " AND at >= ?"
            args.append(since)
        if until is not None:
            sql += " AND at < ?"
            args.append(until)
        with self._read() as c:
            return [tuple(r) for r in c.execute(sql + " ORDER BY at", args)]  # type: ignore[misc]

    def would_exceed_budget(self, estimated_tokens: int) -> bool:
        """Would a job of about `estimated_tokens` output tokens take this month past the budget?"""
        from app.core.library import spend

        return spend.would_exceed_budget(self, estimated_tokens)

    def spend_by_day(self, since: float | None = None, until: float | None = None) -> list[Any]:
        from app.core.library import spend

        return spend.by_day(self, since, until)

    def spend_by_month(self, since: float | None = None, until: float | None = None) -> list[Any]:
        from app.core.library import spend

        return spend.by_month(self, since, until)

    def usage_totals(
        self, fmt: str, since: float | None = None, until: float | None = None
    ) -> list[tuple[str, int, int, int, int, int]]:
        """(period label, results, input, output, text input, image input) per period, where
        the label is strftime(`fmt`) of local time, oldest first."""
        sql = (
            "SELECT strftime(?, at, 'unixepoch', 'localtime') AS label, count(*), sum(input_tokens), "
            "sum(output_tokens), "
            "sum(CASE WHEN text_input_tokens + image_input_tokens = 0 THEN input_tokens ELSE text_input_tokens END), "
            "sum(CASE WHEN text_input_tokens + image_input_tokens = 0 THEN 0 ELSE image_input_tokens END) "
            "FROM usage WHERE 1"
        )
        args: list[Any] = [fmt]
        if since is not None:
            sql += " AND at >= ?"
            args.append(since)
        if until is not None:
            sql += " AND at < ?"
            args.append(until)
        with self._read() as c:
            return [tuple(r) for r in c.execute(sql + " GROUP BY label ORDER BY label", args)]  # type: ignore[misc]

    def data_version(self) -> int:
        """Changes whenever another connection (the CLI, another window) commits: a cheap way
        to notice their work without re-reading anything."""
        with self._read() as c:
            return int(c.execute("PRAGMA data_version").fetchone()[0])

    def max_item_id(self) -> int:
        with self._read() as c:
            return int(c.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0])

    def integrity_ok(self) -> bool:
        with self._read() as c:
            return c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _set_aside(db_path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{db_path}{suffix}")
        if src.exists():
            os.replace(src, Path(f"{target}{suffix}"))
    return target


_INSERT_COLS = (
    "path",
    "raw_path",
    "prompt",
    "revised_prompt",
    "params",
    "flavour",
    "model",
    "width",
    "height",
    "format",
    "size_returned",
    "quality_returned",
    "background_returned",
    "created_at",
    "task_id",
    "job_id",
    "parent_id",
    "base_url",
    "input_tokens",
    "output_tokens",
    "text_input_tokens",
    "image_input_tokens",
    "cancelled",
    "file_size",
    "source_paths",
)


def _insert_item(c: sqlite3.Connection, row: dict[str, Any]) -> int:
    cols = [k for k in _INSERT_COLS if k in row]
    cur = c.execute(
        f"INSERT INTO items ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [row[k] for k in cols],
    )
    return int(cur.lastrowid)  # type: ignore[arg-type]


def _embed_or_keep(data: bytes, record: dict[str, Any]) -> bytes:
    # An image we cannot edit is still saved as it came: losing metadata beats losing the picture.
    try:
        return metadata.embed(data, record)
    except metadata.MetadataError:
        return data


def _image_size(data: bytes) -> tuple[int | None, int | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:  # reads the header only
            return im.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None, None
