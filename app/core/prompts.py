"""Prompt history and saved prompts, in plain Python (the window's model is
app.services.prompt_store).

The history holds every prompt sent with its settings and when, most recent first: sending a
prompt already there moves it to the top with the new settings, and it keeps the newest
HISTORY_CAP. Saved prompts are named: a name maps to a prompt and its settings. Both live in
one JSON file in the data folder (prompts.json), written atomically with the library's one
helper; a damaged file is set aside and both start empty (logged as a warning: the user loses
a convenience, not work).

Saved prompts export to and import from a JSON file of their own. An import is validated whole
before anything changes (PromptFileError says why, app.core.sentences words it), and merges:
a name already taken gets " (2)", " (3)"... unless the prompt and settings are the same, in
which case it is skipped.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.api.models import MAX_PROMPT_CHARS
from app.core.library.files import write_atomic

log = logging.getLogger(__name__)

FILE_NAME = "prompts.json"
EXPORT_FORMAT = "mountsea-prompts"
VERSION = 1
HISTORY_CAP = 1000
MAX_NAME_CHARS = 200
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # a file of prompts is text: anything larger is not one

Settings = dict[str, Any]
_SCALARS = (str, int, float, bool, type(None))


class PromptFileError(Exception):
    """An export file that cannot be imported. `kind` picks the sentence, `detail` fills it."""

    def __init__(self, kind: str, name: str, detail: str = "", reason: str = "") -> None:
        super().__init__(f"{name}: {kind} {detail} {reason}".strip())
        self.kind = kind  # unreadable | not_json | not_prompts | bad_entry | too_large
        self.name = name
        self.detail = detail


@dataclass(frozen=True)
class Prompt:
    text: str
    settings: Settings = field(default_factory=dict)
    time: float = 0.0  # when it was sent (history) or saved (saved prompts), epoch seconds
    name: str = ""  # saved prompts only

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"prompt": self.text, "settings": self.settings, "time": self.time}
        if self.name:
            data["name"] = self.name
        return data

    def matches(self, needle: str) -> bool:
        """Case-insensitive substring of the text or the name; `needle` already casefolded."""
        return needle in self.text.casefold() or needle in self.name.casefold()


def _clean_settings(value: Any) -> Settings | None:
    """The settings as a flat dict of JSON scalars, or None when they are not that."""
    if not isinstance(value, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, _SCALARS) for k, v in value.items()):
        return None
    return dict(value)


def _entry(raw: Any, *, named: bool) -> Prompt | str:
    """A Prompt from its JSON form, or why it is not one (English, for the detail)."""
    if not isinstance(raw, dict):
        return "not an object"
    text = raw.get("prompt")
    if not isinstance(text, str) or not text.strip():
        return "no prompt text"
    if len(text) > MAX_PROMPT_CHARS:
        return "prompt too long"
    settings = _clean_settings(raw.get("settings", {}))
    if settings is None:
        return "settings are not simple values"
    when = raw.get("time", 0.0)
    if isinstance(when, bool) or not isinstance(when, int | float):
        when = 0.0
    name = raw.get("name", "")
    if named:
        if not isinstance(name, str) or not name.strip():
            return "no name"
        name = name.strip()[:MAX_NAME_CHARS]
    else:
        name = ""
    return Prompt(text, settings, float(when), name)


def search(prompts: Iterable[Prompt], query: str) -> list[Prompt]:
    needle = query.strip().casefold()
    return [p for p in prompts if not needle or p.matches(needle)]


class PromptHistory:
    """Most recent first; one entry per distinct text."""

    def __init__(self, entries: Iterable[Prompt] = (), cap: int = HISTORY_CAP) -> None:
        self.cap = cap
        self._entries: list[Prompt] = []
        seen: set[str] = set()
        for entry in entries:
            if entry.text not in seen:
                seen.add(entry.text)
                self._entries.append(entry)
        del self._entries[cap:]

    def entries(self) -> list[Prompt]:
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> Prompt:
        return self._entries[index]

    def record(self, text: str, settings: Settings, when: float | None = None) -> Prompt | None:
        """Remember a prompt sent; None (nothing changes) for an empty one."""
        if not text.strip():
            return None
        entry = Prompt(text, dict(settings), time.time() if when is None else when)
        self._entries = [entry, *(e for e in self._entries if e.text != text)][: self.cap]
        return entry

    def remove(self, text: str) -> None:
        self._entries = [e for e in self._entries if e.text != text]

    def clear(self) -> None:
        self._entries.clear()

    def search(self, query: str) -> list[Prompt]:
        return search(self._entries, query)


class SavedPrompts:
    """Name -> prompt and settings, in the order saved (the newest last)."""

    def __init__(self, entries: Iterable[Prompt] = ()) -> None:
        self._by_name: dict[str, Prompt] = {}
        for entry in entries:
            if entry.name and entry.name not in self._by_name:
                self._by_name[entry.name] = entry

    def entries(self) -> list[Prompt]:
        return list(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)

    def get(self, name: str) -> Prompt | None:
        return self._by_name.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __len__(self) -> int:
        return len(self._by_name)

    def save(self, name: str, text: str, settings: Settings, when: float | None = None) -> Prompt:
        """Save under `name`, replacing a prompt of that name (the caller asks first)."""
        name = name.strip()[:MAX_NAME_CHARS]
        if not name:
            raise ValueError("a saved prompt needs a name")
        if not text.strip():
            raise ValueError("a saved prompt needs a prompt")
        entry = Prompt(text, dict(settings), time.time() if when is None else when, name)
        self._by_name.pop(name, None)
        self._by_name[name] = entry
        return entry

    def rename(self, old: str, new: str) -> Prompt:
        """KeyError when `old` is not saved, ValueError when `new` is empty or taken."""
        new = new.strip()[:MAX_NAME_CHARS]
        entry = self._by_name[old]
        if not new:
            raise ValueError("a saved prompt needs a name")
        if new == old:
            return entry
        if new in self._by_name:
            raise ValueError(f"the name {new!r} is taken")
        # Keep the place in the order: rebuild the dict with the one key changed.
        renamed = Prompt(entry.text, entry.settings, entry.time, new)
        self._by_name = {
            (new if k == old else k): (renamed if k == old else v) for k, v in self._by_name.items()
        }
        return renamed

    def remove(self, name: str) -> None:
        self._by_name.pop(name, None)

    def free_name(self, name: str) -> str:
        """`name`, or `name (2)`, `name (3)`... whichever is not taken."""
        if name not in self._by_name:
            return name
        n = 2
        while f"{name} ({n})" in self._by_name:
            n += 1
        return f"{name} ({n})"

    def merge(self, entries: Iterable[Prompt]) -> list[str]:
        """Add imported prompts; the names they were saved under (clashes renamed, exact
        duplicates skipped)."""
        added = []
        for entry in entries:
            same = self._by_name.get(entry.name)
            if same is not None and same.text == entry.text and same.settings == entry.settings:
                continue
            name = self.free_name(entry.name)
            self._by_name[name] = Prompt(entry.text, entry.settings, entry.time, name)
            added.append(name)
        return added


def export_bytes(entries: Iterable[Prompt]) -> bytes:
    data = {
        "format": EXPORT_FORMAT,
        "version": VERSION,
        "prompts": [e.as_json() for e in entries],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def parse_export(raw: bytes, name: str) -> list[Prompt]:
    """The saved prompts in an export file's bytes; PromptFileError when it is not one."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PromptFileError("not_json", name, str(exc)) from None
    # A bare list of prompts is accepted too: hand-written files rarely carry the header.
    items = data.get("prompts") if isinstance(data, dict) else data
    if not isinstance(items, list) or (
        isinstance(data, dict) and data.get("format") not in (None, EXPORT_FORMAT)
    ):
        raise PromptFileError("not_prompts", name)
    out = []
    for number, raw_entry in enumerate(items, 1):
        entry = _entry(raw_entry, named=True)
        if isinstance(entry, str):
            raise PromptFileError("bad_entry", name, str(number), entry)
        out.append(entry)
    return out


def read_export(path: Path) -> list[Prompt]:
    name = path.name
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise PromptFileError("too_large", name)
        raw = path.read_bytes()
    except OSError as exc:
        raise PromptFileError("unreadable", name, str(exc.strerror or exc)) from None
    return parse_export(raw, name)


class PromptStore:
    """The history and the saved prompts, and their file. Not thread-safe except `write`,
    which may run on a worker with bytes `dump()` made on the owner's thread."""

    def __init__(
        self, path: Path, history: PromptHistory | None = None, saved: SavedPrompts | None = None
    ) -> None:
        self.path = path
        self.history = history if history is not None else PromptHistory()
        self.saved = saved if saved is not None else SavedPrompts()
        self._write_lock = threading.Lock()
        self._written = 0  # the generation last written: an older one arriving late is dropped

    @classmethod
    def load(cls, path: Path, on_warning: Callable[[str], None] | None = None) -> PromptStore:
        """The store in `path`; empty when there is none, or when it is damaged (then the
        damaged file is kept beside it as prompts.json.damaged)."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            log.warning("cannot read %s (%s): no prompt history this time", path, exc)
            return cls(path)
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            history = [_entry(e, named=False) for e in data.get("history", [])]
            saved = [_entry(e, named=True) for e in data.get("saved", [])]
        except (UnicodeDecodeError, ValueError, AttributeError, TypeError) as exc:
            log.warning("prompt file %s is damaged (%s); starting with no history", path, exc)
            try:
                os.replace(path, path.with_name(path.name + ".damaged"))
            except OSError:
                log.warning("could not set the damaged %s aside", path)
            return cls(path)
        skipped = sum(isinstance(e, str) for e in [*history, *saved])
        if skipped:
            log.warning("%d unreadable prompt(s) skipped in %s", skipped, path)
        return cls(
            path,
            PromptHistory(e for e in history if isinstance(e, Prompt)),
            SavedPrompts(e for e in saved if isinstance(e, Prompt)),
        )

    def snapshot(self) -> tuple[list[Prompt], list[Prompt]]:
        """The lists as they are now (cheap: the prompts themselves are never changed), for
        `write` to serialise on a worker."""
        return self.history.entries(), self.saved.entries()

    def adopt(self, earlier: PromptStore) -> None:
        """Take in what was done in `earlier`, a store used while this one was being read."""
        for entry in reversed(earlier.history.entries()):
            self.history.record(entry.text, entry.settings, entry.time)
        self.saved.merge(earlier.saved.entries())

    def write(self, snapshot: tuple[list[Prompt], list[Prompt]], generation: int) -> None:
        """Write what snapshot() returned for change number `generation` (any thread)."""
        history, saved = snapshot
        data = {
            "version": VERSION,
            "history": [e.as_json() for e in history],
            "saved": [e.as_json() for e in saved],
        }
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
        with self._write_lock:
            if generation < self._written:
                return
            # Not fsynced: losing the last prompt to a power cut costs a convenience, and
            # every Generate would otherwise wait on the disk.
            write_atomic(self.path, raw, durable=False)
            self._written = generation


class Recall:
    """Stepping through the history from the prompt box (Ctrl+Up older, Ctrl+Down newer), as
    a shell does: the unsent draft is kept when the first step leaves it, and comes back one
    step after the newest entry. Editing a recalled prompt makes it the new draft."""

    def __init__(self) -> None:
        self.index = -1  # -1: the draft is shown
        self.draft = ""
        self._shown: str | None = None  # the text this cursor put in the box

    def older(self, history: PromptHistory, current: str) -> str | None:
        """The text to show, or None when there is nothing older."""
        self._sync(current)
        if self.index + 1 >= len(history):
            return None
        step = self.index + 1
        if self.index == -1:
            self.draft = current
            # Just sent, the prompt is still in the box: the first step shows the one before.
            while step < len(history) - 1 and history[step].text == current:
                step += 1
        self.index = step
        self._shown = history[self.index].text
        return self._shown

    def newer(self, history: PromptHistory, current: str) -> str | None:
        self._sync(current)
        if self.index < 0:
            return None
        self.index = min(self.index, len(history)) - 1
        self._shown = self.draft if self.index < 0 else history[self.index].text
        return self._shown

    def _sync(self, current: str) -> None:
        # The user typed since the last step (or it is the first one): start from the top.
        if self._shown is not None and current != self._shown:
            self.index = -1
        if self.index == -1:
            self._shown = None

    def reset(self) -> None:
        self.index = -1
        self.draft = ""
        self._shown = None
