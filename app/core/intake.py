"""The one intake: any raster picture a person has becomes one the service takes.

Used by the window (files, drops, paste, web addresses: app/ui/loading.py) and the command line
(app/core/jobs.FileSources) alike. PNG, JPEG and WebP that are upright, whole and within limits
pass through untouched (a JPEG loses only its camera details); everything else Pillow reads
(GIF's first frame, BMP, TIFF's first page, TGA, ICO's largest size, PPM, PSD's composite,
AVIF, MPO's first picture, CMYK, 16-bit, palette, LA) is decoded, turned upright, converted to
RGB/RGBA sRGB (app/core/colour.py) and re-encoded: PNG, or JPEG for what was a JPEG. A file
that cannot be used is refused with an ImageError: one sentence naming the file and saying
what to do.

Memory is bounded by the declared size, checked before anything is decoded: at most
MAX_SOURCE_PIXELS per frame, and a large frame must be backed by enough file to be plausible
(see _check_declared). Pillow's warnings are kept from the user (_quiet); libtiff's, which it
writes to the C-level stderr, are caught around TIFF decoding (_stderr_caught).

Everything here is CPU-bound and meant to run in a worker thread, never on the GUI thread.
"""

from __future__ import annotations

import io
import logging
import math
import os
import re
import struct
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core import png
from app.core.api.models import MAX_IMAGE_BYTES, sniff_format
from app.core.colour import is_srgb, normalise, orientation

if TYPE_CHECKING:  # Pillow is imported where it is used: start-up does not need it
    from _typeshed import ReadableBuffer
    from PIL import Image

log = logging.getLogger(__name__)

# A frame bigger than this is refused before it is decoded: the service makes at most
# 3840x2160 anyway, and a crafted header (a "decompression bomb") would otherwise make Pillow
# allocate gigabytes. Pillow's own guard is pinned just above it (its default: it warns there,
# fails at twice it, and both become our sentence), so a change elsewhere cannot switch it off.
MAX_SOURCE_PIXELS = 89_000_000
_PILLOW_GUARD = 89_478_485

# Frames above this many pixels must be plausible before they are decoded: a PNG's compressed
# data must inflate to every row it declares (app/core/png.missing_data), any other format must
# not claim more than MAX_EXPANSION decoded bytes per byte of file. Deflate cannot exceed about
# 1032:1 and photographs stay below 100:1; only crafted or broken files go beyond.
CHECKED_PIXELS = 16_000_000
MAX_EXPANSION = 2048

# Pictures above this are written with Pillow's streaming PNG encoder rather than png.write,
# which is faster but holds about four copies of the pixels.
_FAST_PNG_PIXELS = 16_000_000

# Formats Pillow can open that are not ours to open: EPS runs Ghostscript on the file, WMF/EMF
# need a platform renderer, and the scientific stubs need handlers nobody installed.
_NOT_OURS = frozenset({"EPS", "WMF", "BUFR", "GRIB", "HDF5", "MPEG"})


class ImageError(ValueError):
    """A picture that cannot be used; `message` says what is wrong and what to do (English).

    `kind` and `name`/`detail` let a UI say the same in the user's language: kinds are
    "empty", "unreadable", "incomplete", "damaged", "too_large", "mask_too_detailed",
    "io" (could not be read or downloaded) and "other"."""

    def __init__(self, message: str, kind: str = "other", name: str = "", detail: str = ""):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.name = name
        self.detail = detail


@dataclass
class PreparedImage:
    data: bytes  # png / jpeg / webp, ready to upload
    width: int  # upright: the size the canvas shows and the mask is drawn at
    height: int
    format: str  # "png" | "jpeg" | "webp"
    notes: list[str] = field(default_factory=list)  # what was changed, in English sentences
    filename: str = ""

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    def upload_name(self, index: int = 0) -> str:
        ext = "jpg" if self.format == "jpeg" else self.format
        stem = self.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
        stem = "".join(c for c in stem if c.isalnum() or c in "-_")[:40] or f"image-{index + 1}"
        return f"{stem}.{ext}"


# -- keeping Pillow's and libtiff's words to ourselves ------------------------------------


# catch_warnings swaps the process's one list of filters, and two threads entering and leaving
# it interleaved can leave the other's filters behind for good (until Python 3.14's
# context-local filters): pictures are therefore read one at a time.
_WARNINGS = threading.RLock()


@contextmanager
def _quiet() -> Iterator[None]:
    """Pillow's warnings (odd EXIF, odd palettes, odd TIFF tags) are dropped: the picture still
    reads, and a raw warning means nothing to the user. Its decompression-bomb warning becomes
    an exception, turned into our sentence."""
    from PIL import Image

    with _WARNINGS, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


_STDERR = threading.Lock()


@contextmanager
def _stderr_caught() -> Iterator[None]:
    """Send file descriptor 2 to a temporary file while libtiff decodes, then put it back.

    libtiff prints its warnings ("Unknown field with tag ...") from C straight to stderr, where
    no Python setting reaches them. The redirection is process-wide, so it is held under a lock
    and only for the one load() call; whatever libtiff said goes to the debug log instead.
    Without a usable fd 2 (a windowed app on Windows) there is nothing to hide."""
    with _STDERR:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):
            yield
            return
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                sink.seek(0)
                said = sink.read(2000).decode("utf-8", "replace").strip()
                if said:
                    log.debug("libtiff said: %s", said)


# -- opening -------------------------------------------------------------------------------


def _describe(filename: str) -> str:
    return f"“{filename}”" if filename else "The picture"


def _size_text(n: int) -> str:
    if n < 10_000:
        return f"{n:,}-byte"
    return f"{n / 1000:,.0f} KB" if n < 10_000_000 else f"{n / 1e6:,.0f} MB"


def _formats() -> list[str]:
    from PIL import Image

    Image.init()
    return sorted(set(Image.ID) - _NOT_OURS)


def _bands(mode: str) -> float:
    if mode == "1":
        return 1 / 8
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return 2
    if mode in ("I", "F"):
        return 4
    return max(1, len(mode.split(";")[0]))


def _check_declared(im: Image.Image, data: bytes, filename: str) -> None:
    """Refuse, from the header alone, what would take too much memory or cannot be whole."""
    from PIL import Image

    w, h = im.size
    if w * h > MAX_SOURCE_PIXELS:
        raise Image.DecompressionBombError(f"{w}x{h}")
    if w * h <= CHECKED_PIXELS:
        return
    what = _describe(filename)
    if im.format == "PNG":
        missing = png.missing_data(data)
        if missing is not None:
            raise ImageError(_incomplete(what), "incomplete", filename, missing)
    elif w * h * _bands(im.mode) > MAX_EXPANSION * len(data):
        detail = f"{w}x{h} pixels declared in a {_size_text(len(data))} file"
        raise ImageError(
            f"{what} is damaged and cannot be read ({detail}). Try another file.",
            "damaged",
            filename,
            detail,
        )


def _incomplete(what: str) -> str:
    return (
        f"{what} is incomplete (the file was cut short, perhaps by an unfinished "
        "download or copy). Get the file again."
    )


def _frames(im: Image.Image) -> int:
    """How many frames (pages, pictures) the file has; PSD's "frames" are its layers, and the
    picture Image.open gives is their composite, so a PSD counts as one."""
    if im.format == "PSD":
        return 1
    return int(getattr(im, "n_frames", 1) or 1)


def _read(data: bytes, filename: str) -> tuple[Image.Image, int]:
    """Open, check and fully decode the first frame; (image, frame count). Callers hold _quiet."""
    from PIL import Image

    im = Image.open(io.BytesIO(data), formats=_formats())
    _check_declared(im, data, filename)
    # Counted before load(): counting seeks, and a seek after load() would drop the pixels.
    # Image.open is already on the first frame (for PSD, the composite: its layers count from
    # 1), so there is no seek(0).
    frames = _frames(im)
    if im.format == "TIFF":
        with _stderr_caught():
            im.load()
    else:
        im.load()
    return im, frames


def _read_or_refuse(data: bytes, filename: str) -> tuple[Image.Image, int]:
    from PIL import Image

    what = _describe(filename)
    if not data:
        raise ImageError(f"{what} is empty (0 bytes). Choose another file.", "empty", filename)
    Image.MAX_IMAGE_PIXELS = _PILLOW_GUARD
    try:
        return _read(data, filename)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Our own check says WxH; Pillow's says "Image size (N pixels) exceeds ...".
        text = str(exc)
        m = re.search(r"\((\d+) pixels\)", text)
        if re.fullmatch(r"\d+x\d+", text):
            dims = f" ({text} pixels)"
        elif m:
            dims = f" ({int(m.group(1)) / 1e6:,.0f} megapixels)"
        else:
            dims = ""
        raise ImageError(
            f"{what} is too large{dims}: at most {MAX_SOURCE_PIXELS // 1_000_000} megapixels "
            "can be used. Scale it down in an image editor first.",
            "too_large",
            filename,
            dims.strip(" ()"),
        ) from None
    except Image.UnidentifiedImageError:
        raise ImageError(
            f"{what} is not a picture this app can read. Use a PNG, JPEG or WebP file.",
            "unreadable",
            filename,
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error) as exc:
        text = str(exc).lower()
        cut = "truncated" in text or "end of file" in text or isinstance(exc, EOFError)
        if cut or _cut_short(data):
            raise ImageError(_incomplete(what), "incomplete", filename) from None
        raise _damaged(what, filename, exc) from None


def _cut_short(data: bytes) -> bool:
    """Whether the file visibly stops before its end, for telling "incomplete" from "damaged"
    when the decoder's own words do not say (libwebp's do not)."""
    fmt = sniff_format(data)
    if fmt == "webp":
        return struct.unpack("<I", data[4:8])[0] + 8 > len(data)
    if fmt == "png":
        return b"IEND" not in data[-12:]
    if fmt == "jpeg":
        return b"\xff\xd9" not in data[-64:]
    return False


def _damaged(what: str, filename: str, exc: BaseException) -> ImageError:
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    return ImageError(
        f"{what} is damaged and cannot be read ({detail}). Try another file.",
        "damaged",
        filename,
        detail,
    )


def open_image(data: bytes, filename: str = "") -> Image.Image:
    """Open and fully decode `data` (its first frame), turning every way it can fail into an
    ImageError."""
    with _quiet():
        return _read_or_refuse(data, filename)[0]


# JPEG segments that carry camera and editing details but nothing that changes the pixels:
# APP1 (EXIF, XMP) and APP13 (Photoshop IPTC). ICC profiles (APP2) and Adobe (APP14) stay.
_JPEG_DROP = {0xE1, 0xED}


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The JPEG without EXIF/XMP/IPTC segments, every other byte unchanged; the input itself
    when it cannot be walked safely."""
    if not data.startswith(b"\xff\xd8"):
        return data
    out = [data[:2]]
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return data
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan / end: the rest is image data
            out.append(data[i:])
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length field
            out.append(data[i : i + 2])
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if length < 2 or i + 2 + length > n:
            return data
        if marker not in _JPEG_DROP:
            out.append(data[i : i + 2 + length])
        i += 2 + length
    return data


# -- encoding ------------------------------------------------------------------------------


class _OverLimit(Exception):
    """Raised by _Capped.write: the encoding has passed its limit, so the rest is not worth
    computing."""


class _Capped(io.BytesIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: ReadableBuffer, /) -> int:
        if self.tell() + len(memoryview(data)) > self.limit:
            raise _OverLimit
        return super().write(data)


def encode(im: Image.Image, fmt: str, quality: int = 95) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        if im.mode in png.MODES and im.width * im.height <= _FAST_PNG_PIXELS:
            return png.write(im)
        im.save(buf, "PNG", compress_level=1)
    elif fmt == "jpeg":
        im.convert("RGB").save(buf, "JPEG", quality=quality, subsampling=0 if quality >= 90 else 2)
    elif fmt == "webp":
        if quality >= 100:
            # For lossless WebP "quality" is the effort: low effort is ~10x faster and only
            # slightly bigger.
            im.save(buf, "WEBP", lossless=True, exact=True, quality=20, method=0)
        else:
            im.save(buf, "WEBP", quality=quality, method=4)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return buf.getvalue()


def _fit_under_limit(
    im: Image.Image, fmt: str, data: bytes, notes: list[str]
) -> tuple[Image.Image, str, bytes]:
    """Re-encode, then scale, until the picture is under the service's 50 MB limit."""
    from PIL import Image

    limit = MAX_IMAGE_BYTES
    if data and len(data) <= limit:
        return im, fmt, data
    was = f"{len(data) / 1e6:.0f} MB" if data else "over 50 MB as PNG"
    # First a lossy encoding at a high quality: usually 5-10x smaller than PNG.
    fmt = "webp" if im.mode == "RGBA" else "jpeg"
    data = encode(im, fmt, 92) if max(im.size) <= 16383 else data
    if len(data) <= limit and max(im.size) <= 16383:
        notes.append(
            f"Re-encoded as {fmt.upper()} ({was} to {len(data) / 1e6:.1f} MB) "
            "to fit the 50 MB limit."
        )
        return im, fmt, data
    w0, h0 = im.size
    while len(data) > limit or max(im.size) > 16383:
        shrink = math.sqrt(limit / len(data)) * 0.9 if data else 0.9
        factor = min(shrink, 16383 / max(im.size), 0.9)
        im = im.resize(
            (max(1, int(im.width * factor)), max(1, int(im.height * factor))),
            Image.Resampling.LANCZOS,
        )
        data = encode(im, fmt, 92)
    notes.append(f"Scaled down from {w0}x{h0} to {im.width}x{im.height} to fit the 50 MB limit.")
    return im, fmt, data


# -- the intake ------------------------------------------------------------------------------


def _frame_note(im: Image.Image, frames: int) -> str | None:
    if im.format == "PSD":
        return "Used the composite picture of a layered Photoshop file."
    if frames <= 1:
        return None
    if im.format == "TIFF":
        return f"Used the first page of {frames}."
    if im.format == "MPO":
        return f"Used the first of its {frames} pictures."
    return f"Used the first frame of an animation ({frames} frames)."


def _untouched(im: Image.Image, data: bytes, frames: int) -> str | None:
    """The format to send `data` as, unchanged, or None when it must be converted."""
    fmt = sniff_format(data)
    whole = (
        fmt is not None
        and im.format == {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt]
        and frames == 1
        and im.mode in ("RGB", "RGBA")
        and (fmt != "png" or png.bit_depth(data) == 8)
        and orientation(im) in (0, 1)
        and is_srgb(im.info.get("icc_profile"))
        and len(data) <= MAX_IMAGE_BYTES
    )
    return fmt if whole else None


def prepare_source(data: bytes, filename: str = "") -> PreparedImage:
    """A picture ready to upload: upright, RGB/RGBA, png/jpeg/webp, under 50 MB; or an
    ImageError naming the file."""
    with _quiet():
        im, frames = _read_or_refuse(data, filename)
        try:
            return _prepare(im, frames, data, filename)
        except ImageError:
            raise
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error) as exc:
            # A mode or profile Pillow cannot convert: refused here, never sent.
            raise _damaged(_describe(filename), filename, exc) from None


def _prepare(im: Image.Image, frames: int, data: bytes, filename: str) -> PreparedImage:
    notes: list[str] = []
    note = _frame_note(im, frames)
    if note:
        notes.append(note)
    # Pass the file through untouched when nothing needs changing: no generational loss.
    fmt = _untouched(im, data, frames)
    if fmt is not None:
        if fmt == "jpeg":
            stripped = strip_jpeg_metadata(data)
            if len(stripped) < len(data):
                notes.append(
                    "Removed the camera details (EXIF/XMP, e.g. the location) before upload."
                )
                data = stripped
        return PreparedImage(data, im.width, im.height, fmt, notes, filename)
    was_jpeg = im.format in ("JPEG", "MPO")
    im = normalise(im, notes)
    # A photograph stays a JPEG (PNG would be 5-10x bigger); everything else becomes PNG.
    fmt = "jpeg" if was_jpeg and im.mode == "RGB" else "png"
    if fmt == "png" and im.width * im.height > _FAST_PNG_PIXELS:
        # A big picture's PNG may well pass the limit: stop writing it there rather than
        # finish (and hold) hundreds of MB only to re-encode them.
        try:
            capped = _Capped(MAX_IMAGE_BYTES)
            im.save(capped, "PNG", compress_level=1)
            out = capped.getvalue()
        except _OverLimit:
            out = b""
    else:
        out = encode(im, fmt, 95)
    im, fmt, out = _fit_under_limit(im, fmt, out, notes)
    return PreparedImage(out, im.width, im.height, fmt, notes, filename)
