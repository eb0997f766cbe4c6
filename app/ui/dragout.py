"""Getting a saved picture out of the app: drag it as a file, copy it to the clipboard, or show
it in its folder (app.ui.open_path)."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDrag, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QWidget

from app.core.api.models import MIME_BY_FORMAT, sniff_format

# Raw bytes ride along with the file URL so programs that take image data but not files
# (browsers, chat apps) accept the drop too; reading them is cheap, decoding is not done.
MAX_INLINE_BYTES = 32 * 1024 * 1024


def file_mime(path: str) -> QMimeData:
    """File URL (what file managers want) plus the file's own bytes under its image type."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(os.path.abspath(path))])
    try:
        if os.path.getsize(path) <= MAX_INLINE_BYTES:
            with open(path, "rb") as f:
                data = f.read()
            fmt = sniff_format(data)
            if fmt is not None:
                mime.setData(MIME_BY_FORMAT[fmt], data)
    except OSError:
        pass  # the URL alone still works for file managers
    return mime


def start_file_drag(
    widget: QWidget, path: str, thumbnail: QPixmap | QImage | None = None
) -> Qt.DropAction:
    """Start dragging the file at `path` out of `widget` (call from mouseMoveEvent once the
    drag distance is passed). Returns the action the target chose."""
    drag = QDrag(widget)
    drag.setMimeData(file_mime(path))
    if thumbnail is not None:
        pixmap = QPixmap.fromImage(thumbnail) if isinstance(thumbnail, QImage) else thumbnail
        if max(pixmap.width(), pixmap.height()) > 128:
            pixmap = pixmap.scaled(
                128,
                128,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        drag.setPixmap(pixmap)
        drag.setHotSpot(QPoint(pixmap.width() // 2, pixmap.height() // 2))
    return drag.exec(Qt.DropAction.CopyAction)


def copy_file_to_clipboard(path: str) -> bool:
    """Put the picture on the clipboard as image data and as a file; False if unreadable.
    Decodes the picture (tens of ms for a large one): call it from a user action only."""
    image = QImage(path)
    if image.isNull():
        return False
    mime = file_mime(path)
    mime.setImageData(image)
    QGuiApplication.clipboard().setMimeData(mime)
    _release_at_quit()
    return True


_release_connected = False


def _release_at_quit() -> None:
    # PySide6 6.12: a QMimeData made in Python and still held by the clipboard when the
    # application object is destroyed crashes the process at exit (segfault after Python has
    # shut down). Drop it while Python is still alive; plain image copies (setImage) are safe.
    global _release_connected
    app = QCoreApplication.instance()
    if app is not None and not _release_connected:
        app.aboutToQuit.connect(release_clipboard)
        _release_connected = True


def release_clipboard() -> None:
    """Clear the clipboard if it still holds what this app put there (see _release_at_quit)."""
    clipboard = QGuiApplication.clipboard()
    if clipboard.ownsClipboard():
        clipboard.clear()
