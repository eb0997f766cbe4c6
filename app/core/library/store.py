"""The open index: one SQLite connection behind a lock, and the folders its paths are kept against.

One connection guarded by a lock, so GUI-thread reads and worker-thread writes may share a
library; a CLI process at the same time coordinates through SQLite's own locking (WAL,
busy_timeout). Rows come back as sqlite3.Row and are read by column name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from app.core.library import db, owner

DB_NAME = "library.sqlite3"


class Store:
    def __init__(self, data_dir: Path, images_dir: Path | None, conn: sqlite3.Connection):
        self.data_dir = data_dir
        self.images_dir = images_dir or data_dir / "images"
        self.thumbnails_dir = data_dir / "thumbnails"
        self.inputs_dir = data_dir / "inputs"
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.RLock()
        self._owner: str | None = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            if self._owner is not None:
                self._owner = None
                owner.release(self.data_dir)

    def owner(self) -> str:
        """This process's owner token for the jobs it runs (see owner.py), taken on first use."""
        with self._lock:
            if self._owner is None:
                self._owner = owner.acquire(self.data_dir)
            return self._owner

    def held_token(self) -> str | None:
        """This process's token for this data folder, if it has one (without taking one)."""
        return self._owner or owner.own_token(self.data_dir)

    def is_live(self, token: str | None) -> bool:
        """Is the process owning `token` running (this one included)?"""
        return token is not None and (token == self._owner or owner.is_alive(self.data_dir, token))

    @property
    def closed(self) -> bool:
        return self._conn is None

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the library is closed")
            yield self._conn

    @contextlib.contextmanager
    def read_apart(self) -> Iterator[sqlite3.Connection]:
        """A read on a connection of its own (WAL lets it run beside the shared one): for a
        long read on a worker, which on the shared connection would hold the lock that the
        GUI thread's reads wait on."""
        if self._conn is None:
            raise RuntimeError("the library is closed")
        uri = f"{(self.data_dir / DB_NAME).resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=db.BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
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

    def store_path(self, path: Path) -> str:
        # Relative to the data dir when inside it, so a portable data dir may move.
        try:
            return path.resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def load_path(self, stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else self.data_dir / p

    def thumbnail_path(self, item_id: int) -> Path:
        return self.thumbnails_dir / str(item_id // 1000) / f"{item_id}.jpg"


def single_column(c: sqlite3.Connection, sql: str, args: Sequence[Any] = ()) -> list[Any]:
    """The values of a one-column query, as a list (a gallery listing: every id that matches)."""
    # Plain tuples, not sqlite3.Row: a Row per id doubles the time of listing a 100,000-item
    # gallery (28 -> 59 ms measured), and that listing runs on every search keystroke.
    cur = c.cursor()
    cur.row_factory = None
    return [value for (value,) in cur.execute(sql, args)]


def connect(data_dir: Path) -> tuple[sqlite3.Connection, Path | None]:
    """The index in `data_dir`, and where a damaged one was set aside (None: it was fine).

    A damaged index must not lock the user out of their pictures: the damaged file is kept for
    inspection and a fresh one started; the caller rebuilds it from the files.
    """
    path = data_dir / DB_NAME
    try:
        return db.connect(path), None
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) or not _is_corrupt(exc):
            raise  # locked, read-only, too new...: not ours to repair
        recovered_from = _set_aside(path)
        return db.connect(path), recovered_from


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
