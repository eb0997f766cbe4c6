"""Prompt history, saved prompts, their file and the export format (no Qt)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core import sentences
from app.core.prompts import (
    Prompt,
    PromptFileError,
    PromptHistory,
    PromptStore,
    Recall,
    SavedPrompts,
    export_bytes,
    parse_export,
    read_export,
)


def test_history_is_newest_first_deduplicated_and_capped() -> None:
    history = PromptHistory(cap=3)
    for i, text in enumerate(["a cat", "a dog", "a cat", "a fox", "an owl"]):
        history.record(text, {"size": str(i)}, when=float(i))
    assert [e.text for e in history.entries()] == ["an owl", "a fox", "a cat"]
    # The repeated prompt moved up with its newer settings and time.
    assert history[2].settings == {"size": "2"} and history[2].time == 2.0
    assert history.record("   ", {}) is None and len(history) == 3


def test_history_search_is_a_case_insensitive_substring() -> None:
    history = PromptHistory()
    for text in ["A Lighthouse at dusk", "a red fox", "LIGHTS over a city"]:
        history.record(text, {})
    assert [e.text for e in history.search("light")] == [
        "LIGHTS over a city",
        "A Lighthouse at dusk",
    ]
    assert len(history.search("  ")) == 3
    assert history.search("zebra") == []


def test_saved_prompts_save_rename_remove_keep_the_order() -> None:
    saved = SavedPrompts()
    saved.save("one", "first", {"quality": "high"})
    saved.save("two", "second", {})
    saved.save("three", "third", {})
    saved.rename("two", "deux")
    assert saved.names() == ["one", "deux", "three"]
    with pytest.raises(ValueError):
        saved.rename("one", "three")
    with pytest.raises(ValueError):
        saved.rename("one", "  ")
    saved.remove("one")
    assert saved.names() == ["deux", "three"]
    # Saving under a taken name replaces it (the window asks first).
    saved.save("deux", "second again", {})
    assert saved.get("deux").text == "second again"  # type: ignore[union-attr]


def test_import_merges_renaming_clashes_and_skipping_exact_copies() -> None:
    saved = SavedPrompts()
    saved.save("cat", "a cat", {"size": "auto"}, when=1.0)
    saved.save("cat (2)", "another cat", {}, when=1.0)
    incoming = parse_export(
        export_bytes(
            [
                Prompt("a cat", {"size": "auto"}, 5.0, "cat"),  # the same: skipped
                Prompt("a black cat", {}, 5.0, "cat"),  # clash: cat (3)
                Prompt("a dog", {"quality": "low"}, 5.0, "dog"),
            ]
        ),
        "x.json",
    )
    assert saved.merge(incoming) == ["cat (3)", "dog"]
    assert saved.get("cat (3)").text == "a black cat"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"\x89PNG not json", "not_json"),
        (b'{"hello": 1}', "not_prompts"),
        (b'{"format": "something-else", "prompts": []}', "not_prompts"),
        (b'{"prompts": [{"name": "a", "prompt": "ok"}, {"name": "b"}]}', "bad_entry"),
        (b'[{"name": "", "prompt": "no name"}]', "bad_entry"),
        (b'[{"name": "a", "prompt": "x", "settings": {"nested": {"no": 1}}}]', "bad_entry"),
    ],
)
def test_a_bad_export_file_is_refused_whole_with_one_sentence(raw: bytes, kind: str) -> None:
    with pytest.raises(PromptFileError) as caught:
        parse_export(raw, "prompts.json")
    assert caught.value.kind == kind
    sentence = sentences.prompt_file_sentence(caught.value)
    assert "“prompts.json”" in sentence and "no prompts were imported" in sentence
    assert sentence.count(".") >= 1 and "%" not in sentence


def test_a_bare_list_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps([{"name": "n", "prompt": "p"}]), encoding="utf-8")
    assert [(p.name, p.text, p.settings) for p in read_export(path)] == [("n", "p", {})]
    with pytest.raises(PromptFileError) as caught:
        read_export(tmp_path / "missing.json")
    assert caught.value.kind == "unreadable"


def test_the_store_round_trips_and_a_damaged_file_starts_empty(tmp_path: Path, caplog) -> None:
    path = tmp_path / "prompts.json"
    store = PromptStore(path)
    store.history.record("a cat", {"size": "auto"}, when=3.0)
    store.saved.save("fav", "a dog", {"quality": "high"}, when=4.0)
    store.write(store.snapshot(), 1)
    store.write(([], []), 0)  # an older write arriving late is dropped
    again = PromptStore.load(path)
    assert again.history.entries() == store.history.entries()
    assert again.saved.entries() == store.saved.entries()

    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level("WARNING"):
        empty = PromptStore.load(path)
    assert len(empty.history) == 0 and len(empty.saved) == 0
    assert "damaged" in caplog.text
    assert (tmp_path / "prompts.json.damaged").read_text(encoding="utf-8") == "{not json"


def test_recall_steps_back_and_returns_to_the_draft() -> None:
    history = PromptHistory()
    for text in ["oldest", "middle", "newest"]:
        history.record(text, {})
    recall = Recall()
    assert recall.newer(history, "my draft") is None
    assert recall.older(history, "my draft") == "newest"
    assert recall.older(history, "newest") == "middle"
    assert recall.older(history, "middle") == "oldest"
    assert recall.older(history, "oldest") is None  # nothing older: stays
    assert recall.newer(history, "oldest") == "middle"
    assert recall.newer(history, "middle") == "newest"
    assert recall.newer(history, "newest") == "my draft"
    assert recall.newer(history, "my draft") is None
    # Editing a recalled prompt makes it the draft to come back to.
    assert recall.older(history, "my draft") == "newest"
    assert recall.older(history, "newest, edited") == "newest"
    assert recall.newer(history, "newest") == "newest, edited"


def test_recall_skips_the_prompt_still_in_the_box() -> None:
    history = PromptHistory()
    for text in ["before", "just sent"]:
        history.record(text, {})
    recall = Recall()
    assert recall.older(history, "just sent") == "before"
    assert recall.newer(history, "before") == "just sent"


def test_what_was_done_while_the_file_was_read_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "prompts.json"
    on_disk = PromptStore(path)
    on_disk.history.record("old", {}, when=1.0)
    on_disk.saved.save("kept", "k", {}, when=1.0)
    on_disk.write(on_disk.snapshot(), 1)
    meanwhile = PromptStore(path)
    meanwhile.history.record("new", {}, when=2.0)
    meanwhile.saved.save("kept", "another", {}, when=2.0)
    loaded = PromptStore.load(path)
    loaded.adopt(meanwhile)
    assert [e.text for e in loaded.history.entries()] == ["new", "old"]
    assert loaded.saved.names() == ["kept", "kept (2)"]
