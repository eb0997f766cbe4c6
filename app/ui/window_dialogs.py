"""Questions the main window asks. Strings keep the MainWindow translation context."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox, QWidget

from app import APP_NAME, __version__


def restore_question(
    parent: QWidget, path: str, params: dict, on_restore: Callable[[], None]
) -> QMessageBox:
    """ "Restore the prompt and settings this picture carries?": opened, deleted when closed."""
    prompt = str(params.get("prompt") or "")
    short = prompt if len(prompt) <= 60 else prompt[:57] + "…"
    box = QMessageBox(
        QMessageBox.Icon.Question,
        QCoreApplication.translate("MainWindow", "Restore settings"),
        QCoreApplication.translate(
            "MainWindow", "“{0}” was made with this app (“{1}”). Restore its prompt and settings?"
        ).format(Path(path).name, short),
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    restore = box.addButton(
        QCoreApplication.translate("MainWindow", "Restore settings"),
        QMessageBox.ButtonRole.AcceptRole,
    )
    restore.setObjectName("restoreSettingsButton")
    box.addButton(
        QCoreApplication.translate("MainWindow", "Not now"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(restore)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    restore.clicked.connect(on_restore)
    box.open()
    return box


def about_box(parent: QWidget, data_dir: Path, icon: QIcon) -> QMessageBox:
    """Help > About, opened (open(), not QMessageBox.about's exec(): no nested event loop
    under the running jobs) and deleted when closed."""
    box = QMessageBox(
        QMessageBox.Icon.Information,
        QCoreApplication.translate("MainWindow", "About {0}").format(APP_NAME),
        QCoreApplication.translate(
            "MainWindow",
            "{0} {1}\n\nA desktop client for Mountsea's gpt-image-2 image service.\n"
            "Your data folder: {2}",
        ).format(APP_NAME, __version__, data_dir),
        QMessageBox.StandardButton.Close,
        parent,
    )
    box.setObjectName("aboutBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if not icon.isNull():
        box.setIconPixmap(icon.pixmap(64, 64))
    box.open()
    return box
