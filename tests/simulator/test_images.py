"""The pictures are real: the size, format and transparency asked for; edits repaint the mask."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.simulator.helpers import data_url, decode_b64, mask_png, png


def _generate(client, **fields):
    r = client.post("/openai/v1/images/generations", json={"prompt": "a fox at dawn", **fields})
    assert r.status_code == 200, r.text
    return r.json(), decode_b64(r.json()["data"][0]["b64_json"])


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("auto", (1024, 1024)),
        ("1024x1024", (1024, 1024)),
        ("1024x1536", (1024, 1536)),
        ("1536x1024", (1536, 1024)),
        ("1536x864", (1536, 864)),
    ],
)
def test_size_is_as_requested(client, size, expected) -> None:
    body, img = _generate(client, size=size)
    assert img.size == expected
    assert body["size"] == f"{expected[0]}x{expected[1]}"


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_format_is_as_requested(client, fmt) -> None:
    body, img = _generate(client, output_format=fmt)
    assert img.format == fmt.upper()
    assert body["output_format"] == fmt


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_output_compression_changes_the_bytes(client, fmt) -> None:
    high = len(
        _generate(client, output_format=fmt, output_compression=100)[0]["data"][0]["b64_json"]
    )
    low = len(_generate(client, output_format=fmt, output_compression=10)[0]["data"][0]["b64_json"])
    assert low < high * 0.7


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_transparent_background_has_transparent_pixels(client, fmt) -> None:
    # gpt-image-2 refuses it (below); a model that still makes it gets transparent pixels.
    body, img = _generate(
        client, background="transparent", output_format=fmt, model="gpt-image-1.5"
    )
    assert body["background"] == "transparent"
    assert img.mode == "RGBA"
    alpha = img.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0  # the corner is background
    assert alpha.getextrema() == (0, 255)  # and something opaque is drawn on it


@pytest.mark.parametrize("background", ["auto", "opaque"])
def test_opaque_background_has_no_alpha(client, background) -> None:
    body, img = _generate(client, background=background)
    assert body["background"] == "opaque"
    assert "A" not in img.getbands()


def test_pictures_differ_by_prompt_and_repeat_for_the_same_prompt(client) -> None:
    def grab(prompt):
        r = client.post("/openai/v1/images/generations", json={"prompt": prompt})
        return decode_b64(r.json()["data"][0]["b64_json"]).convert("RGB")

    a, b, a2 = grab("a red fox"), grab("a blue whale"), grab("a red fox")
    assert ImageChops.difference(a, a2).getbbox() is None
    assert sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3 > 20


@pytest.mark.parametrize(
    ("quality", "reported"),
    [
        ("auto", "high"),
        ("low", "low"),
        ("medium", "medium"),
        ("high", "high"),
        ("standard", "medium"),
    ],
)
def test_quality_is_resolved_and_priced(client, quality, reported) -> None:
    body, _ = _generate(client, quality=quality)
    assert body["quality"] == reported
    assert body["usage"]["output_tokens"] == {"low": 272, "medium": 1056, "high": 4160}[reported]


def _mean(img: Image.Image, box=None) -> float:
    region = img.crop(box) if box else img
    return sum(ImageStat.Stat(region).mean) / 3


def _edit(client, source: bytes, mask: bytes | None = None, **fields):
    files = [("image", ("src.png", source, "image/png"))]
    if mask is not None:
        files.append(("mask", ("mask.png", mask, "image/png")))
    r = client.post(
        "/openai/v1/images/edits", files=files, data={"prompt": "a full moon", **fields}
    )
    assert r.status_code == 200, r.text
    return r.json(), decode_b64(r.json()["data"][0]["b64_json"])


def test_masked_edit_repaints_the_hole_and_drifts_the_rest(client) -> None:
    source = png()
    hole = (256, 256, 768, 768)
    _, result = _edit(client, source, mask_png(hole=hole))
    diff = ImageChops.difference(
        Image.open(io.BytesIO(source)).convert("RGB"), result.convert("RGB")
    )
    inside = _mean(diff, (hole[0] + 4, hole[1] + 4, hole[2] - 4, hole[3] - 4))
    outside_boxes = [
        (0, 0, 1024, 250),
        (0, 774, 1024, 1024),
        (0, 0, 250, 1024),
        (774, 0, 1024, 1024),
    ]
    outside = max(_mean(diff, box) for box in outside_boxes)
    assert inside > 30  # visibly repainted
    assert 0.5 < outside < 4  # changed, but only slightly: the model redraws the whole picture
    assert diff.crop((0, 0, 250, 250)).getbbox() is not None


def test_unmasked_edit_restyles_everything(client) -> None:
    source = png()
    _, result = _edit(client, source)
    diff = ImageChops.difference(
        Image.open(io.BytesIO(source)).convert("RGB"), result.convert("RGB")
    )
    for box in [(0, 0, 512, 512), (512, 512, 1024, 900)]:
        assert _mean(diff, box) > 20


@pytest.mark.parametrize(
    ("source", "made"),
    [
        ((300, 200), (1536, 1024)),  # 3:2
        ((200, 300), (1024, 1536)),
        ((800, 600), (1536, 1152)),  # 4:3
        ((1920, 1080), (1536, 864)),  # 16:9
        ((500, 500), (1024, 1024)),
        ((3000, 1000), (1536, 864)),  # 3:1: the widest preset
    ],
)
def test_edit_size_auto_answers_a_size_the_model_makes(client, source, made) -> None:
    from app.core import sizes

    body, result = _edit(client, png(source))
    assert result.size == made
    assert body["size"] == f"{made[0]}x{made[1]}"
    assert sizes.is_valid(*result.size)  # never the source's own 300x200


def test_edit_explicit_size_wins(client) -> None:
    _, result = _edit(client, png((800, 600)), size="1536x1024")
    assert result.size == (1536, 1024)


def test_edit_size_auto_nearest_standard_size() -> None:
    from app.simulator import Simulator
    from tests.simulator.helpers import http_client

    with (
        Simulator(api_keys=("k",), edit_auto_size="nearest") as sim,
        http_client(sim.base_url, key="k") as c,
    ):
        _, result = _edit(c, png((800, 600)))
        assert result.size == (1536, 1024)


def test_edit_of_a_transparent_source_keeps_its_alpha(client) -> None:
    source = png(colour=(0, 0, 0, 0), mode="RGBA")
    body, result = _edit(client, source)
    assert body["background"] == "transparent"
    assert result.getchannel("A").getpixel((1000, 10)) == 0


def test_edit_to_jpeg_is_opaque(client) -> None:
    body, result = _edit(client, png(colour=(0, 0, 0, 0), mode="RGBA"), output_format="jpeg")
    assert result.format == "JPEG" and body["background"] == "opaque"


def test_async_masked_edit_changes_the_hole_more(client) -> None:
    source = png((1024, 1536))
    hole = (0, 0, 512, 512)
    body = {
        "prompt": "a cat",
        "image": data_url(source),
        "mask": data_url(mask_png((1024, 1536), hole)),
    }
    task_id = client.post("/openai/images", json=body).json()["taskId"]
    result = decode_b64(
        client.get("/openai/tasks", params={"taskId": task_id}).json()["result"]["data"][0][
            "b64_json"
        ]
    )
    diff = ImageChops.difference(
        Image.open(io.BytesIO(source)).convert("RGB"), result.convert("RGB")
    )
    assert _mean(diff, (8, 8, 500, 500)) > 30
    assert 0.5 < _mean(diff, (600, 600, 1024, 1536)) < 4


def test_painter_is_quick_for_a_large_png() -> None:
    import time

    from app.simulator import painter

    start = time.process_time()
    data = painter.encode(painter.render("a benchmark", (1536, 1024)), "png", None)
    elapsed = time.process_time() - start
    assert data.startswith(b"\x89PNG")
    assert elapsed < 0.5  # typically ~50 ms; generous for a loaded CI machine


@pytest.fixture
def painter_without_freetype(monkeypatch):
    """Pillow as the frozen app bundles it: no PIL._imagingft (packaging/pyi_common.py)."""
    from PIL import ImageFont
    from PIL._util import DeferredError

    from app.simulator import painter

    monkeypatch.setattr(ImageFont, "core", DeferredError(ImportError("no FreeType")))
    painter._fonts.__dict__.pop("by_size", None)
    yield painter
    painter._fonts.__dict__.pop("by_size", None)


@pytest.mark.parametrize("size", [(1024, 1024), (1536, 1024), (256, 256)])
def test_caption_without_freetype_is_drawn_at_a_readable_size(painter_without_freetype, size):
    painter = painter_without_freetype
    img = painter.render("a red fox, 狐狸, at dawn", size)
    assert isinstance(painter._font(21), painter.ImageFont.ImageFont)
    w, h = size
    band = img.crop((0, h - h // 6, w, h)).convert("L").point(lambda v: 255 if v > 240 else 0)
    box = band.getbbox()
    assert box, "no caption text"
    # The text is scaled to the caption size (>= 12 px, 1/48 of the short side), not left
    # at the bitmap font's 11 px; lower-case letters are a bit shorter than the size.
    wanted = max(12, min(w, h) // 48)
    assert box[3] - box[1] >= 0.6 * wanted


def test_masked_edit_label_without_freetype(painter_without_freetype, monkeypatch):
    painter = painter_without_freetype
    source = Image.new("RGB", (512, 512), (200, 200, 200))
    mask = Image.new("RGBA", (512, 512), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (100, 100, 400, 400))
    labelled = painter.edit("make it blue … 蓝色", [source], (512, 512), mask=mask)
    monkeypatch.setattr(painter, "_label", lambda *args: None)
    plain = painter.edit("make it blue … 蓝色", [source], (512, 512), mask=mask)
    text = ImageChops.difference(labelled, plain).convert("L").point(lambda v: 255 if v > 60 else 0)
    box = text.getbbox()
    assert box, "no label"
    assert box[0] >= 100 and box[2] <= 400  # inside the repainted area
    assert box[3] - box[1] >= 12 * 0.6  # and at the label size, not 1 px specks


@pytest.mark.parametrize("model", [None, "gpt-image-2"])
def test_gpt_image_2_refuses_a_transparent_background_as_the_service_does(client, model) -> None:
    fields = {"prompt": "a sticker of a fox", "background": "transparent"}
    if model:
        fields["model"] = model
    for path in ("/openai/v1/images/generations", "/openai/images"):
        r = client.post(path, json=fields)
        assert r.status_code == 400, r.text
        error = r.json()["error"]
        assert error["message"] == "Transparent background is not supported for this model."
        assert error["code"] == "invalid_value" and error["param"] == "background"


def test_heavy_mode_results_weigh_what_real_ones_do(client, monkeypatch) -> None:
    from app.simulator import painter

    monkeypatch.setenv(painter.HEAVY_ENV, "1")
    body, img = _generate(client, size="1536x1024")
    raw = len(base64.b64decode(body["data"][0]["b64_json"]))
    assert img.size == (1536, 1024)
    assert 2_000_000 < raw < 3_200_000  # a real gpt-image-2 PNG at this size: 2-3 MB
    light = painter.encode(painter.render("a fox at dawn", (1536, 1024)), "png", None)
    assert len(light) < raw / 5
    # Still the prompt's picture: close to the light one on average, far from another prompt's.
    plain = painter.render("a fox at dawn", (1536, 1024))
    other = painter.render("a quiet harbour", (1536, 1024))
    assert _mean(ImageChops.difference(img.convert("RGB"), plain)) < 12
    assert _mean(ImageChops.difference(img.convert("RGB"), other)) > 30


def test_heavy_pictures_are_kept_so_serving_one_again_is_cheap(monkeypatch) -> None:
    from app.simulator import painter

    monkeypatch.setenv(painter.HEAVY_ENV, "1")
    first = painter.heavy("kept", (1024, 1024))
    assert painter.heavy("kept", (1024, 1024)) is first
    data = painter.encode(first, "png", None)
    assert painter.encode(first, "png", None) is data
    assert painter.encode(first, "jpeg", 80) is not data
    for i in range(painter.HEAVY_KEPT):
        painter.heavy(f"other {i}", (64, 64))
    assert painter.heavy("kept", (1024, 1024)) is not first  # the oldest was let go


def test_heavy_4k_picture_is_about_ten_megabytes() -> None:
    from app.simulator import painter

    data = painter.encode(painter.heavy("a 4k benchmark", (3840, 2160)), "png", None)
    assert 8_000_000 < len(data) < 12_000_000
