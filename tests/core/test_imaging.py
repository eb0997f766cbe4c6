"""Source preparation, mask export and compositing: what the user (and the service) will see."""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from app.core import imaging, intake, png, sizes
from app.core.api.models import MAX_MASK_BYTES
from app.core.imaging import (
    EditSnapshot,
    ImageError,
    PreparedImage,
    blend_weights,
    export_mask,
    keep_unmasked,
    painted_from_mask,
    prepare_source,
)


def encode(im: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def picture(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A picture whose corners differ, so rotation and flips show."""
    im = Image.new("RGB", size, (200, 200, 200))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, size[0] // 4, size[1] // 4), fill=(255, 0, 0))  # top-left red
    d.rectangle((size[0] * 3 // 4, size[1] * 3 // 4, size[0], size[1]), fill=(0, 0, 255))
    return im.convert(mode) if mode != "RGB" else im


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: signature + IHDR + a tiny IDAT + IEND."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 10))
        + chunk(b"IEND", b"")
    )


# -- the corpus of awkward files --------------------------------------------------------


def test_exif_rotated_jpeg_is_turned_upright() -> None:
    im = picture((64, 48))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view"
    data = encode(im, "JPEG", quality=95, exif=exif.tobytes())
    prepared = prepare_source(data, "photo.jpg")
    assert (prepared.width, prepared.height) == (48, 64)
    out = decode(prepared.data)
    assert out.size == (48, 64)
    # Orientation 6 means the stored top-left (red) ends at the top-right once upright.
    r, g, b = out.convert("RGB").getpixel((44, 3))
    assert r > 200 and g < 60 and b < 60
    assert any("EXIF" in n for n in prepared.notes)
    assert prepared.format == "jpeg"
    # No orientation tag is left behind for the service to apply a second time.
    assert out.getexif().get(0x0112, 1) == 1


def test_palette_png_with_transparency_keeps_its_alpha() -> None:
    im = Image.new("P", (32, 32), 0)
    im.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    ImageDraw.Draw(im).rectangle((16, 0, 31, 31), fill=1)
    prepared = prepare_source(encode(im, transparency=0), "palette.png")
    out = decode(prepared.data)
    assert prepared.format == "png" and out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0
    assert out.getpixel((20, 5)) == (0, 255, 0, 255)


def test_cmyk_jpeg_becomes_rgb() -> None:
    im = Image.new("CMYK", (40, 30), (0, 255, 255, 0))  # pure red in CMYK
    prepared = prepare_source(encode(im, "JPEG", quality=95), "print.jpg")
    out = decode(prepared.data)
    assert out.mode == "RGB"
    r, g, b = out.getpixel((10, 10))
    assert r > 200 and g < 60 and b < 60
    assert any("CMYK" in n for n in prepared.notes)


def test_16bit_greyscale_png_is_scaled_not_clipped() -> None:
    im = Image.new("I;16", (32, 8))
    for x in range(32):
        for y in range(8):
            im.putpixel((x, y), x * 2048)  # 0 .. 63488
    prepared = prepare_source(encode(im), "depth.png")
    out = decode(prepared.data)
    assert out.mode == "RGB"
    assert out.getpixel((0, 0)) == (0, 0, 0)
    mid = out.getpixel((16, 0))[0]
    assert 120 <= mid <= 135  # 32768 / 65535 of white, not clipped to 255
    assert out.getpixel((31, 0))[0] > 240


def test_16bit_rgb_png_loads() -> None:
    # Pillow has no 16-bit RGB mode to save from, so write the PNG by hand.
    w, h = 4, 2
    rows = b"".join(b"\x00" + struct.pack(">HHH", 65535, 32768, 0) * w for _ in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    out = decode(prepare_source(data, "deep.png").data)
    r, g, b = out.convert("RGB").getpixel((1, 1))
    assert r == 255 and 126 <= g <= 129 and b == 0


@pytest.mark.parametrize("mode", ["L", "1"])
def test_greyscale_becomes_rgb(mode: str) -> None:
    prepared = prepare_source(encode(picture(mode=mode)), "grey.png")
    out = decode(prepared.data)
    assert out.mode == "RGB" and out.size == (64, 48)


def test_la_keeps_transparency() -> None:
    im = Image.new("LA", (16, 16), (128, 255))
    im.putpixel((0, 0), (0, 0))
    out = decode(prepare_source(encode(im), "la.png").data)
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0
    assert out.getpixel((5, 5)) == (128, 128, 128, 255)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animation_takes_the_first_frame(fmt: str) -> None:
    frames = [Image.new("RGB", (24, 24), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    kw: dict[str, object] = {"save_all": True, "append_images": frames[1:], "duration": 100}
    if fmt == "WEBP":
        kw["lossless"] = True
    prepared = prepare_source(encode(frames[0], fmt, **kw), "anim." + fmt.lower())
    out = decode(prepared.data).convert("RGB")
    assert getattr(decode(prepared.data), "n_frames", 1) == 1
    r, g, b = out.getpixel((12, 12))
    assert r > 200 and g < 60 and b < 60
    assert any("first frame" in n for n in prepared.notes)


def test_plain_png_passes_through_untouched() -> None:
    data = encode(picture())
    prepared = prepare_source(data, "plain.png")
    assert prepared.data == data and prepared.notes == [] and prepared.size == (64, 48)


def test_truncated_png_is_refused_with_a_clear_sentence() -> None:
    data = encode(Image.effect_noise((200, 200), 60).convert("RGB"))
    with pytest.raises(ImageError) as info:
        prepare_source(data[: len(data) // 2], "half.png")
    assert "“half.png” is incomplete" in info.value.message
    assert (info.value.kind, info.value.name) == ("incomplete", "half.png")  # for translated UIs
    assert "again" in info.value.message


def test_zero_byte_file_is_refused() -> None:
    with pytest.raises(ImageError, match="empty"):
        prepare_source(b"", "nothing.png")


def test_text_file_named_png_is_refused() -> None:
    with pytest.raises(ImageError) as info:
        prepare_source(b"hello, I am not a picture\n" * 10, "notes.png")
    assert "not a picture" in info.value.message and "PNG, JPEG or WebP" in info.value.message
    assert info.value.kind == "unreadable"


@pytest.mark.parametrize(
    ("side", "shown"),
    [(100_000, "10,000 megapixels"), (12_000, "144 megapixels"), (9_440, "9440x9440")],
)
def test_decompression_bomb_header_is_refused_before_decoding(side: int, shown: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ImageError) as info:
        prepare_source(png_header_only(side, side), "bomb.png")
    assert "“bomb.png” is too large" in info.value.message
    assert shown in info.value.message and "Scale it down" in info.value.message
    assert time.perf_counter() - start < 1.0  # nothing was allocated for it


def test_over_the_upload_limit_is_reencoded_then_scaled(monkeypatch: pytest.MonkeyPatch) -> None:
    # A noisy 600x400 PNG is ~700 kB; pretend the limit is 300 kB so the test stays fast.
    noisy = Image.merge("RGB", [Image.effect_noise((600, 400), 80) for _ in range(3)])
    data = encode(noisy, compress_level=1)
    monkeypatch.setattr(intake, "MAX_IMAGE_BYTES", 300_000)
    prepared = prepare_source(data, "big.png")
    assert len(prepared.data) <= 300_000
    assert prepared.format == "jpeg"
    assert any("50 MB" in n for n in prepared.notes)
    # Now so small a limit that re-encoding is not enough: it must scale down too.
    monkeypatch.setattr(intake, "MAX_IMAGE_BYTES", 40_000)
    prepared = prepare_source(data, "big.png")
    assert len(prepared.data) <= 40_000
    assert prepared.width < 600 and prepared.height < 400
    assert abs(prepared.width / prepared.height - 1.5) < 0.02
    assert any("Scaled down from 600x400" in n for n in prepared.notes)
    assert decode(prepared.data).size == prepared.size


def test_bmp_and_tiff_are_converted_to_png() -> None:
    for fmt in ("BMP", "TIFF"):
        prepared = prepare_source(encode(picture(), fmt), "x." + fmt.lower())
        assert prepared.format == "png"
        assert decode(prepared.data).getpixel((1, 1)) == (255, 0, 0)


# -- the mask on the wire ---------------------------------------------------------------


def test_exported_mask_has_alpha_zero_exactly_where_painted() -> None:
    painted = Image.new("L", (300, 200), 0)
    ImageDraw.Draw(painted).ellipse((50, 40, 150, 120), fill=255)
    data = export_mask(painted, (300, 200))
    assert data.startswith(b"\x89PNG") and len(data) < MAX_MASK_BYTES
    mask = decode(data)
    assert mask.mode == "RGBA" and mask.size == (300, 200)
    alpha = mask.getchannel("A")
    expected = painted.point(lambda v: 0 if v else 255)
    assert ImageChops.difference(alpha, expected).getbbox() is None
    assert set(alpha.get_flattened_data()) == {0, 255}


def test_exported_mask_takes_the_first_images_size() -> None:
    painted = Image.new("L", (100, 50), 0)
    painted.paste(255, (0, 0, 50, 50))
    mask = decode(export_mask(painted, (200, 100)))
    assert mask.size == (200, 100)
    assert mask.getpixel((99, 99))[3] == 0 and mask.getpixel((100, 0))[3] == 255


def test_mask_files_are_read_in_both_conventions() -> None:
    painted = Image.new("L", (20, 10), 0)
    painted.paste(255, (0, 0, 5, 10))
    from_contract = painted_from_mask(export_mask(painted, (20, 10)))
    white_is_paint = painted_from_mask(encode(painted))
    assert ImageChops.difference(from_contract, painted).getbbox() is None
    assert ImageChops.difference(white_is_paint, painted).getbbox() is None


def test_snapshot_builds_inputs_and_mask_in_the_worker() -> None:
    src = PreparedImage(encode(picture((64, 48))), 64, 48, "png", [], "my photo.png")
    ref = PreparedImage(encode(picture((20, 20)), "JPEG"), 20, 20, "jpeg", [], "ref.jpg")
    painted = Image.new("L", (64, 48), 0)
    painted.paste(255, (10, 10, 20, 20))
    snap = EditSnapshot([src, ref], painted.tobytes(), (64, 48), feather=3)
    assert snap.has_mask
    images, mask = snap.build()
    assert [i.filename for i in images] == ["myphoto.png", "ref.jpg"]
    assert images[0].data == src.data and images[1].mime == "image/jpeg"
    assert mask is not None and mask.format == "png"
    alpha = decode(mask.data).getchannel("A")
    assert (
        alpha.size == (64, 48) and alpha.getpixel((15, 15)) == 0 and alpha.getpixel((30, 30)) == 255
    )
    no_mask = EditSnapshot([src])
    assert not no_mask.has_mask and no_mask.build()[1] is None


# -- keeping what was not masked --------------------------------------------------------


def chebyshev_far(painted: Image.Image, distance: int) -> Image.Image:
    """255 where a pixel is farther than `distance` (chessboard) from any painted pixel."""
    grown = painted.filter(__import__("PIL.ImageFilter").ImageFilter.MaxFilter(2 * distance + 1))
    return grown.point(lambda v: 0 if v else 255)


@pytest.mark.parametrize("feather", [0, 1, 4, 7])
def test_keep_unmasked_is_bit_exact_outside_and_blends_in_the_band(feather: int) -> None:
    size = (160, 120)
    source = Image.merge("RGB", [Image.effect_noise(size, 50) for _ in range(3)])
    result = Image.merge(
        "RGB", [Image.effect_noise(size, 50).point(lambda v: 255 - v) for _ in range(3)]
    )
    painted = Image.new("L", size, 0)
    ImageDraw.Draw(painted).ellipse((40, 30, 100, 80), fill=255)
    out = decode(keep_unmasked(encode(source), export_mask(painted, size), encode(result), feather))
    assert out.size == size and out.mode == "RGB"
    outside = chebyshev_far(painted, feather)
    black = Image.new("RGB", size)
    # Every pixel farther than the feather from the mask is the source's, bit for bit.
    diff_src = ImageChops.difference(out, source)
    assert Image.composite(diff_src, black, outside).getbbox() is None
    # Every painted pixel is the result's, bit for bit.
    diff_res = ImageChops.difference(out, result)
    assert Image.composite(diff_res, black, painted).getbbox() is None
    band = ImageChops.subtract(Image.new("L", size, 255), ImageChops.lighter(outside, painted))
    if feather == 0:
        assert band.getbbox() is None
    else:
        # In the band the pixels are a mix: neither all source nor all result.
        weights = blend_weights(painted, feather)
        in_band = [
            weights.getpixel((x, y))
            for x in range(size[0])
            for y in range(size[1])
            if band.getpixel((x, y))
        ]
        assert in_band and max(in_band) <= 255 and any(0 < w < 255 for w in in_band)
        # Closer to the mask means more of the result.
        row = [weights.getpixel((100 + i, 55)) for i in range(feather + 2)]
        assert row == sorted(row, reverse=True) and row[0] == 255 and row[-1] == 0


def test_keep_unmasked_scales_a_differently_sized_result() -> None:
    size = (150, 100)
    source = Image.new("RGB", size, (10, 20, 30))
    result = Image.new("RGB", (300, 200), (200, 100, 50))
    painted = Image.new("L", size, 0)
    painted.paste(255, (0, 0, 75, 100))
    out = decode(keep_unmasked(encode(source), export_mask(painted, size), encode(result), 0))
    assert out.size == size
    assert out.getpixel((10, 10)) == (200, 100, 50)
    assert out.getpixel((140, 90)) == (10, 20, 30)


def _stripes(size: tuple[int, int], step: int) -> Image.Image:
    """Vertical stripes of distinct greys every `step` columns: where a column lands shows
    whether a picture was cropped, letterboxed or stretched."""
    im = Image.new("RGB", size)
    draw = ImageDraw.Draw(im)
    for i, x in enumerate(range(0, size[0], step)):
        draw.rectangle((x, 0, x + step - 1, size[1]), fill=(i * 20 % 256, 90, 200))
    return im


def test_a_result_of_another_shape_is_cropped_at_its_edges_never_stretched() -> None:
    source = Image.new("RGB", (300, 200), (10, 20, 30))  # 3:2
    result = _stripes((320, 180), 20)  # 16:9: its centre 270x180 covers the picture
    painted = Image.new("L", source.size, 255)
    out = decode(
        keep_unmasked(encode(source), export_mask(painted, source.size), encode(result), 0)
    )
    mode, view = sizes.fit(result.size, source.size)
    assert mode == "crop" and view == (25, 0, 295, 180)
    expected = result.crop(view).resize(source.size, Image.Resampling.LANCZOS)
    assert ImageChops.difference(out, expected).getbbox() is None
    stretched = result.resize(source.size, Image.Resampling.LANCZOS)
    assert ImageChops.difference(out, stretched).getbbox() is not None


def test_a_result_too_unlike_the_picture_is_letterboxed_and_the_picture_shows_around_it() -> None:
    source = Image.merge("RGB", [Image.effect_noise((320, 180), 40) for _ in range(3)])  # 16:9
    result = _stripes((200, 200), 20)  # square: cropping would lose 44 %
    painted = Image.new("L", source.size, 255)  # everything painted, yet the sides stay
    out = decode(
        keep_unmasked(encode(source), export_mask(painted, source.size), encode(result), 3)
    )
    mode, view = sizes.fit(result.size, source.size)
    assert mode == "letterbox" and view == (70, 0, 250, 180)
    black = Image.new("RGB", source.size)
    outside = Image.new("L", source.size, 255)
    outside.paste(0, view)
    assert Image.composite(ImageChops.difference(out, source), black, outside).getbbox() is None
    inner = (view[0] + 4, 0, view[2] - 4, 180)  # inside, past the feather band
    scaled = result.resize((180, 180), Image.Resampling.LANCZOS)
    inner_scaled = scaled.crop((4, 0, 176, 180))
    assert ImageChops.difference(out.crop(inner), inner_scaled).getbbox() is None


def test_keep_unmasked_keeps_the_source_alpha_and_writes_webp_lossless() -> None:
    size = (40, 40)
    source = Image.new("RGBA", size, (10, 20, 30, 128))
    result = Image.new("RGB", size, (200, 100, 50))
    painted = Image.new("L", size, 0)
    painted.paste(255, (0, 0, 10, 10))
    data = keep_unmasked(encode(source), export_mask(painted, size), encode(result), 2, "webp")
    assert data[8:12] == b"WEBP"
    out = decode(data)
    assert out.mode == "RGBA"
    assert out.getpixel((30, 30)) == (10, 20, 30, 128)
    assert out.getpixel((2, 2)) == (200, 100, 50, 255)
    jpeg = decode(
        keep_unmasked(encode(source), export_mask(painted, size), encode(result), 2, "jpeg")
    )
    assert jpeg.format == "JPEG" and jpeg.mode == "RGB"


def test_keep_unmasked_scales_only_the_needed_part_yet_matches_a_full_scale() -> None:
    size = (150, 100)
    source = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    result = Image.merge("RGB", [Image.effect_noise((300, 200), 60) for _ in range(3)])
    painted = Image.new("L", size, 0)
    ImageDraw.Draw(painted).ellipse((-20, 60, 40, 120), fill=255)  # touches two edges
    feather = 5
    out = decode(keep_unmasked(encode(source), export_mask(painted, size), encode(result), feather))
    full = Image.composite(
        result.resize(size, Image.Resampling.LANCZOS), source, blend_weights(painted, feather)
    )
    assert ImageChops.difference(out, full).getbbox() is None


def test_keep_unmasked_with_an_empty_mask_returns_the_source() -> None:
    source = Image.merge("RGB", [Image.effect_noise((64, 64), 40) for _ in range(3)])
    empty = export_mask(Image.new("L", (64, 64), 0), (64, 64))
    out = decode(keep_unmasked(encode(source), empty, encode(Image.new("RGB", (64, 64))), 8))
    assert ImageChops.difference(out, source).getbbox() is None


@pytest.mark.parametrize("flavour", ["async", "compat"])
def test_an_edit_with_a_painted_mask_through_the_simulator_keeps_the_unmasked_pixels(
    simulator, flavour: str
) -> None:  # type: ignore[no-untyped-def]
    from app.core.api.cancel import CancelToken
    from app.core.api.client import MountseaClient, make_http_client
    from app.core.api.models import Flavour, ImageRequest
    from app.core.mask import MaskModel
    from tests.conftest import TEST_KEY

    size = (1024, 1024)
    source = Image.merge(
        "RGB", [Image.linear_gradient("L").resize(size).point(lambda v: 40 + v // 2)] * 3
    )
    ref = PreparedImage(encode(picture((64, 64))), 64, 64, "png", [], "ref.png")
    first = prepare_source(encode(source, compress_level=1), "photo.png")
    model = MaskModel(*size)
    model.brush([(300, 300), (700, 500)], radius=60)
    snap = EditSnapshot([first, ref], model.tobytes(), model.size, feather=6)
    images, mask = snap.build()
    assert mask is not None
    request = ImageRequest(prompt="a red kite", images=images, mask=mask, size="1024x1024")
    http = make_http_client()
    try:
        client = MountseaClient(http, simulator.base_url, TEST_KEY, poll_interval=0.01)
        result = client.run(request, Flavour(flavour), CancelToken())
    finally:
        http.close()
    raw = decode(result.images[0].data).convert("RGB")
    # The service redrew everything: outside the mask the raw result has drifted.
    far = blend_weights(model.image, 6).point(lambda v: 255 if v == 0 else 0)
    black = Image.new("RGB", size)
    assert Image.composite(ImageChops.difference(raw, source), black, far).getbbox() is not None
    kept = decode(snap.composite(result.images[0].data)).convert("RGB")
    assert Image.composite(ImageChops.difference(kept, source), black, far).getbbox() is None
    inside = Image.composite(ImageChops.difference(kept, raw), black, model.image)
    assert inside.getbbox() is None  # the painted area is the service's, untouched
    assert ImageChops.difference(kept, source).getbbox() is not None
    # The same through the mask PNG that was sent, as a caller without the snapshot would do.
    again = decode(keep_unmasked(first.data, mask.data, result.images[0].data, 6)).convert("RGB")
    assert ImageChops.difference(again, kept).getbbox() is None


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
@pytest.mark.parametrize("size", [(1, 1), (1, 5), (7, 3), (300, 200)])
def test_the_fast_png_writer_is_lossless(mode: str, size: tuple[int, int]) -> None:
    bands = [Image.effect_noise(size, 90) for _ in range(len(mode))]
    im = Image.merge(mode, bands) if len(mode) > 1 else bands[0]
    data = imaging.encode(im, "png")
    out = decode(data)
    assert out.format == "PNG" and out.mode == mode and out.size == size
    assert out.tobytes() == im.tobytes()


def test_big_pngs_are_split_into_idat_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(png, "_IDAT_PIECE", 1000)
    im = Image.merge("RGB", [Image.effect_noise((120, 80), 90) for _ in range(3)])
    data = imaging.encode(im, "png")
    assert data.count(b"IDAT") > 5
    assert decode(data).tobytes() == im.tobytes()


def test_camera_details_are_removed_from_a_jpeg_without_touching_its_pixels() -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 5.0)}  # GPS
    data = encode(picture((80, 60)), "JPEG", quality=90, exif=exif.tobytes())
    assert b"PhoneMaker" in data
    prepared = prepare_source(data, "holiday.jpg")
    assert prepared.format == "jpeg" and b"PhoneMaker" not in prepared.data
    assert not decode(prepared.data).getexif()
    # Not re-encoded: the compressed image data is byte for byte the original's.
    assert prepared.data[prepared.data.index(b"\xff\xda") :] == data[data.index(b"\xff\xda") :]
    assert any("location" in n for n in prepared.notes)
    assert decode(prepared.data).tobytes() == decode(data).tobytes()


def test_a_jpeg_with_an_srgb_profile_is_not_re_encoded() -> None:
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(picture(), "JPEG", quality=90, icc_profile=srgb)
    assert prepare_source(data, "x.jpg").data == data


def test_an_edit_of_another_shape_lands_letterboxed_and_says_so(library, simulator) -> None:  # type: ignore[no-untyped-def]
    from app.core import job_events as ev
    from app.core.api.cancel import CancelToken
    from app.core.api.client import MountseaClient, make_http_client
    from app.core.api.models import ImageRequest
    from app.core.jobs import JobEnv, run_job
    from tests.conftest import TEST_KEY

    source = Image.merge("RGB", [Image.effect_noise((640, 640), 40) for _ in range(3)])
    first = prepare_source(encode(source), "square.png")
    painted = Image.new("L", (640, 640), 255)
    images, mask = EditSnapshot([first], painted.tobytes(), (640, 640)).build()
    request = ImageRequest(prompt="a kite", images=images, mask=mask, size="1536x1024")
    events: list[ev.JobEvent] = []
    http = make_http_client()
    try:
        env = JobEnv(
            library,
            lambda e: MountseaClient(http, e.base_url, e.api_key, poll_interval=0.01),
            ev.FixedEndpoint(ev.Endpoint(simulator.base_url, TEST_KEY, False)),
        )
        job = ev.JobSpec(key="k", flavour="compat", request=request, feather=0)
        run_job(job, env, CancelToken(), events.append)
    finally:
        http.close()
    landed = next(e for e in events if isinstance(e, ev.Landed))
    assert landed.info["paste_back"] == [1536, 1024, 640, 640]
    sentence = sizes.fit_sentence((1536, 1024), (640, 640))
    assert sentence is not None and "letterboxed" in sentence
    out = decode(Path(landed.paths[0]).read_bytes()).convert("RGB")
    assert out.size == (640, 640)
    # Fitted whole: a band at the top and bottom is still the picture, everything was painted.
    top = (0, 0, 640, 100)
    assert ImageChops.difference(out.crop(top), source.crop(top)).getbbox() is None
    assert ImageChops.difference(
        out.crop((0, 200, 640, 440)), source.crop((0, 200, 640, 440))
    ).getbbox()
