"""The spend view: tokens and cost per day and month, prices, the monthly budget."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QTableWidget

from app.core.library import Library, spend
from app.ui.spend import SpendDialog, SpendPanel, budget_warning
from tests.core.library.helpers import add_item


@pytest.fixture
def lib(data_dir: Path) -> Iterator[Library]:
    library = Library.open(data_dir)
    yield library
    library.close()


def test_spend_panel_shows_tokens_and_cost(qtbot, lib: Library) -> None:
    add_item(lib, "one")  # 50 text input + 4160 output tokens each
    add_item(lib, "two")
    spend.set_prices(lib, spend.Prices(text_input=5, image_input=10, output=40, currency="EUR"))
    panel = SpendPanel(lib)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.show()
    months = panel.findChild(QTableWidget, "spendMonths")
    days = panel.findChild(QTableWidget, "spendDays")
    assert months.rowCount() == 1 and days.rowCount() == 1
    assert months.item(0, 0).text() == datetime.now().strftime("%Y-%m")
    assert months.item(0, 1).text() == "2" and months.item(0, 3).text() == "8,320"
    expected = (100 * 5 + 8320 * 40) / 1e6
    assert months.item(0, 4).text() == f"{expected:,.2f} EUR"
    assert "8,420 tokens" in panel.findChild(QLabel, "spendSummary").text()
    panel.shutdown()


def test_setting_prices_and_budget_warns_before_crossing_it(qtbot, lib: Library) -> None:
    add_item(lib, "paid")
    panel = SpendPanel(lib)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: bool(panel.data), timeout=5000)
    assert budget_warning(lib, "1024x1024", "high") is None  # no budget yet
    panel.findChild(QDoubleSpinBox, "priceOutput").setValue(40)
    panel.findChild(QDoubleSpinBox, "monthlyBudget").setValue(0.25)
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.save_button.click()
    assert spend.get_monthly_budget(lib) == 0.25 and spend.get_prices(lib).output == 40
    assert "of your monthly budget" in panel.summary.text()
    assert budget_warning(lib, "1024x1024", "low") is None  # 272 tokens: still within
    warning = budget_warning(lib, "1024x1024", "high")
    assert warning is not None and "budget" in warning
    panel.shutdown()


def test_figures_that_cannot_be_read_are_a_sentence(
    qtbot, lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    def locked(library: Library) -> list:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(spend, "by_month", locked)
    panel = SpendPanel(lib)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: bool(panel.data), timeout=5000)
    assert panel.data == {"error": "database is locked"}
    assert panel.summary.text() == "Could not read the spend figures: database is locked"
    panel.shutdown()


def test_a_given_background_is_left_to_its_owner(qtbot, lib: Library) -> None:
    from app.services.background import Background

    background = Background(max_threads=1)
    try:
        add_item(lib, "counted")
        dialog = SpendDialog(lib, background=background)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.panel.loaded, timeout=5000):
            dialog.open()
        assert dialog.panel.months.item(0, 1).text() == "1"
        dialog.done(0)  # shuts the panel down
        done: list[int] = []
        background.submit(lambda: 1, on_done=done.append)  # still running work for others
        qtbot.waitUntil(lambda: done == [1], timeout=5000)
    finally:
        background.shutdown()
