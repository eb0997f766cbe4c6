"""The output sizes gpt-image-2 makes: its rules, the 1K / 2K / 4K presets, snapping and fitting.

OpenAI's rules for gpt-image-2 (a size outside them is refused with 400): both sides multiples
of 16, the longest side at most 3840, the ratio within 1:3 and 3:1, and from 655,360 to
8,294,400 pixels (3840x2160). Above 2560x1440 pixels OpenAI calls the results experimental.

The presets, per tier (each an exact ratio on the 16-pixel grid):
- 1K: the three sizes Mountsea documents (1024x1024, 1536x1024, 1024x1536), and the other ratios
  with the same long side of 1536 (1536x864, 1536x1152 and their portraits);
- 2K: the largest size of each ratio that is not experimental (at most 2560x1440 pixels);
- 4K: the largest size of each ratio the model makes at all (8,294,400 pixels, long side 3840).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

STEP = 16
MAX_LONG_SIDE = 3840
MAX_RATIO = 3.0
MIN_PIXELS = 655_360
MAX_PIXELS = 3840 * 2160  # 8,294,400
EXPERIMENTAL_PIXELS = 2560 * 1440  # 3,686,400

TIERS = ("1K", "2K", "4K")
# Label, width part, height part; portrait before landscape so the documented 1024x1536 comes
# before 1536x1024, as in the size list people know.
ASPECTS: tuple[tuple[str, int, int], ...] = (
    ("1:1", 1, 1),
    ("2:3", 2, 3),
    ("3:2", 3, 2),
    ("9:16", 9, 16),
    ("16:9", 16, 9),
    ("3:4", 3, 4),
    ("4:3", 4, 3),
)


@dataclass(frozen=True)
class Preset:
    tier: str  # 1K / 2K / 4K
    aspect: str  # 1:1, 3:2, ...
    width: int
    height: int

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


def problem(width: int, height: int) -> str | None:
    """Why gpt-image-2 refuses width x height (lower case, no full stop), or None."""
    size = f"{width}x{height}"
    if width <= 0 or height <= 0:
        return f"{size} is not a size"
    if width % STEP or height % STEP:
        return f"both sides of {size} must be multiples of 16"
    if max(width, height) > MAX_RATIO * min(width, height):
        return f"{size} is too narrow: the ratio must stay within 1:3 and 3:1"
    if max(width, height) > MAX_LONG_SIDE or width * height > MAX_PIXELS:
        return (
            f"{size} is too large: at most 3840 on the long side and 8,294,400 pixels (3840x2160)"
        )
    if width * height < MIN_PIXELS:
        return f"{size} is too small: at least 655,360 pixels (e.g. 1024x640 or 816x816)"
    return None


def is_valid(width: int, height: int) -> bool:
    return problem(width, height) is None


def is_experimental(width: int, height: int) -> bool:
    """OpenAI calls outputs above 2560x1440 pixels experimental."""
    return width * height > EXPERIMENTAL_PIXELS


def _largest(a: int, b: int, max_pixels: int, max_long: int) -> tuple[int, int]:
    """The largest exact a:b size on the 16-pixel grid within the bounds."""
    unit_w, unit_h = a * STEP, b * STEP
    g = math.gcd(a, b)
    unit_w, unit_h = unit_w // g, unit_h // g
    k = int(math.sqrt(max_pixels / (unit_w * unit_h)))
    k = min(k, max_long // max(unit_w, unit_h))
    return unit_w * k, unit_h * k


def _tier(tier: str, a: int, b: int) -> tuple[int, int]:
    if tier == "1K":
        if a == b:
            return 1024, 1024
        return _largest(a, b, MAX_PIXELS, 1536)
    if tier == "2K":
        return _largest(a, b, EXPERIMENTAL_PIXELS, MAX_LONG_SIDE)
    return _largest(a, b, MAX_PIXELS, MAX_LONG_SIDE)


PRESETS: tuple[Preset, ...] = tuple(
    Preset(tier, label, *_tier(tier, a, b)) for tier in TIERS for label, a, b in ASPECTS
)


def preset_for(size: str) -> Preset | None:
    """The preset that is this WxH, if any (the first, by tier)."""
    return next((p for p in PRESETS if p.size == size), None)


def for_source(width: int, height: int, tier: str = "1K") -> Preset:
    """The preset of `tier` whose aspect is closest to a width x height picture."""
    if width <= 0 or height <= 0:
        raise ValueError(f"not a picture size: {width}x{height}")
    target = math.log(width / height)
    candidates = [p for p in PRESETS if p.tier == tier] or [p for p in PRESETS if p.tier == "1K"]
    return min(candidates, key=lambda p: abs(math.log(p.width / p.height) - target))


def _grid(value: float) -> list[int]:
    low = max(STEP, int(value // STEP) * STEP)
    return [v for v in (low - STEP, low, low + STEP, low + 2 * STEP) if v >= STEP]


def snap(width: int, height: int) -> tuple[int, int]:
    """The valid size nearest to width x height: the ratio is kept within 1:3..3:1, the area is
    scaled into the allowed range, then both sides go to the 16-pixel grid."""
    if width <= 0 or height <= 0:
        raise ValueError(f"not a size: {width}x{height}")
    ratio = min(MAX_RATIO, max(1 / MAX_RATIO, width / height))
    w, h = float(width), float(height)
    if abs(ratio - width / height) > 1e-9:
        # Too narrow: keep the area, bring the ratio to 3:1.
        area = w * h
        w, h = math.sqrt(area * ratio), math.sqrt(area / ratio)
    scale = 1.0
    if w * h < MIN_PIXELS:
        scale = math.sqrt(MIN_PIXELS / (w * h))
    scale = min(scale, math.sqrt(MAX_PIXELS / (w * h)), MAX_LONG_SIDE / max(w, h))
    w, h = w * scale, h * scale
    valid = [(cw, ch) for cw in _grid(w) for ch in _grid(h) if is_valid(cw, ch)]
    if not valid:  # a corner the 4x4 neighbourhood misses: fall back to the nearest preset
        nearest = for_source(width, height, "1K")
        return nearest.width, nearest.height

    def cost(c: tuple[int, int]) -> tuple[float, float]:
        return abs(math.log(c[0] / c[1]) - math.log(ratio)), abs(c[0] - w) + abs(c[1] - h)

    return min(valid, key=cost)


Fit = Literal["crop", "letterbox"]
# Crop when that loses at most this share of the result; beyond, letterbox (nothing lost).
CROP_LIMIT = 0.2


def fit(
    result_size: tuple[int, int], source_size: tuple[int, int]
) -> tuple[Fit, tuple[int, int, int, int]]:
    """How to put a result back on its source without stretching it.

    ("crop", box): `box` (left, top, right, bottom) is the centred part of the result, in the
    result's pixels, that has the source's aspect; scaled uniformly it covers the source.
    ("letterbox", box): `box` is where the whole result, scaled uniformly, sits in the source's
    pixels (centred); the source shows outside it.
    Same aspect: ("crop", the whole result).
    """
    rw, rh = result_size
    sw, sh = source_size
    if min(rw, rh, sw, sh) <= 0:
        raise ValueError(f"not picture sizes: {result_size}, {source_size}")
    if rw * sh >= rh * sw:  # the result is wider than the source: trim its sides
        cw, ch = round(rh * sw / sh), rh
    else:
        cw, ch = rw, round(rw * sh / sw)
    if 1 - (cw * ch) / (rw * rh) <= CROP_LIMIT:
        left, top = (rw - cw) // 2, (rh - ch) // 2
        return "crop", (left, top, left + cw, top + ch)
    scale = min(sw / rw, sh / rh)
    pw, ph = round(rw * scale), round(rh * scale)
    left, top = (sw - pw) // 2, (sh - ph) // 2
    return "letterbox", (left, top, left + pw, top + ph)


def fit_sentence(
    result_size: tuple[int, int],
    source_size: tuple[int, int],
    translate: Callable[[str, str], str] = lambda context, text: text,
) -> str | None:
    """What paste-back does, in a sentence for the job; None when the aspects match.
    `translate` is the window's QCoreApplication.translate (the literal calls are for lupdate)."""
    mode, box = fit(result_size, source_size)
    rw, rh = result_size
    sw, sh = source_size
    if mode == "crop" and box == (0, 0, rw, rh):
        return None
    if mode == "crop":
        return translate(
            "JobRunner",
            "The result is {0}x{1} and the picture {2}x{3}: its centre {4}x{5} was pasted back "
            "(cropped, not stretched).",
        ).format(rw, rh, sw, sh, box[2] - box[0], box[3] - box[1])
    return translate(
        "JobRunner",
        "The result is {0}x{1} and the picture {2}x{3}: it was pasted back whole, fitted inside "
        "the picture (letterboxed, not stretched); the picture shows around it.",
    ).format(rw, rh, sw, sh)
