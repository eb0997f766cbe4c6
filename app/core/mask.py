"""The painted mask as a plain model: strokes, fills, undo/redo, load/save. No Qt.

Coordinates are image pixels. The mask is a Pillow "L" image, 255 where the user painted
(the area to repaint), 0 elsewhere; it stays strictly two-valued so the exported mask is
exactly what was painted.

Every change returns the rectangle it touched (x0, y0, x1, y1; x1/y1 exclusive) so a view
can refresh only that part. Undo keeps, per operation, the before-state of the 128x128 tiles
the operation touched (invert keeps nothing: it is its own inverse), so undo on a 4096x4096
mask costs a few tiles per stroke rather than a 16 MB copy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.imaging import export_mask, painted_from_mask

if TYPE_CHECKING:  # Pillow is imported where it is used: start-up does not need it
    from PIL import Image

Rect = tuple[int, int, int, int]
Point = tuple[float, float]

TILE = 128
PAINT = 255
# Past this much saved undo state the oldest steps are forgotten.
UNDO_BUDGET_BYTES = 256 * 1024 * 1024
MAX_UNDO_STEPS = 200


def union(a: Rect | None, b: Rect | None) -> Rect | None:
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


@dataclass
class _Step:
    kind: str  # "tiles" (restore saved tiles) or "invert"
    tiles: dict[tuple[int, int], Image.Image] = field(default_factory=dict)
    rect: Rect | None = None

    @property
    def cost(self) -> int:
        return sum(t.width * t.height for t in self.tiles.values()) + 64


class MaskModel:
    def __init__(self, width: int, height: int):
        from PIL import Image, ImageDraw

        if width <= 0 or height <= 0:
            raise ValueError(f"a mask needs a positive size, not {width}x{height}")
        self.width = width
        self.height = height
        self._image = Image.new("L", (width, height), 0)
        self._draw = ImageDraw.Draw(self._image)
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self._stroke: _Step | None = None
        self._stroke_value = PAINT
        self._stroke_diameter = 1
        self._last: tuple[int, int] | None = None
        self.revision = 0  # bumps on every change: a cheap "did it change" for views

    # -- state ---------------------------------------------------------------------------

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def image(self) -> Image.Image:
        """The live mask (do not modify it directly: changes would escape undo)."""
        return self._image

    @property
    def is_empty(self) -> bool:
        return self._image.getbbox() is None

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) and self._stroke is None

    @property
    def can_redo(self) -> bool:
        return bool(self._redo) and self._stroke is None

    @property
    def in_stroke(self) -> bool:
        return self._stroke is not None

    def tobytes(self) -> bytes:
        return self._image.tobytes()

    def painted_count(self) -> int:
        return self._image.histogram()[PAINT]

    # -- tiles ---------------------------------------------------------------------------

    def _clip(self, rect: Rect) -> Rect | None:
        x0, y0 = max(0, rect[0]), max(0, rect[1])
        x1, y1 = min(self.width, rect[2]), min(self.height, rect[3])
        return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None

    def _tile_keys(self, rect: Rect) -> Iterable[tuple[int, int]]:
        for ty in range(rect[1] // TILE, (rect[3] - 1) // TILE + 1):
            for tx in range(rect[0] // TILE, (rect[2] - 1) // TILE + 1):
                yield (tx, ty)

    def _tile_box(self, key: tuple[int, int]) -> Rect:
        x0, y0 = key[0] * TILE, key[1] * TILE
        return (x0, y0, min(self.width, x0 + TILE), min(self.height, y0 + TILE))

    def _save_tiles(self, step: _Step, rect: Rect) -> None:
        for key in self._tile_keys(rect):
            if key not in step.tiles:
                step.tiles[key] = self._image.crop(self._tile_box(key))

    def _changed(self) -> None:
        self.revision += 1

    def _push(self, step: _Step) -> None:
        self._undo.append(step)
        self._redo.clear()
        total = sum(s.cost for s in self._undo)
        while len(self._undo) > 1 and (
            total > UNDO_BUDGET_BYTES or len(self._undo) > MAX_UNDO_STEPS
        ):
            total -= self._undo.pop(0).cost

    def _apply(self, step: _Step) -> tuple[_Step, Rect | None]:
        """Undo or redo one step; returns its inverse and the rectangle it touched."""
        if step.kind == "invert":
            self._invert_pixels()
            return step, (0, 0, self.width, self.height)
        inverse = _Step("tiles")
        rect: Rect | None = None
        for key, tile in step.tiles.items():
            box = self._tile_box(key)
            inverse.tiles[key] = self._image.crop(box)
            self._image.paste(tile, box[:2])
            rect = union(rect, box)
        return inverse, rect

    # -- strokes -------------------------------------------------------------------------

    def begin_stroke(self, radius: float, erase: bool = False) -> None:
        if self._stroke is not None:
            self.end_stroke()
        self._stroke = _Step("tiles")
        self._stroke_value = 0 if erase else PAINT
        self._stroke_diameter = max(1, round(2 * radius))
        self._last = None

    def _dab_box(self, x: int, y: int) -> Rect:
        d = self._stroke_diameter
        x0, y0 = x - d // 2, y - d // 2
        return (x0, y0, x0 + d, y0 + d)

    def add_point(self, x: float, y: float) -> Rect | None:
        """Extend the stroke to (x, y) with a round brush; joins the previous point with a
        straight band so fast mouse moves leave no gaps."""
        if self._stroke is None:
            raise RuntimeError("add_point() outside a stroke: call begin_stroke() first")
        # Snap to the pixel under the point: the same pixel gives the same dab at any zoom.
        p = (math.floor(x), math.floor(y))
        if p == self._last:
            return None
        dab = self._dab_box(*p)
        rect = dab if self._last is None else union(dab, self._dab_box(*self._last))
        assert rect is not None
        clipped = self._clip(rect)
        if clipped is None:
            self._last = p
            return None
        self._save_tiles(self._stroke, clipped)
        d = self._stroke_diameter
        value = self._stroke_value
        if d <= 2:
            if self._last is not None:
                self._draw.line([self._last, p], fill=value, width=d)
            self._draw.rectangle((dab[0], dab[1], dab[2] - 1, dab[3] - 1), fill=value)
        else:
            if self._last is not None:
                self._band(self._last, p, d / 2, value)
            self._draw.ellipse((dab[0], dab[1], dab[2] - 1, dab[3] - 1), fill=value)
        self._last = p
        self._stroke.rect = union(self._stroke.rect, clipped)
        self._changed()
        return clipped

    def _band(self, a: tuple[int, int], b: tuple[int, int], r: float, value: int) -> None:
        """The straight part between two dabs: a rectangle as wide as the brush."""
        # Centre of the dab box for an even diameter lies between pixels; match it.
        off = -0.5 if self._stroke_diameter % 2 == 0 else 0.0
        ax, ay = a[0] + off, a[1] + off
        bx, by = b[0] + off, b[1] + off
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        if length == 0:
            return
        # Slightly narrower than the dabs so the band never pokes out of the round ends.
        nx, ny = -dy / length * (r - 0.5), dx / length * (r - 0.5)
        self._draw.polygon(
            [(ax + nx, ay + ny), (bx + nx, by + ny), (bx - nx, by - ny), (ax - nx, ay - ny)],
            fill=value,
        )

    def end_stroke(self) -> Rect | None:
        step, self._stroke, self._last = self._stroke, None, None
        if step is None or not step.tiles:
            return None
        self._push(step)
        return step.rect

    def cancel_stroke(self) -> Rect | None:
        """Drop the stroke in progress, restoring what it painted over."""
        step, self._stroke, self._last = self._stroke, None, None
        if step is None or not step.tiles:
            return None
        _, rect = self._apply(step)
        self._changed()
        return rect

    def brush(self, points: Sequence[Point], radius: float) -> Rect | None:
        return self._stroke_of(points, radius, erase=False)

    def erase(self, points: Sequence[Point], radius: float) -> Rect | None:
        return self._stroke_of(points, radius, erase=True)

    def _stroke_of(self, points: Sequence[Point], radius: float, erase: bool) -> Rect | None:
        self.begin_stroke(radius, erase)
        for x, y in points:
            self.add_point(x, y)
        return self.end_stroke()

    # -- whole-mask operations -----------------------------------------------------------

    def _tiled_change(self, rect: Rect | None, change) -> Rect | None:  # type: ignore[no-untyped-def]
        from PIL import ImageChops

        if rect is None:
            return None
        step = _Step("tiles", rect=rect)
        self._save_tiles(step, rect)
        change()
        if all(
            ImageChops.difference(t, self._image.crop(self._tile_box(k))).getbbox() is None
            for k, t in step.tiles.items()
        ):
            return None  # nothing actually changed: not worth an undo step
        self._push(step)
        self._changed()
        return rect

    def fill_rect(self, rect: Rect, erase: bool = False) -> Rect | None:
        """Fill (or clear) a rectangle given as two corners, in any order; x1/y1 inclusive."""
        x0, x1 = sorted((math.floor(rect[0]), math.floor(rect[2])))
        y0, y1 = sorted((math.floor(rect[1]), math.floor(rect[3])))
        box = self._clip((x0, y0, x1 + 1, y1 + 1))
        value = 0 if erase else PAINT
        return self._tiled_change(box, lambda: self._image.paste(value, box))

    def fill_polygon(self, points: Sequence[Point], erase: bool = False) -> Rect | None:
        """Fill (or clear) the inside of a closed outline: the lasso."""
        if len(points) < 3:
            return None
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        box = self._clip(
            (
                math.floor(min(xs)),
                math.floor(min(ys)),
                math.floor(max(xs)) + 1,
                math.floor(max(ys)) + 1,
            )
        )
        value = 0 if erase else PAINT
        pts = [(float(x), float(y)) for x, y in points]
        return self._tiled_change(box, lambda: self._draw.polygon(pts, fill=value, outline=value))

    def clear(self) -> Rect | None:
        return self._tiled_change(
            self._image.getbbox(), lambda: self._image.paste(0, (0, 0, self.width, self.height))
        )

    def _invert_pixels(self) -> None:
        from PIL import ImageChops

        inverted = ImageChops.invert(self._image)
        self._image.paste(inverted)

    def invert(self) -> Rect:
        self.end_stroke()
        self._invert_pixels()
        self._push(_Step("invert"))
        self._changed()
        return (0, 0, self.width, self.height)

    def undo(self) -> Rect | None:
        if not self.can_undo:
            return None
        step = self._undo.pop()
        inverse, rect = self._apply(step)
        self._redo.append(inverse)
        self._changed()
        return rect

    def redo(self) -> Rect | None:
        if not self.can_redo:
            return None
        step = self._redo.pop()
        inverse, rect = self._apply(step)
        self._undo.append(inverse)
        self._changed()
        return rect

    # -- files ---------------------------------------------------------------------------

    def save(self) -> bytes:
        """The mask as the service's PNG (RGBA, alpha 0 = repaint): reusable with `edit --mask`."""
        return export_mask(self._image, self.size)

    def load(self, png: bytes) -> Rect | None:
        """Replace the mask with a saved one (scaled to this size if it differs); undoable.
        Raises imaging.ImageError for a file that is not a usable mask."""
        return self.load_painted(painted_from_mask(png, self.size))

    def load_painted(self, painted: Image.Image) -> Rect | None:
        """Replace the mask with an L image (255 = repaint), scaled to fit; undoable."""
        from PIL import Image

        if painted.size != self.size:
            painted = painted.resize(self.size, Image.Resampling.NEAREST)
        painted = painted.convert("L").point(lambda v: PAINT if v >= 128 else 0)
        changed = union(self._image.getbbox(), painted.getbbox())
        return self._tiled_change(changed, lambda: self._image.paste(painted))

    def set_bytes(self, data: bytes) -> None:
        """Restore raw L bytes (e.g. from a snapshot) without an undo step."""
        from PIL import Image

        self._image.paste(Image.frombytes("L", self.size, data))
        self._changed()
