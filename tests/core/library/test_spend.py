"""Tokens per day and month, estimated cost, the monthly budget."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.core.api.models import Flavour, ImageRequest, Usage
from app.core.library import Library, spend
from tests.core.library.helpers import add_item, make_result


def test_tokens_and_cost_per_day_and_month(lib: Library) -> None:
    job = lib.begin_job(ImageRequest(prompt="edit"), Flavour.tasks, "u")
    lib.save_result(
        job,
        make_result(
            usage=Usage(
                input_tokens=300, output_tokens=1000, text_input_tokens=100, image_input_tokens=200
            )
        ),
    )
    add_item(lib, "plain")  # 50 text input, 4160 output
    spend.set_prices(lib, spend.Prices(text_input=5, image_input=10, output=40))
    (day,) = lib.spend_by_day()
    assert day.label == datetime.now().strftime("%Y-%m-%d")
    assert (day.text_input_tokens, day.image_input_tokens, day.output_tokens, day.images) == (
        150,
        200,
        5160,
        2,
    )
    assert day.cost == pytest.approx((150 * 5 + 200 * 10 + 5160 * 40) / 1e6)
    (month,) = lib.spend_by_month()
    assert month.label == datetime.now().strftime("%Y-%m") and month.cost == pytest.approx(day.cost)


def test_deleting_an_image_does_not_refund_it(lib: Library) -> None:
    item = add_item(lib, "paid for")
    lib.delete_items([item])
    lib.purge_deleted()
    assert lib.spend_by_month()[0].output_tokens == 4160


def test_monthly_budget(lib: Library) -> None:
    assert not lib.would_exceed_budget(10**9)  # no budget set
    spend.set_prices(lib, spend.Prices(output=40))
    add_item(lib, "first")  # 4160 output tokens = 0.1664 + input
    spend.set_monthly_budget(lib, 0.30)
    assert spend.get_monthly_budget(lib) == 0.30
    assert not lib.would_exceed_budget(1000)
    assert lib.would_exceed_budget(spend.estimate_output_tokens("1024x1024", "high"))
    spend.set_monthly_budget(lib, None)
    assert not lib.would_exceed_budget(10**9)


def test_estimates() -> None:
    assert spend.estimate_output_tokens("1024x1024", "low") == 272
    assert spend.estimate_output_tokens("1536x1024", "high") == 6240
    assert spend.estimate_output_tokens("auto", "auto") == 6240  # unknown: assume the dearest
