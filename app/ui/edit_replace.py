"""A gallery picture sent to an editor that already holds work: ask first.

Replace makes the picture the whole edit session (the pictures and the mask go together: a
mask means nothing over another picture) and puts the old session aside, so the banner's
Undo brings back every picture, in order, and the mask with its own undo history (and Redo
swaps them back). Closing the banner lets what was put aside go. Add as a
reference appends the picture; Cancel leaves the editor alone. An empty editor is not asked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, SignalInstance, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.mask import MaskModel
from app.services.sources import Source, SourceList
from app.ui.banner import Banner
from app.ui.mask_canvas import MaskCanvas

# The edit panel's context: these sentences belong with its others.
translate = QCoreApplication.translate


@dataclass
class PutAside:
    sources: list[Source]
    mask: MaskModel | None


class Panel(Protocol):
    """What the replacer needs of the edit panel (app.ui.edit_panel.EditPanel)."""

    model: SourceList
    canvas: MaskCanvas
    message: SignalInstance

    def has_sources(self) -> bool: ...
    def has_mask(self) -> bool: ...
    def source_count(self) -> int: ...
    def replace_with(self, path: str) -> None: ...
    def add_files(self, paths: list[str], *, offer_restore: bool = True) -> None: ...
    def window(self) -> QWidget: ...


class SessionReplacer(QObject):
    def __init__(self, panel: Panel, parent: QWidget):
        super().__init__(parent)
        self.panel = panel
        self.bar = Banner("editReplaceBar", parent=parent)
        self.bar.action_clicked.connect(self.undo)
        self.bar.closed.connect(self.forget)
        self.question: QMessageBox | None = None
        self._aside: PutAside | None = None
        self._undone = False  # the banner offers Redo
        self._mask_back: tuple[int, MaskModel] | None = None

    def offer(self, path: str) -> None:
        """Edit `path`: at once into an empty editor, else after asking."""
        panel = self.panel
        if not panel.has_sources():
            panel.replace_with(path)
            return
        if self.question is not None:
            self.question.close()  # a newer request wins
        name = os.path.basename(path)
        n = panel.source_count()
        if panel.has_mask():
            text = translate(
                "EditPanel", "The editor already has %n picture(s) and a painted mask.", "", n
            )
        else:
            text = translate("EditPanel", "The editor already has %n picture(s).", "", n)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            translate("EditPanel", "Edit a gallery picture"),
            text,
            QMessageBox.StandardButton.NoButton,
            panel.window(),
        )
        box.setObjectName("editReplaceQuestion")
        box.setInformativeText(
            translate(
                "EditPanel",
                "Replace them with “%1” (you can undo this), or add it as a reference?",
            ).replace("%1", name)
        )
        replace = box.addButton(
            translate("EditPanel", "Replace"), QMessageBox.ButtonRole.DestructiveRole
        )
        replace.setObjectName("editReplaceButton")
        add = box.addButton(
            translate("EditPanel", "Add as reference"), QMessageBox.ButtonRole.AcceptRole
        )
        add.setObjectName("editAddReferenceButton")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("editCancelButton")
        box.setDefaultButton(add)  # Return never throws work away
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        replace.clicked.connect(lambda: panel.replace_with(path))
        add.clicked.connect(lambda: panel.add_files([path], offer_restore=False))
        box.finished.connect(self.on_question_closed)
        self.question = box
        box.open()

    @Slot(int)
    def on_question_closed(self, _result: int) -> None:
        self.question = None

    def landed(self, token: int, source: Source) -> None:
        """The picture chosen by Replace is read: it becomes the whole edit now."""
        panel = self.panel
        old = self._current()
        panel.canvas.clear_image()  # the mask goes with the pictures it was painted on
        panel.model.land(token, source)
        if not old.sources:
            return
        self._aside, self._undone = old, False
        self._say_replaced()

    def _current(self) -> PutAside:
        panel = self.panel
        return PutAside(panel.model.sources(), panel.canvas.model if panel.has_mask() else None)

    def _say_replaced(self) -> None:
        aside, first = self._aside, self.panel.model.first()
        if aside is None or first is None:
            return
        n = len(aside.sources)
        if aside.mask is not None:
            text = translate(
                "EditPanel",
                "Replaced the edit with “%1”: %n earlier picture(s) and the mask were put aside.",
                "",
                n,
            )
        else:
            text = translate(
                "EditPanel",
                "Replaced the edit with “%1”: %n earlier picture(s) were put aside.",
                "",
                n,
            )
        text = text.replace("%1", first.prepared.filename)
        self.bar.show_message(text, translate("EditPanel", "Undo"))

    @Slot()
    def undo(self) -> None:
        """Swap the edit with the one put aside: Undo brings back the pictures and the mask
        Replace put aside, and puts the replacing one aside in turn, so Redo loses nothing
        either (not even what was done to it in between)."""
        aside = self._aside
        if aside is None:
            self.bar.hide()
            return
        panel = self.panel
        self._aside = self._current()
        self._mask_back = (aside.sources[0].id, aside.mask) if aside.mask is not None else None
        panel.canvas.clear_image()
        panel.model.restore(aside.sources)
        self._undone = not self._undone
        if self._undone:
            text = translate("EditPanel", "The earlier pictures and mask are back.")
            self.bar.show_message(text, translate("EditPanel", "Redo"))
            panel.message.emit(text)
        else:
            self._say_replaced()

    @Slot()
    def forget(self) -> None:
        """The banner was closed: what was put aside is let go (a full-size picture is big)."""
        self._aside = None

    def mask_for(self, source_id: int) -> MaskModel | None:
        """The mask to put back over this picture, once, after an Undo."""
        back, self._mask_back = self._mask_back, None
        if back is not None and back[0] == source_id:
            return back[1]
        return None

    def can_undo(self) -> bool:
        return self._aside is not None and not self._undone
