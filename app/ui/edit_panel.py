"""The edit panel: the pictures to edit (a reference strip), the mask canvas and its tools.

Pictures come in by drop, paste, the Open dialog or add_files()/add_image_bytes(); each is
read and prepared (app.core.imaging.prepare_source) in a worker, which also decodes it for
display, so nothing slow happens on the GUI thread. The first picture of the strip is the
one shown on the canvas and the one the mask applies to.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QIODevice,
    QMimeData,
    QModelIndex,
    QObject,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QUrl,
    Signal,
    SignalInstance,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.api.models import MAX_IMAGES
from app.core.imaging import (
    MAX_SOURCE_PIXELS,
    EditSnapshot,
    ImageError,
    PreparedImage,
    painted_from_mask,
    prepare_source,
)
from app.core.mask import MaskModel
from app.ui.mask_canvas import MAX_BRUSH, MIN_BRUSH, MaskCanvas, Tool, mipmaps

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

# Reading more than this into memory to then refuse it is pointless: prepare_source would
# have to shrink it below the service's 50 MB anyway, and a 2 GB file would stall the worker.
MAX_READ_BYTES = 512 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
RAW_IMAGE_MIME = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp")
THUMB = 72
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
TRIM_PIXELS = 2048 * 2048  # references larger than this keep no full-size display copy
ROLE_ID = Qt.ItemDataRole.UserRole + 7


@dataclass
class Source:
    id: int
    prepared: PreparedImage
    levels: list[QImage]  # the picture for display, and its halves (see mask_canvas.mipmaps)
    thumb: QImage
    path: str | None = None
    notes: list[str] = field(default_factory=list)
    record: dict[str, Any] | None = None  # the app's own settings embedded in the file, if any


class _Signals(QObject):
    """Lives on the GUI thread; workers emit through it (queued to the panel's slots)."""

    loaded = Signal(int, object)  # token, Source (without id)
    failed = Signal(int, str)  # token, the sentence to show
    mask_loaded = Signal(object)  # PIL L image, already the first picture's size
    decoded = Signal(int, object)  # source id, display levels (list[QImage])
    saved = Signal(str)  # message


def _decode_for_display(prepared: PreparedImage) -> list[QImage]:
    """Decode the prepared bytes with Pillow (the pixels the service will get, upright)."""
    from PIL import Image  # in the worker: Pillow is not imported during start-up

    with Image.open(io.BytesIO(prepared.data)) as im:
        rgba = im.convert("RGBA")
    data = rgba.tobytes()
    image = QImage(data, rgba.width, rgba.height, 4 * rgba.width, QImage.Format.Format_RGBA8888)
    # convertToFormat copies, so the QImage no longer points into `data`.
    image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    return mipmaps(image)


def _qimage_to_png(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG", 1)  # type: ignore[call-overload]  # the stub wants bytes, Qt wants str  # fast: prepare_source re-encodes if needed anyway
    return bytes(buffer.data().data())


def _emit(signal: SignalInstance, *args: object) -> None:
    # The panel may have been closed while the worker ran: then nobody is left to tell.
    with contextlib.suppress(RuntimeError):
        signal.emit(*args)


def error_text(exc: ImageError) -> str:
    """An ImageError from app.core.imaging in the user's language."""
    if not exc.name:
        return exc.message
    # Literal QCoreApplication.translate calls (thread-safe: workers call this) so lupdate finds them.
    templates = {
        "empty": QCoreApplication.translate(
            "EditPanel", "“%1” is empty (0 bytes). Choose another file."
        ),
        "unreadable": QCoreApplication.translate(
            "EditPanel", "“%1” is not a picture this app can read. Use a PNG, JPEG or WebP file."
        ),
        "incomplete": QCoreApplication.translate(
            "EditPanel",
            "“%1” is incomplete (the file was cut short, perhaps by an unfinished download or "
            "copy). Get the file again.",
        ),
        "damaged": QCoreApplication.translate(
            "EditPanel", "“%1” is damaged and cannot be read (%2). Try another file."
        ),
        "too_large": QCoreApplication.translate(
            "EditPanel",
            "“%1” is too large (%2): at most %3 megapixels can be used. Scale it down in an image "
            "editor first.",
        ),
    }
    template = templates.get(exc.kind)
    if template is None:
        return exc.message
    return (
        template.replace("%1", exc.name)
        .replace("%2", exc.detail)
        .replace("%3", str(MAX_SOURCE_PIXELS // 1_000_000))
    )


class _LoadTask(QRunnable):
    def __init__(
        self,
        signals: _Signals,
        token: int,
        name: str,
        *,
        path: str | None = None,
        data: bytes | None = None,
        image: QImage | None = None,
        url: str | None = None,
    ):
        super().__init__()
        self.signals = signals
        self.token = token
        self.name = name
        self.path = path
        self.data = data
        self.image = image
        self.url = url

    def run(self) -> None:
        try:
            result: object = self._load()
            ok = True
        except ImageError as exc:
            result, ok = error_text(exc), False
        except Exception as exc:  # a bug must not kill the worker silently
            log.exception("loading %s failed", self.name)
            result, ok = f"“{self.name}” could not be opened: {exc}.", False
        if ok:
            _emit(self.signals.loaded, self.token, result)
        else:
            _emit(self.signals.failed, self.token, str(result))

    def _load(self) -> Source:
        data = self.data
        if self.path is not None:
            try:
                size = os.path.getsize(self.path)
                if size > MAX_READ_BYTES:
                    raise ImageError(
                        QCoreApplication.translate(
                            "EditPanel",
                            "“%1” is %2 GB: too large to use. Save a smaller copy first.",
                        )
                        .replace("%1", self.name)
                        .replace("%2", f"{size / 1e9:.1f}")
                    )
                data = Path(self.path).read_bytes()
            except OSError as exc:
                raise ImageError(
                    QCoreApplication.translate("EditPanel", "“%1” could not be read: %2.")
                    .replace("%1", self.name)
                    .replace("%2", str(exc.strerror or exc))
                ) from None
        elif self.image is not None:
            if self.image.isNull():
                raise ImageError(
                    QCoreApplication.translate(
                        "EditPanel", "The pasted or dropped picture is empty."
                    )
                )
            data = _qimage_to_png(self.image)
        elif self.url is not None:
            data = download(self.url, self.name)
        prepared = prepare_source(data or b"", self.name)
        levels = _decode_for_display(prepared)
        thumb = levels[-1].scaled(
            THUMB,
            THUMB,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        return Source(
            0,
            prepared,
            levels,
            thumb,
            self.path,
            list(prepared.notes),
            _embedded_record(data or b""),
        )


def download(url: str, name: str, limit: int = MAX_DOWNLOAD_BYTES, timeout: float = 20.0) -> bytes:
    """Fetch a picture dragged from a web page (browsers often drag only its address)."""
    import httpx

    try:
        with (
            httpx.Client(follow_redirects=True, timeout=timeout) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise ImageError(
                    QCoreApplication.translate(
                        "EditPanel",
                        "“%1” could not be downloaded: the server answered %2. "
                        "Save the picture from the browser, then drop the file.",
                    )
                    .replace("%1", name)
                    .replace("%2", str(response.status_code))
                )
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > limit:
                    raise ImageError(
                        QCoreApplication.translate(
                            "EditPanel",
                            "“%1” is larger than %2 MB: too large to download. "
                            "Save it from the browser, then drop the file.",
                        )
                        .replace("%1", name)
                        .replace("%2", str(limit // (1024 * 1024)))
                    )
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise ImageError(
            QCoreApplication.translate(
                "EditPanel",
                "“%1” could not be downloaded (%2). Check the connection, "
                "or save the picture from the browser and drop the file.",
            )
            .replace("%1", name)
            .replace("%2", type(exc).__name__)
        ) from None


def _embedded_record(data: bytes) -> dict[str, Any] | None:
    """The prompt and settings this app embedded in a file it made (a cheap chunk scan)."""
    try:
        from app.core.library import metadata
    except ImportError:  # a build without the library
        return None
    record = metadata.extract(data)
    return record if record and isinstance(record.get("params"), dict) else None


class _DecodeTask(QRunnable):
    """Decode a picture again for display when it becomes the first one."""

    def __init__(self, signals: _Signals, source_id: int, prepared: PreparedImage):
        super().__init__()
        self.signals, self.source_id, self.prepared = signals, source_id, prepared

    def run(self) -> None:
        try:
            levels = _decode_for_display(self.prepared)
        except Exception as exc:  # it decoded once already: only memory can fail here
            log.exception("decoding %s again failed", self.prepared.filename)
            _emit(self.signals.failed, -1, f"“{self.prepared.filename}” could not be shown: {exc}.")
            return
        _emit(self.signals.decoded, self.source_id, levels)


class _SaveMaskTask(QRunnable):
    def __init__(
        self,
        signals: _Signals,
        painted: bytes,
        size: tuple[int, int],
        path: str,
        ok_text: str,
        fail_text: str,
    ):
        super().__init__()
        self.signals, self.painted, self.size, self.path = signals, painted, size, path
        self.ok_text, self.fail_text = ok_text, fail_text

    def run(self) -> None:
        try:
            model = MaskModel(*self.size)
            model.set_bytes(self.painted)
            tmp = self.path + ".part"
            Path(tmp).write_bytes(model.save())
            os.replace(tmp, self.path)
            message = self.ok_text
        except (OSError, ImageError) as exc:
            message = self.fail_text.replace(
                "%2", str(getattr(exc, "message", None) or getattr(exc, "strerror", None) or exc)
            )
        _emit(self.signals.saved, message)


class _LoadMaskTask(QRunnable):
    def __init__(self, signals: _Signals, path: str, size: tuple[int, int]):
        super().__init__()
        self.signals, self.path, self.size = signals, path, size

    def run(self) -> None:
        name = os.path.basename(self.path)
        try:
            painted: object = painted_from_mask(Path(self.path).read_bytes(), self.size)
            _emit(self.signals.mask_loaded, painted)
            return
        except ImageError as exc:
            message = error_text(exc)
        except OSError as exc:
            message = f"“{name}” could not be read: {exc.strerror or exc}."
        _emit(self.signals.failed, -1, message)


class ReferenceStrip(QListWidget):
    """The pictures sent with the edit, in order; drag to reorder, Delete to remove."""

    order_changed = Signal()
    remove_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("referenceStrip")
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
        self.model().rowsMoved.connect(self.on_rows_moved)

    @Slot(QModelIndex, int, int, QModelIndex, int)
    def on_rows_moved(self, *args: object) -> None:
        self.order_changed.emit()

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

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selectedItems():
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

    def __init__(self, parent: QWidget | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self.setObjectName("editPanel")
        self.setAcceptDrops(True)
        self._pool = pool or QThreadPool.globalInstance()
        self._signals = _Signals(self)
        self._signals.loaded.connect(self.on_loaded)
        self._signals.failed.connect(self.on_failed)
        self._signals.mask_loaded.connect(self.on_mask_loaded)
        self._signals.decoded.connect(self.on_decoded)
        self._signals.saved.connect(self.message)
        self._sources: dict[int, Source] = {}
        self._next_id = 1
        self._next_token = 1
        self._order: list[int] = []  # tokens of loads waiting to be appended, in request order
        self._done: dict[int, Source | None] = {}
        self._replace_first: set[int] = set()
        self._loaded_paths: list[str] = []
        self._first_id: int | None = None
        self._last_dir = str(Path.home())
        self._restore_params: dict[str, Any] | None = None

        self.canvas = MaskCanvas(self)
        self.strip = ReferenceStrip(self)
        self._build_actions()
        self._build_layout()
        self.canvas.mask_changed.connect(self.on_canvas_mask_changed)
        self.canvas.brush_size_changed.connect(self.brush_spin.setValue)
        self.brush_spin.valueChanged.connect(self.brush_size_changed)
        self.feather_spin.valueChanged.connect(self.feather_changed)
        self.keep_check.toggled.connect(self.keep_unmasked_changed)
        self.canvas.zoom_changed.connect(self.on_zoom_changed)
        self.canvas.open_requested.connect(self.open_dialog)
        self.strip.order_changed.connect(self.on_order_changed)
        self.strip.remove_requested.connect(self.remove_selected)
        self._update_actions()

    # -- construction --------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,  # type: ignore[no-untyped-def]
        tip: str | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            # Only while the panel has focus: Ctrl+Z in the prompt box must undo text.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setCheckable(checkable)
        tip = tip or text.replace("…", "")
        if shortcut is not None:
            tip += f" ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        tr = self.tr
        self.open_action = self._action(
            tr("Open image…"),
            self.open_dialog,
            # No Ctrl+O here: the main window's File menu has it, and the same key on two
            # live actions is an "ambiguous shortcut" that fires neither.
            None,
            tr("Open one or more pictures to edit"),
        )
        self.paste_action = self._action(
            tr("Paste"),
            self.paste,
            QKeySequence.StandardKey.Paste,
            tr("Paste a picture or a copied file"),
        )
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[Tool, QAction] = {}
        for tool, text, key, tip in (
            (Tool.brush, tr("Brush"), "B", tr("Paint the area to change; right-drag erases")),
            (Tool.eraser, tr("Eraser"), "E", tr("Erase paint; right-drag paints")),
            (Tool.rect, tr("Rectangle"), "R", tr("Drag a rectangle to fill; right-drag clears it")),
            (Tool.lasso, tr("Lasso"), "L", tr("Draw an outline to fill; right-drag clears it")),
        ):
            action = self._action(text, self.on_tool_action, key, tip, checkable=True)
            action.setData(tool.value)
            self.tool_group.addAction(action)
            self.tool_actions[tool] = action
        self.tool_actions[Tool.brush].setChecked(True)
        self.undo_action = self._action(
            tr("Undo"), self.canvas.undo, QKeySequence.StandardKey.Undo, tr("Undo the last stroke")
        )
        self.redo_action = self._action(tr("Redo"), self.canvas.redo, "Ctrl+Shift+Z", tr("Redo"))
        # Ctrl+Y as well, as on Windows.
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        # Also on the panel, so the keys work whatever part of it has the focus.
        self.bigger_action = self._action(
            tr("Bigger brush"), self.on_bigger_brush, "]", tr("Bigger brush")
        )
        self.smaller_action = self._action(
            tr("Smaller brush"), self.on_smaller_brush, "[", tr("Smaller brush")
        )
        self.clear_action = self._action(
            tr("Clear"), self.canvas.clear_mask, None, tr("Remove all paint")
        )
        self.invert_action = self._action(
            tr("Invert"),
            self.canvas.invert_mask,
            "I",
            tr("Paint what is clear and clear what is painted"),
        )
        self.show_mask_action = self._action(
            tr("Show mask"),
            self.canvas.set_mask_visible,
            "H",
            tr("Show or hide the painted mask"),
            checkable=True,
        )
        self.show_mask_action.setChecked(True)
        self.fit_action = self._action(
            tr("Fit"), self.canvas.zoom_fit, "Ctrl+0", tr("Fit the picture in view")
        )
        self.actual_action = self._action(
            tr("100 %"), self.canvas.zoom_actual, "1", tr("Show the picture at its real size")
        )
        self.save_mask_action = self._action(
            tr("Save mask…"), self.save_mask_dialog, None, tr("Save the mask as a PNG to reuse it")
        )
        self.load_mask_action = self._action(
            tr("Load mask…"),
            self.load_mask_dialog,
            None,
            tr("Load a mask saved earlier (transparent or white = change)"),
        )
        self.remove_action = self._action(
            tr("Remove"),
            self.remove_selected,
            None,
            tr("Remove the selected pictures from the edit"),
        )
        self.clear_sources_action = self._action(
            tr("Remove all"), self.clear_sources, None, tr("Remove every picture from the edit")
        )

    def _build_layout(self) -> None:
        tr = self.tr
        tools = QToolBar(tr("Mask tools"), self)
        tools.setObjectName("maskToolBar")
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tools.addAction(self.open_action)
        tools.addSeparator()
        for action in self.tool_actions.values():
            tools.addAction(action)
        tools.addSeparator()
        for action in (self.undo_action, self.redo_action, self.clear_action, self.invert_action):
            tools.addAction(action)
        tools.addSeparator()
        for action in (self.show_mask_action, self.fit_action, self.actual_action):
            tools.addAction(action)
        tools.addSeparator()
        tools.addAction(self.save_mask_action)
        tools.addAction(self.load_mask_action)

        self.brush_spin = QSpinBox(self)
        self.brush_spin.setObjectName("brushSizeSpin")
        self.brush_spin.setRange(MIN_BRUSH, MAX_BRUSH)
        self.brush_spin.setSuffix(tr(" px"))
        self.brush_spin.setValue(self.canvas.brush_size())
        self.brush_spin.setToolTip(tr("Brush size in picture pixels ([ and ] change it)"))
        self.brush_spin.valueChanged.connect(self.canvas.set_brush_size)

        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity_slider.setObjectName("overlayOpacitySlider")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(self.canvas.overlay_opacity())
        self.opacity_slider.setMaximumWidth(120)
        self.opacity_slider.setToolTip(tr("How strongly the mask is shown over the picture"))
        self.opacity_slider.valueChanged.connect(self.canvas.set_overlay_opacity)

        self.feather_spin = QSpinBox(self)
        self.feather_spin.setObjectName("featherSpin")
        self.feather_spin.setRange(0, 256)
        self.feather_spin.setValue(12)
        self.feather_spin.setSuffix(tr(" px"))
        self.feather_spin.setToolTip(
            tr("Width of the soft edge where the result blends into the original (0 = hard edge)")
        )

        self.keep_check = QCheckBox(tr("Keep unmasked pixels"), self)
        self.keep_check.setObjectName("keepUnmaskedCheck")
        self.keep_check.setChecked(True)
        self.keep_check.setToolTip(
            tr(
                "The model redraws the whole picture; with this on, only the painted area (and the "
                "feather around it) is taken from the result, everything else stays exactly as it was"
            )
        )
        self.keep_check.toggled.connect(self.feather_spin.setEnabled)

        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("zoomLabel")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        options = QHBoxLayout()
        options.setContentsMargins(4, 0, 4, 0)
        for label, widget in (
            (tr("Brush"), self.brush_spin),
            (tr("Overlay"), self.opacity_slider),
            (tr("Feather"), self.feather_spin),
        ):
            text = QLabel(label, self)
            text.setBuddy(widget)
            options.addWidget(text)
            options.addWidget(widget)
            options.addSpacing(8)
        options.addWidget(self.keep_check)
        options.addStretch(1)
        options.addWidget(self.zoom_label)

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
        layout.addWidget(tools)
        layout.addLayout(options)
        layout.addWidget(self.restore_bar)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(strip_row)

    # -- the public interface ------------------------------------------------------------

    def has_sources(self) -> bool:
        return self.strip.count() > 0

    def source_count(self) -> int:
        return self.strip.count()

    def sources(self) -> list[Source]:
        return [self._sources[self.strip.item(i).data(ROLE_ID)] for i in range(self.strip.count())]

    def feather(self) -> int:
        return self.feather_spin.value()

    def set_feather(self, pixels: int) -> None:
        self.feather_spin.setValue(int(pixels))

    def keep_unmasked(self) -> bool:
        return self.keep_check.isChecked()

    def set_keep_unmasked(self, keep: bool) -> None:
        self.keep_check.setChecked(bool(keep))

    def brush_size(self) -> int:
        return self.brush_spin.value()

    def set_brush_size(self, pixels: int) -> None:
        self.brush_spin.setValue(int(pixels))

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

    def add_files(self, paths: list[str]) -> None:
        for path in self._take(paths):
            self._start(os.path.basename(path), path=path)

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
        token = self._start(
            name or (os.path.basename(path) if path else self.tr("result")),
            path=path,
            data=data,
            queue=False,
        )
        self._replace_first.add(token)

    @Slot()
    def clear_sources(self) -> None:
        self.strip.clear()
        self._sources.clear()
        self._order.clear()
        self._done.clear()
        self._first_id = None
        self.canvas.clear_image()
        self._sources_changed()

    # -- loading -------------------------------------------------------------------------

    def _take(self, names: list[str]) -> list[str]:
        room = MAX_IMAGES - self.strip.count() - len(self._order)
        if room <= 0:
            self.message.emit(
                self.tr("An edit takes at most %n pictures; remove one first.", "", MAX_IMAGES)
            )
            return []
        if len(names) > room:
            self.message.emit(
                self.tr(
                    "An edit takes at most %n pictures; only the first ones were added.",
                    "",
                    MAX_IMAGES,
                )
            )
        return names[:room]

    def _start(
        self,
        name: str,
        *,
        path: str | None = None,
        data: bytes | None = None,
        image: QImage | None = None,
        url: str | None = None,
        queue: bool = True,
    ) -> int:
        token = self._next_token
        self._next_token += 1
        if queue:
            self._order.append(token)
        self._pool.start(
            _LoadTask(self._signals, token, name, path=path, data=data, image=image, url=url)
        )
        return token

    @Slot(int, object)
    def on_loaded(self, token: int, source: Source) -> None:
        source.id = self._next_id
        self._next_id += 1
        self._sources[source.id] = source
        if token in self._replace_first:
            self._replace_first.discard(token)
            if self.strip.count():
                old = self.strip.takeItem(0)
                self._sources.pop(old.data(ROLE_ID), None)
            self.strip.insertItem(0, self._item(source))
            # Chosen from a result or the gallery, which have their own "reuse settings":
            # asking to restore them here would only be noise.
            self._announce([source], offer_restore=False)
            self._sources_changed()
            return
        if token not in self._order:
            return  # cleared while it was loading
        self._done[token] = source
        self._flush()

    @Slot(int, str)
    def on_failed(self, token: int, text: str) -> None:
        self._replace_first.discard(token)
        self.message.emit(text)
        if token in self._order:
            self._done[token] = None
            self._flush()

    def _flush(self) -> None:
        """Append finished loads in the order they were asked for."""
        added: list[Source] = []
        while self._order and self._order[0] in self._done:
            source = self._done.pop(self._order.pop(0))
            if source is not None:
                self.strip.addItem(self._item(source))
                added.append(source)
        if added:
            self._announce(added)
            self._sources_changed()

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

    def _item(self, source: Source) -> QListWidgetItem:
        item = QListWidgetItem(QIcon(QPixmap.fromImage(source.thumb)), "")
        item.setData(ROLE_ID, source.id)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
        return item

    def _sources_changed(self) -> None:
        """Refresh labels, and show the first picture on the canvas if it changed."""
        for i in range(self.strip.count()):
            item = self.strip.item(i)
            source = self._sources[item.data(ROLE_ID)]
            p = source.prepared
            label = self.tr("%1 · mask").replace("%1", str(i + 1)) if i == 0 else str(i + 1)
            item.setText(label)
            tip = f"{p.filename}\n{p.width} × {p.height}, {p.format.upper()}, {len(p.data) / 1e6:.1f} MB"
            if source.notes:
                tip += "\n" + "\n".join(source.notes)
            if i == 0:
                tip += "\n" + self.tr("The mask applies to this picture.")
            item.setToolTip(tip)
        first = self.sources()[0] if self.strip.count() else None
        if first is None:
            if self._first_id is not None:
                self.canvas.clear_image()
            self._first_id = None
        elif first.id != self._first_id:
            self._first_id = first.id
            if first.levels:
                self._show_first(first)
            else:
                self._pool.start(_DecodeTask(self._signals, first.id, first.prepared))
        self._trim_levels()
        count = self.strip.count()
        if count == 0:
            hint = self.tr("Drop, paste or open pictures to edit.")
        elif count == 1:
            hint = self.tr(
                "Paint over the part of the picture to change. Add more pictures as references."
            )
        else:
            # English plural by hand: no English .qm ships to turn "%n picture(s)" into words.
            hint = self.tr(
                "%1 pictures. The first is the one you paint on; drag to reorder."
            ).replace("%1", str(count))
        self.strip_hint.setText(hint)
        self._update_actions()
        self.sources_changed.emit()

    def _show_first(self, first: Source) -> None:
        had_mask = self.has_mask()
        kept = self.canvas.set_image(first.levels[0], first.levels, keep_mask=True)
        if had_mask and not kept:
            self.message.emit(self.tr("The mask was cleared: the first picture has another size."))

    @Slot(int, object)
    def on_decoded(self, source_id: int, levels: list[QImage]) -> None:
        source = self._sources.get(source_id)
        if source is None or source_id != self._first_id:
            return  # removed or moved back while it was decoding
        source.levels = levels
        self._show_first(source)
        self.sources_changed.emit()

    def _trim_levels(self) -> None:
        """Only the first picture keeps its full-size display copy (a 4096x4096 one is 85 MB
        with its halves); the others are decoded again if they become first."""
        for source in self._sources.values():
            if source.id != self._first_id and source.levels:
                w, h = source.prepared.size
                if w * h > TRIM_PIXELS:
                    source.levels = []

    @Slot()
    def on_order_changed(self) -> None:
        self._sources_changed()

    @Slot()
    def remove_selected(self) -> None:
        rows = sorted((self.strip.row(i) for i in self.strip.selectedItems()), reverse=True)
        if not rows and self.strip.count():
            rows = [self.strip.currentRow()] if self.strip.currentRow() >= 0 else []
        for row in rows:
            item = self.strip.takeItem(row)
            self._sources.pop(item.data(ROLE_ID), None)
        if rows:
            self._sources_changed()

    def move_source(self, row: int, to: int) -> None:
        """Move a picture in the strip (what a drag does)."""
        item = self.strip.takeItem(row)
        self.strip.insertItem(to, item)
        self._sources_changed()

    # -- drops, paste, dialogs -----------------------------------------------------------

    def _local_paths(self, mime: QMimeData) -> list[str]:
        return [
            u.toLocalFile()
            for u in mime.urls()
            if u.isLocalFile() and os.path.isfile(u.toLocalFile())
        ]

    def accepts_mime(self, mime: QMimeData) -> bool:
        return (
            bool(self._local_paths(mime))
            or mime.hasImage()
            or any(mime.hasFormat(f) for f in RAW_IMAGE_MIME)
            or any(u.scheme() in ("http", "https") for u in mime.urls())
        )

    def take_mime(self, mime: QMimeData) -> bool:
        """Load the pictures in a drop or the clipboard; False (with a message) when there is none."""
        paths = self._local_paths(mime)
        if paths:
            self.add_files(paths)
            return True
        # Raw bytes first: no decode and re-encode on the way.
        for fmt in RAW_IMAGE_MIME:
            if mime.hasFormat(fmt):
                data = bytes(mime.data(fmt).data())
                if data:
                    self.add_image_bytes(data, self.tr("pasted picture"))
                    return True
        if mime.hasImage():
            image = mime.imageData()
            if isinstance(image, QPixmap):
                image = image.toImage()
            if isinstance(image, QImage) and not image.isNull():
                self.add_image(image, self.tr("pasted picture"))
                return True
        web = [u for u in mime.urls() if u.scheme() in ("http", "https")]
        if web:
            for url in self._take([u.toString() for u in web]):
                name = QUrl(url).fileName() or QUrl(url).host() or self.tr("web picture")
                self._start(name, url=url)
            return True
        self.message.emit(self.tr("There is no picture in what was dropped or pasted."))
        return False

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
            self._last_dir,
            self.tr("Pictures (%1);;All files (*)").replace(
                "%1", " ".join("*" + s for s in IMAGE_SUFFIXES)
            ),
        )
        if paths:
            self._last_dir = os.path.dirname(paths[0])
            self.add_files(paths)

    @Slot()
    def save_mask_dialog(self) -> None:
        model = self.canvas.model
        if model is None or model.is_empty:
            self.message.emit(self.tr("There is no mask to save: paint over the picture first."))
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save mask"),
            os.path.join(self._last_dir, "mask.png"),
            self.tr("PNG mask (*.png)"),
        )
        if path:
            self.save_mask(path)

    def save_mask(self, path: str) -> None:
        model = self.canvas.model
        if model is None:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        self._pool.start(
            _SaveMaskTask(
                self._signals,
                model.tobytes(),
                model.size,
                path,
                self.tr("Mask saved to %1.").replace("%1", path),
                self.tr("The mask could not be saved to %1: %2").replace("%1", path),
            )
        )

    @Slot()
    def load_mask_dialog(self) -> None:
        if self.canvas.model is None:
            self.message.emit(self.tr("Open a picture first: a mask belongs to a picture."))
            return
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Load mask"), self._last_dir, self.tr("PNG mask (*.png);;All files (*)")
        )
        if path:
            self.load_mask(path)

    def load_mask(self, path: str) -> None:
        model = self.canvas.model
        if model is not None:
            self._pool.start(_LoadMaskTask(self._signals, path, model.size))

    @Slot(object)
    def on_mask_loaded(self, painted: Image.Image) -> None:
        model = self.canvas.model
        if model is None:
            return
        self.canvas.load_mask_image(painted)
        self.message.emit(self.tr("Mask loaded."))

    # -- state ---------------------------------------------------------------------------

    @Slot()
    def on_bigger_brush(self) -> None:
        self.canvas.grow_brush(1)

    @Slot()
    def on_smaller_brush(self) -> None:
        self.canvas.grow_brush(-1)

    @Slot()
    def on_tool_action(self) -> None:
        action = self.tool_group.checkedAction()
        if action is not None:
            self.canvas.set_tool(Tool(action.data()))

    @Slot()
    def on_canvas_mask_changed(self) -> None:
        self._update_actions()
        self.mask_changed.emit()

    @Slot(float)
    def on_zoom_changed(self, scale: float) -> None:
        self.zoom_label.setText(self.tr("%1 %").replace("%1", f"{scale * 100:.0f}"))

    def _update_actions(self) -> None:
        model = self.canvas.model
        has_image = model is not None
        self.undo_action.setEnabled(bool(model and model.can_undo))
        self.redo_action.setEnabled(bool(model and model.can_redo))
        for action in (
            self.clear_action,
            self.invert_action,
            self.save_mask_action,
            self.load_mask_action,
            self.fit_action,
            self.actual_action,
        ):
            action.setEnabled(has_image)
        self.remove_action.setEnabled(self.strip.count() > 0)
        self.clear_sources_action.setEnabled(self.strip.count() > 0)


def image_urls_mime(paths: list[str]) -> QMimeData:
    """Mime data with file URLs, as a file manager would drag them (used by tests too)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
    return mime
