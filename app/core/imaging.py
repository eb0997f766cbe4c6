"""Mask export and compositing, in plain Python + Pillow (no Qt).

Reading any picture into one the service takes (prepare_source, open_image, normalise, the
encoders) is the intake's, app/core/intake.py; its names are re-exported here for the callers
that have always imported them from this module.

Everything here is CPU-bound and meant to run in a worker thread (a QRunnable or the job
worker), never on the GUI thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.api.models import MAX_MASK_BYTES, InputImage
from app.core.colour import band_extrema, normalise
from app.core.intake import (
    MAX_SOURCE_PIXELS,
    ImageError,
    PreparedImage,
    encode,
    open_image,
    prepare_source,
    strip_jpeg_metadata,
)

if TYPE_CHECKING:  # Pillow is imported where it is used: start-up does not need it
    from PIL import Image

__all__ = [
    "MAX_SOURCE_PIXELS",
    "EditSnapshot",
    "ImageError",
    "PreparedImage",
    "blend_weights",
    "encode",
    "export_mask",
    "keep_unmasked",
    "normalise",
    "open_image",
    "painted_from_mask",
    "prepare_source",
    "strip_jpeg_metadata",
]


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
        if band_extrema(alpha)[0] < 255:
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
    repaint), which saves decoding the PNG. A result of another shape than the source is never
    stretched: it is cropped at its edges or fitted inside the source (letterboxed, the source
    showing around it), as sizes.fit decides and sentences.paste_back_sentence says.
    `output_format` png keeps every unmasked pixel bit-exact in the file; webp is written
    lossless (exact as well, bigger and slower); jpeg is lossy by nature, so the exactness
    holds for the pixels before encoding only (written at `quality`, no chroma subsampling).
    """
    from PIL import Image, ImageChops

    from app.core import sizes

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
    # `view` is the part of `res` that maps onto the whole source, uniformly scaled.
    fit, view = sizes.fit(res.size, src.size)
    if fit == "letterbox":
        # The whole result, scaled, sits in `view` (source pixels); outside it the source
        # shows, so the mask is clipped to it and `res` becomes a source-sized picture.
        placed = src.copy()
        placed.paste(
            res.resize((view[2] - view[0], view[3] - view[1]), Image.Resampling.LANCZOS), view[:2]
        )
        inside = Image.new("L", src.size, 0)
        inside.paste(255, view)
        painted = ImageChops.darker(painted, inside)
        res, view = placed, (0, 0, src.width, src.height)
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
        if view != (0, 0, *src.size):
            fx = (view[2] - view[0]) / src.width
            fy = (view[3] - view[1]) / src.height
            region = (
                view[0] + box[0] * fx,
                view[1] + box[1] * fy,
                view[0] + box[2] * fx,
                view[1] + box[3] * fy,
            )
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
