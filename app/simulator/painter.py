"""The simulator's "model": real pictures, cheap to make, that a person can tell apart.

Text-to-image paints a gradient and a few shapes whose colours come from a hash of the
prompt, with the prompt written small along the bottom. Edits repaint the masked region in
the prompt's colours and shift everything else by a level or two, because the real model
redraws the whole picture and untouched areas drift.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
import re
import textwrap
import threading
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

# How far unmasked pixels drift in an edit (in 0-255 levels). Small enough to look identical,
# big enough that a client that "keeps unmasked pixels" must paste the original back.
DRIFT_LEVELS = 2


@dataclass(frozen=True)
class Palette:
    start: tuple[int, int, int]
    end: tuple[int, int, int]
    accent: tuple[int, int, int]
    seed: int

    @classmethod
    def from_prompt(cls, prompt: str) -> Palette:
        digest = hashlib.sha256(prompt.encode("utf-8")).digest()
        return cls(
            start=_vivid(digest[0:3]),
            end=_vivid(digest[3:6]),
            accent=_vivid(digest[6:9]),
            seed=int.from_bytes(digest[9:17], "big"),
        )


def _vivid(raw: bytes) -> tuple[int, int, int]:
    # Raw hash bytes give muddy greys; stretch each colour so its channels span a wide range.
    lo, hi = min(raw), max(raw)
    span = max(hi - lo, 1)
    return tuple(40 + (b - lo) * 190 // span for b in raw)  # type: ignore[return-value]


_fonts = threading.local()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # One font object per thread: a FreeType face must not be used by two threads at once,
    # and the server paints for several requests in parallel.
    cache = _fonts.__dict__.setdefault("by_size", {})
    if size not in cache:
        try:
            cache[size] = ImageFont.load_default(size=size)
        except ImportError:
            # Pillow without FreeType (the frozen app leaves PIL._imagingft and its ~3 MB of
            # libraries out): Pillow's 6x11 bitmap font, which _text scales up to `size`.
            cache[size] = ImageFont.load_default()
    return cache[size]


def _text(
    img: Image.Image,
    xy: tuple[int, int],
    line: str,
    size: int,
    fill: tuple[int, ...],
    stroke: int = 0,
    stroke_fill: tuple[int, ...] = (0, 0, 0),
) -> None:
    font = _font(size)
    if isinstance(font, ImageFont.FreeTypeFont):
        ImageDraw.Draw(img).text(
            xy, line, fill=fill, font=font, stroke_width=stroke, stroke_fill=stroke_fill
        )
        return
    # The bitmap font has one size and Latin-1 only: draw it at 1x, enlarge by whole pixels
    # (blocky but readable) and outline by hand, as the bitmap font can't stroke.
    line = line.replace("\u2026", "...").encode("latin-1", "replace").decode("latin-1")
    scale = max(1, round(size / 11))
    right, bottom = font.getbbox(line)[2:]
    glyphs = Image.new("L", (max(1, right) + 2, max(1, bottom) + 2))
    ImageDraw.Draw(glyphs).text((1, 1), line, fill=255, font=font)
    glyphs = glyphs.resize((glyphs.width * scale, glyphs.height * scale), Image.Resampling.NEAREST)
    x, y = xy[0] - scale, xy[1] - scale
    if stroke:
        outline = glyphs.filter(ImageFilter.MaxFilter(2 * stroke + 1))
        img.paste(stroke_fill, (x, y), outline)
    img.paste(fill, (x, y), glyphs)


def _gradient(
    size: tuple[int, int], a: tuple[int, int, int], b: tuple[int, int, int], angle: int
) -> Image.Image:
    # Build the ramp at 256x256 and scale it: painting a 4K canvas pixel by pixel would be slow.
    ramp = Image.linear_gradient("L").rotate(
        angle, resample=Image.Resampling.BILINEAR, expand=False
    )
    ramp = ImageOps.autocontrast(ramp.crop((48, 48, 208, 208)))
    ramp = ramp.resize(size, Image.Resampling.BILINEAR)
    return ImageOps.colorize(ramp, black=a, white=b)


def _shapes(pal: Palette, size: tuple[int, int]) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """A disc and a bar placed by the hash: two prompts never look alike, the same prompt
    always does. Returns the disc's box, the bar's box and the bar's corner radius."""
    w, h = size
    unit = min(w, h)
    cx = w * (25 + pal.seed % 50) // 100
    cy = h * (25 + (pal.seed >> 8) % 40) // 100
    r = unit * (18 + (pal.seed >> 16) % 14) // 100
    bar_w = unit * (30 + (pal.seed >> 24) % 30) // 100
    bx = w - bar_w - unit // 10
    by = h * (15 + (pal.seed >> 32) % 30) // 100
    return (cx - r, cy - r, cx + r, cy + r), (bx, by, bx + bar_w, by + unit // 8), unit // 40


def render(prompt: str, size: tuple[int, int], *, transparent: bool = False) -> Image.Image:
    """A new picture for `prompt`: RGB, or RGBA with a transparent background; on a flat
    colour when the prompt asks for one (what the cut-out asks for)."""
    key = asked_key(prompt)
    if key is not None and not transparent:
        return key_scene(prompt, size, key)[0]
    pal = Palette.from_prompt(prompt)
    if transparent:
        canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    else:
        canvas = _gradient(size, pal.start, pal.end, pal.seed % 360).convert("RGBA")
    draw = ImageDraw.Draw(canvas)
    disc, bar, radius = _shapes(pal, size)
    draw.ellipse(disc, fill=(*pal.accent, 255))
    draw.rounded_rectangle(
        bar, radius=radius, fill=(*pal.end, 230) if transparent else (*pal.start, 230)
    )
    _caption(canvas, prompt)
    return canvas if transparent else canvas.convert("RGB")


HEAVY_ENV = "MOUNTSEA_SIM_HEAVY"
HEAVY_KEPT = 6  # heavy pictures (with their encodings) kept, so serving one again is cheap
_NOISE_ROWS = 32
_heavy_lock = threading.Lock()  # guards the dict below
# One heavy picture (or encoding) is made at a time: requests that arrive together (8 copies of
# one prompt) wait for the first and are served from what it kept, instead of all painting
# and encoding the same picture at once on the demo's shared cores and GIL.
_making = threading.Lock()
# (prompt, size) -> the picture and its encodings by (format, compression)
_heavy: OrderedDict[
    tuple[str, tuple[int, int]], tuple[Image.Image, dict[tuple[str, int | None], bytes]]
] = OrderedDict()


def heavy_mode() -> bool:
    return os.environ.get(HEAVY_ENV, "") not in ("", "0")


def heavy(prompt: str, size: tuple[int, int]) -> Image.Image:
    """render() with noise of a real picture's weight over it; the same prompt and size give
    the same (kept) object, whose encoding encode() keeps too. Made with whole-image C
    operations only (render, small noise strips pasted, one resize, one blend): the demo
    simulator runs inside the app, and none of these holds the GIL for more than a few ms
    (measured: Image.effect_noise over a whole 4K picture holds it for ~370 ms, hence strips)."""
    key = (prompt, size)
    with _making:
        with _heavy_lock:
            if key in _heavy:
                _heavy.move_to_end(key)
                return _heavy[key][0]
        return _make_heavy(key)


def _make_heavy(key: tuple[str, tuple[int, int]]) -> Image.Image:
    prompt, size = key
    w, h = size
    # Tuned to real results' weights: 1536x1024 -> ~2.6 MB, 3840x2160 -> ~9.8 MB as PNG. A 4K
    # picture's detail is coarser per pixel, as a real one's (a noise pixel spans 2x2 there).
    grain, amount = (2, 0.12) if w * h > 4_000_000 else (1, 0.07)
    nw, nh = -(-w // grain), -(-h // grain)
    seed = Palette.from_prompt(prompt).seed
    # Three independent strips (one per channel) pasted row band by row band, each band
    # rolled sideways by another amount: no two rows repeat within deflate's 32 KB window.
    strip = Image.merge("RGB", [Image.effect_noise((nw, _NOISE_ROWS), 30) for _ in range(3)])
    noise = Image.new("RGB", (nw, nh))
    for band, y in enumerate(range(0, nh, _NOISE_ROWS)):
        roll = (seed + band * 7919) % nw
        noise.paste(strip, (-roll, y))
        noise.paste(strip, (nw - roll, y))
    if grain > 1:
        noise = noise.resize(size, Image.Resampling.BILINEAR)
    picture = Image.blend(render(prompt, size), noise, amount)
    with _heavy_lock:
        _heavy[key] = (picture, {})
        while len(_heavy) > HEAVY_KEPT:
            _heavy.popitem(last=False)
    return picture


def _kept_encodings(img: Image.Image) -> dict[tuple[str, int | None], bytes] | None:
    with _heavy_lock:
        return next((enc for pic, enc in _heavy.values() if pic is img), None)


# "... on a perfectly flat, solid pure magenta (#FF00FF) background": the cut-out's request
# (app.core.key_colour.prompt_addition), or a person's own "#00FF00 background".
_KEY_REQUEST = re.compile(r"#([0-9a-fA-F]{6})\)?\s+background")
_SUBJECT_COLOURS = ((210, 60, 40), (240, 200, 60), (245, 245, 240), (30, 40, 120), (40, 120, 40))


def asked_key(prompt: str) -> tuple[int, int, int] | None:
    """The flat background colour the prompt asks for, if it names one by its hex code."""
    m = _KEY_REQUEST.search(prompt)
    if m is None:
        return None
    v = int(m.group(1), 16)
    return (v >> 16) & 255, (v >> 8) & 255, v & 255


def key_scene(
    prompt: str, size: tuple[int, int], key: tuple[int, int, int]
) -> tuple[Image.Image, Image.Image]:
    """What a model paints when asked for the subject on a flat colour: the prompt's shapes,
    in colours far from the key, with soft antialiased edges, on that colour a little off
    (no model paints the exact code). Returns the RGB picture and the subject's true
    coverage (L), which the cut-out tests measure against."""
    pal = Palette.from_prompt(prompt)
    w, h = size

    def far(c: tuple[int, int, int]) -> bool:
        # Clearly not leaning towards the key: its channels (green; red and blue for magenta)
        # stay below the others, as a model told to keep the colour out of the subject does.
        on = [v for v, k in zip(c, key, strict=True) if k >= 128]
        off = [v for v, k in zip(c, key, strict=True) if k < 128]
        return bool(on and off) and min(on) - max(off) < -40

    colours = [c for c in (pal.accent, pal.start, pal.end, *_SUBJECT_COLOURS) if far(c)]
    disc_colour, bar_colour = colours[0], colours[1]
    disc, bar, radius = _shapes(pal, size)
    cover = Image.new("L", size, 0)
    ImageDraw.Draw(cover).ellipse(disc, fill=255)
    ImageDraw.Draw(cover).rounded_rectangle(bar, radius=radius, fill=255)
    subject = Image.new("RGB", size, disc_colour)
    ImageDraw.Draw(subject).rounded_rectangle(bar, radius=radius, fill=bar_colour)
    # The caption is part of the subject here: an opaque dark band, not a see-through one.
    band = _caption(subject, prompt, opaque=(24, 24, 32))
    ImageDraw.Draw(cover).rectangle((0, h - band, w, h), fill=255)
    cover = cover.filter(ImageFilter.GaussianBlur(max(1.0, min(w, h) / 500)))
    flat = tuple(min(255, max(0, c + (18 if c < 128 else -20))) for c in key)
    background = Image.new("RGB", size, flat)  # type: ignore[arg-type]
    return Image.composite(subject, background, cover), cover


def _caption(canvas: Image.Image, text: str, opaque: tuple[int, int, int] | None = None) -> int:
    """The prompt written small across the bottom on a see-through dark band (an RGBA
    canvas), or on an opaque band of colour `opaque`; returns the band's height."""
    w, h = canvas.size
    size = max(12, min(w, h) // 48)
    chars = max(10, int(w / (size * 0.55)) - 4)
    lines = textwrap.wrap(" ".join(text.split()), chars, max_lines=3, placeholder=" …") or [""]
    line_h = int(size * 1.3)
    band = line_h * len(lines) + size
    if opaque is None:
        canvas.alpha_composite(Image.new("RGBA", (w, band), (0, 0, 0, 150)), (0, h - band))
    else:
        ImageDraw.Draw(canvas).rectangle((0, h - band, w, h), fill=opaque)
    white = (255, 255, 255, 255) if canvas.mode == "RGBA" else (255, 255, 255)
    y = h - band + size // 2
    for line in lines:
        _text(canvas, (size, y), line, size, white)
        y += line_h
    return band


def _label(img: Image.Image, text: str, box: tuple[int, int, int, int]) -> None:
    """The prompt, outlined so it reads on any colour, wrapped into `box` (the repainted area)."""
    left, top, right, bottom = box
    width = right - left
    size = max(12, min(img.width, img.height) // 40)
    chars = max(8, int(width / (size * 0.55)) - 2)
    lines = textwrap.wrap(" ".join(text.split()), chars, max_lines=3, placeholder=" …") or [""]
    line_h = int(size * 1.3)
    y = top + max(0, (bottom - top - line_h * len(lines)) // 2)
    for line in lines:
        _text(
            img,
            (left + size // 2, y),
            line,
            size,
            (255, 255, 255),
            max(1, size // 10),
            (20, 20, 20),
        )
        y += line_h


def edit(
    prompt: str,
    images: list[Image.Image],
    size: tuple[int, int],
    *,
    mask: Image.Image | None = None,
    transparent: bool = False,
) -> Image.Image:
    """The first image repainted where the mask is transparent (everywhere without a mask)."""
    pal = Palette.from_prompt(prompt)
    keep_alpha = (
        transparent or images[0].mode in ("RGBA", "LA", "PA") or "transparency" in images[0].info
    )
    base = images[0].convert("RGBA" if keep_alpha else "RGB")
    if base.size != size:
        base = base.resize(size, Image.Resampling.BICUBIC)
    paint = _gradient(size, pal.start, pal.accent, pal.seed % 360)
    _stripes(paint, pal)

    if mask is not None:
        # Pixels with alpha 0 are repainted; partial alpha blends, like a soft brush edge.
        alpha = (
            mask.getchannel("A")
            if mask.mode in ("RGBA", "LA", "PA")
            else mask.convert("RGBA").getchannel("A")
        )
        if alpha.size != size:
            alpha = alpha.resize(size, Image.Resampling.BILINEAR)
        repaint = ImageOps.invert(alpha)
        # The prompt goes on the new paint inside the repainted area, the only place it can show.
        box = repaint.point(lambda v: 255 if v >= 128 else 0).getbbox()
        if box:
            _label(paint, prompt, box)
        drifted = _drift(base)
        result = Image.composite(_blend(base, paint, 0.8), drifted, repaint)
    else:
        # No mask: the whole picture is restyled, keeping its composition recognisable.
        paint = paint.convert("RGBA")
        _caption(paint, prompt)
        result = _blend(base, paint.convert("RGB"), 0.45)
        if len(images) > 1:
            _paste_references(result, images[1:])
    return result if keep_alpha else result.convert("RGB")


def _blend(base: Image.Image, paint: Image.Image, amount: float) -> Image.Image:
    if base.mode == "RGBA":
        rgb = Image.blend(base.convert("RGB"), paint, amount).convert("RGBA")
        rgb.putalpha(base.getchannel("A"))
        return rgb
    return Image.blend(base, paint, amount)


def _stripes(img: Image.Image, pal: Palette) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    step = max(24, min(w, h) // 12)
    for x in range(-h, w, step * 2):
        draw.polygon([(x, 0), (x + step, 0), (x + step + h, h), (x + h, h)], fill=pal.end)


def _drift(img: Image.Image) -> Image.Image:
    # A uniform shift of a couple of levels, bouncing off the top so white pixels move too.
    lut = [v + DRIFT_LEVELS if v + DRIFT_LEVELS <= 255 else v - DRIFT_LEVELS for v in range(256)]
    if img.mode == "RGBA":
        r, g, b, a = img.split()
        return Image.merge("RGBA", (r.point(lut), g.point(lut), b.point(lut), a))
    return img.point(lut * 3)


def _paste_references(result: Image.Image, refs: list[Image.Image]) -> None:
    w, h = result.size
    thumb = max(32, min(w, h) // 6)
    x = thumb // 4
    for ref in refs:
        t = ref.convert("RGB")
        t.thumbnail((thumb, thumb))
        if x + t.width > w:
            break
        result.paste(t, (x, thumb // 4))
        x += t.width + thumb // 8


@functools.lru_cache(maxsize=HEAVY_KEPT)
def base64_text(data: bytes) -> str:
    """A picture's bytes as base64 text, kept for the last few pictures: the answer, the
    task's result and the stream each want it, and 8 copies of one prompt share one heavy
    encoding. Encoding a 2.6 MB result takes ~12 ms holding the GIL of whichever process
    serves: the command line's demo, the tests' simulators, or demo mode's own server."""
    return base64.b64encode(data).decode("ascii")


def encode(img: Image.Image, fmt: str, compression: int | None) -> bytes:
    """PNG, JPEG or WebP bytes. `compression` is OpenAI's 0-100 (100 = least compressed, best)."""
    kept = _kept_encodings(img)  # a heavy picture: encoded once per format
    if kept is None:
        return _encode(img, fmt, compression)
    with _making:
        if (fmt, compression) not in kept:
            kept[(fmt, compression)] = _encode(img, fmt, compression)
        return kept[(fmt, compression)]


def _encode(img: Image.Image, fmt: str, compression: int | None) -> bytes:
    out = io.BytesIO()
    if fmt == "png":
        # Level 1: a 1536x1024 PNG in a few tens of milliseconds; size matters less than speed here.
        img.save(out, "PNG", compress_level=1)
    elif fmt == "jpeg":
        quality = 95 if compression is None else max(1, min(95, compression))
        img.convert("RGB").save(out, "JPEG", quality=quality)
    elif fmt == "webp":
        quality = 95 if compression is None else max(0, min(100, compression))
        img.save(out, "WEBP", quality=quality, method=0)
    else:  # pragma: no cover - formats are validated before rendering
        raise ValueError(fmt)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def difference(a: Image.Image, b: Image.Image) -> Image.Image:
    """Per-pixel absolute difference of the RGB channels (for tests and benchmarks)."""
    return ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
