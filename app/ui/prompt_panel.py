"""The prompt and every request parameter of the contract: the widgets of a FormModel.

The state, its rules and its persistence are app.services.form.FormModel's; this panel shows
it and binds each widget to its field both ways (a change on either side updates the other).
Impossible combinations are prevented here where possible (transparent and the cut-out are
greyed out with JPEG, compression and input fidelity are disabled when they do not apply) and
explained where not. The size list shows the 1K / 2K / 4K presets in tier groups; a custom
size is snapped to the nearest valid one when the user leaves its field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QResizeEvent,
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
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core import sizes
from app.core.api.models import DEFAULT_MODEL, MAX_PROMPT_CHARS, ImageRequest
from app.core.settings import Settings
from app.services.form import CUSTOM, TRANSPARENT_CUTOUT, FormModel
from app.ui import drops
from app.ui.widgets import ERROR_COLOUR, HintLabel, set_text_colour

__all__ = ["CUSTOM", "PromptEdit", "PromptPanel"]


class PromptEdit(QPlainTextEdit):
    """Ctrl+Enter (or Cmd+Enter) submits instead of adding a line. Pictures dropped here are
    handed to the window (a file the app made can restore its prompt), not pasted as a path."""

    submit = Signal()
    files_dropped = Signal(list)  # local picture paths
    # A completer's popup over the box (app.ui.prompt_history): while it is open, Enter, Tab
    # and Escape are its, not the text's (QCompleter hands them to the box first).
    popup: QWidget | None = None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if drops.picture_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if drops.picture_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = drops.picture_files(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            super().dropEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if (
            self.popup is not None
            and self.popup.isVisible()
            and event.key()
            in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Tab)
        ):
            event.ignore()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier
        ):
            self.submit.emit()
            return
        super().keyPressEvent(event)


class ShrinkingCombo(QComboBox):
    """A combo box that asks for its widest item but accepts less: the panel it sits in can
    narrow with the window (its rows then put the label above the field, see PromptPanel)."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(80, super().minimumSizeHint().height())


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

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        form: FormModel | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("promptPanel")
        self.form = form if form is not None else FormModel(settings, self)

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
        # Prompt tools (app.ui.prompt_history's History button) go on the counter's row.
        self.prompt_tools = QHBoxLayout()
        self.prompt_tools.addStretch(1)
        self.prompt_tools.addWidget(self.counter)
        outer.addLayout(self.prompt_tools)

        box = QGroupBox(self.tr("Parameters"), self)
        rows = QFormLayout(box)
        rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rows = rows
        self.params_box = box

        self.size_combo = ShrinkingCombo(box)
        self.size_combo.setObjectName("sizeCombo")
        self.size_combo.setToolTip(
            self.tr("1K, 2K and 4K sizes for each aspect ratio, or a custom WxH (advanced)")
        )
        rows.addRow(self.tr("&Size"), self.size_combo)
        self.custom_size_edit = QLineEdit(box)
        self.custom_size_edit.setObjectName("customSizeEdit")
        self.custom_size_edit.setPlaceholderText(self.tr("e.g. 2048x1152"))
        self.custom_size_edit.setToolTip(
            self.tr(
                "Width x height: multiples of 16, ratio within 1:3 and 3:1, from 655,360 "
                "pixels to 3840x2160; snapped to the nearest such size when you leave the field"
            )
        )
        rows.addRow("", self.custom_size_edit)
        self.size_hint = HintLabel("", box)
        rows.addRow("", self.size_hint)

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
        rows.addRow(self.tr("&Quality"), self.quality_combo)

        self.background_combo = self._combo(
            box,
            "backgroundCombo",
            [
                ("auto", self.tr("Auto")),
                ("opaque", self.tr("Opaque")),
                ("transparent", self.tr("Transparent")),
                (TRANSPARENT_CUTOUT, self.tr("Transparent (cut out)")),
            ],
        )
        self.background_combo.setToolTip(
            self.tr(
                "Transparent needs PNG or WebP output. gpt-image-2 refuses native transparency: "
                "Transparent (cut out) asks for a flat colour behind the subject and removes it here"
            )
        )
        rows.addRow(self.tr("&Background"), self.background_combo)
        self.cutout_edit = QLineEdit(box)
        self.cutout_edit.setObjectName("cutoutEdit")
        self.cutout_edit.setToolTip(
            self.tr(
                "Added to the prompt for a cut-out: the flat colour to paint behind the subject. "
                "Edit it if you like; clear it to get the suggestion back"
            )
        )
        rows.addRow("", self.cutout_edit)

        self.format_combo = self._combo(
            box,
            "formatCombo",
            [
                ("png", "PNG"),
                ("jpeg", "JPEG"),
                ("webp", "WebP"),
            ],
        )
        rows.addRow(self.tr("&Format"), self.format_combo)
        self.format_hint = HintLabel("", box)
        rows.addRow("", self.format_hint)

        self.compression_spin = QSpinBox(box)
        self.compression_spin.setObjectName("compressionSpin")
        self.compression_spin.setRange(0, 100)
        self.compression_spin.setSuffix(" %")
        self.compression_spin.setToolTip(self.tr("Compression level for JPEG and WebP (0-100)"))
        rows.addRow(self.tr("&Compression"), self.compression_spin)

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
        rows.addRow(self.tr("&Moderation"), self.moderation_combo)

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
        rows.addRow(self.tr("Input &fidelity"), self.input_fidelity_combo)

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
        rows.addRow(self.tr("&API"), self.api_combo)

        self.model_edit = QLineEdit(box)
        self.model_edit.setObjectName("modelEdit")
        self.model_edit.setPlaceholderText(DEFAULT_MODEL)
        self.model_edit.setToolTip(self.tr("Model name sent with the request"))
        rows.addRow(self.tr("M&odel"), self.model_edit)

        self.user_edit = QLineEdit(box)
        self.user_edit.setObjectName("userEdit")
        self.user_edit.setPlaceholderText(self.tr("optional"))
        self.user_edit.setToolTip(
            self.tr("An end-user id the service may use for abuse monitoring")
        )
        rows.addRow(self.tr("&User id"), self.user_edit)

        self.copies_spin = QSpinBox(box)
        self.copies_spin.setObjectName("copiesSpin")
        self.copies_spin.setRange(1, 16)
        self.copies_spin.setToolTip(
            self.tr("How many images to make; each is its own job and billed on its own")
        )
        rows.addRow(self.tr("Co&pies"), self.copies_spin)
        outer.addWidget(box)

        self.notes_hint = HintLabel("", self)
        self.notes_hint.setObjectName("notesHint")
        outer.addWidget(self.notes_hint)
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

        # Never wider than the scroll area it sits in: it has no horizontal scroll bar.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._bind()
        self.prompt_edit.submit.connect(self.on_submit)
        self.generate_button.clicked.connect(self.on_submit)
        self._refresh()

    @staticmethod
    def _combo(parent: QWidget, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = ShrinkingCombo(parent)
        combo.setObjectName(name)
        for data, text in items:
            combo.addItem(text, data)
        return combo

    def _bind(self) -> None:
        """Each widget sets its field; each field's signal sets its widget."""
        form = self.form
        self._fill_sizes()
        for combo, name in (
            (self.size_combo, "size_choice"),
            (self.quality_combo, "quality"),
            (self.background_combo, "background"),
            (self.format_combo, "output_format"),
            (self.moderation_combo, "moderation"),
            (self.input_fidelity_combo, "input_fidelity"),
            (self.api_combo, "flavour"),
        ):
            self._select(combo, getattr(form, name))
            combo.currentIndexChanged.connect(
                lambda _i, c=combo, n=name: setattr(form, n, str(c.currentData()))
            )
            getattr(form, name + "_changed").connect(lambda v, c=combo: self._select(c, v))
        for spin, name in (
            (self.compression_spin, "output_compression"),
            (self.copies_spin, "copies"),
        ):
            spin.setValue(getattr(form, name))
            spin.valueChanged.connect(lambda v, n=name: setattr(form, n, v))
            getattr(form, name + "_changed").connect(spin.setValue)
        for edit, name in (
            (self.model_edit, "model_name"),
            (self.user_edit, "user"),
            (self.custom_size_edit, "custom_size"),
            (self.cutout_edit, "cutout_addition"),
        ):
            _show_start(edit, getattr(form, name))
            edit.textChanged.connect(lambda t, n=name: setattr(form, n, t))
            getattr(form, name + "_changed").connect(
                lambda t, e=edit: _show_start(e, t) if e.text() != t else None
            )
        self.prompt_edit.setPlainText(form.prompt)
        self.prompt_edit.textChanged.connect(self.on_prompt_edited)
        form.prompt_changed.connect(self.on_form_prompt_changed)
        self.custom_size_edit.editingFinished.connect(form.snap_custom_size)
        form.sizes_changed.connect(self._fill_sizes)
        form.format_note_changed.connect(lambda text: self.format_hint.show_text(text or None))
        form.updated.connect(self._refresh)
        form.changed.connect(self.changed)

    def _fill_sizes(self) -> None:
        labels = {size: label for label, size in self.form.presets()}
        labels["auto"] = self.tr("Auto")
        labels[CUSTOM] = self.tr("Custom…")
        self.size_combo.blockSignals(True)
        self.size_combo.clear()
        group: str | None = "auto"
        for size in self.form.size_choices():
            # A separator between the tiers and before the custom sizes.
            preset = sizes.preset_for(size)
            this = preset.tier if preset else ("auto" if size == "auto" else "custom")
            if this != group and self.size_combo.count():
                self.size_combo.insertSeparator(self.size_combo.count())
            group = this
            self.size_combo.addItem(labels.get(size) or size.replace("x", " × "), size)
        self._select(self.size_combo, self.form.size_choice)
        self.size_combo.blockSignals(False)

    def _select(self, combo: QComboBox, data: Any) -> None:
        index = combo.findData(data)
        if index >= 0 and index != combo.currentIndex():
            combo.setCurrentIndex(index)

    # -- layout --

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Labels beside their fields when both fit at full length, else above them, so a
        narrow panel still shows each choice whole ("Async task (recommended)")."""
        rows = self.rows
        labels = fields = 0
        for row in range(rows.rowCount()):
            label = rows.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = rows.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and (widget := label.widget()) is not None:
                labels = max(labels, widget.sizeHint().width())
            if field is not None and (widget := field.widget()) is not None and widget.isVisible():
                fields = max(fields, widget.sizeHint().width())
        margins = rows.contentsMargins()
        room = self.params_box.contentsRect().width() - margins.left() - margins.right()
        beside = labels + rows.horizontalSpacing() + fields <= room
        policy = (
            QFormLayout.RowWrapPolicy.DontWrapRows
            if beside
            else QFormLayout.RowWrapPolicy.WrapAllRows
        )
        if rows.rowWrapPolicy() != policy:
            rows.setRowWrapPolicy(policy)

    # -- state --

    def chosen_size(self) -> str:
        return self.form.size

    def flavour(self) -> str:
        return self.form.flavour

    def set_flavour(self, flavour: str) -> None:
        """For this session only (--api): not stored as the user's own last choice."""
        self.form.set_session_flavour(flavour)

    def copies(self) -> int:
        return self.form.copies

    def prompt(self) -> str:
        return self.form.prompt.strip()

    def set_editing(self, editing: bool) -> None:
        self.form.editing = editing

    def problems(self) -> list[str]:
        """Why the job cannot start yet (translated sentences); empty when it can."""
        return self.form.problems()

    def request(self) -> ImageRequest:
        return self.form.request()

    def apply_params(self, params: dict[str, Any]) -> None:
        """Reuse the settings of an earlier job or image (prompt included)."""
        self.form.apply_params(params)

    def remember_used_size(self) -> None:
        self.form.remember_used_size()

    # -- slots --

    @Slot()
    def on_submit(self) -> None:
        if self.generate_button.isEnabled():
            self.generate_requested.emit()

    @Slot()
    def on_prompt_edited(self) -> None:
        self.form.prompt = self.prompt_edit.toPlainText()

    @Slot(str)
    def on_form_prompt_changed(self, text: str) -> None:
        if self.prompt_edit.toPlainText() != text:
            self.prompt_edit.setPlainText(text)

    def _refresh(self) -> None:
        form = self.form
        self.compression_spin.setEnabled(form.compression_enabled)
        _set_item_enabled(self.background_combo, "transparent", form.transparent_allowed)
        _set_item_enabled(self.background_combo, TRANSPARENT_CUTOUT, form.transparent_allowed)
        self.cutout_edit.setVisible(form.is_cutout)
        self.input_fidelity_combo.setEnabled(form.input_fidelity_enabled)
        self.custom_size_edit.setVisible(form.size_choice == CUSTOM)
        note, error = form.size_note()
        self.size_hint.show_text(note, error=error)
        notes = [n for n in form.notes() if n != note]  # an experimental size is told above
        self.notes_hint.show_text(" ".join(notes) if notes else None)
        n = len(form.prompt)
        self.counter.setText(self.tr("{0} / {1}").format(f"{n:,}", f"{MAX_PROMPT_CHARS:,}"))
        set_text_colour(self.counter, ERROR_COLOUR if n > MAX_PROMPT_CHARS else None)
        self.generate_button.setEnabled(not form.problems())
        shown = form.explained_problems()
        self.problem_hint.show_text(" ".join(shown) if shown else None, error=True)
        self.generate_button.setText(self.tr("Edit") if form.editing else self.tr("Generate"))


def _show_start(edit: QLineEdit, text: str) -> None:
    """Set a line's text showing its start: a long suggestion (the cut-out's sentence) set
    from the model would otherwise show only its last words."""
    edit.setText(text)
    if not edit.hasFocus():
        edit.setCursorPosition(0)
