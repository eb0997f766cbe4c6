"""What a drop or a paste carries, read from a QMimeData once: the one helper every drop
target uses (the edit panel, the prompt box, the main window, the gallery).

    drop = drops.read(mime)     # a Drop; `mime` may be None (an empty clipboard)
    drop.files                  # local files that exist, in order
    drop.pictures               # those of them named like pictures (IMAGE_SUFFIXES)
    drop.urls                   # http(s) addresses (a browser often drags only the address)
    drop.data, drop.data_type   # raw image bytes and their mime type (RAW_IMAGE_MIME)
    drop.image                  # a decoded QImage (a screenshot tool, another app's copy)
    drop.is_empty               # nothing above

`data` is only read when there are no files, and `image` only when there are no files and no
raw bytes: that is the order a target takes them in (a file keeps its name and its embedded
settings; raw bytes need no decode and re-encode), and it spares copying what would be
ignored. For drag-enter and drag-move, which run on every mouse move, use the cheap checks
`accepts(mime)` (anything `read` would find) and `picture_files(mime)`.

`file_urls_mime(paths)` builds mime data with file URLs, as a file manager drags them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QImage, QPixmap

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
RAW_IMAGE_MIME = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp")
WEB_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Drop:
    files: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    data: bytes | None = None
    data_type: str | None = None
    image: QImage | None = None

    @property
    def pictures(self) -> list[str]:
        return [p for p in self.files if p.lower().endswith(IMAGE_SUFFIXES)]

    @property
    def is_empty(self) -> bool:
        return not (self.files or self.urls or self.data or self.image is not None)


def _files(mime: QMimeData) -> list[str]:
    return [
        u.toLocalFile() for u in mime.urls() if u.isLocalFile() and os.path.isfile(u.toLocalFile())
    ]


def _web(mime: QMimeData) -> list[str]:
    return [u.toString() for u in mime.urls() if u.scheme() in WEB_SCHEMES]


def read(mime: QMimeData | None) -> Drop:
    """Everything a drop or paste carries that can become a picture (see the module doc)."""
    if mime is None:
        return Drop()
    files = _files(mime)
    urls = _web(mime)
    if files:
        return Drop(files, urls)
    for fmt in RAW_IMAGE_MIME:
        if mime.hasFormat(fmt):
            data = bytes(mime.data(fmt).data())
            if data:
                return Drop(files, urls, data, fmt)
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QPixmap):
            image = image.toImage()
        if isinstance(image, QImage) and not image.isNull():
            return Drop(files, urls, image=image)
    return Drop(files, urls)


def accepts(mime: QMimeData | None) -> bool:
    """Whether `read(mime)` would find something, without copying any bytes."""
    if mime is None:
        return False
    return (
        bool(_files(mime))
        or mime.hasImage()
        or any(mime.hasFormat(f) for f in RAW_IMAGE_MIME)
        or bool(_web(mime))
    )


def picture_files(mime: QMimeData | None) -> list[str]:
    """Local files named like pictures (cheap: for drag-move)."""
    if mime is None:
        return []
    return [
        u.toLocalFile()
        for u in mime.urls()
        if u.isLocalFile() and u.toLocalFile().lower().endswith(IMAGE_SUFFIXES)
    ]


def url_name(url: str) -> str:
    """The name a downloaded picture goes by: its file name, else its host ("" if neither)."""
    q = QUrl(url)
    return q.fileName() or q.host()


def file_urls_mime(paths: list[str]) -> QMimeData:
    """Mime data with file URLs, as a file manager would drag them (used by tests too)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
    return mime
