"""The result of one job: the picture (fit or 100 %, checkerboard behind transparency), what the
server actually made (revised prompt, tokens, size, quality, format) and what to do with it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core import sizes
from app.core.api.models import parse_size
from app.core.library import Library
from app.services.background import Background
from app.services.runner import JobRecord
from app.services.thumbnails import decode_picture, load_picture
from app.ui import open_path, words
from app.ui.flow import FlowLayout
from app.ui.widgets import ElidedLabel, ImageView


def _decode_preview(data: bytes, size: tuple[int, int] | None) -> QImage:
    """A streamed partial picture, scaled up to the size asked for (or 1024 on its long side):
    servers may send smaller previews, and the view only ever scales a picture down."""
    image = decode_picture(data)
    if image.isNull():
        return image
    if size is None:
        scale = 1024 / max(image.width(), image.height())
        size = (round(image.width() * scale), round(image.height() * scale))
    w, h = size
    if w <= image.width():
        return image
    return image.scaled(
        w, h, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class ResultView(QWidget):
    edit_source_requested = Signal(str)  # the file to edit
    reuse_requested = Signal(dict)
    message = Signal(str)

    def __init__(self, library: Library, background: Background, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resultView")
        self._library = library
        self._background = background
        self._record: JobRecord | None = None
        self._image: QImage | None = None
        self._compare: QWidget | None = None
        self._shown = 0  # counts show_record calls: a preview decoded for an older one is dropped

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The buttons wrap onto a second line on a narrow window instead of being squeezed.
        bar = QWidget(self)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        bar.setSizePolicy(policy)
        toolbar = FlowLayout(bar, spacing=6)
        toolbar.setContentsMargins(6, 6, 6, 0)
        self.fit_button = self._tool(
            self.tr("Fit"), "resultFitButton", self.tr("Fit the picture to the view"), True
        )
        self.actual_button = self._tool(
            self.tr("100 %"),
            "resultActualButton",
            self.tr("Show the picture pixel for pixel"),
            True,
        )
        self.compare_button = self._tool(
            self.tr("Before / after"),
            "resultCompareButton",
            self.tr("Compare the edit with its source"),
            True,
        )
        self.save_button = self._tool(
            self.tr("Save as…"), "resultSaveButton", self.tr("Save a copy of the file elsewhere")
        )
        self.copy_button = self._tool(
            self.tr("Copy"), "resultCopyButton", self.tr("Copy the picture to the clipboard")
        )
        self.reveal_button = self._tool(
            self.tr("Reveal"), "resultRevealButton", self.tr("Show the file in its folder")
        )
        self.edit_button = self._tool(
            self.tr("Use as edit source"),
            "resultEditButton",
            self.tr("Edit this picture: it becomes the source on the Create / Edit tab"),
        )
        self.reuse_button = self._tool(
            self.tr("Reuse settings"),
            "resultReuseButton",
            self.tr("Put this job's prompt and parameters back into the form"),
        )
        self.raw_button = self._tool(
            self.tr("Raw result"),
            "resultRawButton",
            self.tr(
                "Show the picture as the server sent it, before it was pasted "
                "back onto the source outside the mask"
            ),
            True,
        )
        for b in (self.fit_button, self.actual_button, self.compare_button, self.raw_button):
            toolbar.addWidget(b)
        gap = QWidget(bar)
        gap.setFixedWidth(12)
        toolbar.addWidget(gap)
        for b in (
            self.save_button,
            self.copy_button,
            self.reveal_button,
            self.edit_button,
            self.reuse_button,
        ):
            toolbar.addWidget(b)
        layout.addWidget(bar)
        self.fit_button.setChecked(True)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.stack = QStackedWidget(splitter)
        self.image_view = ImageView(self.stack)
        self.image_view.set_empty_text(
            self.tr(
                "Finished pictures show here. Write a prompt on the left and press Generate (Ctrl+Enter)."
            )
        )
        self.stack.addWidget(self.image_view)
        self.image_view.detail_wanted.connect(self.on_detail_wanted)
        splitter.addWidget(self.stack)

        info = QWidget(splitter)
        form = QFormLayout(info)
        form.setContentsMargins(8, 4, 8, 4)
        self.revised_edit = QPlainTextEdit(info)
        self.revised_edit.setObjectName("revisedPromptEdit")
        self.revised_edit.setReadOnly(True)
        self.revised_edit.setMaximumHeight(70)
        self.revised_edit.setPlaceholderText(self.tr("The server did not revise the prompt."))
        form.addRow(self.tr("Revised prompt"), self.revised_edit)
        self.returned_label = QLabel(info)
        self.returned_label.setObjectName("resultReturnedLabel")
        self.returned_label.setWordWrap(True)
        form.addRow(self.tr("Returned"), self.returned_label)
        self.tokens_label = QLabel(info)
        self.tokens_label.setObjectName("resultTokensLabel")
        self.tokens_label.setWordWrap(True)
        form.addRow(self.tr("Tokens"), self.tokens_label)
        self.file_label = ElidedLabel(info)
        self.file_label.setObjectName("resultFileLabel")
        form.addRow(self.tr("File"), self.file_label)
        splitter.addWidget(info)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        layout.addWidget(splitter, 1)

        self.fit_button.clicked.connect(self.on_fit)
        self.actual_button.clicked.connect(self.on_actual)
        self.compare_button.toggled.connect(self.on_compare_toggled)
        self.raw_button.toggled.connect(self.on_raw_toggled)
        self.save_button.clicked.connect(self.on_save_as)
        self.copy_button.clicked.connect(self.on_copy)
        self.reveal_button.clicked.connect(self.on_reveal)
        self.edit_button.clicked.connect(self.on_use_as_source)
        self.reuse_button.clicked.connect(self.on_reuse)
        self._update_actions()

    def _tool(self, text: str, name: str, tip: str, checkable: bool = False) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.setCheckable(checkable)
        return b

    # -- showing --

    def record(self) -> JobRecord | None:
        return self._record

    def show_record(self, record: JobRecord) -> None:
        self._record = record
        self._shown += 1
        self.compare_button.setChecked(False)
        self.raw_button.blockSignals(True)
        self.raw_button.setChecked(False)
        self.raw_button.blockSignals(False)
        if record.preview is not None:
            self._set_image(record.preview, self._full_size(record))
        elif record.paths:
            self._set_image(None)
            self._load(record.paths[0], self._fit())
        else:
            self._set_image(None)
        info = record.info or {}
        self.revised_edit.setPlainText(info.get("revised_prompt") or "")
        returned = [
            words.parameter(name, v)
            for name, v in (
                ("size", info.get("size")),
                ("quality", info.get("quality")),
                ("output_format", info.get("format")),
                ("background", info.get("background")),
            )
            if v
        ]
        text = " · ".join(returned) or self.tr("not reported")
        if fitted := info.get("paste_back"):  # another shape than the picture: how it went back
            rw, rh, sw, sh = fitted
            text += "\n" + (
                sizes.fit_sentence((rw, rh), (sw, sh), QCoreApplication.translate) or ""
            )
        self.returned_label.setText(text)
        if info:
            self.tokens_label.setText(
                self.tr("{0} text in + {1} image in, {2} out").format(
                    info.get("text_input_tokens") or 0,
                    info.get("image_input_tokens") or 0,
                    info.get("output_tokens") or 0,
                )
            )
        else:
            self.tokens_label.setText(self.tr("not reported"))
        path = record.paths[0] if record.paths else ""
        if record.late_result:
            path = self.tr("{0} (arrived after you cancelled; saved anyway)").format(path)
        self.file_label.setText(path or self.tr("not saved"))
        self._update_actions()

    def show_preview(self, data: bytes) -> None:
        """A streamed partial picture of the running job shown here, decoded off the GUI thread;
        the final result (show_record) replaces it, and a late decode never covers that."""
        record, shown = self._record, self._shown
        if record is None or record.final:
            return

        def decoded(image: Any) -> None:
            if (
                self._shown == shown
                and self._record is record
                and not record.final
                and isinstance(image, QImage)
                and not image.isNull()
            ):
                self._set_image(image)
                self.file_label.setText(self.tr("preview: the picture is still being made"))

        size = parse_size(str(record.params.get("size") or ""))
        self._background.submit(_decode_preview, bytes(data), size, on_done=decoded, receiver=self)

    # -- the picture: a stand-in scaled to the view on a worker, full resolution when zoomed --

    def _fit(self) -> tuple[int, int]:
        """The view's size in device pixels: what a stand-in is scaled to."""
        dpr = self.image_view.devicePixelRatioF() or 1.0
        return (round(self.image_view.width() * dpr), round(self.image_view.height() * dpr))

    @staticmethod
    def _full_size(record: JobRecord) -> QSize | None:
        return QSize(*record.size) if record.size else None

    def _load(
        self,
        path: str,
        fit: tuple[int, int] | None,
        *,
        keep_view: bool = False,
        then: Any = None,
    ) -> None:
        """Decode (and scale) `path` on a worker, then show it if the record is still shown."""
        key = self._record.key if self._record is not None else None
        self._background.submit(
            load_picture,
            path,
            fit,
            on_done=lambda loaded: self._on_loaded(key, path, loaded, keep_view, then),
            receiver=self,
        )

    def _on_loaded(
        self, key: str | None, path: str, loaded: Any, keep_view: bool, then: Any
    ) -> None:
        image, full_size = loaded
        record = self._record
        if record is None or record.key != key or image.isNull() or path != self._shown_path():
            return
        self._set_image(image, full_size, keep_view=keep_view)
        if then is not None:
            then()

    def _shown_path(self) -> str | None:
        record = self._record
        if record is None:
            return None
        if self.raw_button.isChecked() and record.raw_paths and record.raw_paths[0]:
            return record.raw_paths[0]
        return record.paths[0] if record.paths else None

    @Slot(QSize)
    def on_detail_wanted(self, size: QSize) -> None:
        """Zoomed in past the stand-in (or the view grew): the file in the detail now wanted."""
        path = self._shown_path()
        if path:
            fit = (size.width(), size.height()) if self.image_view.is_fit() else None
            self._load(path, fit, keep_view=True)

    def _set_image(
        self, image: QImage | None, full_size: QSize | None = None, *, keep_view: bool = False
    ) -> None:
        self._image = image
        self.image_view.set_image(image, full_size=full_size, keep_view=keep_view)
        self._update_actions()

    def _update_actions(self) -> None:
        record = self._record
        has_file = bool(record and record.paths)
        has_image = self._image is not None and not self._image.isNull()
        self.save_button.setEnabled(has_file)
        self.reveal_button.setEnabled(has_file)
        self.copy_button.setEnabled(has_image)
        self.edit_button.setEnabled(has_file)
        self.reuse_button.setEnabled(record is not None)
        self.fit_button.setEnabled(has_image)
        self.actual_button.setEnabled(has_image)
        # Edit-only actions are hidden rather than greyed out for generated pictures.
        self.compare_button.setVisible(
            bool(record and record.is_edit and has_file and _compare_available())
        )
        self.raw_button.setVisible(bool(record and record.raw_paths and record.raw_paths[0]))

    # -- actions --

    @Slot()
    def on_fit(self) -> None:
        self.image_view.set_fit(True)
        self.fit_button.setChecked(True)
        self.actual_button.setChecked(False)

    @Slot()
    def on_actual(self) -> None:
        self.image_view.set_fit(False)
        self.fit_button.setChecked(False)
        self.actual_button.setChecked(True)

    @Slot()
    def on_save_as(self) -> None:
        if not self._record or not self._record.paths:
            return
        source = Path(self._record.paths[0])
        target, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the picture as"), str(Path.home() / source.name)
        )
        if not target:
            return
        self._background.submit(
            shutil.copyfile,
            str(source),
            target,
            on_done=lambda _r: self.message.emit(self.tr("Saved a copy to {0}").format(target)),
            on_error=lambda e: self.message.emit(self.tr("Could not save the copy: {0}").format(e)),
            receiver=self,
        )

    @Slot()
    def on_copy(self) -> None:
        if self._image is None:
            return
        path = self._shown_path()
        if self.image_view.is_stand_in() and path:
            # The clipboard gets the picture itself, not the view-sized stand-in.
            self._load(path, None, keep_view=True, then=self.on_copy)
            return
        QGuiApplication.clipboard().setImage(self._image)
        self.message.emit(self.tr("Picture copied to the clipboard"))

    @Slot()
    def on_reveal(self) -> None:
        if self._record and self._record.paths:
            open_path.reveal(self, self._record.paths[0])

    @Slot()
    def on_use_as_source(self) -> None:
        if not self._record or not self._record.paths:
            return
        self.edit_source_requested.emit(self._record.paths[0])

    @Slot()
    def on_reuse(self) -> None:
        if self._record is not None:
            self.reuse_requested.emit(dict(self._record.params))

    @Slot(bool)
    def on_raw_toggled(self, raw: bool) -> None:
        record = self._record
        if record is None:
            return
        path = (
            record.raw_paths[0]
            if raw and record.raw_paths
            else (record.paths[0] if record.paths else None)
        )
        if not raw and record.preview is not None:
            self._set_image(record.preview, self._full_size(record))
        elif path:
            self._load(path, self._fit())
        self.file_label.setText((record.raw_paths[0] if raw else record.paths[0]) or "")

    @Slot(bool)
    def on_compare_toggled(self, on: bool) -> None:
        record = self._record
        if not on or record is None or record.job_id is None:
            self.stack.setCurrentWidget(self.image_view)
            return
        try:
            from app.ui.compare import CompareView
        except ImportError:
            self.compare_button.setChecked(False)
            return
        if self._compare is None:
            self._compare = CompareView(self.stack)
            self.stack.addWidget(self._compare)
        lib = self._library
        job_id, item_id = record.job_id, (record.item_ids[0] if record.item_ids else None)

        def load() -> tuple[QImage, QImage]:
            sources = []
            if item_id is not None:
                item = lib.item(item_id)
                sources = list(item.source_paths)
                after = QImage(str(item.path))
            else:
                after = QImage()
            if not sources:
                request = lib.load_request(job_id)
                before = decode_picture(request.images[0].data) if request.images else QImage()
            else:
                before = QImage(str(sources[0]))
            return before, after

        def shown(pair: tuple[QImage, QImage]) -> None:
            if (
                self._compare is not None
                and self._record is record
                and self.compare_button.isChecked()
            ):
                self._compare.set_images(*pair)  # type: ignore[attr-defined]
                self.stack.setCurrentWidget(self._compare)

        self._background.submit(
            load,
            on_done=shown,
            on_error=lambda e: self.message.emit(
                self.tr("Could not load the source: {0}").format(e)
            ),
            receiver=self,
        )


def _compare_available() -> bool:
    try:
        import app.ui.compare  # noqa: F401
    except ImportError:
        return False
    return True
