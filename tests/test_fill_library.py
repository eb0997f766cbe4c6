"""The gallery benchmark's fill script (bench/fill_library.py) writes libraries the app opens:
when the schema moves on, this fails here rather than in the middle of `make bench`."""

from __future__ import annotations

from pathlib import Path

from app.core.library import Library
from bench import fill_library


def test_a_filled_library_opens_with_its_pictures_collections_and_search(tmp_path: Path) -> None:
    fill_library.fill(400, tmp_path, seed=3)
    with Library.open(tmp_path) as lib:
        ids = lib.search()
        assert len(ids) == 400 == lib.count()
        assert set(lib.collections()) <= set(fill_library.COLLECTIONS)
        members = lib.memberships(ids)
        assert members and all(names for names in members.values())
        first = lib.collections()[0]
        assert len(lib.search(collection=first)) == sum(first in n for n in members.values())
        word = lib.items(ids[:1])[ids[0]].prompt.split()[0]
        assert ids[0] in lib.search(word)
        assert all(Path(tmp_path, item.path).is_file() for item in lib.items(ids[:20]).values())
