"""The plain stroke model: what each operation does to the painted pixels."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageChops

from app.core.imaging import ImageError
from app.core.mask import MaskModel


def painted(model: MaskModel) -> set[tuple[int, int]]:
    im = model.image
    w = im.width
    return {(i % w, i // w) for i, v in enumerate(im.tobytes()) if v}


def same(a: Image.Image, b: Image.Image) -> bool:
    return ImageChops.difference(a, b).getbbox() is None


def test_a_new_mask_is_empty_and_has_nothing_to_undo() -> None:
    m = MaskModel(40, 30)
    assert m.is_empty and not m.can_undo and not m.can_redo
    assert m.size == (40, 30) and m.image.mode == "L"


def test_a_dab_paints_a_round_spot_of_the_brush_diameter() -> None:
    m = MaskModel(50, 50)
    rect = m.brush([(20.3, 20.9)], radius=5)
    assert rect == (15, 15, 25, 25)
    px = painted(m)
    xs = {x for x, _ in px}
    ys = {y for _, y in px}
    assert min(xs) == 15 and max(xs) == 24 and min(ys) == 15 and max(ys) == 24
    # Round, not square: the corners stay clear.
    assert (15, 15) not in px and (24, 24) not in px and (20, 20) in px
    assert set(m.image.tobytes()) == {0, 255}


def test_a_fast_stroke_is_continuous_between_far_apart_points() -> None:
    m = MaskModel(200, 40)
    m.brush([(10, 20), (190, 20)], radius=3)
    row = [m.image.getpixel((x, 20)) for x in range(10, 191)]
    assert all(v == 255 for v in row)
    # As wide as the brush along the whole way, no wider.
    for x in (50, 100, 150):
        column = [y for y in range(40) if m.image.getpixel((x, y))]
        assert column == list(range(17, 23))


def test_the_dirty_rect_covers_every_changed_pixel() -> None:
    m = MaskModel(100, 100)
    before = m.image.copy()
    m.begin_stroke(radius=4)
    total = None
    for p in [(10, 10), (40, 60), (80, 20)]:
        r = m.add_point(*p)
        assert r is not None
        total = (
            r
            if total is None
            else (
                min(total[0], r[0]),
                min(total[1], r[1]),
                max(total[2], r[2]),
                max(total[3], r[3]),
            )
        )
    m.end_stroke()
    bbox = ImageChops.difference(before, m.image).getbbox()
    assert bbox is not None and total is not None
    assert (
        total[0] <= bbox[0] and total[1] <= bbox[1] and total[2] >= bbox[2] and total[3] >= bbox[3]
    )


def test_strokes_outside_the_picture_are_clipped() -> None:
    m = MaskModel(20, 20)
    assert m.brush([(-50, -50)], 3) is None
    assert m.is_empty and not m.can_undo
    m.brush([(-2, 10), (5, 10)], 3)
    assert (0, 10) in painted(m)


def test_undo_and_redo_go_one_whole_stroke_at_a_time() -> None:
    m = MaskModel(64, 64)
    m.brush([(10, 10), (20, 10), (30, 10)], 3)
    first = m.image.copy()
    m.erase([(20, 10), (20, 40)], 4)
    m.brush([(50, 50)], 6)
    final = m.image.copy()
    assert m.undo() is not None
    assert m.image.getpixel((50, 50)) == 0
    m.undo()
    assert same(m.image, first)
    m.undo()
    assert m.is_empty and not m.can_undo and m.can_redo
    m.redo()
    assert same(m.image, first)
    m.redo()
    m.redo()
    assert same(m.image, final) and not m.can_redo
    # A new stroke after an undo drops the redo history.
    m.undo()
    m.brush([(5, 60)], 2)
    assert not m.can_redo


def test_eraser_removes_paint() -> None:
    m = MaskModel(30, 30)
    m.fill_rect((0, 0, 29, 29))
    m.erase([(15, 15)], 3)
    assert m.image.getpixel((15, 15)) == 0 and m.image.getpixel((0, 0)) == 255


def test_invert_clear_rect_and_lasso() -> None:
    m = MaskModel(40, 40)
    m.fill_rect((30, 35, 10, 5))  # corners in any order, inclusive
    assert painted(m) == {(x, y) for x in range(10, 31) for y in range(5, 36)}
    m.invert()
    assert m.image.getpixel((20, 20)) == 0 and m.image.getpixel((0, 0)) == 255
    m.undo()
    assert m.image.getpixel((20, 20)) == 255 and m.image.getpixel((0, 0)) == 0
    m.redo()
    assert m.image.getpixel((0, 0)) == 255
    m.clear()
    assert m.is_empty
    m.undo()
    assert m.image.getpixel((0, 0)) == 255
    m.clear()
    assert m.clear() is None  # clearing an empty mask is not an undo step
    m.fill_polygon([(0, 0), (39, 0), (0, 39)])  # the lasso: a triangle
    assert m.image.getpixel((5, 5)) == 255 and m.image.getpixel((35, 35)) == 0
    assert m.image.getpixel((38, 0)) == 255 and m.image.getpixel((30, 30)) == 0
    m.fill_polygon([(0, 0), (10, 0), (0, 10)], erase=True)
    assert m.image.getpixel((2, 2)) == 0 and m.image.getpixel((20, 5)) == 255
    assert m.fill_polygon([(0, 0), (5, 5)]) is None  # two points enclose nothing


def test_save_and_load_round_trip_and_load_is_undoable() -> None:
    m = MaskModel(48, 32)
    m.brush([(10, 10), (30, 20)], 4)
    saved = m.save()
    mask = Image.open(io.BytesIO(saved))
    assert mask.mode == "RGBA" and mask.size == (48, 32)
    other = MaskModel(48, 32)
    other.fill_rect((0, 0, 5, 5))
    other.load(saved)
    assert same(other.image, m.image)
    other.undo()
    assert painted(other) == {(x, y) for x in range(6) for y in range(6)}
    # A mask of another size is scaled to fit.
    big = MaskModel(96, 64)
    big.load(saved)
    assert big.image.getpixel((20, 20)) == 255 and big.size == (96, 64)
    with pytest.raises(ImageError):
        big.load(b"not a png")


def test_undo_on_a_4096_picture_stays_cheap() -> None:
    m = MaskModel(4096, 4096)
    for i in range(20):
        m.brush([(100 + i * 150, 200), (100 + i * 150, 3900)], 40)
    saved = sum(s.cost for s in m._undo)
    # Each stroke keeps only the tiles under it: far less than 20 full copies (335 MB).
    assert saved < 20 * 4096 * 4096 / 10
    start = time.perf_counter()
    for _ in range(20):
        m.undo()
    assert m.is_empty
    assert time.perf_counter() - start < 1.0


def test_cancel_stroke_restores_the_pixels() -> None:
    m = MaskModel(30, 30)
    m.begin_stroke(3)
    m.add_point(10, 10)
    m.add_point(20, 20)
    assert not m.is_empty and not m.can_undo
    m.cancel_stroke()
    assert m.is_empty and not m.can_undo
