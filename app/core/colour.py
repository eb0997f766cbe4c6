"""Any decoded picture as upright 8-bit RGB or RGBA in sRGB: EXIF orientation applied, 16-bit
and float scaled (not clipped), CMYK and Lab converted, palettes and grey with their
transparency kept. Part of the intake (app/core/intake.py).

Pillow is imported where it is used: start-up does not need it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image


def band_extrema(im: Image.Image) -> tuple[float, float]:
    """getextrema() of a single-band image (typed: Pillow's stub is a union)."""
    lo, hi = im.getextrema()
    return float(lo), float(hi)  # type: ignore[arg-type]


def _to_8bit_grey(im: Image.Image) -> Image.Image:
    """16-bit or float greyscale to 8-bit L, scaling rather than clipping."""
    if im.mode == "F":
        lo, hi = band_extrema(im)
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        return im.point(lambda v: v * scale - lo * scale).convert("L")
    im = im.convert("I")
    lo, hi = band_extrema(im)
    # Most 16-bit files use the full 0..65535 range; 32-bit integer ones may not.
    top = 65535 if hi > 255 else 255
    return im.point(lambda v: v * (255.0 / top)).convert("L")


def orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001  # unreadable EXIF of any kind: upright, not refused
        return 1


def _has_transparency(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        im.mode in ("P", "L", "RGB", "1") and "transparency" in im.info
    )


def normalise(im: Image.Image, notes: list[str] | None = None) -> Image.Image:
    """The picture as RGB or RGBA, upright, with colours converted to sRGB where needed."""
    from PIL import ImageOps

    notes = notes if notes is not None else []
    icc = im.info.get("icc_profile")
    if orientation(im) not in (0, 1):
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
    elif mode == "LAB":
        from PIL import ImageCms

        lab = ImageCms.createProfile("LAB")
        srgb = ImageCms.createProfile("sRGB")
        im = ImageCms.profileToProfile(im, lab, srgb, outputMode="RGB") or im.convert("RGB")
        icc = None
    if _has_transparency(im):
        im = im.convert("RGBA")
        # A fully opaque alpha channel only costs bytes and forces PNG.
        if band_extrema(im.getchannel("A")) == (255, 255):
            im = im.convert("RGB")
    elif im.mode != "RGB":
        im = im.convert("RGB")
    if icc:
        converted = _icc_to_srgb(im, icc)
        if converted is not None:
            im = converted
            notes.append("Converted its colour profile to sRGB.")
    return im


def is_srgb(icc: bytes | None) -> bool:
    """True without a profile (sRGB is assumed) or with an sRGB one."""
    if not icc:
        return True
    try:
        from PIL import ImageCms

        name = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))) or ""
    except Exception:  # noqa: BLE001  # any broken profile: not sRGB, so the picture is converted
        return False
    return "srgb" in name.lower()


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
    except Exception:  # noqa: BLE001  # a broken or unusual profile is not worth refusing over
        return None
