"""The gallery's details pane: every recorded field of the selected item, and its edit lineage.

Every value can be selected and copied. Short values are labels that wrap at words; values
that may be long or have no spaces (prompts, paths, addresses, ids, the server's answer) are
read-only text boxes that wrap at words and, inside a word too long for the line, anywhere,
and grow to show every line: nothing is cut at the pane's edge.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import QSizeF, Qt, Signal, Slot
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Item, Library, spend
from app.core.redact import redact
from app.ui import words

# Every row the pane may show, in the order it shows them.
RANK = {
    key: i
    for i, key in enumerate(
        [
            "prompt",
            "revised_prompt",
            "size",
            "dimensions",
            "quality",
            "background",
            "format",
            "compression",
            "moderation",
            "input_fidelity",
            "user",
            "model",
            "flavour",
            "endpoint",
            "tokens",
            "cost",
            "created",
            "task_id",
            "job_id",
            "favourite",
            "collections",
            "cancelled",
            "file",
            "file_size",
            "raw",
            "sources",
            "answer",
        ]
    )
}
SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


class TextBox(QTextEdit):
    """A read-only value that wraps (at words, else anywhere) and is as tall as its lines."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setTextInteractionFlags(SELECTABLE)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(1)
        self.setPlainText(text)
        self.document().documentLayout().documentSizeChanged.connect(self.on_size_changed)
        self.on_size_changed(self.document().size())

    @Slot(QSizeF)
    def on_size_changed(self, size: QSizeF) -> None:
        margins = self.contentsMargins()
        height = math.ceil(size.height()) + margins.top() + margins.bottom()
        if height != self.height():
            self.setFixedHeight(height)

    def fits(self) -> bool:
        """Every line is shown, none wider than the box (what the tests check)."""
        doc = self.document()
        return (
            doc.idealWidth() <= self.viewport().width() + 1
            and doc.size().height() <= self.viewport().height() + 1
        )


class DetailsPanel(QScrollArea):
    """Every recorded field of the selected item, and its edit lineage (click to jump)."""

    jump_requested = Signal(int)

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("galleryDetails")
        self.library = library
        self.setWidgetResizable(True)
        self.setMinimumWidth(260)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        outer = QVBoxLayout(body)
        self.heading = QLabel()
        self.heading.setObjectName("galleryDetailsHeading")
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # A field too narrow beside its label goes under it.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        outer.addLayout(self.form)
        self.lineage_label = QLabel(self.tr("Edit lineage"))
        outer.addWidget(self.lineage_label)
        self.lineage = QListWidget()
        self.lineage.setObjectName("galleryLineage")
        self.lineage.setMinimumHeight(90)
        self.lineage.itemActivated.connect(self.on_lineage_activated)
        self.lineage.itemClicked.connect(self.on_lineage_activated)
        outer.addWidget(self.lineage)
        outer.addStretch(1)
        self.setWidget(body)
        self.values: dict[str, str] = {}
        self.shown_id: int | None = None
        # The rows made so far, kept and refilled: making ~25 widgets for every selection
        # change cost 20+ ms a click.
        self._rows: dict[str, tuple[QLabel, TextBox]] = {}
        self._order: list[str] = []  # keys of the rows, in the form's order
        self.show_item(None)

    def _clear(self) -> None:
        for _label, field in self._rows.values():
            self.form.setRowVisible(field, False)
        self.lineage.clear()
        self.values = {}
        self.shown_id = None

    def _row(self, key: str, label: str, rank: int) -> TextBox:
        """The field showing `key`, made the first time; `rank` orders the rows."""
        if key in self._rows:
            return self._rows[key][1]
        # Every value in a TextBox, short ones too: a word-wrapped QLabel in this form inside a
        # scroll area kept its one-line height when its text needed two (a narrow pane, the
        # Chinese interface), and the second line was cut.
        field = TextBox("")
        field.setObjectName(f"detail_{key}")
        # Beside a value of several lines, the label stays level with its first line.
        name = QLabel(label)
        name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        name.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        at = sum(1 for k in self._order if RANK.get(k, rank) <= rank)
        self._order.insert(at, key)
        self.form.insertRow(at, name, field)
        self._rows[key] = (name, field)
        return field

    def show_count(self, n: int) -> None:
        self._clear()
        self.heading.setText(self.tr("%n image(s) selected", "", n))
        self.lineage_label.setVisible(False)
        self.lineage.setVisible(False)

    def show_item(self, item: Item | None) -> None:
        self._clear()
        if item is None:
            self.heading.setText(self.tr("Select an image to see how it was made."))
            self.lineage_label.setVisible(False)
            self.lineage.setVisible(False)
            return
        self.heading.setText(self.tr("Image details"))
        self.shown_id = item.id
        p = item.params
        none = self.tr("—")

        def tokens() -> str:
            return (
                self.tr("%1 in (%2 text, %3 image), %4 out")
                .replace("%1", f"{item.input_tokens:,}")
                .replace("%2", f"{item.text_input_tokens:,}")
                .replace("%3", f"{item.image_input_tokens:,}")
                .replace("%4", f"{item.output_tokens:,}")
            )

        def requested_vs(returned: str | None, key: str) -> str:
            asked = p.get(key)
            req = words.parameter(key, asked) if asked else none
            if returned and returned != asked:
                made = words.parameter(key, returned)
                return self.tr("%1 (server made %2)").replace("%1", req).replace("%2", made)
            return req

        rows: list[tuple[str, str, str]] = [
            ("prompt", self.tr("Prompt"), item.prompt or none),
            ("revised_prompt", self.tr("Revised prompt"), item.revised_prompt or none),
            ("size", self.tr("Size"), requested_vs(item.size_returned, "size")),
            (
                "dimensions",
                self.tr("Pixels"),
                f"{item.width} × {item.height}" if item.width and item.height else none,
            ),
            ("quality", self.tr("Quality"), requested_vs(item.quality_returned, "quality")),
            (
                "background",
                self.tr("Background"),
                requested_vs(item.background_returned, "background"),
            ),
            (
                "format",
                self.tr("Format"),
                words.output_format(item.format or p.get("output_format")) or none,
            ),
            (
                "compression",
                self.tr("Compression"),
                none if p.get("output_compression") is None else str(p.get("output_compression")),
            ),
            ("moderation", self.tr("Moderation"), words.moderation(p.get("moderation")) or none),
            (
                "input_fidelity",
                self.tr("Input fidelity"),
                words.input_fidelity(p.get("input_fidelity")) or none,
            ),
            ("user", self.tr("User id"), str(p.get("user") or none)),
            ("model", self.tr("Model"), item.model or str(p.get("model") or none)),
            (
                "flavour",
                self.tr("API"),
                words.flavour(item.flavour) or none,
            ),
            ("endpoint", self.tr("Endpoint"), item.base_url or none),
            ("tokens", self.tr("Tokens"), tokens()),
            ("cost", self.tr("Cost"), self._cost(item)),
            (
                "created",
                self.tr("Created"),
                datetime.fromtimestamp(item.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            ),
            ("task_id", self.tr("Task id"), item.task_id or none),
            ("job_id", self.tr("Job id"), item.job_id or none),
            (
                "favourite",
                self.tr("Favourite"),
                self.tr("yes") if item.favourite else self.tr("no"),
            ),
            (
                "collections",
                self.tr("Collections"),
                ", ".join(item.collections) or none,
            ),
            (
                "cancelled",
                self.tr("Cancelled"),
                self.tr("yes: it finished after you cancelled (and was paid for)")
                if item.cancelled
                else self.tr("no"),
            ),
            ("file", self.tr("File"), str(item.path)),
            (
                "file_size",
                self.tr("File size"),
                words.file_size(item.file_size) if item.file_size else none,
            ),
        ]
        if item.raw_path:
            rows.append(("raw", self.tr("As the server sent it"), str(item.raw_path)))
        if item.source_paths:
            rows.append(
                (
                    "sources",
                    self.tr("Source and mask"),
                    "\n".join(str(s) for s in item.source_paths),
                )
            )
        answer = self._server_answer(item)
        if answer:
            rows.append(("answer", self.tr("Server's answer"), answer))
        for key, label, value in rows:
            self.values[key] = value
            field = self._row(key, label, RANK[key])
            if field.toPlainText() != value:
                field.setPlainText(value)  # laying out text again is the cost here
            self.form.setRowVisible(field, True)
        self._fill_lineage(item)

    def _cost(self, item: Item) -> str:
        """What this picture cost at the prices set in Spend (as Spend adds it up)."""
        if item.demo:
            return self.tr("nothing: a demo picture")
        if not (item.input_tokens or item.output_tokens):
            return self.tr("—")
        prices = spend.get_prices(self.library)
        cost = spend.result_cost(
            prices,
            item.input_tokens,
            item.output_tokens,
            item.text_input_tokens,
            item.image_input_tokens,
        )
        return self.tr("about %1 at the prices set in Spend").replace(
            "%1", spend.money(cost, prices.currency, 3)
        )

    def _server_answer(self, item: Item) -> str:
        """What the server said when the job went wrong (a failure, a late result), without
        secrets; empty when nothing went wrong."""
        if not item.job_id:
            return ""
        try:
            job = self.library.job(item.job_id)
        except KeyError:
            return ""
        parts = [str(x) for x in (job.error_message, job.raw_answer) if x]
        return redact("\n".join(parts)) if parts else ""

    def _fill_lineage(self, item: Item) -> None:
        ancestors, descendants = self.library.lineage(item.id)
        self.lineage_label.setVisible(bool(ancestors or descendants))
        self.lineage.setVisible(bool(ancestors or descendants))
        if not (ancestors or descendants):
            return
        cells = self.library.cells([*ancestors, item.id, *descendants])

        def add(item_id: int, text: str, current: bool = False) -> None:
            cell = cells.get(item_id)
            prompt = (cell.prompt if cell else "") or self.tr("(no prompt)")
            li = QListWidgetItem(f"{text} {prompt[:80]}")
            li.setData(Qt.ItemDataRole.UserRole, item_id)
            li.setToolTip(prompt)
            if current:
                f = li.font()
                f.setBold(True)
                li.setFont(f)
            self.lineage.addItem(li)

        for a in ancestors:
            add(a, self.tr("from:"))
        add(item.id, self.tr("this:"), current=True)
        for d in descendants:
            add(d, self.tr("edited into:"))

    @Slot(QListWidgetItem)
    def on_lineage_activated(self, li: QListWidgetItem) -> None:
        item_id = li.data(Qt.ItemDataRole.UserRole)
        if item_id is not None:
            self.jump_requested.emit(int(item_id))
