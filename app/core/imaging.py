"""Source preparation, mask export and compositing, in plain Python + Pillow (no Qt).

Everything here is CPU-bound and meant to run in a worker thread (a QRunnable or the job
worker), never on the GUI thread.
"""

from __future__ import annotations

import io
import math
import re
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.api.models import MAX_IMAGE_BYTES, MAX_MASK_BYTES, InputImage, sniff_format

if TYPE_CHECKING:  # Pillow is imported where it is used: start-up does not need it
    from PIL import Image

# A picture bigger than this is refused before it is decoded: the service makes at most
# 3840x2160 anyway, and a crafted header (a "decompression bomb") would otherwise make Pillow
# allocate gigabytes. Pillow's own guard warns at the same figure and fails at twice it.
MAX_SOURCE_PIXELS = 89_000_000

# PNGs are written by _png() below rather than by Pillow: about twice as fast at the same size
# on photographs, which is what keeps compositing a 1536x1024 result under ~100 ms.
_IDAT_PIECE = 1 << 20


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
    width: int
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


# -- opening -----------------------------------------------------------------------------


def _describe(filename: str) -> str:
    return f"“{filename}”" if filename else "The picture"


def open_image(data: bytes, filename: str = "") -> Image.Image:
    """Open and fully decode `data`, turning every way it can fail into an ImageError."""
    from PIL import Image

    what = _describe(filename)
    if not data:
        raise ImageError(f"{what} is empty (0 bytes). Choose another file.", "empty", filename)
    try:
        with warnings.catch_warnings():
            # Pillow warns (and later raises) on huge headers; both mean the same to us.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            w, h = im.size
            if w * h > MAX_SOURCE_PIXELS:
                raise Image.DecompressionBombError(f"{w}x{h}")
            if getattr(im, "n_frames", 1) > 1:
                im.seek(0)
            im.load()
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
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
        text = str(exc).lower()
        if "truncated" in text or "end of file" in text or isinstance(exc, EOFError):
            raise ImageError(
                f"{what} is incomplete (the file was cut short, perhaps by an unfinished "
                "download or copy). Get the file again.",
                "incomplete",
                filename,
            ) from None
        raise ImageError(
            f"{what} is damaged and cannot be read ({exc}). Try another file.",
            "damaged",
            filename,
            str(exc),
        ) from None
    return im


# -- normalising -------------------------------------------------------------------------


def _band_extrema(im: Image.Image) -> tuple[float, float]:
    """getextrema() of a single-band image (typed: Pillow's stub is a union)."""
    lo, hi = im.getextrema()
    return float(lo), float(hi)  # type: ignore[arg-type]


def _to_8bit_grey(im: Image.Image) -> Image.Image:
    """16-bit or float greyscale to 8-bit L, scaling rather than clipping."""
    if im.mode == "F":
        lo, hi = _band_extrema(im)
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        return im.point(lambda v: v * scale - lo * scale).convert("L")
    im = im.convert("I")
    lo, hi = _band_extrema(im)
    # Most 16-bit files use the full 0..65535 range; 32-bit integer ones may not.
    top = 65535 if hi > 255 else 255
    return im.point(lambda v: v * (255.0 / top)).convert("L")


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    # Pillow's EXIF parser raises whatever a damaged file makes it hit (struct.error,
    # SyntaxError, KeyError...): treat the picture as upright rather than refuse it.
    except Exception:  # noqa: BLE001
        return 1


def _has_transparency(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        im.mode in ("P", "L", "RGB") and "transparency" in im.info
    )


def normalise(im: Image.Image, notes: list[str] | None = None) -> Image.Image:
    """The picture as RGB or RGBA, upright, with colours converted to sRGB where needed."""
    from PIL import ImageOps

    notes = notes if notes is not None else []
    icc = im.info.get("icc_profile")
    if _orientation(im) not in (0, 1):
        im = ImageOps.exif_transpose(im)
        notes.append("Rotated upright as its EXIF orientation says.")
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        im = _to_8bit_grey(im)
        notes.append("Reduced from 16-bit to 8-bit colour.")
    elif mode == "CMYK":
        converted = _icc_to_srgb(im, icc)
        im = converted if converted is not None else im.convert("RGB")
        notes.append("Converted from CMYK to RGB.")
        icc = None
    if _has_transparency(im):
        im = im.convert("RGBA")
        # A fully opaque alpha channel only costs bytes and forces PNG.
        if _band_extrema(im.getchannel("A")) == (255, 255):
            im = im.convert("RGB")
    elif im.mode != "RGB":
        im = im.convert("RGB")
    if icc:
        converted = _icc_to_srgb(im, icc)
        if converted is not None:
            im = converted
            notes.append("Converted its colour profile to sRGB.")
    return im


def _is_srgb(icc: bytes | None) -> bool:
    """True without a profile (sRGB is assumed) or with an sRGB one."""
    if not icc:
        return True
    try:
        from PIL import ImageCms

        name = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))) or ""
    except Exception:  # noqa: BLE001 - an unreadable profile, whatever it trips in LittleCMS, is not sRGB
        return False
    return "srgb" in name.lower()


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


def _icc_to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image | None:
    if not icc:
        return None
    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = ImageCms.getProfileDescription(src) or ""
        if "srgb" in name.lower() and im.mode != "CMYK":
            return None  # already sRGB: nothing to do
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            im, src, ImageCms.createProfile("sRGB"), outputMode=out_mode
        )
    except Exception:  # noqa: BLE001
        # A broken or unusual profile, whatever it trips in LittleCMS, is not worth refusing
        # the picture over.
        return None


# -- encoding ----------------------------------------------------------------------------


def encode(im: Image.Image, fmt: str, quality: int = 95) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        if im.mode in _PNG_MODES:
            return _png(im)
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


_PNG_MODES = {"L": (1, 0), "RGB": (3, 2), "RGBA": (4, 6)}  # channels, PNG colour type


def _png(im: Image.Image) -> bytes:
    """An 8-bit L/RGB/RGBA image as PNG: every row with the "Sub" filter, zlib level 1 with
    the run-length strategy.

    Pillow's encoder tries all five filters on every row, which costs more than the
    compression itself. One fixed filter, computed for the whole image at once by Pillow's C
    channel arithmetic (each byte minus the same channel of the pixel to its left, mod 256),
    gives files within a few percent of Pillow's level 1 on photographs in half the time;
    flat graphics come out up to 2x bigger, but those are small anyway.
    """
    from PIL import Image, ImageChops

    channels, colour_type = _PNG_MODES[im.mode]
    w, h = im.size
    if w > 1:
        left = Image.new(im.mode, im.size, 0)  # each pixel's left neighbour; 0 before the first
        left.paste(im.crop((0, 0, w - 1, h)), (1, 0))
        filtered = ImageChops.subtract_modulo(im, left).tobytes()
    else:
        filtered = im.tobytes()
    stride = w * channels
    rows = b"".join(b"\x01" + filtered[i : i + stride] for i in range(0, stride * h, stride))
    packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    stream = packer.compress(rows) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))
        )

    parts = [
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)),
    ]
    parts += [
        chunk(b"IDAT", stream[i : i + _IDAT_PIECE]) for i in range(0, len(stream), _IDAT_PIECE)
    ]
    parts.append(chunk(b"IEND", b""))
    return b"".join(parts)


def _fit_under_limit(
    im: Image.Image, fmt: str, data: bytes, notes: list[str]
) -> tuple[Image.Image, str, bytes]:
    """Re-encode, then scale, until the picture is under the service's 50 MB limit."""
    from PIL import Image

    limit = MAX_IMAGE_BYTES
    if len(data) <= limit:
        return im, fmt, data
    original = len(data)
    # First a lossy encoding at a high quality: usually 5-10x smaller than PNG.
    fmt = "webp" if im.mode == "RGBA" else "jpeg"
    data = encode(im, fmt, 92) if max(im.size) <= 16383 else data
    if len(data) <= limit and max(im.size) <= 16383:
        notes.append(
            f"Re-encoded as {fmt.upper()} ({original / 1e6:.0f} MB to {len(data) / 1e6:.1f} MB) "
            "to fit the 50 MB limit."
        )
        return im, fmt, data
    w0, h0 = im.size
    while len(data) > limit or max(im.size) > 16383:
        factor = min(math.sqrt(limit / len(data)) * 0.9, 16383 / max(im.size), 0.9)
        im = im.resize(
            (max(1, int(im.width * factor)), max(1, int(im.height * factor))),
            Image.Resampling.LANCZOS,
        )
        data = encode(im, fmt, 92)
    notes.append(f"Scaled down from {w0}x{h0} to {im.width}x{im.height} to fit the 50 MB limit.")
    return im, fmt, data


def prepare_source(data: bytes, filename: str = "") -> PreparedImage:
    """A picture ready to upload: upright, RGB/RGBA, png/jpeg/webp, under 50 MB."""
    im = open_image(data, filename)
    notes: list[str] = []
    original_format = sniff_format(data)
    frames = getattr(im, "n_frames", 1)
    if frames > 1:
        notes.append(f"Used the first frame of an animation ({frames} frames).")
    # Pass the file through untouched when nothing needs changing: no generational loss.
    untouched = (
        original_format is not None
        and frames == 1
        and im.mode in ("RGB", "RGBA")
        and _orientation(im) in (0, 1)
        and _is_srgb(im.info.get("icc_profile"))
        and len(data) <= MAX_IMAGE_BYTES
    )
    if untouched:
        if original_format == "jpeg":
            stripped = strip_jpeg_metadata(data)
            if len(stripped) < len(data):
                notes.append(
                    "Removed the camera details (EXIF/XMP, e.g. the location) before upload."
                )
                data = stripped
        return PreparedImage(data, im.width, im.height, original_format or "png", notes, filename)
    im = normalise(im, notes)
    if im.mode == "RGBA" or original_format != "jpeg":
        fmt = "png"
        out = encode(im, "png")
    else:
        fmt = "jpeg"
        out = encode(im, "jpeg", 95)
    im, fmt, out = _fit_under_limit(im, fmt, out, notes)
    return PreparedImage(out, im.width, im.height, fmt, notes, filename)


# -- the mask ----------------------------------------------------------------------------


def export_mask(painted: Image.Image, size: tuple[int, int]) -> bytes:
    """The mask as the service wants it: RGBA PNG of `size`, alpha 0 where painted, 255 elsewhere."""
    from PIL import Image

    painted = painted.convert("L") if painted.mode != "L" else painted
    if painted.size != tuple(size):
        painted = painted.resize(tuple(size), Image.Resampling.NEAREST)
    alpha = painted.point(lambda v: 0 if v >= 128 else 255)
    # Black where kept, so a viewer without alpha still shows something sensible.
    black = Image.new("L", painted.size, 0)
    rgba = Image.merge("RGBA", (black, black, black, alpha))
    buf = io.BytesIO()
    rgba.save(buf, "PNG", optimize=False, compress_level=6)
    out = buf.getvalue()
    if len(out) > MAX_MASK_BYTES:
        # Only a pathological (noise-like) mask gets here; try the strongest compression.
        buf = io.BytesIO()
        rgba.save(buf, "PNG", compress_level=9)
        out = buf.getvalue()
        if len(out) > MAX_MASK_BYTES:
            raise ImageError(
                "The mask is too detailed to send (over 4 MB as a PNG). "
                "Simplify it, for example with a rectangle or lasso fill.",
                "mask_too_detailed",
            )
    return out


def painted_from_mask(mask_png: bytes, size: tuple[int, int] | None = None) -> Image.Image:
    """Read a mask file back as L (255 = repaint).

    Transparent pixels mean "repaint" (the service's convention); a mask without any
    transparency is read as white = repaint (the convention of most other tools).
    """
    from PIL import Image

    im = open_image(mask_png, "the mask")
    if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
        alpha = im.convert("RGBA").getchannel("A")
        if _band_extrema(alpha)[0] < 255:
            painted = alpha.point(lambda v: 255 if v < 128 else 0)
        else:
            painted = im.convert("L").point(lambda v: 255 if v >= 128 else 0)
    else:
        painted = im.convert("L").point(lambda v: 255 if v >= 128 else 0)
    if size is not None and painted.size != tuple(size):
        painted = painted.resize(tuple(size), Image.Resampling.NEAREST)
    return painted


# -- compositing -------------------------------------------------------------------------


def blend_weights(painted: Image.Image, feather: int) -> Image.Image:
    """Per-pixel weight of the result (L, 0 = source, 255 = result).

    The painted area is always 255: the user asked for it to change. Outside it the weight
    falls smoothly to 0 over `feather` pixels: two box blurs whose radii add up to `feather`
    have a support of exactly `feather` pixels, so every pixel farther than that from the
    painted area (in chessboard distance) gets weight 0 and stays bit-exactly the source's.
    Doubling the blur makes the ramp start at full strength on the painted edge.
    """
    from PIL import ImageChops, ImageFilter

    painted = painted.point(lambda v: 255 if v >= 128 else 0)
    if feather <= 0:
        return painted
    r1 = feather // 2
    r2 = feather - r1
    ramp = painted
    for r in (r1, r2):
        if r > 0:
            ramp = ramp.filter(ImageFilter.BoxBlur(r))
    ramp = ramp.point(lambda v: min(255, v * 2))
    return ImageChops.lighter(painted, ramp)


def keep_unmasked(
    source: bytes,
    mask_png: bytes | Image.Image,
    result: bytes,
    feather: int,
    output_format: str = "png",
    quality: int = 95,
) -> bytes:
    """Paste the model's result onto the source inside the (feathered) mask only.

    `mask_png` is the mask as sent (alpha 0 = repaint), or the painted L image itself (255 =
    repaint), which saves decoding the PNG. The result is scaled to the source's size when the
    service answered another size.
    `output_format` png keeps every unmasked pixel bit-exact in the file; webp is written
    lossless (exact as well, bigger and slower); jpeg is lossy by nature, so the exactness
    holds for the pixels before encoding only (written at `quality`, no chroma subsampling).
    """
    from PIL import Image

    src = normalise(open_image(source, "the source picture"))
    res = normalise(open_image(result, "the result"))
    mode = "RGBA" if "A" in (src.mode + res.mode) else "RGB"
    if output_format == "jpeg":
        mode = "RGB"
    src = src.convert(mode) if src.mode != mode else src
    res = res.convert(mode) if res.mode != mode else res
    feather = max(0, int(feather))
    if isinstance(mask_png, Image.Image):
        painted = mask_png.convert("L") if mask_png.mode != "L" else mask_png
        if painted.size != src.size:
            painted = painted.resize(src.size, Image.Resampling.NEAREST)
    else:
        painted = painted_from_mask(mask_png, src.size)
    # Work only on the painted area plus the feather band (and a margin so the blur sees
    # only zeros at the crop's edge, which makes the crop's weights equal the full image's):
    # for a typical mask this skips most of the blur, the scaling and the blend.
    bbox = painted.getbbox()
    out = src  # pasted into in place: the decoded source is ours alone
    if bbox is not None:
        m = feather + 2
        box = (
            max(0, bbox[0] - m),
            max(0, bbox[1] - m),
            min(src.width, bbox[2] + m),
            min(src.height, bbox[3] + m),
        )
        size = (box[2] - box[0], box[3] - box[1])
        if res.size != src.size:
            fx, fy = res.width / src.width, res.height / src.height
            region = (box[0] * fx, box[1] * fy, box[2] * fx, box[3] * fy)
            res_part = res.resize(size, Image.Resampling.LANCZOS, box=region)
        else:
            res_part = res.crop(box)
        weights = blend_weights(painted.crop(box), feather)
        # composite(a, b, m) is b + (a - b) * m / 255 rounded: m = 0 gives b exactly.
        out.paste(Image.composite(res_part, src.crop(box), weights), box[:2])
    if output_format == "webp":
        return encode(out, "webp", 100)
    return encode(out, output_format, quality)


# -- what the edit panel hands to the job ------------------------------------------------


@dataclass
class EditSnapshot:
    """Plain data captured on the GUI thread; build() does the slow encoding in the worker."""

    sources: list[PreparedImage]
    mask: bytes | None = None  # raw L bytes, 255 = painted, row-major
    mask_size: tuple[int, int] | None = None
    feather: int = 0
    keep_unmasked: bool = True

    @property
    def has_mask(self) -> bool:
        return self.mask is not None and self.mask_size is not None

    def painted(self) -> Image.Image | None:
        from PIL import Image

        if not self.has_mask:
            return None
        assert self.mask is not None and self.mask_size is not None
        return Image.frombytes("L", self.mask_size, self.mask)

    def build(self) -> tuple[list[InputImage], InputImage | None]:
        images = [InputImage(s.data, s.upload_name(i)) for i, s in enumerate(self.sources)]
        painted = self.painted()
        if painted is None or not self.sources:
            return images, None
        first = self.sources[0]
        return images, InputImage(export_mask(painted, first.size), "mask.png")

    def composite(self, result: bytes, output_format: str = "png") -> bytes:
        """keep_unmasked() of `result` onto the first source with this snapshot's mask and
        feather, for the job worker (skips decoding the mask PNG: the painted bytes are here)."""
        painted = self.painted()
        if painted is None or not self.sources:
            raise ValueError("nothing to composite: this edit has no mask")
        return keep_unmasked(self.sources[0].data, painted, result, self.feather, output_format)
