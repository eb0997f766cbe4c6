"""The search index after the move to schema 6 (a prefix index for words up to 10 letters)."""

from __future__ import annotations

import time
from pathlib import Path

from app.core.library import Library
from tests.core.library.helpers import old_library


def test_a_v5_library_finds_the_same_pictures_after_the_index_is_rebuilt(data_dir: Path) -> None:
    rows = [
        ("images/a.png", "a lighthouse at dusk", "a tall lighthouse at dusk, watercolour", None),
        ("images/b.png", "a whale under water", None, None),
        ("images/c.png", "a lighthouse in the trash", None, time.time()),
    ]
    ids = old_library(
        data_dir,
        5,
        [
            {"path": path, "prompt": prompt, "revised_prompt": revised, "deleted_at": deleted}
            for path, prompt, revised, deleted in rows
        ],
    )

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
