"""The prompt and every request parameter of the contract.

The last choices live in Settings (the model); the form reads them at start and writes them
back as they change. Impossible combinations are prevented where possible and explained
where not: transparent needs png/webp, compression only for jpeg/webp, input fidelity only
when editing, custom sizes checked live against the gpt-image-2 rules.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, Qt, Signal, Slot
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.api.models import (
    DEFAULT_MODEL,
    MAX_PROMPT_CHARS,
    SIZES,
    ImageRequest,
    custom_size_problem,
)
from app.core.settings import Settings
from app.ui.edit_panel import IMAGE_SUFFIXES
from app.ui.widgets import ERROR_COLOUR, HintLabel, set_text_colour

CUSTOM = "__custom__"


def _sentence(text: str | None) -> str | None:
    """The core's reasons start in lower case (they are also used mid-sentence on the CLI)."""
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


class PromptEdit(QPlainTextEdit):
    """Ctrl+Enter (or Cmd+Enter) submits instead of adding a line. Pictures dropped here are
    handed to the window (a file the app made can restore its prompt), not pasted as a path."""

    submit = Signal()
    files_dropped = Signal(list)  # local picture paths

    @staticmethod
    def _pictures(mime: QMimeData) -> list[str]:
        return [
            u.toLocalFile()
            for u in mime.urls()
            if u.isLocalFile() and u.toLocalFile().lower().endswith(IMAGE_SUFFIXES)
        ]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._pictures(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._pictures(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._pictures(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            super().dropEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier
        ):
            self.submit.emit()
            return
        super().keyPressEvent(event)


def _set_item_enabled(combo: QComboBox, data: str, enabled: bool) -> None:
    model = combo.model()
    index = combo.findData(data)
    if index >= 0 and isinstance(model, QStandardItemModel):
        item = model.item(index)
        if item is not None:
            item.setEnabled(enabled)


class PromptPanel(QWidget):
    generate_requested = Signal()
    changed = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("promptPanel")
        self._settings = settings
        self._editing = False
        self._loading = True

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)

        prompt_label = QLabel(self.tr("&Prompt"), self)
        outer.addWidget(prompt_label)
        self.prompt_edit = PromptEdit(self)
        self.prompt_edit.setObjectName("promptEdit")
        self.prompt_edit.setPlaceholderText(
            self.tr(
                "Describe the picture you want, or what to change in the picture you are editing…"
            )
        )
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setToolTip(self.tr("Ctrl+Enter starts the job"))
        prompt_label.setBuddy(self.prompt_edit)
        outer.addWidget(self.prompt_edit, 1)
        self.counter = QLabel(self)
        self.counter.setObjectName("promptCounter")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        outer.addWidget(self.counter)

        box = QGroupBox(self.tr("Parameters"), self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.size_combo = QComboBox(box)
        self.size_combo.setObjectName("sizeCombo")
        self.size_combo.setToolTip(
            self.tr("The four sizes Mountsea documents, or a custom WxH (advanced)")
        )
        form.addRow(self.tr("&Size"), self.size_combo)
        self.custom_size_edit = QLineEdit(box)
        self.custom_size_edit.setObjectName("customSizeEdit")
        self.custom_size_edit.setPlaceholderText(self.tr("e.g. 2048x1152"))
        self.custom_size_edit.setToolTip(
            self.tr("Width x height: multiples of 16, ratio within 1:3 and 3:1, at most 3840x2160")
        )
        form.addRow("", self.custom_size_edit)
        self.size_hint = HintLabel("", box)
        form.addRow("", self.size_hint)

        self.quality_combo = self._combo(
            box,
            "qualityCombo",
            [
                ("auto", self.tr("Auto")),
                ("low", self.tr("Low (fast, cheap)")),
                ("medium", self.tr("Medium")),
                ("high", self.tr("High")),
                ("standard", self.tr("Standard")),
            ],
        )
        self.quality_combo.setToolTip(
            self.tr("Higher quality takes longer and uses more output tokens")
        )
        form.addRow(self.tr("&Quality"), self.quality_combo)

        self.background_combo = self._combo(
            box,
            "backgroundCombo",
            [
                ("auto", self.tr("Auto")),
                ("opaque", self.tr("Opaque")),
                ("transparent", self.tr("Transparent")),
            ],
        )
        self.background_combo.setToolTip(self.tr("Transparent needs PNG or WebP output"))
        form.addRow(self.tr("&Background"), self.background_combo)

        self.format_combo = self._combo(
            box,
            "formatCombo",
            [
                ("png", "PNG"),
                ("jpeg", "JPEG"),
                ("webp", "WebP"),
            ],
        )
        form.addRow(self.tr("&Format"), self.format_combo)
        self.format_hint = HintLabel("", box)
        form.addRow("", self.format_hint)

        self.compression_spin = QSpinBox(box)
        self.compression_spin.setObjectName("compressionSpin")
        self.compression_spin.setRange(0, 100)
        self.compression_spin.setSuffix(" %")
        self.compression_spin.setToolTip(self.tr("Compression level for JPEG and WebP (0-100)"))
        form.addRow(self.tr("&Compression"), self.compression_spin)

        self.moderation_combo = self._combo(
            box,
            "moderationCombo",
            [
                ("auto", self.tr("Auto")),
                ("low", self.tr("Low (less strict)")),
            ],
        )
        self.moderation_combo.setToolTip(
            self.tr(
                "How strict the content filter is. Not sent with Compat edits, which have no such field"
            )
        )
        form.addRow(self.tr("&Moderation"), self.moderation_combo)

        self.input_fidelity_combo = self._combo(
            box,
            "inputFidelityCombo",
            [
                ("high", self.tr("High")),
                ("low", self.tr("Low")),
            ],
        )
        self.input_fidelity_combo.setToolTip(
            self.tr("How closely an edit follows the source picture (only when editing)")
        )
        form.addRow(self.tr("Input &fidelity"), self.input_fidelity_combo)

        self.api_combo = self._combo(
            box,
            "apiCombo",
            [
                ("async", self.tr("Async task (recommended)")),
                ("compat", self.tr("Compat (synchronous)")),
            ],
        )
        self.api_combo.setToolTip(
            self.tr(
                "Async tasks survive long jobs, restarts and lost connections; Compat waits on one request"
            )
        )
        form.addRow(self.tr("&API"), self.api_combo)

        self.model_edit = QLineEdit(box)
        self.model_edit.setObjectName("modelEdit")
        self.model_edit.setPlaceholderText(DEFAULT_MODEL)
        self.model_edit.setToolTip(self.tr("Model name sent with the request"))
        form.addRow(self.tr("M&odel"), self.model_edit)

        self.user_edit = QLineEdit(box)
        self.user_edit.setObjectName("userEdit")
        self.user_edit.setPlaceholderText(self.tr("optional"))
        self.user_edit.setToolTip(
            self.tr("An end-user id the service may use for abuse monitoring")
        )
        form.addRow(self.tr("&User id"), self.user_edit)

        self.copies_spin = QSpinBox(box)
        self.copies_spin.setObjectName("copiesSpin")
        self.copies_spin.setRange(1, 16)
        self.copies_spin.setToolTip(
            self.tr("How many images to make; each is its own job and billed on its own")
        )
        form.addRow(self.tr("Co&pies"), self.copies_spin)
        outer.addWidget(box)

        self.problem_hint = HintLabel("", self)
        outer.addWidget(self.problem_hint)
        buttons = QHBoxLayout()
        self.generate_button = QPushButton(self.tr("Generate"), self)
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setDefault(True)
        bold = self.generate_button.font()
        bold.setBold(True)
        self.generate_button.setFont(bold)
        self.generate_button.setMinimumHeight(self.generate_button.sizeHint().height() + 6)
        self.generate_button.setToolTip(self.tr("Start the job (Ctrl+Enter)"))
        buttons.addWidget(self.generate_button)
        outer.addLayout(buttons)

        self._load_settings()
        for combo in (
            self.quality_combo,
            self.background_combo,
            self.format_combo,
            self.moderation_combo,
            self.input_fidelity_combo,
            self.api_combo,
            self.size_combo,
        ):
            combo.currentIndexChanged.connect(self.on_control_changed)
        self.compression_spin.valueChanged.connect(self.on_control_changed)
        self.copies_spin.valueChanged.connect(self.on_control_changed)
        self.model_edit.textChanged.connect(self.on_control_changed)
        self.user_edit.textChanged.connect(self.on_control_changed)
        self.custom_size_edit.textChanged.connect(self.on_control_changed)
        self.format_combo.currentIndexChanged.connect(self.on_format_changed)
        self.prompt_edit.textChanged.connect(self.on_prompt_changed)
        self.prompt_edit.submit.connect(self.on_submit)
        self.generate_button.clicked.connect(self.on_submit)
        self._loading = False
        self._refresh()

    @staticmethod
    def _combo(parent: QWidget, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox(parent)
        combo.setObjectName(name)
        for data, text in items:
            combo.addItem(text, data)
        return combo

    def _fill_sizes(self, current: str) -> None:
        labels = {
            "auto": self.tr("Auto"),
            "1024x1024": self.tr("1024 × 1024 (square)"),
            "1024x1536": self.tr("1024 × 1536 (portrait)"),
            "1536x1024": self.tr("1536 × 1024 (landscape)"),
        }
        self.size_combo.blockSignals(True)
        self.size_combo.clear()
        for size in SIZES:
            self.size_combo.addItem(labels[size], size)
        for size in self._settings.custom_sizes:
            if size not in SIZES and custom_size_problem(size) is None:
                self.size_combo.addItem(size.replace("x", " × "), size)
        self.size_combo.addItem(self.tr("Custom…"), CUSTOM)
        index = self.size_combo.findData(current)
        self.size_combo.setCurrentIndex(max(0, index))
        self.size_combo.blockSignals(False)

    def _select(self, combo: QComboBox, data: Any) -> None:
        index = combo.findData(data)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _load_settings(self) -> None:
        s = self._settings
        self._fill_sizes(s.size)
        self._select(self.quality_combo, s.quality)
        self._select(self.background_combo, s.background)
        self._select(self.format_combo, s.output_format)
        self.compression_spin.setValue(int(s.output_compression))
        self._select(self.moderation_combo, s.moderation)
        self._select(self.input_fidelity_combo, s.input_fidelity)
        self._select(self.api_combo, s.api_flavour)
        self.model_edit.setText(s.model if s.model != DEFAULT_MODEL else "")
        self.user_edit.setText(s.user)
        self.copies_spin.setValue(int(s.copies))

    # -- state --

    def chosen_size(self) -> str:
        data = self.size_combo.currentData()
        if data == CUSTOM:
            return self.custom_size_edit.text().strip().lower().replace(" ", "").replace("×", "x")
        return str(data)

    def flavour(self) -> str:
        return str(self.api_combo.currentData())

    def set_flavour(self, flavour: str) -> None:
        """For this session only (--api): not stored as the user's own last choice."""
        self.api_combo.blockSignals(True)
        self._select(self.api_combo, flavour)
        self.api_combo.blockSignals(False)

    def copies(self) -> int:
        return self.copies_spin.value()

    def prompt(self) -> str:
        return self.prompt_edit.toPlainText().strip()

    def set_editing(self, editing: bool) -> None:
        self._editing = editing
        self._refresh()

    def problems(self) -> list[str]:
        """Why the job cannot start yet (translated sentences); empty when it can."""
        problems = []
        text = self.prompt()
        if not text:
            problems.append(self.tr("Write a prompt first."))
        elif len(text) > MAX_PROMPT_CHARS:
            problems.append(self.tr("The prompt is too long: at most 32,000 characters."))
        size = self.chosen_size()
        if size not in SIZES:
            problem = (
                custom_size_problem(size)
                if size
                else self.tr("Enter a custom size such as 2048x1152.")
            )
            if problem:
                problems.append(problem)
        if (
            self.background_combo.currentData() == "transparent"
            and self.format_combo.currentData() == "jpeg"
        ):
            problems.append(self.tr("A transparent background needs PNG or WebP."))
        return problems

    def request(self) -> ImageRequest:
        fmt = str(self.format_combo.currentData())
        return ImageRequest(
            prompt=self.prompt(),
            model=self.model_edit.text().strip() or DEFAULT_MODEL,
            size=self.chosen_size(),
            quality=str(self.quality_combo.currentData()),
            background=str(self.background_combo.currentData()),
            output_format=fmt,
            output_compression=self.compression_spin.value() if fmt in ("jpeg", "webp") else None,
            moderation=str(self.moderation_combo.currentData()),
            user=self.user_edit.text().strip() or None,
            input_fidelity=str(self.input_fidelity_combo.currentData()) if self._editing else None,
        )

    def apply_params(self, params: dict[str, Any]) -> None:
        """Reuse the settings of an earlier job or image (prompt included)."""
        if params.get("prompt"):
            self.prompt_edit.setPlainText(str(params["prompt"]))
        size = str(params.get("size") or "auto")
        if size not in SIZES and custom_size_problem(size) is None:
            self._settings.remember_custom_size(size)
            self._fill_sizes(size)
        else:
            self._select(self.size_combo, size)
        for combo, name in (
            (self.quality_combo, "quality"),
            (self.background_combo, "background"),
            (self.format_combo, "output_format"),
            (self.moderation_combo, "moderation"),
            (self.input_fidelity_combo, "input_fidelity"),
        ):
            if params.get(name):
                self._select(combo, params[name])
        if params.get("output_compression") is not None:
            self.compression_spin.setValue(int(params["output_compression"]))
        model = str(params.get("model") or DEFAULT_MODEL)
        self.model_edit.setText("" if model == DEFAULT_MODEL else model)
        self.user_edit.setText(str(params.get("user") or ""))
        self._refresh()

    # -- slots --

    @Slot()
    def on_submit(self) -> None:
        if self.generate_button.isEnabled():
            self.generate_requested.emit()

    @Slot()
    def on_prompt_changed(self) -> None:
        self._refresh()

    @Slot()
    def on_format_changed(self) -> None:
        if self._loading:
            return
        if (
            self.format_combo.currentData() == "jpeg"
            and self.background_combo.currentData() == "transparent"
        ):
            self._select(self.background_combo, "auto")
            self.format_hint.show_text(self.tr("Background set to Auto: JPEG has no transparency."))
        else:
            self.format_hint.show_text(None)

    @Slot()
    def on_control_changed(self) -> None:
        if self._loading:
            return
        self._refresh()
        self._store()
        self.changed.emit()

    def _store(self) -> None:
        s = self._settings
        size = self.chosen_size()
        if size in SIZES or custom_size_problem(size) is None:
            s.size = size
        s.quality = str(self.quality_combo.currentData())
        s.background = str(self.background_combo.currentData())
        s.output_format = str(self.format_combo.currentData())
        s.output_compression = self.compression_spin.value()
        s.moderation = str(self.moderation_combo.currentData())
        s.input_fidelity = str(self.input_fidelity_combo.currentData())
        s.api_flavour = self.flavour()
        s.model = self.model_edit.text().strip() or DEFAULT_MODEL
        s.user = self.user_edit.text().strip()
        s.copies = self.copies_spin.value()

    def remember_used_size(self) -> None:
        size = self.chosen_size()
        if size not in SIZES and custom_size_problem(size) is None:
            self._settings.remember_custom_size(size)

    def _refresh(self) -> None:
        fmt = self.format_combo.currentData()
        self.compression_spin.setEnabled(fmt in ("jpeg", "webp"))
        _set_item_enabled(self.background_combo, "transparent", fmt != "jpeg")
        self.input_fidelity_combo.setEnabled(self._editing)
        custom = self.size_combo.currentData() == CUSTOM
        self.custom_size_edit.setVisible(custom)
        if custom:
            size = self.chosen_size()
            problem = custom_size_problem(size) if size else None
            self.size_hint.show_text(_sentence(problem), error=True)
            if not problem and size:
                note = None
                w, h = (int(v) for v in size.split("x"))
                if w * h > 2560 * 1440:
                    note = self.tr(
                        "Above 2560x1440 is experimental; Mountsea documents only the four sizes."
                    )
                self.size_hint.show_text(note)
        else:
            self.size_hint.show_text(None)
        n = len(self.prompt_edit.toPlainText())
        self.counter.setText(self.tr("{0} / {1}").format(f"{n:,}", f"{MAX_PROMPT_CHARS:,}"))
        set_text_colour(self.counter, ERROR_COLOUR if n > MAX_PROMPT_CHARS else None)
        problems = self.problems()
        self.generate_button.setEnabled(not problems)
        # An empty prompt is obvious and a size problem is already told under the size field;
        # only explain the other reasons here.
        size_problem = (
            custom_size_problem(self.chosen_size()) if self.chosen_size() not in SIZES else None
        )
        shown = [
            p
            for p in problems
            if p
            not in (
                self.tr("Write a prompt first."),
                self.tr("Enter a custom size such as 2048x1152."),
                size_problem,
            )
        ]
        self.problem_hint.show_text(" ".join(shown) if shown else None, error=True)
        self.generate_button.setText(self.tr("Edit") if self._editing else self.tr("Generate"))
