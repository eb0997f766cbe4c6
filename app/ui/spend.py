"""Spend: tokens per day and per month, the estimated cost from the user's prices, and an
optional monthly budget that warns before a job would cross it."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Library, spend
from app.services.background import Background

DAYS_SHOWN = 31


def load_figures(library: Library) -> dict[str, Any]:
    """Runs on a worker: summing a year of usage takes ~100 ms at 100,000 results."""
    since = time.time() - DAYS_SHOWN * 86400
    return {
        "months": spend.by_month(library),
        "days": spend.by_day(library, since=since),
        "month": spend.this_month(library),
        "prices": spend.get_prices(library),
        "budget": spend.get_monthly_budget(library),
    }


money = spend.money  # one way to write an amount


class SpendPanel(QWidget):
    loaded = Signal()
    changed = Signal()  # prices or budget saved

    def __init__(
        self,
        library: Library,
        parent: QWidget | None = None,
        *,
        background: Background | None = None,
    ):
        """`background`: where the figures are summed; its owner shuts it down. By default
        the panel makes its own, which shutdown() drains."""
        super().__init__(parent)
        self.setObjectName("spendPanel")
        self.library = library
        self._own_background = background is None
        self.background = background or Background(1, self)
        self.data: dict[str, Any] = {}

        self.summary = QLabel()
        self.summary.setObjectName("spendSummary")
        self.summary.setWordWrap(True)
        self.months = self._table("spendMonths", [self.tr("Month")])
        self.days = self._table("spendDays", [self.tr("Day")])

        self.text_price = self._price("priceTextInput")
        self.image_price = self._price("priceImageInput")
        self.output_price = self._price("priceOutput")
        self.currency = QLineEdit()
        self.currency.setObjectName("priceCurrency")
        self.currency.setMaxLength(8)
        self.currency.setMaximumWidth(180)
        self.budget = QDoubleSpinBox()
        self.budget.setObjectName("monthlyBudget")
        self.budget.setRange(0, 1_000_000)
        self.budget.setDecimals(2)
        self.budget.setSpecialValueText(self.tr("No budget"))
        self.budget.setMaximumWidth(180)
        self.save_button = QPushButton(self.tr("Save prices and budget"))
        self.save_button.setObjectName("spendSave")
        self.save_button.clicked.connect(self.save)

        prices = QGroupBox(
            self.tr("Prices per 1,000,000 tokens (for the estimate; the service bills you)")
        )
        form = QFormLayout(prices)
        form.addRow(self.tr("Text input"), self.text_price)
        form.addRow(self.tr("Image input"), self.image_price)
        form.addRow(self.tr("Output"), self.output_price)
        form.addRow(self.tr("Currency"), self.currency)
        form.addRow(self.tr("Monthly budget"), self.budget)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        form.addRow(row)

        # One table at a time, each with the dialog's whole width: side by side, their five
        # columns needed a sideways scroll bar on any but a wide screen.
        tables = QTabWidget()
        tables.setObjectName("spendTables")
        tables.setDocumentMode(True)
        tables.addTab(self.months, self.tr("By month"))
        tables.addTab(self.days, self.tr("Last %n day(s)", "", DAYS_SHOWN))

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(tables, 1)
        layout.addWidget(prices)
        self.refresh()

    def _table(self, name: str, first: list[str]) -> QTableWidget:
        t = QTableWidget(0, 5)
        t.setObjectName(name)
        t.setHorizontalHeaderLabels(
            [
                *first,
                self.tr("Images"),
                self.tr("Input tokens"),
                self.tr("Output tokens"),
                self.tr("Estimated cost"),
            ]
        )
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setStretchLastSection(True)
        return t

    def _price(self, name: str) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setObjectName(name)
        s.setRange(0, 100_000)
        s.setDecimals(3)
        s.setMaximumWidth(180)
        return s

    @Slot()
    def refresh(self) -> None:
        self.background.submit(
            load_figures, self.library, on_done=self.on_loaded, on_error=self.on_load_failed
        )

    def on_load_failed(self, error: BaseException) -> None:
        # A sentence in the panel, never a traceback.
        self.on_loaded({"error": str(error) or type(error).__name__})

    def on_loaded(self, data: dict[str, Any]) -> None:
        self.data = data
        if "error" in data:
            self.summary.setText(
                self.tr("Could not read the spend figures: %1").replace("%1", data["error"])
            )
            self.loaded.emit()
            return
        prices: spend.Prices = data["prices"]
        for spin, value in (
            (self.text_price, prices.text_input),
            (self.image_price, prices.image_input),
            (self.output_price, prices.output),
        ):
            spin.setValue(value)
        self.currency.setText(prices.currency)
        self.budget.setValue(data["budget"] or 0.0)
        self._fill(self.months, list(reversed(data["months"])), prices.currency)
        self._fill(self.days, list(reversed(data["days"])), prices.currency)
        month: spend.Period = data["month"]
        text = (
            self.tr("This month: %1 tokens from %n image(s), about %2.", "", month.images)
            .replace("%1", f"{month.total_tokens:,}")
            .replace("%2", money(month.cost, prices.currency))
        )
        budget = data["budget"]
        if budget:
            share = month.cost / budget * 100
            text += " " + self.tr("That is %1 % of your monthly budget of %2.").replace(
                "%1", f"{share:.0f}"
            ).replace("%2", money(budget, prices.currency))
        self.summary.setText(text)
        self.loaded.emit()

    def _fill(self, table: QTableWidget, periods: list[spend.Period], currency: str) -> None:
        table.setRowCount(len(periods))
        for r, p in enumerate(periods):
            cells = [
                p.label,
                f"{p.images:,}",
                f"{p.input_tokens:,}",
                f"{p.output_tokens:,}",
                money(p.cost, currency),
            ]
            split = (
                self.tr("%1 text, %2 image")
                .replace("%1", f"{p.text_input_tokens:,}")
                .replace("%2", f"{p.image_input_tokens:,}")
            )
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if c == 2:
                    item.setToolTip(split)  # the input split, without widening the table
                table.setItem(r, c, item)

    @Slot()
    def save(self) -> None:
        spend.set_prices(
            self.library,
            spend.Prices(
                text_input=self.text_price.value(),
                image_input=self.image_price.value(),
                output=self.output_price.value(),
                currency=self.currency.text().strip() or "USD",
            ),
        )
        spend.set_monthly_budget(self.library, self.budget.value() or None)
        self.changed.emit()
        self.refresh()

    def shutdown(self) -> None:
        # A given background is its owner's to drain; a result for a deleted panel is dropped.
        if self._own_background:
            self.background.shutdown(wait_ms=-1)


class SpendDialog(QDialog):
    def __init__(
        self,
        library: Library,
        parent: QWidget | None = None,
        *,
        background: Background | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("spendDialog")
        self.setWindowTitle(self.tr("Spend"))
        self.panel = SpendPanel(library, self, background=background)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def done(self, result: int) -> None:
        self.panel.shutdown()
        super().done(result)


def budget_warning(library: Library, size: str, quality: str) -> str | None:
    """The sentence to show when a job of this size and quality may take this month past the
    budget, or None when it may go ahead without asking."""
    estimate = spend.estimate_output_tokens(size, quality)
    if not library.would_exceed_budget(estimate):
        return None
    prices = spend.get_prices(library)
    budget = spend.get_monthly_budget(library) or 0.0
    month = spend.this_month(library)
    return (
        QCoreApplication.translate(
            "SpendPanel",
            "This image may take this month's spend past your budget: about %1 so far, this one "
            "about %2 more, budget %3. Send it anyway?",
        )
        .replace("%1", money(month.cost, prices.currency))
        .replace("%2", money(prices.cost(0, 0, estimate), prices.currency))
        .replace("%3", money(budget, prices.currency))
    )


def confirm_budget(parent: QWidget, library: Library, size: str, quality: str) -> bool:
    """Ask before a job that may cross the monthly budget; True means send it."""
    text = budget_warning(library, size, quality)
    if text is None:
        return True
    answer = QMessageBox.question(
        parent,
        # A fixed context: `parent.tr` would be filed by lupdate under a class named "parent".
        QCoreApplication.translate("SpendPanel", "Monthly budget"),
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
