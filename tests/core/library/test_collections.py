"""Several collections per picture (schema v5), and the move from v4's one column."""

from __future__ import annotations

import time
from pathlib import Path

from app.core.library import Library, db
from tests.core.library.helpers import add_item, old_library


def test_v4_collections_become_memberships(data_dir: Path) -> None:
    rows = [
        ("images/lake1.png", "a lake", "Lakes", None),
        ("images/lake2.png", "another lake", "Lakes", None),
        ("images/trip.png", "a road trip", "  Trips ", None),
        ("images/none.png", "no collection", None, None),
        ("images/blank.png", "a blank name", "   ", None),
        ("images/gone.png", "in the trash", "Old", time.time()),  # within the undo hour
    ]
    ids = old_library(
        data_dir,
        4,
        [
            {"path": path, "prompt": prompt, "collection": collection, "deleted_at": deleted}
            for path, prompt, collection, deleted in rows
        ],
    )

    with Library.open(data_dir) as lib:
        with lib._read() as c:
            assert c.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION == 6
            columns = {r["name"] for r in c.execute("PRAGMA table_info(items)")}
        assert "collection" not in columns  # nothing can read a stale single value
        assert lib.item(ids["a lake"]).collections == ["Lakes"]
        assert lib.item(ids["a road trip"]).collections == ["Trips"]  # trimmed
        assert lib.item(ids["no collection"]).collections == []
        assert lib.item(ids["a blank name"]).collections == []
        # The trashed picture keeps its membership (an undo brings it back) but its
        # collection is not offered while nothing live is in it.
        assert lib.collections() == ["Lakes", "Trips"]
        assert sorted(lib.search(collection="Lakes")) == sorted(
            [ids["a lake"], ids["another lake"]]
        )
        lib.undelete_items([ids["in the trash"]])
        assert lib.collections() == ["Lakes", "Old", "Trips"]
        assert lib.integrity_ok()


def test_a_picture_in_several_collections(library: Library) -> None:
    lib = library
    a = add_item(lib, "a harbour at dawn")
    b = add_item(lib, "a harbour at night")
    assert lib.add_to_collection([a, b], " Harbours ") == "Harbours"
    lib.add_to_collection(a, "Dawn")
    lib.add_to_collection(a, "Dawn")  # twice is once
    assert lib.add_to_collection(a, "  ") is None
    assert lib.item(a).collections == ["Dawn", "Harbours"]
    assert lib.items([a, b])[b].collections == ["Harbours"]
    assert lib.memberships([a, b]) == {a: ["Dawn", "Harbours"], b: ["Harbours"]}
    assert lib.search(collection="Dawn") == [a]
    assert lib.search(collection="Harbours") == [b, a]
    assert lib.matches(a, "", collection="Dawn") and not lib.matches(b, "", collection="Dawn")
    assert lib.count(collection="Harbours") == 2
    lib.remove_from_collection(a, "Harbours")
    assert lib.item(a).collections == ["Dawn"] and lib.search(collection="Harbours") == [b]
    lib.remove_from_collection(a, "Dawn")  # the last picture out: the collection is gone
    assert lib.collections() == ["Harbours"]
    # Purging a picture takes its memberships with it.
    lib.delete_items([b])
    assert lib.purge_deleted(older_than=0) == 1
    with lib._read() as c:
        assert c.execute("SELECT count(*) FROM item_collections").fetchone()[0] == 0
    assert lib.collections() == []
