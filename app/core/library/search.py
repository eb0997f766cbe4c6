"""Turning what a person types into the search box and the filter settings into SQL."""

from __future__ import annotations

import re
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)
# CJK has no spaces: FTS5's unicode61 tokenizer would see a whole sentence as one token, so
# text with CJK characters is matched as a substring instead.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def fts_query(text: str) -> str | None:
    """Every word must appear (as a word prefix): `red ca` finds 'a red cat'. None: no words."""
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def build_filter(
    text: str,
    favourites: bool,
    collection: str | None,
    edits_only: bool,
    since: float | None,
    until: float | None,
) -> tuple[str, list[Any], str]:
    """(WHERE clause, its arguments, extra JOIN) over `items`, live items only."""
    where = ["items.deleted_at IS NULL"]
    args: list[Any] = []
    join = ""
    text = text.strip()
    if text:
        if _CJK.search(text):
            for term in text.split():
                where.append(
                    "(items.prompt LIKE ? ESCAPE '\\' OR coalesce(items.revised_prompt, '') LIKE ? ESCAPE '\\')"
                )
                pattern = f"%{_like_escape(term)}%"
                args += [pattern, pattern]
        else:
            q = fts_query(text)
            if q is not None:
                join = "JOIN items_fts ON items_fts.rowid = items.id"
                where.append("items_fts MATCH ?")
                args.append(q)
    if favourites:
        where.append("items.favourite = 1")
    if collection is not None:
        where.append("items.collection = ?")
        args.append(collection)
    if edits_only:
        where.append("(items.parent_id IS NOT NULL OR items.source_paths IS NOT NULL)")
    if since is not None:
        where.append("items.created_at >= ?")
        args.append(since)
    if until is not None:
        where.append("items.created_at < ?")
        args.append(until)
    return " AND ".join(where), args, join
