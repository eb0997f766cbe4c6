"""Rows are read by column name: columns a later migration adds cannot shift what is read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.core.api.models import Flavour, ImageRequest, InputImage
from app.core.library import JobState, Library
from tests.core.library.helpers import add_item, make_image, make_result


def _snapshot(lib: Library) -> dict[str, object]:
    ids = lib.search(order="oldest")
    return {
        "ids": ids,
        "items": lib.items(ids),
        "item": lib.item(ids[-1]),
        "cells": lib.cells(ids),
        "jobs": lib.recent_jobs(),
        "unfinished": lib.unfinished_jobs(),
        "lineage": lib.lineage(ids[1]),
        "collections": lib.collections(),
        "usage": lib.usage_rows(),
        "totals": lib.usage_totals("%Y-%m"),
        "budget": lib.meta_get("spend.monthly_budget"),
        "found": (lib.count("harbour"), lib.matches(ids[1], "harbour")),
    }


def test_reads_survive_columns_a_later_migration_adds(data_dir: Path) -> None:
    with Library.open(data_dir) as lib:
        a = add_item(lib, "a harbour at dawn")
        b = add_item(lib, "the harbour again, with boats", parent_item_id=a)
        lib.set_favourite(b)
        lib.add_to_collection([a, b], "harbours")
        lib.meta_set("spend.monthly_budget", "12.5")
        job = lib.begin_job(
            ImageRequest(prompt="patched", images=[InputImage(make_image())]), Flavour.compat, "u"
        )
        lib.save_result(job, make_result(seed=3), composited=[make_image(seed=4)])
        waiting = lib.begin_job(ImageRequest(prompt="still out"), Flavour.tasks, "u")
        lib.set_task_id(waiting, "task-1")
        lib.update_job(waiting, state=JobState.running, server_status="in_progress")
        before = _snapshot(lib)

    # What a future migration would do: new columns at the end of every table we read.
    other = sqlite3.connect(data_dir / "library.sqlite3", isolation_level=None)
    for table in ("items", "jobs", "usage", "meta"):
        other.execute(f"ALTER TABLE {table} ADD COLUMN added_later TEXT DEFAULT 'x'")
        other.execute(f"ALTER TABLE {table} ADD COLUMN id_later INTEGER DEFAULT 7")
    other.close()

    with Library.open(data_dir) as lib:
        assert _snapshot(lib) == before
        assert lib.load_request(waiting).prompt == "still out"
        assert len(lib.load_request(job).images) == 1
        # Writes still fill the columns they name; the new ones keep their defaults.
        c_id = add_item(lib, "after the migration")
        assert lib.item(c_id).prompt == "after the migration"
        assert lib.job(lib.item(c_id).job_id or "").state == JobState.completed


def test_job_states_keep_their_values() -> None:
    # Stored in the journal of every existing library: renaming one would strand its jobs.
    assert [s.value for s in JobState] == [
        "queued",
        "waiting",
        "running",
        "completed",
        "failed",
        "cancelled",
        "interrupted",
    ]


def test_the_facade_keeps_every_path_where_it_was(data_dir: Path, tmp_path: Path) -> None:
    with Library.open(data_dir) as lib:
        assert lib.data_dir == data_dir.absolute()
        assert lib.images_dir == lib.data_dir / "images"
        assert lib.thumbnails_dir == lib.data_dir / "thumbnails"
        assert lib.inputs_dir == lib.data_dir / "inputs"
        assert lib.thumbnail_path(1234) == lib.thumbnails_dir / "1" / "1234.jpg"
        lib.set_images_dir(tmp_path / "elsewhere")
        item = lib.item(add_item(lib, "moved"))
        assert item.path.is_relative_to(tmp_path / "elsewhere")
        assert not lib.closed
    assert lib.closed
