"""The gallery's details pane: every recorded field of the selected item, and its edit lineage."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Item, Library
from app.ui import words

# Shown in a box that wraps anywhere: paths, ids and addresses have no spaces to wrap at.
PATH_FIELDS = ("file", "raw", "sources", "job_id", "task_id", "endpoint")


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
        self.show_item(None)

    def _clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.lineage.clear()
        self.values = {}

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
            ("collection", self.tr("Collection"), item.collection or none),
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
        for key, label, value in rows:
            self.values[key] = value
            field: QWidget
            if key in PATH_FIELDS:
                # Paths have no spaces to wrap at: a read-only text box wraps anywhere and
                # still copies the exact path.
                box = QPlainTextEdit(value)
                box.setReadOnly(True)
                box.setFrameShape(QFrame.Shape.NoFrame)
                box.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
                box.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
                lines = 2 + value.count("\n") * 2
                box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 8)
                box.viewport().setAutoFillBackground(False)
                field = box
            else:
                lab = QLabel(value)
                lab.setWordWrap(True)
                lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                field = lab
            field.setObjectName(f"detail_{key}")
            self.form.addRow(label, field)
        self._fill_lineage(item)

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
