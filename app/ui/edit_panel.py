"""The edit panel: the pictures to edit (a reference strip), the mask canvas and its tools.

Pictures come in by drop, paste, the Open dialog or add_files()/add_image_bytes(); each is
read and prepared (app.core.imaging.prepare_source) in the background, which also decodes it
for display, so nothing slow happens on the GUI thread. The pictures and their order live in
app.services.sources.SourceList, which the strip views; the first picture is the one shown on
the canvas and the one the mask applies to. The tools are app.ui.mask_toolbar's; what a drop
or paste carries is read by app.ui.drops.
"""

from __future__ import annotations

import logging
import os
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QMimeData,
    QSize,
    Qt,
    QThread,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core import sentences
from app.core.api.models import MAX_IMAGES
from app.core.download import MAX_DOWNLOAD_BYTES, DownloadError, download
from app.core.imaging import EditSnapshot, ImageError
from app.services.background import Background
from app.services.sources import ROLE_ID, Source, SourceList
from app.ui import drops
from app.ui.drops import IMAGE_SUFFIXES, RAW_IMAGE_MIME
from app.ui.drops import file_urls_mime as image_urls_mime
from app.ui.edit_replace import SessionReplacer
from app.ui.loading import THUMB, decode_for_display, download_text, load_source
from app.ui.mask_canvas import MaskCanvas
from app.ui.mask_toolbar import MaskToolbar, make_action

__all__ = [
    "IMAGE_SUFFIXES",
    "MAX_DOWNLOAD_BYTES",
    "MAX_IMAGES",
    "RAW_IMAGE_MIME",
    "ROLE_ID",
    "EditPanel",
    "ReferenceStrip",
    "Source",
    "download",
    "download_text",
    "error_text",
    "image_urls_mime",
]

log = logging.getLogger(__name__)

TRIM_PIXELS = 2048 * 2048  # references larger than this keep no full-size display copy


def error_text(exc: ImageError) -> str:
    """An ImageError from app.core.imaging in the user's language (the one sentence table)."""
    return sentences.image_error_sentence(exc, QCoreApplication.translate)


class ReferenceStrip(QListView):
    """The pictures sent with the edit, in order (a view of the panel's SourceList); drag to
    reorder, Delete to remove."""

    remove_requested = Signal()

    def __init__(self, model: SourceList, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("referenceStrip")
        self.setModel(model)
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFixedHeight(THUMB + 40)
        self.setSpacing(3)

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.selectionModel().selectedRows())

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if event.source() is self:
            super().dropEvent(event)
        else:
            event.ignore()  # files from outside: the panel takes them

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.source() is self:
            super().dragEnterEvent(event)
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_rows():
            self.remove_requested.emit()
            event.accept()
        else:
            super().keyPressEvent(event)


class EditPanel(QWidget):
    sources_changed = Signal()
    mask_changed = Signal()
    message = Signal(str)  # a sentence for the status bar
    # Paths of files that loaded: the main window may offer to restore their settings.
    files_added = Signal(list)
    # The user changed an option worth remembering (the main window may keep it in settings).
    feather_changed = Signal(int)
    keep_unmasked_changed = Signal(bool)
    brush_size_changed = Signal(int)
    # The user accepted to restore the prompt and settings embedded in a dropped file; the
    # dict is the file's "params" (ImageRequest.parameters()), as the gallery's reuse sends.
    reuse_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None, *, background: Background | None = None):
        super().__init__(parent)
        self.setObjectName("editPanel")
        self.setAcceptDrops(True)
        # Without one handed in, the panel runs its own (and shutdown() drains it).
        self._owns_background = background is None
        self._background = background or Background(QThread.idealThreadCount(), self)
        self.model = SourceList(self)
        self._first_id: int | None = None
        self._restore_params: dict[str, Any] | None = None
        self._quiet: set[int] = set()  # loads that must not offer to restore settings

        self.canvas = MaskCanvas(self)
        self.strip = ReferenceStrip(self.model, self)
        self._build_actions()
        self.tools = MaskToolbar(
            self.canvas, self._background, self, leading=[self.open_action], error_text=error_text
        )
        # The tools' keys work wherever the focus is inside the panel (the canvas, the strip).
        self.addActions(self.tools.actions())
        # The tools' widgets and actions, by the names the window and the tests have used.
        self.brush_spin, self.feather_spin = self.tools.brush_spin, self.tools.feather_spin
        self.keep_check, self.opacity_slider = self.tools.keep_check, self.tools.opacity_slider
        self.save_mask_action = self.tools.save_mask_action
        self.load_mask_action = self.tools.load_mask_action
        self.replacer = SessionReplacer(self, self)
        self._build_layout()
        self.canvas.mask_changed.connect(self.on_canvas_mask_changed)
        self.canvas.open_requested.connect(self.open_dialog)
        self.tools.message.connect(self.message)
        self.tools.brush_size_changed.connect(self.brush_size_changed)
        self.tools.feather_changed.connect(self.feather_changed)
        self.tools.keep_unmasked_changed.connect(self.keep_unmasked_changed)
        self.model.changed.connect(self.on_model_changed)
        self.strip.remove_requested.connect(self.remove_selected)
        self._update_actions()

    # -- construction --------------------------------------------------------------------

    def _build_actions(self) -> None:
        tr = self.tr
        self.open_action = make_action(
            self,
            tr("Open image…"),
            self.open_dialog,
            # No Ctrl+O here: the main window's File menu has it, and the same key on two
            # live actions is an "ambiguous shortcut" that fires neither.
            None,
            tr("Open one or more pictures to edit"),
        )
        self.paste_action = make_action(
            self,
            tr("Paste"),
            self.paste,
            QKeySequence.StandardKey.Paste,
            tr("Paste a picture or a copied file"),
        )
        self.remove_action = make_action(
            self,
            tr("Remove"),
            self.remove_selected,
            None,
            tr("Remove the selected pictures from the edit"),
        )
        self.clear_sources_action = make_action(
            self,
            tr("Remove all"),
            self.clear_sources,
            None,
            tr("Remove every picture from the edit"),
        )

    def _build_layout(self) -> None:
        tr = self.tr
        self.strip_hint = QLabel(self)
        self.strip_hint.setObjectName("stripHint")
        self.strip_hint.setWordWrap(True)
        self.strip_hint.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        remove = QToolButton(self)
        remove.setDefaultAction(self.remove_action)
        remove_all = QToolButton(self)
        remove_all.setDefaultAction(self.clear_sources_action)
        strip_side = QVBoxLayout()
        strip_side.addWidget(self.strip_hint, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(remove)
        buttons.addWidget(remove_all)
        buttons.addStretch(1)
        strip_side.addLayout(buttons)
        strip_row = QHBoxLayout()
        strip_row.addWidget(self.strip, 3)
        strip_row.addLayout(strip_side, 1)

        self.restore_bar = QFrame(self)
        self.restore_bar.setObjectName("restoreBar")
        self.restore_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.restore_label = QLabel(self.restore_bar)
        self.restore_label.setWordWrap(True)
        restore = QPushButton(tr("Restore settings"), self.restore_bar)
        restore.setObjectName("restoreButton")
        restore.clicked.connect(self.on_restore_clicked)
        dismiss = QPushButton(tr("Not now"), self.restore_bar)
        dismiss.clicked.connect(self.restore_bar.hide)
        bar = QHBoxLayout(self.restore_bar)
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(self.restore_label, 1)
        bar.addWidget(restore)
        bar.addWidget(dismiss)
        self.restore_bar.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.tools)
        layout.addWidget(self.restore_bar)
        layout.addWidget(self.replacer.bar)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(strip_row)

    def shutdown(self) -> None:
        """Stop the loads still running (when the panel runs its own background)."""
        if self._owns_background:
            self._background.shutdown()

    # -- the public interface ------------------------------------------------------------

    def has_sources(self) -> bool:
        return self.model.count() > 0

    def source_count(self) -> int:
        return self.model.count()

    def sources(self) -> list[Source]:
        return self.model.sources()

    def feather(self) -> int:
        return self.tools.feather_spin.value()

    def set_feather(self, pixels: int) -> None:
        self.tools.feather_spin.setValue(int(pixels))

    def keep_unmasked(self) -> bool:
        return self.tools.keep_check.isChecked()

    def set_keep_unmasked(self, keep: bool) -> None:
        self.tools.keep_check.setChecked(bool(keep))

    def brush_size(self) -> int:
        return self.tools.brush_spin.value()

    def set_brush_size(self, pixels: int) -> None:
        self.tools.brush_spin.setValue(int(pixels))

    def has_mask(self) -> bool:
        model = self.canvas.model
        return model is not None and not model.is_empty

    def snapshot(self) -> EditSnapshot | None:
        """What to send, captured now (cheap: no encoding); None without any picture."""
        sources = self.sources()
        if not sources:
            return None
        model = self.canvas.model
        mask = self.canvas.mask_bytes()
        if model is None or model.size != sources[0].prepared.size:
            # The first picture is still being decoded for display: its mask is not painted yet.
            mask = None
        return EditSnapshot(
            sources=[s.prepared for s in sources],
            mask=mask,
            mask_size=model.size if (mask is not None and model is not None) else None,
            feather=self.feather(),
            keep_unmasked=self.keep_unmasked(),
        )

    def add_files(self, paths: list[str], *, offer_restore: bool = True) -> None:
        for path in self._take(paths):
            token = self._start(os.path.basename(path), path=path)
            if not offer_restore:
                self._quiet.add(token)

    def edit_from_gallery(self, path: str) -> None:
        """A gallery picture to edit: into an empty editor at once; over pictures already
        here only after asking Replace / Add as reference / Cancel (app.ui.edit_replace)."""
        self.replacer.offer(path)

    def replace_with(self, path: str) -> None:
        """Make this picture the whole edit (pictures and mask); the banner's Undo brings the
        old ones back."""
        self._start(os.path.basename(path), replace_all=True, path=path)

    def add_image_bytes(self, data: bytes, name: str = "") -> None:
        if self._take([name]):
            self._start(name or self.tr("pasted picture"), data=data)

    def add_image(self, image: QImage, name: str = "") -> None:
        if self._take([name]):
            self._start(name or self.tr("pasted picture"), image=image.copy())

    def use_as_source(
        self, path: str | None = None, data: bytes | None = None, name: str = ""
    ) -> None:
        """Make this picture the first one (the one the mask applies to), replacing the
        current first picture and keeping the others; the mask stays if the size matches."""
        self._start(
            name or (os.path.basename(path) if path else self.tr("result")),
            replace_first=True,
            path=path,
            data=data,
        )

    @Slot()
    def clear_sources(self) -> None:
        self.model.clear()

    # -- loading -------------------------------------------------------------------------

    def _take(self, names: list[str]) -> list[str]:
        fit, problem = self.model.take(names)
        if problem:
            self.message.emit(problem)
        return fit

    def _start(
        self, name: str, *, replace_first: bool = False, replace_all: bool = False, **what: Any
    ) -> int:
        token = self.model.expect(replace_first=replace_first, replace_all=replace_all)
        self._background.submit(
            load_source,
            name,
            on_done=partial(self.on_loaded, token),
            on_error=partial(self.on_load_failed, token, name),
            receiver=self,
            **what,
        )
        return token

    def on_loaded(self, token: int, source: Source) -> None:
        if self.model.replaces_all(token):
            self.replacer.landed(token, source)
            return
        # Chosen from a result or the gallery, which have their own "reuse settings":
        # asking to restore them here would only be noise.
        quiet = self.model.replaces_first(token) or token in self._quiet
        self._quiet.discard(token)
        added = self.model.land(token, source)
        if added:
            self._announce(added, offer_restore=not quiet)

    def on_load_failed(self, token: int, name: str, exc: BaseException) -> None:
        if isinstance(exc, DownloadError):
            text = download_text(exc)
        elif isinstance(exc, ImageError):
            text = error_text(exc)
        else:  # a bug: say so, and keep the trace in the log
            log.error("loading %s failed", name, exc_info=exc)
            text = (
                self.tr("“%1” could not be opened: %2.").replace("%1", name).replace("%2", str(exc))
            )
        self.message.emit(text)
        self._quiet.discard(token)
        self.model.fail(token)

    def _announce(self, added: list[Source], *, offer_restore: bool = True) -> None:
        notes = [n for s in added for n in s.notes]
        names = ", ".join(s.prepared.filename for s in added)
        if notes:
            self.message.emit(self.tr("%1: %2").replace("%1", names).replace("%2", " ".join(notes)))
        paths = [s.path for s in added if s.path]
        if paths:
            self.files_added.emit(paths)
        made_here = [s for s in added if s.record is not None]
        if made_here and offer_restore:
            self._offer_restore(made_here[-1])

    def _offer_restore(self, source: Source) -> None:
        self._restore_params = dict(source.record["params"]) if source.record else None
        prompt = str((self._restore_params or {}).get("prompt") or "")
        short = prompt if len(prompt) <= 60 else prompt[:57] + "…"
        self.restore_label.setText(
            self.tr("“%1” was made with this app (“%2”). Restore its prompt and settings?")
            .replace("%1", source.prepared.filename)
            .replace("%2", short)
        )
        self.restore_bar.show()

    @Slot()
    def on_restore_clicked(self) -> None:
        params = self._restore_params
        self.restore_bar.hide()
        if params is not None:
            self.reuse_requested.emit(params)

    @Slot()
    def on_model_changed(self) -> None:
        """Show the first picture on the canvas if it changed; refresh the hint."""
        first = self.model.first()
        if first is None:
            if self._first_id is not None:
                self.canvas.clear_image()
            self._first_id = None
        elif first.id != self._first_id:
            self._first_id = first.id
            if first.levels:
                self._show_first(first)
            else:
                self._background.submit(
                    decode_for_display,
                    first.prepared,
                    on_done=partial(self.on_decoded, first.id),
                    on_error=partial(self.on_decode_failed, first.prepared.filename),
                    receiver=self,
                )
        self._trim_levels()
        count = self.model.count()
        if count == 0:
            hint = self.tr("Drop, paste or open pictures to edit.")
        elif count == 1:
            hint = self.tr(
                "Paint over the part of the picture to change. Add more pictures as references."
            )
        else:
            hint = self.tr(
                "%n picture(s). The first is the one you paint on; drag to reorder.", "", count
            )
        self.strip_hint.setText(hint)
        self._update_actions()
        self.sources_changed.emit()

    def _show_first(self, first: Source) -> None:
        mask = self.replacer.mask_for(first.id)
        if mask is not None:  # an undone Replace: its mask, with its undo history
            self.canvas.set_image(first.levels[0], first.levels, keep_mask=False)
            self.canvas.put_back_mask(mask)
            return
        had_mask = self.has_mask()
        kept = self.canvas.set_image(first.levels[0], first.levels, keep_mask=True)
        if had_mask and not kept:
            self.message.emit(self.tr("The mask was cleared: the first picture has another size."))

    def on_decoded(self, source_id: int, levels: list[QImage]) -> None:
        source = self.model.find(source_id)
        if source is None or source_id != self._first_id:
            return  # removed or moved back while it was decoding
        source.levels = levels
        self._show_first(source)
        self.sources_changed.emit()

    def on_decode_failed(self, name: str, exc: BaseException) -> None:
        # It decoded once already: only memory can fail here.
        log.error("decoding %s again failed", name, exc_info=exc)
        self.message.emit(
            self.tr("“%1” could not be shown: %2.").replace("%1", name).replace("%2", str(exc))
        )

    def _trim_levels(self) -> None:
        """Only the first picture keeps its full-size display copy (a 4096x4096 one is 85 MB
        with its halves); the others are decoded again if they become first."""
        for source in self.model.sources():
            if source.id != self._first_id and source.levels:
                w, h = source.prepared.size
                if w * h > TRIM_PIXELS:
                    source.levels = []

    @Slot()
    def remove_selected(self) -> None:
        rows = self.strip.selected_rows()
        if not rows and self.model.count() and self.strip.currentIndex().isValid():
            rows = [self.strip.currentIndex().row()]
        self.model.remove(rows)

    def move_source(self, row: int, to: int) -> None:
        """Move a picture in the strip (what a drag does)."""
        self.model.move(row, to)

    # -- drops, paste, dialogs -----------------------------------------------------------

    def accepts_mime(self, mime: QMimeData) -> bool:
        return drops.accepts(mime)

    def take_mime(self, mime: QMimeData) -> bool:
        """Load the pictures in a drop or the clipboard; False (with a message) when there is none."""
        drop = drops.read(mime)
        if drop.files:
            self.add_files(drop.files)
        elif drop.data:
            self.add_image_bytes(drop.data, self.tr("pasted picture"))
        elif drop.image is not None:
            self.add_image(drop.image, self.tr("pasted picture"))
        elif drop.urls:
            for url in self._take(drop.urls):
                self._start(drops.url_name(url) or self.tr("web picture"), url=url)
        else:
            self.message.emit(self.tr("There is no picture in what was dropped or pasted."))
            return False
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self.accepts_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if self.accepts_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if self.take_mime(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    @Slot()
    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            self.message.emit(self.tr("The clipboard is empty."))
            return
        self.take_mime(mime)

    @Slot()
    def open_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open pictures to edit"),
            self.tools.last_dir,
            self.tr("Pictures (%1);;All files (*)").replace(
                "%1", " ".join("*" + s for s in IMAGE_SUFFIXES)
            ),
        )
        if paths:
            self.tools.last_dir = os.path.dirname(paths[0])
            self.add_files(paths)

    def save_mask(self, path: str) -> None:
        self.tools.save_mask(path)

    def load_mask(self, path: str) -> None:
        self.tools.load_mask(path)

    # -- state ---------------------------------------------------------------------------

    @Slot()
    def on_canvas_mask_changed(self) -> None:
        self._update_actions()
        self.mask_changed.emit()

    def _update_actions(self) -> None:
        self.tools.update_actions()
        self.remove_action.setEnabled(self.model.count() > 0)
        self.clear_sources_action.setEnabled(self.model.count() > 0)
