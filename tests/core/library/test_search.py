"""Search, filters, favourites, collections, delete with undo, lineage."""

from __future__ import annotations

import time
from typing import Any

from app.core.api.models import Flavour, ImageRequest
from app.core.library import Library
from tests.core.library.helpers import add_item, make_result


def test_fts_search_prefix_and_all_words(lib: Library) -> None:
    cat = add_item(lib, "a red cat on a windowsill")
    dog = add_item(lib, "a brown dog in the park")
    both = add_item(lib, "cat and dog asleep together")
    assert lib.search("cat") == [both, cat]  # newest first
    assert lib.search("cat", order="oldest") == [cat, both]
    assert lib.search("a cat") == [both, cat]  # one-letter words do not narrow (nor slow) it
    assert lib.search("cat dog") == [both]
    assert lib.search("windo") == [cat]  # word prefix while typing
    assert lib.search("zebra") == []
    assert lib.search('"; DROP TABLE items; --') == []  # typed text is never SQL
    assert lib.search("", order="oldest") == [cat, dog, both]
    assert lib.count("dog") == 2
    # Alone, a one-letter word matches as a word: "a" is in both, "c" starts "cat" but is no word.
    assert lib.search("a") == [dog, cat]
    assert lib.search("c") == []


def test_revised_prompt_is_searched(lib: Library) -> None:
    job = lib.begin_job(ImageRequest(prompt="a boat"), Flavour.tasks, "u")
    (item,) = lib.save_result(job, make_result(revised="a wooden sailing boat at sunrise"))
    assert lib.search("sunrise") == [item.id]


def test_cjk_substring_search(lib: Library) -> None:
    a = add_item(lib, "一只在窗台上的红猫")
    add_item(lib, "公园里的棕色狗")
    assert lib.search("红猫") == [a]


def test_filters(lib: Library) -> None:
    a = add_item(lib, "mountain lake")
    b = add_item(lib, "mountain road")
    edit = add_item(lib, "mountain lake with a boat", parent_item_id=a)
    lib.set_favourite(b)
    lib.add_to_collection([a, edit], "Lakes")
    assert lib.search(favourites=True) == [b]
    assert lib.search("mountain", collection="Lakes") == [edit, a]
    assert lib.search(edits_only=True) == [edit]
    assert lib.collections() == ["Lakes"]
    # Listed once each, in a case-blind order; a collection whose items are all in the trash
    # is not offered.
    lib.add_to_collection([b], "ideas")
    other = add_item(lib, "only in the trash")
    lib.add_to_collection([other], "Binned")
    lib.delete_items([other])
    assert lib.collections() == ["ideas", "Lakes"]
    later = time.time() + 10
    assert lib.search(since=later) == []
    assert set(lib.search(until=later)) == {a, b, edit}
    assert lib.item(b).favourite and lib.item(a).collections == ["Lakes"]


def test_delete_undo_and_purge(lib: Library) -> None:
    a = add_item(lib, "keep me")
    b = add_item(lib, "delete me")
    path = lib.item(b).path
    lib.delete_items([b])
    assert lib.search() == [a] and path.exists()  # hidden at once, file kept for undo
    assert lib.search("delete") == [] and lib.count("me") == 1
    lib.undelete_items([b])
    assert lib.search() == [b, a] and lib.search("delete") == [b]
    lib.delete_items([b])
    assert lib.purge_deleted(older_than=0) == 1
    assert not path.exists() and lib.search() == [a]


def test_lineage(lib: Library) -> None:
    root = add_item(lib, "a house")
    child = add_item(lib, "a house with a red door", parent_item_id=root)
    grandchild = add_item(lib, "a house with a red door and snow", parent_item_id=child)
    sibling = add_item(lib, "a house at night", parent_item_id=root)
    assert lib.lineage(grandchild) == ([root, child], [])
    assert lib.lineage(root) == ([], [child, sibling, grandchild])
    assert lib.item(child).parent_id == root


def test_matches_agrees_with_search(lib: Library) -> None:
    a = add_item(lib, "mountain lake at dawn")
    b = add_item(lib, "city street", parent_item_id=a)
    lib.set_favourite(a)
    lib.add_to_collection(b, "Streets")
    cases: list[dict[str, Any]] = [
        {"text": "lake"},
        {"text": "street"},
        {"text": "猫"},
        {"favourites": True},
        {"collection": "Streets"},
        {"edits_only": True},
        {"text": "city", "edits_only": True},
        {},
    ]
    for kw in cases:
        listed = set(lib.search(**kw))
        for item_id in (a, b):
            assert lib.matches(item_id, **kw) == (item_id in listed), (kw, item_id)
    lib.delete_items([a])
    assert not lib.matches(a) and not lib.matches(a, "lake")
