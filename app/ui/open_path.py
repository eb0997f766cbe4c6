"""Opening a folder or a file with the system (Reveal in folder, Open data folder, Open log
folder, open a picture in the default viewer): the one way the app does it.

Where nothing can open it (no file manager, no handler for the type: QDesktopServices.openUrl
returns False), the user is told so in one sentence, with the path in a field they can select
and a Copy button, instead of a click that silently does nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QProcess, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

translate = QCoreApplication.translate


def open_folder(parent: QWidget | None, folder: Path | str) -> bool:
    """Show the folder in the file manager; False (and the user told) when nothing could."""
    folder = Path(folder)
    if _open_url(folder):
        return True
    _tell(
        parent,
        translate(
            "OpenPath", "Nothing on this system could open the folder; its path is here to copy."
        ),
        folder,
    )
    return False


def reveal(parent: QWidget | None, file: Path | str) -> bool:
    """Show the file in its folder, selected where the file manager can do that."""
    file = Path(file)
    if sys.platform == "win32":
        if _start("explorer", [f"/select,{file}"]):
            return True
    elif sys.platform == "darwin" and _start("open", ["-R", str(file)]):
        return True
    return open_folder(parent, file.parent)


def open_file(parent: QWidget | None, file: Path | str) -> bool:
    """Open the file in the program the system has for it."""
    file = Path(file)
    if _open_url(file):
        return True
    _tell(
        parent,
        translate(
            "OpenPath", "Nothing on this system could open the file; its path is here to copy."
        ),
        file,
    )
    return False


def _open_url(path: Path) -> bool:
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def _start(program: str, args: list[str]) -> bool:
    result = QProcess.startDetached(program, args)
    # PySide6 answers (started, pid) for some overloads and a bare bool for others.
    return bool(result[0] if isinstance(result, tuple) else result)


def _tell(parent: QWidget | None, sentence: str, path: Path) -> None:
    dialog = CannotOpenDialog(sentence, path, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


class CannotOpenDialog(QDialog):
    """The sentence, the path (selectable) and Copy."""

    def __init__(self, sentence: str, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("openPathDialog")
        self.setWindowTitle(translate("OpenPath", "Could not open"))
        self.setMinimumWidth(440)  # the sentence on one or two lines, not five
        self.label = QLabel(sentence, self)
        self.label.setObjectName("openPathSentence")
        self.label.setWordWrap(True)
        self.field = QLineEdit(str(path), self)
        self.field.setObjectName("openPathField")
        self.field.setReadOnly(True)
        self.field.setMinimumWidth(
            min(720, self.field.fontMetrics().horizontalAdvance(str(path)) + 24)
        )
        self.field.selectAll()
        self.copy_button = QPushButton(translate("OpenPath", "Copy"), self)
        self.copy_button.setObjectName("openPathCopy")
        self.copy_button.clicked.connect(self.on_copy)
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self.copy_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addWidget(buttons)

    @Slot()
    def on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self.field.text())
        self.copy_button.setText(translate("OpenPath", "Copied"))
