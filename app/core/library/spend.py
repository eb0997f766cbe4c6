"""Tokens per day and month, the estimated cost from the user's prices, the monthly budget.

Prices and the budget live in the library's `meta` table, so the GUI and the command line
see the same figures.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol


class Library(Protocol):
    """What spend needs of a library (app.core.library.Library is one; it calls us, so we
    name its methods instead of importing it)."""

    def meta_get(self, key: str) -> str | None: ...

    def meta_set(self, key: str, value: str | None) -> None: ...

    def usage_totals(
        self, fmt: str, since: float | None = None, until: float | None = None
    ) -> list[tuple[str, int, int, int, int, int]]: ...


PRICES_KEY = "spend.prices"
BUDGET_KEY = "spend.monthly_budget"

# Output tokens per image for OpenAI's GPT Image models (published table for gpt-image-1;
# gpt-image-2 is assumed alike): used only to warn before a job, never to bill.
_OUTPUT_TOKENS = {
    ("low", "square"): 272,
    ("low", "wide"): 408,
    ("medium", "square"): 1056,
    ("medium", "wide"): 1584,
    ("high", "square"): 4160,
    ("high", "wide"): 6240,
}


@dataclass
class Prices:
    """Currency per 1,000,000 tokens. Defaults: OpenAI's published gpt-image-1 prices (USD)."""

    text_input: float = 5.0
    image_input: float = 10.0
    output: float = 40.0
    currency: str = "USD"

    def cost(self, text_input: int, image_input: int, output: int) -> float:
        return (
            text_input * self.text_input + image_input * self.image_input + output * self.output
        ) / 1e6


def result_cost(
    prices: Prices, input_tokens: int, output_tokens: int, text_input: int, image_input: int
) -> float:
    """What one result cost at `prices`, counted as the totals count it (usage.totals): a
    server that reports no text/image breakdown counts as all text."""
    if text_input + image_input == 0:
        text_input = input_tokens
    return prices.cost(text_input, image_input, output_tokens)


def money(amount: float, currency: str, digits: int = 2) -> str:
    return f"{amount:,.{digits}f} {currency}"


@dataclass
class Period:
    label: str  # "2026-11-21" or "2026-11"
    input_tokens: int = 0
    text_input_tokens: int = 0
    image_input_tokens: int = 0
    output_tokens: int = 0
    images: int = 0
    cost: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def get_prices(lib: Library) -> Prices:
    raw = lib.meta_get(PRICES_KEY)
    if not raw:
        return Prices()
    try:
        data = json.loads(raw)
        return Prices(**{k: v for k, v in data.items() if k in Prices.__dataclass_fields__})
    except (ValueError, TypeError):
        return Prices()


def set_prices(lib: Library, prices: Prices) -> None:
    lib.meta_set(PRICES_KEY, json.dumps(asdict(prices)))


def get_monthly_budget(lib: Library) -> float | None:
    raw = lib.meta_get(BUDGET_KEY)
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def set_monthly_budget(lib: Library, budget: float | None) -> None:
    lib.meta_set(BUDGET_KEY, None if budget is None or budget <= 0 else repr(float(budget)))


def _periods(lib: Library, fmt: str, since: float | None, until: float | None) -> list[Period]:
    prices = get_prices(lib)
    out = []
    # Summed in SQLite: a year of heavy use is 100,000 rows, too many to add up in Python on
    # the GUI thread. A server that reports no text/image breakdown counts as all text.
    for label, n, inp, outp, text, image in lib.usage_totals(fmt, since, until):
        p = Period(
            label,
            input_tokens=inp,
            text_input_tokens=text,
            image_input_tokens=image,
            output_tokens=outp,
            images=n,
        )
        p.cost = prices.cost(text, image, outp)
        out.append(p)
    return out


def by_day(lib: Library, since: float | None = None, until: float | None = None) -> list[Period]:
    return _periods(lib, "%Y-%m-%d", since, until)


def by_month(lib: Library, since: float | None = None, until: float | None = None) -> list[Period]:
    return _periods(lib, "%Y-%m", since, until)


def month_start(now: float | None = None) -> float:
    d = datetime.fromtimestamp(time.time() if now is None else now)
    return d.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()


def this_month(lib: Library, now: float | None = None) -> Period:
    months = by_month(lib, since=month_start(now))
    return (
        months[-1]
        if months
        else Period(datetime.fromtimestamp(time.time() if now is None else now).strftime("%Y-%m"))
    )


def estimate_output_tokens(size: str, quality: str) -> int:
    """A job's likely output tokens, for the budget warning (the dearest case when unknown)."""
    q = quality if quality in ("low", "medium", "high") else "high"
    shape = "square" if size in ("1024x1024",) else "wide"
    if "x" in size and size not in ("1024x1536", "1536x1024", "1024x1024"):
        try:
            w, h = (int(v) for v in size.split("x"))
            return int(_OUTPUT_TOKENS[(q, "square")] * (w * h) / (1024 * 1024))
        except ValueError:
            pass
    return _OUTPUT_TOKENS[(q, shape)]


def would_exceed_budget(lib: Library, estimated_tokens: int, now: float | None = None) -> bool:
    """True when a job of `estimated_tokens` output tokens would take this month past the budget."""
    budget = get_monthly_budget(lib)
    if budget is None:
        return False
    spent = this_month(lib, now).cost
    return spent + get_prices(lib).cost(0, 0, estimated_tokens) > budget
