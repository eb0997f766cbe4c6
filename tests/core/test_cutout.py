"""The local cut-out, measured against a subject painted here on a key colour with soft edges."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from app.core import cutout
from app.core.api.models import ImageRequest
from app.core.cutout import BLUE, GREEN, MAGENTA


def _painted_key(key: cutout.Colour) -> tuple[int, int, int]:
    # The model never paints the exact key: a little off, as a real "flat green" is.
    r, g, b = (min(255, max(0, c + (18 if c < 128 else -20))) for c in key)
    return r, g, b


def scene(
    key: cutout.Colour, size: tuple[int, int] = (768, 512)
) -> tuple[bytes, Image.Image, Image.Image]:
    """A many-coloured subject with blurred (antialiased) outlines and thin strands on a noisy
    key background: the PNG, the true alpha and the true subject colours."""
    w, h = size
    hard = Image.new("L", size, 0)
    d = ImageDraw.Draw(hard)
    d.ellipse((w * 0.13, h * 0.15, w * 0.58, h * 0.83), fill=255)
    d.rectangle((w * 0.62, h * 0.3, w * 0.88, h * 0.78), fill=255)
    for x in range(int(w * 0.65), int(w * 0.85), 8):
        d.line((x, h * 0.3, x + 20, h * 0.12), fill=255, width=2)  # hair-like strands
    alpha = hard.filter(ImageFilter.GaussianBlur(2.5))
    subject = Image.new("RGB", size, (210, 60, 40))
    s = ImageDraw.Draw(subject)
    s.rectangle((0, 0, w // 3, h), fill=(240, 200, 60))
    s.rectangle((w // 3, h // 2, 2 * w // 3, h), fill=(245, 245, 240))
    s.rectangle((2 * w // 3, 0, w, h // 2), fill=(40, 120, 40) if key == BLUE else (30, 40, 120))
    s.rectangle((2 * w // 3, h // 2, w, h), fill=(200, 150, 120))
    noise = Image.effect_noise(size, 6).convert("L")
    background = Image.merge(
        "RGB",
        [
            ImageChops.add(band, noise, 1, -128)
            for band in Image.new("RGB", size, _painted_key(key)).split()
        ],
    )
    picture = Image.composite(subject, background, alpha)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue(), alpha, subject


def _binary(im: Image.Image) -> Image.Image:
    return im.point(lambda v: 255 if v >= 128 else 0)


def figures(key: cutout.Colour, out: Image.Image, alpha: Image.Image) -> dict[str, float]:
    got = out.getchannel("A")
    diff = ImageChops.difference(got, alpha)
    band = alpha.point(lambda v: 255 if 13 < v < 242 else 0)  # the soft edge
    inter = ImageStat.Stat(ImageChops.darker(_binary(got), _binary(alpha))).sum[0]
    union = ImageStat.Stat(ImageChops.lighter(_binary(got), _binary(alpha))).sum[0]
    on, off = cutout._axes(key)
    excess = cutout._excess(out.convert("RGB").split(), on, off)
    visible = ImageChops.multiply(excess, got)  # key excess as seen, weighted by coverage
    return {
        "mae": ImageStat.Stat(diff).mean[0] / 255,
        "edge_mae": ImageStat.Stat(diff, band).mean[0] / 255,
        "iou": inter / union,
        "fringe": ImageStat.Stat(visible, band).mean[0],  # 0..255 scale
    }


@pytest.mark.parametrize("key", [GREEN, MAGENTA, BLUE], ids=["green", "magenta", "blue"])
def test_the_matte_matches_the_painted_subject_without_a_fringe(key: cutout.Colour) -> None:
    data, alpha, _subject = scene(key)
    out = Image.open(io.BytesIO(cutout.cut_out(data, key)))
    assert out.format == "PNG" and out.mode == "RGBA" and out.size == alpha.size
    f = figures(key, out, alpha)
    assert f["mae"] < 0.01 and f["iou"] > 0.99, f
    assert f["edge_mae"] < 0.1, f  # the soft band itself, where all the error is
    assert f["fringe"] < 1.0, f


def test_without_despill_the_edges_would_show_the_key() -> None:
    # The measure above is not vacuous: the raw picture with the same matte has a fringe.
    data, alpha, _subject = scene(GREEN)
    with Image.open(io.BytesIO(data)) as raw:
        rgb = raw.convert("RGB")
    naive = rgb.copy()
    naive.putalpha(cutout.matte(rgb, GREEN))
    assert figures(GREEN, naive, alpha)["fringe"] > 10


def test_edge_colours_are_unmixed_from_the_background() -> None:
    data, alpha, subject = scene(MAGENTA)
    out = cutout.cut_out_image(data, MAGENTA).convert("RGB")
    band = alpha.point(lambda v: 255 if 128 <= v < 242 else 0)  # the mostly covered edge
    error = ImageStat.Stat(ImageChops.difference(out, subject), band).mean
    assert max(error) < 40, error
    inside = alpha.point(lambda v: 255 if v == 255 else 0)
    assert max(ImageStat.Stat(ImageChops.difference(out, subject), inside).mean) < 1


def test_the_background_is_clear_and_webp_keeps_alpha() -> None:
    data, alpha, _subject = scene(BLUE, (320, 256))
    out = Image.open(io.BytesIO(cutout.cut_out(data, BLUE, fmt="webp")))
    assert out.format == "WEBP" and out.mode == "RGBA"
    clear = alpha.point(lambda v: 255 if v == 0 else 0)
    assert ImageStat.Stat(out.getchannel("A"), clear).mean[0] < 1


def test_a_full_size_result_is_cut_out_in_well_under_a_second_of_work() -> None:
    data, _alpha, _subject = scene(GREEN, (1536, 1024))
    start = time.process_time()
    cutout.cut_out(data, GREEN)
    # Typically about 0.5 s; the bound leaves room for a busy shared machine.
    assert time.process_time() - start < 2.0


def test_the_key_avoids_the_subject() -> None:
    assert cutout.choose_key_colour("a red fox sticker") == GREEN
    assert cutout.choose_key_colour("a potted plant with green leaves") == MAGENTA
    assert cutout.choose_key_colour("a pink flamingo among ferns and leaves") == BLUE
    assert cutout.choose_key_colour("一盆绿色的植物") == MAGENTA
    # All three mentioned: the least mentioned, green first on a tie.
    assert cutout.choose_key_colour("green, blue and purple balloons") == GREEN
    assert cutout.choose_key_colour("blue sky, green grass, green trees, pink") == MAGENTA


def test_the_prompt_addition_names_the_colour_and_forbids_shadows() -> None:
    text = cutout.prompt_addition(MAGENTA)
    assert "#FF00FF" in text and "magenta" in text and "shadows" in text
    with pytest.raises(ValueError):
        cutout.cut_out(scene(GREEN, (64, 64))[0], (255, 255, 255))  # white has no colour to key on


def test_a_refused_transparent_request_becomes_a_cut_out() -> None:
    native = ImageRequest(
        prompt="a green frog sticker", background="transparent", output_format="webp"
    )
    cut = cutout.as_cutout(native)
    assert cut.background == "opaque" and cut.cutout_key == MAGENTA and cut.output_format == "webp"
    assert cut.prompt == "a green frog sticker\n\n" + cutout.prompt_addition(MAGENTA)
    assert cut.problems() == [] and native.background == "transparent"  # a copy


def test_an_edited_addition_names_its_key() -> None:
    assert cutout.key_in_text("on flat blue, not green") == BLUE
    assert cutout.key_in_text("a solid #FF00FF backdrop") == MAGENTA
    assert cutout.key_in_text("plain white") is None
