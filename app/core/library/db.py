"""The SQLite file: connection settings, the schema, and the migrations that build it.

The schema version lives in PRAGMA user_version. Each migration moves it up by one, inside a
transaction; a fresh file runs them all, an old one only the missing ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

BUSY_TIMEOUT_MS = 15_000


def connect(path: Path) -> sqlite3.Connection:
    # check_same_thread=False: the Library guards the one connection with its own lock, so
    # worker threads may use it; other processes (the CLI) coordinate through SQLite's file
    # locks and busy_timeout.
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    # Columns are read by name: a column a later migration adds (or a different order in an
    # old file) cannot shift what a reader gets.
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()["journal_mode"]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch {path} to WAL (got {mode})")
        # FULL: a commit (a journal row, a saved result) is on disk when commit returns.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _v1(c: sqlite3.Connection) -> None:
    _run_script(
        c,
        """
        CREATE TABLE jobs (
            job_id TEXT PRIMARY KEY,
            flavour TEXT NOT NULL,
            base_url TEXT NOT NULL,
            task_id TEXT,
            state TEXT NOT NULL,
            server_status TEXT,
            error_kind TEXT,
            error_message TEXT,
            created_at REAL NOT NULL,
            finished_at REAL,
            params TEXT NOT NULL,
            parent_item_id INTEGER,
            origin TEXT NOT NULL DEFAULT 'gui'
        );
        CREATE INDEX jobs_state ON jobs(state);
        CREATE INDEX jobs_created ON jobs(created_at);
        CREATE TABLE items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL UNIQUE,
            prompt TEXT NOT NULL DEFAULT '',
            revised_prompt TEXT,
            params TEXT NOT NULL DEFAULT '{}',
            flavour TEXT,
            model TEXT,
            width INTEGER,
            height INTEGER,
            format TEXT,
            size_returned TEXT,
            quality_returned TEXT,
            created_at REAL NOT NULL,
            task_id TEXT,
            job_id TEXT,
            parent_id INTEGER,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX items_created ON items(created_at);
        """,
    )


def _v2(c: sqlite3.Connection) -> None:
    _run_script(
        c,
        """
        ALTER TABLE jobs ADD COLUMN inputs TEXT;
        ALTER TABLE items ADD COLUMN raw_path TEXT;
        ALTER TABLE items ADD COLUMN base_url TEXT;
        ALTER TABLE items ADD COLUMN background_returned TEXT;
        ALTER TABLE items ADD COLUMN text_input_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN image_input_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN favourite INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN collection TEXT;
        ALTER TABLE items ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN deleted_at REAL;
        ALTER TABLE items ADD COLUMN file_size INTEGER;
        ALTER TABLE items ADD COLUMN source_paths TEXT;

        -- Gallery order is the order items were added (id), which is creation order; the
        -- listing of live items reads only this index.
        DROP INDEX items_created;
        CREATE INDEX items_alive ON items(deleted_at);
        CREATE INDEX items_created ON items(created_at);
        CREATE INDEX items_parent ON items(parent_id) WHERE parent_id IS NOT NULL;
        CREATE INDEX items_edits ON items(id) WHERE parent_id IS NOT NULL OR source_paths IS NOT NULL;
        CREATE INDEX items_collection ON items(collection) WHERE collection IS NOT NULL;
        CREATE INDEX items_favourite ON items(id) WHERE favourite = 1;
        CREATE INDEX items_job ON items(job_id);
        CREATE INDEX items_path_raw ON items(raw_path) WHERE raw_path IS NOT NULL;
        CREATE INDEX jobs_task ON jobs(task_id) WHERE task_id IS NOT NULL;

        -- Full-text index of the live items only (trashed ones leave it), so a text search
        -- never has to look at the items table.
        CREATE VIRTUAL TABLE items_fts USING fts5(
            prompt, revised_prompt, content='items', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3'
        );
        INSERT INTO items_fts(rowid, prompt, revised_prompt) SELECT id, prompt, revised_prompt FROM items;
        CREATE TRIGGER items_fts_ai AFTER INSERT ON items WHEN new.deleted_at IS NULL BEGIN
            INSERT INTO items_fts(rowid, prompt, revised_prompt) VALUES (new.id, new.prompt, new.revised_prompt);
        END;
        CREATE TRIGGER items_fts_ad AFTER DELETE ON items WHEN old.deleted_at IS NULL BEGIN
            INSERT INTO items_fts(items_fts, rowid, prompt, revised_prompt) VALUES ('delete', old.id, old.prompt, old.revised_prompt);
        END;
        CREATE TRIGGER items_fts_au_old AFTER UPDATE OF prompt, revised_prompt, deleted_at ON items
        WHEN old.deleted_at IS NULL BEGIN
            INSERT INTO items_fts(items_fts, rowid, prompt, revised_prompt) VALUES ('delete', old.id, old.prompt, old.revised_prompt);
        END;
        CREATE TRIGGER items_fts_au_new AFTER UPDATE OF prompt, revised_prompt, deleted_at ON items
        WHEN new.deleted_at IS NULL BEGIN
            INSERT INTO items_fts(rowid, prompt, revised_prompt) VALUES (new.id, new.prompt, new.revised_prompt);
        END;

        -- Spend outlives the images: deleting a picture does not refund it.
        CREATE TABLE usage (
            id INTEGER PRIMARY KEY,
            job_id TEXT,
            at REAL NOT NULL,
            model TEXT,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            text_input_tokens INTEGER NOT NULL DEFAULT 0,
            image_input_tokens INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX usage_at ON usage(at);
        INSERT INTO usage(job_id, at, model, input_tokens, output_tokens, text_input_tokens)
            SELECT job_id, created_at, model, input_tokens, output_tokens, input_tokens FROM items
            WHERE input_tokens > 0 OR output_tokens > 0;

        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    )


def _v3(c: sqlite3.Connection) -> None:
    # owner: the process running a job (owner.py); landing: the files a result is being
    # written to, set before they are written and cleared by the commit that indexes them, so
    # a kill in between is found at the next start (saving.recover). demo: made by the demo
    # simulator, left out of spend. Old demo rows are recognised by their loopback server (the
    # only loopback server the app ships is the simulator).
    loopback = (
        "(base_url LIKE 'http://127.0.0.1:%' OR base_url LIKE 'http://localhost:%' "
        "OR base_url LIKE 'http://[::1]:%')"
    )
    _run_script(
        c,
        f"""
        ALTER TABLE jobs ADD COLUMN owner TEXT;
        ALTER TABLE jobs ADD COLUMN landing TEXT;
        ALTER TABLE jobs ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
        UPDATE jobs SET demo = 1 WHERE {loopback};
        UPDATE items SET demo = 1 WHERE {loopback};
        UPDATE usage SET demo = 1 WHERE job_id IN (SELECT job_id FROM jobs WHERE demo = 1)
            OR job_id IN (SELECT job_id FROM items WHERE demo = 1);
        CREATE INDEX jobs_landing ON jobs(job_id) WHERE landing IS NOT NULL;
        CREATE INDEX items_demo ON items(id) WHERE demo = 1;
        """,
    )


def _run_script(c: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits any open transaction first, and a migration must be
    # all-or-nothing together with its user_version bump.
    statement = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        statement += line
        if sqlite3.complete_statement(statement):
            c.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement!r}")


def _v4(c: sqlite3.Connection) -> None:
    # raw_answer: the server's answer a job could not read (secrets removed, capped), kept so a
    # person can copy it into a bug report after a restart; task_id indexed for `resume ID`.
    _run_script(
        c,
        """
        ALTER TABLE jobs ADD COLUMN raw_answer TEXT;
        CREATE INDEX jobs_task_id ON jobs(task_id) WHERE task_id IS NOT NULL;
        """,
    )


def _v5(c: sqlite3.Connection) -> None:
    # Several collections per picture: a collection is a row of its own and a picture belongs
    # to any number of them. Each picture's one collection becomes its first membership; the
    # old column is put out of reach, so nothing can read a stale single value.
    _run_script(
        c,
        """
        CREATE TABLE collections (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE item_collections (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            PRIMARY KEY (item_id, collection_id)
        ) WITHOUT ROWID;
        CREATE INDEX item_collections_members ON item_collections(collection_id, item_id);
        INSERT INTO collections(name)
            SELECT DISTINCT trim(collection) FROM items
            WHERE collection IS NOT NULL AND trim(collection) != '';
        INSERT INTO item_collections(item_id, collection_id)
            SELECT items.id, collections.id FROM items
            JOIN collections ON collections.name = trim(items.collection);
        DROP INDEX items_collection;
        """,
    )
    # Renamed, not dropped: DROP COLUMN rewrites every row (3.3 s of a 7 s first open at
    # 1,000,000 items), a rename only the schema; code reading "collection" fails loudly.
    c.execute("ALTER TABLE items RENAME COLUMN collection TO collection_before_v5")


def _v6(c: sqlite3.Connection) -> None:
    # A prefix index for every word length up to 10, not only 2 and 3: FTS5 reads a prefix it
    # has no index for by merging the whole list of every word that starts with it before the
    # first row comes back, so "whale under water" took 20 ms at 1,000,000 items (2 ms at
    # 100,000). With the index a search reads only as far as its first page: 5.5 ms there.
    # The index grows by about 40% (238 to 339 MB at 1,000,000 items, 1,000 times smaller
    # than their pictures); rebuilding it takes 1.2 s per 100,000 items, once.
    _run_script(
        c,
        """
        DROP TABLE items_fts;
        CREATE VIRTUAL TABLE items_fts USING fts5(
            prompt, revised_prompt, content='items', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6 7 8 9 10'
        );
        INSERT INTO items_fts(rowid, prompt, revised_prompt)
            SELECT id, prompt, revised_prompt FROM items WHERE deleted_at IS NULL;
        """,
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _v4, _v5, _v6]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer version of the app."""


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to `target`; returns the version it started from."""
    start = conn.execute("PRAGMA user_version").fetchone()[0]
    if start > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"this library was written by a newer version of the app (schema {start}, "
            f"this app knows up to {SCHEMA_VERSION}); update the app to open it"
        )
    version = start
    while version < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= target:
                conn.execute("COMMIT")
                break
            MIGRATIONS[version](conn)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return start
