"""Settings embedded in PNG, JPEG and WebP files, without changing a pixel."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from app.core.library import metadata
from tests.core.library.helpers import make_image

CASES = [
    ("png", {}),
    ("jpeg", {"quality": 80}),
    ("webp", {"quality": 70}),  # lossy: a simple VP8 file, converted to the extended container
    ("webp", {"lossless": True}),  # VP8L
]


def pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return im.mode, im.size, im.tobytes()


@pytest.mark.parametrize(("fmt", "save"), CASES)
@pytest.mark.parametrize("prompt", ['a "quoted" <cat> & a dog\nsecond line', "山海 " * 20_000])
def test_round_trip_keeps_pixels(fmt: str, save: dict[str, Any], prompt: str) -> None:
    original = make_image(fmt, seed=7, **save)
    record = {
        "params": {"prompt": prompt, "size": "1024x1024", "quality": "high"},
        "revised_prompt": "r",
    }
    tagged = metadata.embed(original, record)
    assert tagged != original
    assert pixels(tagged) == pixels(original)
    back = metadata.extract(tagged)
    assert back is not None and back["params"] == record["params"] and back["revised_prompt"] == "r"
    # Re-embedding replaces, it does not pile up.
    again = metadata.embed(tagged, {"params": {"prompt": "second"}})
    again_back = metadata.extract(again)
    assert again_back is not None and again_back["params"]["prompt"] == "second"
    assert abs(len(again) - len(original)) < abs(len(tagged) - len(original)) or len(prompt) < 100
    assert pixels(again) == pixels(original)


def test_other_programs_see_the_prompt() -> None:
    jpeg = metadata.embed(make_image("jpeg"), {"params": {"prompt": "harbour at night"}})
    with Image.open(io.BytesIO(jpeg)) as im:
        assert "harbour at night" in str(im.info.get("xmp"))
    png = metadata.embed(make_image("png"), {"params": {"prompt": "harbour at night"}})
    with Image.open(io.BytesIO(png)) as im:
        im.load()
        assert im.info.get("Description") == "harbour at night"


def test_files_without_metadata_or_garbage() -> None:
    assert metadata.extract(make_image("png")) is None
    assert metadata.extract(make_image("jpeg")) is None
    assert metadata.extract(b"not an image") is None
    with pytest.raises(metadata.MetadataError):
        metadata.embed(b"GIF89a....", {"params": {}})
