"""Reading a picture for the edit panel, on a worker thread: a file, raw bytes, a pasted
QImage or a web address becomes a Source (prepared for the service, decoded for display, with
a thumbnail and the settings the app embedded in it, if any). Failures raise ImageError or
DownloadError; `download_text` says a DownloadError in the user's language.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice, Qt
from PySide6.QtGui import QImage

from app.core.download import DownloadError, download
from app.core.imaging import ImageError, PreparedImage, prepare_source
from app.core.library import metadata
from app.services.sources import Source
from app.ui.mask_canvas import mipmaps

# The sentences were written in the edit panel: their context stays "EditPanel" so the
# catalogue keeps matching (lupdate reads `translate("Context", "literal")` calls).
translate = QCoreApplication.translate


# Reading more than this into memory to then refuse it is pointless: prepare_source would
# have to shrink it below the service's 50 MB anyway, and a 2 GB file would stall the worker.
MAX_READ_BYTES = 512 * 1024 * 1024
THUMB = 72


def decode_for_display(prepared: PreparedImage) -> list[QImage]:
    """Decode the prepared bytes with Pillow (the pixels the service will get, upright)."""
    from PIL import Image  # ~15 ms: not imported while the window starts

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
    # Fast compression: prepare_source re-encodes if needed anyway.
    image.save(buffer, "PNG", 1)  # type: ignore[call-overload]  # the stub wants bytes, Qt wants str
    return bytes(buffer.data().data())


def download_text(exc: DownloadError) -> str:
    """A DownloadError from app.core.download in the user's language."""
    if exc.reason == "status":
        return (
            translate(
                "EditPanel",
                "“%1” could not be downloaded: the server answered %2. "
                "Save the picture from the browser, then drop the file.",
            )
            .replace("%1", exc.name)
            .replace("%2", str(exc.status))
        )
    if exc.reason == "too_large":
        return (
            translate(
                "EditPanel",
                "“%1” is larger than %2 MB: too large to download. "
                "Save it from the browser, then drop the file.",
            )
            .replace("%1", exc.name)
            .replace("%2", str(exc.limit // (1024 * 1024)))
        )
    return (
        translate(
            "EditPanel",
            "“%1” could not be downloaded (%2). Check the connection, "
            "or save the picture from the browser and drop the file.",
        )
        .replace("%1", exc.name)
        .replace("%2", exc.detail or exc.reason)
    )


def _read_file(path: str, name: str) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > MAX_READ_BYTES:
            raise ImageError(
                translate(
                    "EditPanel", "“%1” is %2 GB: too large to use. Save a smaller copy first."
                )
                .replace("%1", name)
                .replace("%2", f"{size / 1e9:.1f}")
            )
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImageError(
            translate("EditPanel", "“%1” could not be read: %2.")
            .replace("%1", name)
            .replace("%2", str(exc.strerror or exc))
        ) from None


def load_source(
    name: str,
    *,
    path: str | None = None,
    data: bytes | None = None,
    image: QImage | None = None,
    url: str | None = None,
) -> Source:
    """Read, prepare and decode one picture (worker thread); the Source has no id yet."""
    if path is not None:
        data = _read_file(path, name)
    elif image is not None:
        if image.isNull():
            raise ImageError(translate("EditPanel", "The pasted or dropped picture is empty."))
        data = _qimage_to_png(image)
    elif url is not None:
        data = download(url, name)
    prepared = prepare_source(data or b"", name)
    levels = decode_for_display(prepared)
    thumb = levels[-1].scaled(
        THUMB,
        THUMB,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return Source(
        0, prepared, levels, thumb, path, list(prepared.notes), _embedded_record(data or b"")
    )


def _embedded_record(data: bytes) -> dict[str, Any] | None:
    """The prompt and settings this app embedded in a file it made (a cheap chunk scan)."""
    record = metadata.extract(data)
    return record if record and isinstance(record.get("params"), dict) else None
