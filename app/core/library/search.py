"""Searching the gallery: what a person types into the search box and the filter settings,
turned into SQL and run.

Gallery order is the order items were added (their id), which is the order they were made;
"newest" is id descending. That lets a text search read ids straight from the FTS5 index in
order, without touching the items table: under 30 ms even when every item matches.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Literal, get_args

from app.core.library.store import Store, single_column

_WORD = re.compile(r"\w+", re.UNICODE)
# CJK has no spaces: FTS5's unicode61 tokenizer would see a whole sentence as one token, so
# text with CJK characters is matched as a substring instead.
_CJK_PATTERN = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"


@functools.cache
def _cjk() -> re.Pattern[str]:
    # Compiled on the first search, not at import: the wide ranges make a 5-6 ms compile that
    # start-up (which only lists the gallery, no text) would pay for nothing.
    return re.compile(_CJK_PATTERN)


def fts_query(text: str) -> str | None:
    """Every word must appear (as a word prefix): `red ca` finds 'a red cat'. None: no words.

    Prefixes of 2 to 10 letters have an index of their own (schema 6), so such a search reads
    only as far as its page. A prefix with no index makes FTS5 merge the lists of every word
    starting with it first, as for a one-letter word: 78 ms at 1,000,000 items for 'a' (1 ms
    as a word). One-letter words match nearly everything anyway: they are left out when
    longer words are there, and alone they match as whole words.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    longer = [w for w in words if len(w) > 1]
    if not longer:
        return " ".join(f'"{w}"' for w in words)
    return " ".join(f'"{w}"*' for w in longer)


# Demo results: shown too, left out, or only them.
DemoFilter = Literal["include", "exclude", "only"]
DEMO_FILTERS: tuple[DemoFilter, ...] = get_args(DemoFilter)


def _demo_clause(demo: str) -> str | None:
    if demo not in DEMO_FILTERS:
        raise ValueError(f"demo must be one of {DEMO_FILTERS}, not {demo!r}")
    return {"exclude": "items.demo = 0", "only": "items.demo = 1"}.get(demo)


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def build_sql(
    text: str,
    favourites: bool,
    collection: str | None,
    edits_only: bool,
    since: float | None,
    until: float | None,
    order: str = "newest",
    *,
    count: bool = False,
    only_id: int | None = None,
    demo: DemoFilter = "include",
    after: int | None = None,
) -> tuple[str, list[Any]]:
    """(SQL, arguments) selecting the ids (or their count) of the live items that match;
    with `only_id`, whether that one item matches (count 0 or 1); with `after` (newest or
    oldest order), only those that come after that id in the gallery's order."""
    direction = "ASC" if order == "oldest" else "DESC"
    past = (">" if order == "oldest" else "<") if after is not None else None
    text = text.strip()
    fts = None if not text or _cjk().search(text) else fts_query(text)
    other: list[str] = []
    args: list[Any] = []
    if text and fts is None and _cjk().search(text):
        for term in text.split():
            other.append(
                "(items.prompt LIKE ? ESCAPE '\\' OR coalesce(items.revised_prompt, '') LIKE ? ESCAPE '\\')"
            )
            pattern = f"%{_like_escape(term)}%"
            args += [pattern, pattern]
    if favourites:
        other.append("items.favourite = 1")
    if collection is not None:
        other.append(
            "items.id IN (SELECT m.item_id FROM item_collections AS m "
            "JOIN collections AS k ON k.id = m.collection_id WHERE k.name = ?)"
        )
        args.append(collection)
    if edits_only:
        other.append("(items.parent_id IS NOT NULL OR items.source_paths IS NOT NULL)")
    if since is not None:
        other.append("items.created_at >= ?")
        args.append(since)
    if until is not None:
        other.append("items.created_at < ?")
        args.append(until)
    demo_clause = _demo_clause(demo)
    if demo_clause is not None:
        other.append(demo_clause)
    what = "count(*) AS n" if count else "rowid AS id"

    if fts is not None and not other:
        # The FTS index holds live items only: no join needed.
        sql = f"SELECT {what} FROM items_fts WHERE items_fts MATCH ?"
        if only_id is not None:
            return sql + " AND rowid = ?", [fts, only_id]
        fts_args: list[Any] = [fts]
        if past is not None:
            sql += f" AND rowid {past} ?"
            fts_args.append(after)
        if not count:
            sql += " ORDER BY rank" if order == "relevance" else f" ORDER BY rowid {direction}"
        return sql, fts_args
    where: list[str] = []
    head: list[Any] = []
    if fts is not None:
        where.append("items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
        head.append(fts)
    # With a selective filter, stop the planner from walking the (unselective) live index.
    where.append("+items.deleted_at IS NULL" if (other or fts) else "items.deleted_at IS NULL")
    where += other
    what = "count(*) AS n" if count else "items.id AS id"
    if only_id is not None:
        where.append("items.id = ?")
        args = [*args, only_id]
    if past is not None:
        where.append(f"items.id {past} ?")
        args = [*args, after]
    sql = f"SELECT {what} FROM items WHERE {' AND '.join(where)}"
    if not count:
        sql += f" ORDER BY items.id {direction}"
    return sql, head + args


def ids(
    store: Store,
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
    `include` demo results, `exclude` them, or list `only` them. `after` (newest, oldest):
    the ones past that id, read from the index where it is, however deep (a next page)."""
    if after is not None and order not in ("newest", "oldest"):
        raise ValueError(f"`after` needs the newest or oldest order, not {order!r}")
    sql, args = build_sql(
        text, favourites, collection, edits_only, since, until, order, demo=demo, after=after
    )
    if limit is not None or offset:
        sql += " LIMIT ? OFFSET ?"
        args = [*args, -1 if limit is None else limit, offset]
    with store.read() as c:
        return single_column(c, sql, args)


def matches(
    store: Store,
    item_id: int,
    text: str = "",
    *,
    favourites: bool = False,
    collection: str | None = None,
    edits_only: bool = False,
    since: float | None = None,
    until: float | None = None,
    demo: DemoFilter = "include",
) -> bool:
    """Would `ids` with these settings list this item? (One indexed lookup.)"""
    sql, args = build_sql(
        text,
        favourites,
        collection,
        edits_only,
        since,
        until,
        count=True,
        only_id=item_id,
        demo=demo,
    )
    with store.read() as c:
        return bool(c.execute(sql, args).fetchone()["n"])


def count(
    store: Store,
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
    """How many live items match; `apart`: on a connection of its own (from a worker, so the
    GUI thread's reads do not wait behind a count over a million items)."""
    sql, args = build_sql(
        text, favourites, collection, edits_only, since, until, count=True, demo=demo
    )
    with store.read_apart() if apart else store.read() as c:
        return int(c.execute(sql, args).fetchone()["n"])
