"""The job journal: a job is written down before anything is sent, so it can be retried or
resumed after a crash, and its state follows it to the end.

Its inputs (the pictures and mask of an edit) are kept as files beside the index, so a retry
sends exactly what the first attempt did.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.core.api.models import Flavour, ImageRequest, InputImage
from app.core.library import owner
from app.core.library.files import PARTIAL_DIR, new_id, write_atomic
from app.core.library.owner import token_pid
from app.core.library.store import Store
from app.core.redact import redact

EXT_BY_FORMAT = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}


class JobState(StrEnum):
    """The one job state of the app: the journal's, the runner's, the task list's."""

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
    # The process running it (owner.py): None for jobs journaled before owners were recorded.
    owner: str | None = None
    demo: bool = False  # made by the demo simulator: no money was spent
    raw_answer: str | None = None  # the server's answer it could not read (redacted, capped)

    @property
    def owner_pid(self) -> int | None:
        return token_pid(self.owner)

    @property
    def resumable(self) -> bool:
        """An async task the server already has: poll it, never create it again."""
        return self.flavour == Flavour.tasks and bool(self.task_id)


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


def begin(
    store: Store,
    request: ImageRequest,
    flavour: Flavour,
    base_url: str,
    *,
    origin: str = "gui",
    parent_item_id: int | None = None,
    demo: bool = False,
) -> str:
    """Journal a job before anything is sent; its inputs are kept for retry and resume. The
    calling process is recorded as its owner."""
    job_id = new_id()
    inputs: dict[str, Any] = {"images": [], "mask": None}
    if request.images or request.mask is not None:
        folder = store.inputs_dir / job_id
        partial = store.data_dir / PARTIAL_DIR
        for i, img in enumerate(request.images):
            name = f"image-{i}{EXT_BY_FORMAT.get(img.format or '', '.bin')}"
            write_atomic(folder / name, img.data, partial_dir=partial)
            inputs["images"].append({"file": name, "filename": img.filename})
        if request.mask is not None:
            write_atomic(folder / "mask.png", request.mask.data, partial_dir=partial)
            inputs["mask"] = {"file": "mask.png", "filename": request.mask.filename}
    with store.write() as c:
        c.execute(
            "INSERT INTO jobs (job_id, flavour, base_url, state, created_at, params, "
            "parent_item_id, origin, inputs, owner, demo) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
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
                store.owner(),
                int(demo),
            ),
        )
    return job_id


def set_task_id(store: Store, job_id: str, task_id: str) -> None:
    with store.write() as c:
        cur = c.execute("UPDATE jobs SET task_id = ? WHERE job_id = ?", (task_id, job_id))
        if cur.rowcount == 0:
            raise UnknownJobError(job_id)


def update(
    store: Store,
    job_id: str,
    *,
    state: JobState | None = None,
    server_status: str | None = None,
    error_kind: str | None = None,
    error_message: str | None = None,
    raw_answer: str | None = None,
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
        ("raw_answer", raw_answer),
    ):
        if value is not None:
            sets.append(f"{name} = ?")
            # Defence in depth: an error text quoting a request must not carry a key to disk.
            args.append(redact(str(value), limit=None))
    if not sets:
        return
    with store.write() as c:
        cur = c.execute(f"UPDATE jobs SET {', '.join(sets)} WHERE job_id = ?", (*args, job_id))
        if cur.rowcount == 0:
            raise UnknownJobError(job_id)


def _job_from_row(c: sqlite3.Connection, row: sqlite3.Row) -> Job:
    item_ids = [
        r["id"]
        for r in c.execute("SELECT id FROM items WHERE job_id = ? ORDER BY id", (row["job_id"],))
    ]
    return Job(
        job_id=row["job_id"],
        flavour=Flavour(row["flavour"]),
        base_url=row["base_url"],
        task_id=row["task_id"],
        state=JobState(row["state"]),
        server_status=row["server_status"],
        error_kind=row["error_kind"],
        error_message=row["error_message"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        params=json.loads(row["params"]),
        item_ids=item_ids,
        parent_item_id=row["parent_item_id"],
        origin=row["origin"],
        owner=row["owner"],
        demo=bool(row["demo"]),
        raw_answer=row["raw_answer"],
    )


def get(store: Store, job_id: str) -> Job:
    with store.read() as c:
        row = c.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise UnknownJobError(job_id)
        return _job_from_row(c, row)


def by_task(store: Store, task_id: str) -> Job | None:
    """The newest journaled job polling this server task, if any."""
    with store.read() as c:
        row = c.execute(
            "SELECT * FROM jobs WHERE task_id = ? ORDER BY created_at DESC LIMIT 1", (task_id,)
        ).fetchone()
        return None if row is None else _job_from_row(c, row)


def recent(store: Store, limit: int = 200) -> list[Job]:
    with store.read() as c:
        rows = c.execute(
            "SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
        ).fetchall()
        return [_job_from_row(c, r) for r in rows]


def unfinished(store: Store, *, include_live: bool = True) -> list[Job]:
    """Jobs not yet at an end, oldest first; without `include_live`, only those whose owner
    is gone (not this process, not another one still running)."""
    with store.read() as c:
        rows = c.execute(
            "SELECT * FROM jobs WHERE state IN (?,?,?) ORDER BY created_at",
            tuple(str(s) for s in UNFINISHED),
        ).fetchall()
        jobs = [_job_from_row(c, r) for r in rows]
    if include_live:
        return jobs
    live = {o: store.is_live(o) for o in {j.owner for j in jobs}}  # one check per process
    return [j for j in jobs if not live[j.owner]]


def running_elsewhere(store: Store) -> list[Job]:
    """Unfinished jobs another live process (a command line, a second window) is running."""
    mine = store.held_token()
    jobs = [j for j in unfinished(store) if j.owner is not None and j.owner != mine]
    live = {o: store.is_live(o) for o in {j.owner for j in jobs}}
    return [j for j in jobs if live[j.owner]]


def claim(store: Store, job_id: str) -> bool:
    """Take a job over when it is this process's already or its owner is gone. Atomic: of two
    processes claiming at once, one wins (the UPDATE names the owner it saw)."""
    with store.read() as c:
        row = c.execute("SELECT owner FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    if row is None:
        raise UnknownJobError(job_id)
    seen, mine = row["owner"], store.owner()
    if seen == mine:
        return True
    if store.is_live(seen):
        return False
    with store.write() as c:
        cur = c.execute(
            "UPDATE jobs SET owner = ? WHERE job_id = ? AND owner IS ?", (mine, job_id, seen)
        )
    return cur.rowcount == 1


def claim_orphans(store: Store) -> list[Job]:
    """The unfinished jobs whose owner is gone, now owned by this process: resume them or mark
    them interrupted. Jobs a live process runs are left alone; one claimed by another process
    starting at the same moment is not returned."""
    orphans = unfinished(store, include_live=False)
    claimed = [get(store, j.job_id) for j in orphans if claim(store, j.job_id)]
    owner.sweep(store.data_dir)  # lock files of processes that died with no job in flight
    return claimed


def load_request(store: Store, job_id: str) -> ImageRequest:
    """The request as it was journaled, with the pictures and mask it sent."""
    with store.read() as c:
        row = c.execute("SELECT params, inputs FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    if row is None:
        raise UnknownJobError(job_id)
    request = ImageRequest.from_parameters(json.loads(row["params"]))
    inputs = json.loads(row["inputs"]) if row["inputs"] else {"images": [], "mask": None}
    folder = store.inputs_dir / job_id
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


def input_paths(store: Store, job_id: str) -> list[Path]:
    """The files a job's pictures and mask were kept in (empty: a generation)."""
    folder = store.inputs_dir / job_id
    if not folder.is_dir():
        return []
    return sorted(folder.iterdir())
