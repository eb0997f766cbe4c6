"""The Library: the gallery index, the job journal and the image files, behind one object.

A facade: each method hands over to the module that does the work (journal, items, search,
saving, rebuild, usage, spend), all sharing one Store (the connection, its lock, the folders).
Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from app.core.api.models import Flavour, ImageRequest, ImageResult
from app.core.library import items, journal, rebuild, saving, search, spend, timing, usage
from app.core.library.files import PARTIAL_DIR, clean_partials
from app.core.library.items import Cell, Item
from app.core.library.journal import Job, JobState
from app.core.library.rebuild import RebuildReport
from app.core.library.search import DemoFilter
from app.core.library.store import Store, connect

TRASH_GRACE_SECONDS = 3600.0  # soft-deleted items are purged this long after deletion (undo window)


class Library:
    def __init__(self, store: Store):
        self._store = store
        # Set when open() found the index damaged, moved it here and rebuilt it from the files
        # (the journal of unfinished jobs was in it): the app should say so.
        self.recovered_from: Path | None = None
        # Items open() indexed from results a killed process wrote but did not commit.
        self.recovered_items: list[int] = []

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
        conn, recovered_from = connect(data_dir)
        lib = cls(Store(data_dir, images_dir, conn))
        lib.recovered_from = recovered_from
        try:
            clean_partials(lib_images / PARTIAL_DIR)
            clean_partials(data_dir / PARTIAL_DIR)
            lib.purge_deleted(older_than=TRASH_GRACE_SECONDS)
            if recovered_from is not None:
                lib.rebuild_from_files()
            # Before anyone resumes a job: a result a killed process wrote is indexed, so its
            # task is not fetched and saved again under a new name.
            lib.recovered_items = lib.recover_uncommitted()
        except BaseException:
            lib.close()
            raise
        return lib

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._store.closed

    # For tests and tools that need plain SQL on the shared connection.
    def _read(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._store.read()

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._store.write()

    # --- folders -------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._store.data_dir

    @property
    def images_dir(self) -> Path:
        return self._store.images_dir

    @property
    def thumbnails_dir(self) -> Path:
        return self._store.thumbnails_dir

    @property
    def inputs_dir(self) -> Path:
        return self._store.inputs_dir

    def thumbnail_path(self, item_id: int) -> Path:
        return self._store.thumbnail_path(item_id)

    def set_images_dir(self, images_dir: Path) -> None:
        """Future results go to `images_dir`; earlier ones stay where they are."""
        images_dir = Path(images_dir)
        images_dir.mkdir(parents=True, exist_ok=True)
        self._store.images_dir = images_dir

    # --- the job journal (journal.py) ----------------------------------------------------

    def begin_job(
        self,
        request: ImageRequest,
        flavour: Flavour,
        base_url: str,
        *,
        origin: str = "gui",
        parent_item_id: int | None = None,
        demo: bool = False,
    ) -> str:
        """Journal a job before anything is sent; its inputs are kept for retry and resume.
        This process is recorded as its owner. `demo`: the demo simulator runs it, so its
        results are marked demo and never count as spend."""
        return journal.begin(
            self._store,
            request,
            flavour,
            base_url,
            origin=origin,
            parent_item_id=parent_item_id,
            demo=demo,
        )

    def timings(self) -> timing.Timings:
        """How long jobs usually take here, per flavour, size and quality (timing.py). A few
        thousand rows at most: read it off the GUI thread."""
        return timing.Timings().load(self._store)

    def set_task_id(self, job_id: str, task_id: str) -> None:
        journal.set_task_id(self._store, job_id, task_id)

    def update_job(
        self,
        job_id: str,
        *,
        state: JobState | None = None,
        server_status: str | None = None,
        error_kind: str | None = None,
        error_message: str | None = None,
        raw_answer: str | None = None,
    ) -> None:
        journal.update(
            self._store,
            job_id,
            state=state,
            server_status=server_status,
            error_kind=error_kind,
            error_message=error_message,
            raw_answer=raw_answer,
        )

    def job(self, job_id: str) -> Job:
        return journal.get(self._store, job_id)

    def job_by_task(self, task_id: str) -> Job | None:
        return journal.by_task(self._store, task_id)

    def recent_jobs(self, limit: int = 200) -> list[Job]:
        return journal.recent(self._store, limit)

    def unfinished_jobs(self, *, include_live: bool = True) -> list[Job]:
        """Jobs not yet at an end, oldest first; with include_live=False only those whose
        owning process is gone (what a start may resume)."""
        return journal.unfinished(self._store, include_live=include_live)

    def claim_orphans(self) -> list[Job]:
        """Take over the unfinished jobs whose owning process is gone (atomically: of two
        processes starting at once, each job goes to one). Resume them or mark them
        interrupted; jobs a live process runs are not among them."""
        return journal.claim_orphans(self._store)

    def claim_job(self, job_id: str) -> bool:
        """Take one job over (before polling it again): True when it is this process's now,
        False while another live process owns it."""
        return journal.claim(self._store, job_id)

    def jobs_running_elsewhere(self) -> list[Job]:
        """Unfinished jobs another live process (the command line, a second window) runs."""
        return journal.running_elsewhere(self._store)

    @property
    def owner(self) -> str:
        """The owner token this process writes into the jobs it runs (see owner.py)."""
        return self._store.owner()

    def load_request(self, job_id: str) -> ImageRequest:
        return journal.load_request(self._store, job_id)

    # --- results (saving.py) -------------------------------------------------------------

    def save_result(
        self,
        job_id: str,
        result: ImageResult,
        *,
        cancelled: bool = False,
        composited: list[bytes | None] | None = None,
    ) -> list[Item]:
        """Land a result: files written and fsynced, then rows, then the job marked done."""
        return saving.save_result(
            self._store, job_id, result, cancelled=cancelled, composited=composited
        )

    def recover_uncommitted(self) -> list[int]:
        """Index results a killed process wrote but never committed (open() does this); their
        jobs are marked done. Returns the ids of the items added."""
        return saving.recover(self._store)

    # --- items (items.py) and search (search.py) -----------------------------------------

    def item(self, item_id: int) -> Item:
        return items.get(self._store, item_id)

    def items(self, item_ids: Iterable[int]) -> dict[int, Item]:
        """Several items in one query (the gallery fetches a page at a time)."""
        return items.many(self._store, item_ids)

    def cells(self, item_ids: list[int]) -> dict[int, Cell]:
        """Gallery cells for several items at once (a page of the view)."""
        return items.cells(self._store, item_ids)

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
        demo: DemoFilter = "include",
        after: int | None = None,
    ) -> list[int]:
        """Ids of the live items that match, in gallery order: `newest` (the default) or
        `oldest` first by when they were added, or `relevance` for a text search. `demo`:
        "include" demo results, "exclude" them, or "only" them. `after`: the next page past
        that id (newest and oldest order)."""
        return search.ids(
            self._store,
            text,
            favourites=favourites,
            collection=collection,
            edits_only=edits_only,
            since=since,
            until=until,
            order=order,
            limit=limit,
            offset=offset,
            demo=demo,
            after=after,
        )

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
        order: str = "newest",  # accepted so a view's search settings pass as they are
        demo: DemoFilter = "include",
    ) -> bool:
        """Would `search` with these settings list this item? (One indexed lookup.)"""
        return search.matches(
            self._store,
            item_id,
            text,
            favourites=favourites,
            collection=collection,
            edits_only=edits_only,
            since=since,
            until=until,
            demo=demo,
        )

    def count(
        self,
        text: str = "",
        *,
        favourites: bool = False,
        collection: str | None = None,
        edits_only: bool = False,
        since: float | None = None,
        until: float | None = None,
        demo: DemoFilter = "include",
        apart: bool = False,
    ) -> int:
        """How many live items match; `apart`: on a connection of its own (for workers)."""
        return search.count(
            self._store,
            text,
            favourites=favourites,
            collection=collection,
            edits_only=edits_only,
            since=since,
            until=until,
            demo=demo,
            apart=apart,
        )

    def set_favourite(self, item_ids: int | Iterable[int], favourite: bool = True) -> None:
        items.set_favourite(self._store, item_ids, favourite)

    def add_to_collection(self, item_ids: int | Iterable[int], collection: str) -> str | None:
        return items.add_to_collection(self._store, item_ids, collection)

    def remove_from_collection(self, item_ids: int | Iterable[int], collection: str) -> None:
        items.remove_from_collection(self._store, item_ids, collection)

    def memberships(self, item_ids: list[int]) -> dict[int, list[str]]:
        """Each item's collections (items in none are left out)."""
        return items.memberships(self._store, item_ids)

    def collections(self) -> list[str]:
        return items.collections(self._store)

    def delete_items(self, item_ids: Iterable[int]) -> None:
        """Move to the trash: hidden at once, files kept until purged (so undo is instant)."""
        items.delete(self._store, item_ids)

    def delete_demo_items(self) -> list[int]:
        """Move every demo result to the trash in one action; the ids (undelete_items undoes)."""
        return items.delete_demo(self._store)

    def undelete_items(self, item_ids: Iterable[int]) -> None:
        items.undelete(self._store, item_ids)

    def purge_deleted(
        self, older_than: float = 0.0, *, item_ids: Iterable[int] | None = None
    ) -> int:
        """Remove trashed items deleted more than `older_than` seconds ago (or just `item_ids`,
        if they are in the trash): rows, files, thumbnails. Returns how many."""
        return items.purge(self._store, older_than, item_ids=item_ids)

    def lineage(self, item_id: int) -> tuple[list[int], list[int]]:
        """(ancestors, oldest first; descendants, breadth first) of an item, trash excluded."""
        return items.lineage(self._store, item_id)

    # --- embedded metadata and rebuild (rebuild.py) ----------------------------------------

    @staticmethod
    def read_embedded(path: Path) -> dict[str, Any] | None:
        """The settings (ImageRequest.parameters() form) a file carries, or None."""
        return rebuild.read_embedded(path)

    def rebuild_from_files(
        self, progress: Callable[[int, int], None] | None = None
    ) -> RebuildReport:
        """Re-create the index from the image files: known files keep their rows (and
        favourites), new files are added (from their embedded metadata, or bare), rows whose
        file is gone are removed."""
        return rebuild.rebuild_from_files(self._store, progress)

    # --- spend (usage.py holds the rows, spend.py the arithmetic) ------------------------------

    def meta_get(self, key: str) -> str | None:
        return usage.meta_get(self._store, key)

    def meta_set(self, key: str, value: str | None) -> None:
        usage.meta_set(self._store, key, value)

    def usage_rows(
        self, since: float | None = None, until: float | None = None
    ) -> list[tuple[float, int, int, int, int]]:
        """(at, input, output, text input, image input) per paid result, oldest first."""
        return usage.rows(self._store, since, until)

    def usage_totals(
        self, fmt: str, since: float | None = None, until: float | None = None
    ) -> list[tuple[str, int, int, int, int, int]]:
        """(period label, results, input, output, text input, image input) per period, where
        the label is strftime(`fmt`) of local time, oldest first."""
        return usage.totals(self._store, fmt, since, until)

    def would_exceed_budget(self, estimated_tokens: int) -> bool:
        """Would a job of about `estimated_tokens` output tokens take this month past the budget?"""
        return spend.would_exceed_budget(self, estimated_tokens)

    def spend_by_day(
        self, since: float | None = None, until: float | None = None
    ) -> list[spend.Period]:
        return spend.by_day(self, since, until)

    def spend_by_month(
        self, since: float | None = None, until: float | None = None
    ) -> list[spend.Period]:
        return spend.by_month(self, since, until)

    # --- the index itself ----------------------------------------------------------------

    def data_version(self) -> int:
        """Changes whenever another connection (the CLI, another window) commits: a cheap way
        to notice their work without re-reading anything."""
        with self._store.read() as c:
            return int(c.execute("PRAGMA data_version").fetchone()["data_version"])

    def max_item_id(self) -> int:
        with self._store.read() as c:
            return int(c.execute("SELECT coalesce(max(id), 0) AS n FROM items").fetchone()["n"])

    def integrity_ok(self) -> bool:
        with self._store.read() as c:
            return bool(c.execute("PRAGMA integrity_check").fetchone()["integrity_check"] == "ok")
