"""The search index after the move to schema 6 (a prefix index for words up to 10 letters)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from app.core.library import Library, db


def test_a_v5_library_finds_the_same_pictures_after_the_index_is_rebuilt(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / "library.sqlite3", isolation_level=None)
    assert db.migrate(conn, target=5) == 0
    rows = [
        ("images/a.png", "a lighthouse at dusk", "a tall lighthouse at dusk, watercolour", None),
        ("images/b.png", "a whale under water", None, None),
        ("images/c.png", "a lighthouse in the trash", None, time.time()),
    ]
    for path, prompt, revised, deleted in rows:
        conn.execute(
            "INSERT INTO items (path, prompt, revised_prompt, params, created_at, deleted_at) "
            "VALUES (?, ?, ?, '{}', 1.0e9, ?)",
            (path, prompt, revised, deleted),
        )
    ids = {r[1]: r[0] for r in conn.execute("SELECT id, prompt FROM items")}
    conn.close()

    with Library.open(data_dir) as lib:
        lighthouse, whale = ids["a lighthouse at dusk"], ids["a whale under water"]
        assert lib.search("lighthous") == [lighthouse]  # the trashed one stays out of the index
        assert lib.search("watercol") == [lighthouse]  # the revised prompt is searched too
        assert lib.search("whale under wat") == [whale]
        assert lib.search("lighthouse whale") == []
        # Kept up to date as before: an undo of the trash puts the picture back in the index.
        lib.undelete_items([ids["a lighthouse in the trash"]])
        assert sorted(lib.search("lighthouse")) == sorted(
            [lighthouse, ids["a lighthouse in the trash"]]
        )
        assert lib.integrity_ok()
