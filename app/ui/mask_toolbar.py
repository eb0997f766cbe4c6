"""The mask tools above the canvas: brush, eraser, rectangle and lasso, undo and redo, clear
and invert, show/hide, zoom, save and load a mask; and the options row (brush size, overlay
opacity, feather, keep unmasked pixels, zoom).

The actions are this widget's; the panel adds them to itself as well (addActions), so their
keys work whatever part of the panel has the focus. Saving and loading a mask file run in the
background. The sentences keep the "EditPanel" translation context they were written in.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.imaging import ImageError, painted_from_mask
from app.core.mask import MaskModel
from app.services.background import Background
from app.ui import words
from app.ui.flow import ActionBar, FlowLayout, group
from app.ui.mask_canvas import MAX_BRUSH, MIN_BRUSH, MaskCanvas, Tool

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


# The sentences were written in the edit panel: their context stays "EditPanel", so the
# catalogue keeps matching (lupdate reads `translate("Context", "literal")` calls).
translate = QCoreApplication.translate


def write_mask(painted: bytes, size: tuple[int, int], path: str) -> None:
    """Save the painted bytes as the service's mask PNG (worker thread); atomic replace."""
    model = MaskModel(*size)
    model.set_bytes(painted)
    tmp = path + ".part"
    Path(tmp).write_bytes(model.save())
    os.replace(tmp, path)


def read_mask(path: str, size: tuple[int, int]) -> Image.Image:
    """A mask file as painted L pixels of `size` (worker thread)."""
    return painted_from_mask(Path(path).read_bytes(), size)


def make_action(
    owner: QWidget,
    text: str,
    slot: Callable[..., object],
    shortcut: Shortcut = None,
    tip: str | None = None,
    checkable: bool = False,
) -> QAction:
    """An action of `owner` (added to it) with its key shown in the tooltip."""
    action = QAction(text, owner)
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
    owner.addAction(action)
    return action


class MaskToolbar(QWidget):
    message = Signal(str)  # a sentence for the status bar
    feather_changed = Signal(int)
    keep_unmasked_changed = Signal(bool)
    brush_size_changed = Signal(int)

    def __init__(
        self,
        canvas: MaskCanvas,
        background: Background,
        parent: QWidget | None = None,
        leading: list[QAction] | None = None,
        error_text: Callable[[ImageError], str] = lambda exc: exc.message,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("maskTools")
        self.canvas = canvas
        self._background = background
        self._error_text = error_text  # the panel's sentences for a picture that cannot be used
        self.last_dir = str(Path.home())
        self._build_actions()
        self._build_layout(leading or [])
        canvas.brush_size_changed.connect(self.brush_spin.setValue)
        canvas.zoom_changed.connect(self.on_zoom_changed)
        self.brush_spin.valueChanged.connect(self.brush_size_changed)
        self.feather_spin.valueChanged.connect(self.feather_changed)
        self.keep_check.toggled.connect(self.keep_unmasked_changed)
        self.update_actions()

    def _build_actions(self) -> None:
        canvas = self.canvas
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[Tool, QAction] = {}
        for tool, text, key, tip in (
            (
                Tool.brush,
                translate("EditPanel", "Brush"),
                "B",
                translate("EditPanel", "Paint the area to change; right-drag erases"),
            ),
            (
                Tool.eraser,
                translate("EditPanel", "Eraser"),
                "E",
                translate("EditPanel", "Erase paint; right-drag paints"),
            ),
            (
                Tool.rect,
                translate("EditPanel", "Rectangle"),
                "R",
                translate("EditPanel", "Drag a rectangle to fill; right-drag clears it"),
            ),
            (
                Tool.lasso,
                translate("EditPanel", "Lasso"),
                "L",
                translate("EditPanel", "Draw an outline to fill; right-drag clears it"),
            ),
        ):
            action = make_action(self, text, self.on_tool_action, key, tip, checkable=True)
            action.setData(tool.value)
            self.tool_group.addAction(action)
            self.tool_actions[tool] = action
        self.tool_actions[Tool.brush].setChecked(True)
        self.undo_action = make_action(
            self,
            translate("EditPanel", "Undo"),
            canvas.undo,
            QKeySequence.StandardKey.Undo,
            translate("EditPanel", "Undo the last stroke"),
        )
        self.redo_action = make_action(
            self,
            translate("EditPanel", "Redo"),
            canvas.redo,
            "Ctrl+Shift+Z",
            translate("EditPanel", "Redo"),
        )
        # Ctrl+Y as well, as on Windows.
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        # Also on the panel, so the keys work whatever part of it has the focus.
        self.bigger_action = make_action(
            self,
            translate("EditPanel", "Bigger brush"),
            self.on_bigger_brush,
            "]",
            translate("EditPanel", "Bigger brush"),
        )
        self.smaller_action = make_action(
            self,
            translate("EditPanel", "Smaller brush"),
            self.on_smaller_brush,
            "[",
            translate("EditPanel", "Smaller brush"),
        )
        self.clear_action = make_action(
            self,
            translate("EditPanel", "Clear"),
            canvas.clear_mask,
            None,
            translate("EditPanel", "Remove all paint"),
        )
        self.invert_action = make_action(
            self,
            translate("EditPanel", "Invert"),
            canvas.invert_mask,
            "I",
            translate("EditPanel", "Paint what is clear and clear what is painted"),
        )
        self.show_mask_action = make_action(
            self,
            translate("EditPanel", "Show mask"),
            canvas.set_mask_visible,
            "H",
            translate("EditPanel", "Show or hide the painted mask"),
            checkable=True,
        )
        self.show_mask_action.setChecked(True)
        self.fit_action = make_action(
            self,
            translate("EditPanel", "Fit"),
            canvas.zoom_fit,
            "Ctrl+0",
            translate("EditPanel", "Fit the picture in view"),
        )
        self.actual_action = make_action(
            self,
            translate("EditPanel", "100 %"),
            canvas.zoom_actual,
            "1",
            translate("EditPanel", "Show the picture at its real size"),
        )
        self.save_mask_action = make_action(
            self,
            translate("EditPanel", "Save mask…"),
            self.save_mask_dialog,
            None,
            translate("EditPanel", "Save the mask as a PNG to reuse it"),
        )
        self.load_mask_action = make_action(
            self,
            translate("EditPanel", "Load mask…"),
            self.load_mask_dialog,
            None,
            translate("EditPanel", "Load a mask saved earlier (transparent or white = change)"),
        )

    def _build_layout(self, leading: list[QAction]) -> None:
        def separator() -> QAction:
            action = QAction(self)
            action.setSeparator(True)
            return action

        # A flowing bar, not a QToolBar: every tool stays visible (Save/Load mask included),
        # wrapping onto a second line on a narrow window; the painting tools come first.
        ordered = [*leading, separator()] if leading else []
        ordered += [*self.tool_actions.values(), separator()]
        ordered += [self.undo_action, self.redo_action, self.clear_action, self.invert_action]
        ordered += [separator(), self.show_mask_action, self.fit_action, self.actual_action]
        ordered += [separator(), self.save_mask_action, self.load_mask_action]
        tools = ActionBar(ordered, self, name="maskToolBar")
        tools.setAccessibleName(translate("EditPanel", "Mask tools"))
        self.tool_bar = tools

        self.brush_spin = QSpinBox(self)
        self.brush_spin.setObjectName("brushSizeSpin")
        self.brush_spin.setRange(MIN_BRUSH, MAX_BRUSH)
        self.brush_spin.setSuffix(words.pixel_suffix())
        self.brush_spin.setValue(self.canvas.brush_size())
        self.brush_spin.setToolTip(
            translate("EditPanel", "Brush size in picture pixels ([ and ] change it)")
        )
        self.brush_spin.valueChanged.connect(self.canvas.set_brush_size)

        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity_slider.setObjectName("overlayOpacitySlider")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(self.canvas.overlay_opacity())
        # A fixed length: in a row that flows, a slider would otherwise shrink to a stub.
        self.opacity_slider.setFixedWidth(110)
        self.opacity_slider.setToolTip(
            translate("EditPanel", "How strongly the mask is shown over the picture")
        )
        self.opacity_slider.valueChanged.connect(self.canvas.set_overlay_opacity)

        self.feather_spin = QSpinBox(self)
        self.feather_spin.setObjectName("featherSpin")
        self.feather_spin.setRange(0, 256)
        self.feather_spin.setValue(12)
        self.feather_spin.setSuffix(words.pixel_suffix())
        self.feather_spin.setToolTip(
            translate(
                "EditPanel",
                "Width of the soft edge where the result blends into the original (0 = hard edge)",
            )
        )

        self.keep_check = QCheckBox(translate("EditPanel", "Keep unmasked pixels"), self)
        self.keep_check.setObjectName("keepUnmaskedCheck")
        self.keep_check.setChecked(True)
        self.keep_check.setToolTip(
            translate(
                "EditPanel",
                "The model redraws the whole picture; with this on, only the painted area (and the "
                "feather around it) is taken from the result, everything else stays exactly as it was",
            )
        )
        self.keep_check.toggled.connect(self.feather_spin.setEnabled)

        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("zoomLabel")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        # Label and field stay together; the groups wrap as a whole when the panel is narrow.
        options = FlowLayout(spacing=12)
        options.setContentsMargins(4, 0, 4, 0)
        for label, widget in (
            (translate("EditPanel", "Brush"), self.brush_spin),
            (translate("EditPanel", "Overlay"), self.opacity_slider),
            (translate("EditPanel", "Feather"), self.feather_spin),
        ):
            text = QLabel(label, self)
            text.setBuddy(widget)
            options.addWidget(group(text, widget, parent=self))
        options.addWidget(self.keep_check)
        options.addWidget(self.zoom_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(tools)
        layout.addLayout(options)

    # -- state ---------------------------------------------------------------------------

    def update_actions(self) -> None:
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

    @Slot(float)
    def on_zoom_changed(self, scale: float) -> None:
        self.zoom_label.setText(translate("EditPanel", "%1 %").replace("%1", f"{scale * 100:.0f}"))

    # -- mask files ----------------------------------------------------------------------

    @Slot()
    def save_mask_dialog(self) -> None:
        model = self.canvas.model
        if model is None or model.is_empty:
            self.message.emit(
                translate("EditPanel", "There is no mask to save: paint over the picture first.")
            )
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            translate("EditPanel", "Save mask"),
            os.path.join(self.last_dir, "mask.png"),
            translate("EditPanel", "PNG mask (*.png)"),
        )
        if path:
            self.save_mask(path)

    def save_mask(self, path: str) -> None:
        model = self.canvas.model
        if model is None:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        ok = translate("EditPanel", "Mask saved to %1.").replace("%1", path)
        failed = translate("EditPanel", "The mask could not be saved to %1: %2").replace("%1", path)

        def on_error(exc: BaseException) -> None:
            if not isinstance(exc, OSError | ImageError):  # a bug: keep its trace
                log.error("saving the mask to %s failed", path, exc_info=exc)
            detail = getattr(exc, "message", None) or getattr(exc, "strerror", None) or exc
            self.message.emit(failed.replace("%2", str(detail)))

        self._background.submit(
            write_mask,
            model.tobytes(),
            model.size,
            path,
            on_done=lambda _none: self.message.emit(ok),
            on_error=on_error,
            receiver=self,
        )

    @Slot()
    def load_mask_dialog(self) -> None:
        if self.canvas.model is None:
            self.message.emit(
                translate("EditPanel", "Open a picture first: a mask belongs to a picture.")
            )
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            translate("EditPanel", "Load mask"),
            self.last_dir,
            translate("EditPanel", "PNG mask (*.png);;All files (*)"),
        )
        if path:
            self.load_mask(path)

    def load_mask(self, path: str) -> None:
        model = self.canvas.model
        if model is None:
            return
        name = os.path.basename(path)

        def on_error(exc: BaseException) -> None:
            if isinstance(exc, ImageError):
                self.message.emit(self._error_text(exc))
                return
            if not isinstance(exc, OSError):  # a bug: keep its trace
                log.error("loading the mask %s failed", path, exc_info=exc)
            self.message.emit(
                translate("EditPanel", "“%1” could not be read: %2.")
                .replace("%1", name)
                .replace("%2", str(getattr(exc, "strerror", None) or exc))
            )

        self._background.submit(
            read_mask, path, model.size, on_done=self.on_mask_read, on_error=on_error
        )

    def on_mask_read(self, painted: Image.Image) -> None:
        if self.canvas.model is None:
            return
        self.canvas.load_mask_image(painted)
        self.message.emit(translate("EditPanel", "Mask loaded."))
