"""The rows behind spend: one usage row per paid result (they outlive the pictures), and the
small `meta` table of settings shared with the command line (prices, the budget).

Results of the demo simulator are recorded too (marked `demo`) but are not money: every
figure read here leaves them out.

spend.py does the arithmetic over these.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from app.core.library.store import Store


def record(
    c: sqlite3.Connection,
    job_id: str | None,
    at: float,
    model: str | None,
    tokens: dict[str, Any],
    *,
    demo: bool = False,
) -> None:
    """Write down what a result cost; `tokens` holds input/output/text/image `..._tokens`."""
    c.execute(
        "INSERT INTO usage (job_id, at, model, input_tokens, output_tokens, "
        "text_input_tokens, image_input_tokens, demo) VALUES (?,?,?,?,?,?,?,?)",
        (
            job_id,
            at,
            model,
            int(tokens.get("input_tokens") or 0),
            int(tokens.get("output_tokens") or 0),
            int(tokens.get("text_input_tokens") or 0),
            int(tokens.get("image_input_tokens") or 0),
            int(demo),
        ),
    )


def _between(sql: str, args: list[Any], since: float | None, until: float | None) -> str:
    if since is not None:
        sql += " AND at >= ?"
        args.append(since)
    if until is not None:
        sql += " AND at < ?"
        args.append(until)
    return sql


def rows(
    store: Store, since: float | None = None, until: float | None = None
) -> list[tuple[float, int, int, int, int]]:
    """(at, input, output, text input, image input) per paid result, oldest first."""
    args: list[Any] = []
    sql = _between(
        "SELECT at, input_tokens, output_tokens, text_input_tokens, image_input_tokens "
        "FROM usage WHERE demo = 0",
        args,
        since,
        until,
    )
    with store.read() as c:
        return [
            (
                r["at"],
                r["input_tokens"],
                r["output_tokens"],
                r["text_input_tokens"],
                r["image_input_tokens"],
            )
            for r in c.execute(sql + " ORDER BY at", args)
        ]


def totals(
    store: Store, fmt: str, since: float | None = None, until: float | None = None
) -> list[tuple[str, int, int, int, int, int]]:
    """(period label, results, input, output, text input, image input) per period, where
    the label is strftime(`fmt`) of local time, oldest first. A server that reports no
    text/image breakdown counts as all text."""
    args: list[Any] = [fmt]
    sql = _between(
        "SELECT strftime(?, at, 'unixepoch', 'localtime') AS label, count(*) AS results, "
        "sum(input_tokens) AS input, sum(output_tokens) AS output, "
        "sum(CASE WHEN text_input_tokens + image_input_tokens = 0 THEN input_tokens "
        "ELSE text_input_tokens END) AS text_input, "
        "sum(CASE WHEN text_input_tokens + image_input_tokens = 0 THEN 0 "
        "ELSE image_input_tokens END) AS image_input "
        "FROM usage WHERE demo = 0",
        args,
        since,
        until,
    )
    with store.read() as c:
        return [
            (
                r["label"],
                r["results"],
                r["input"],
                r["output"],
                r["text_input"],
                r["image_input"],
            )
            for r in c.execute(sql + " GROUP BY label ORDER BY label", args)
        ]


def meta_get(store: Store, key: str) -> str | None:
    with store.read() as c:
        row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row["value"] if row else None


def meta_set(store: Store, key: str, value: str | None) -> None:
    with store.write() as c:
        if value is None:
            c.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
