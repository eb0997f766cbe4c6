"""Only what the service documents reaches the wire, checked on the simulator's recorded requests."""

from __future__ import annotations

import pytest

from app.core.api.client import data_url
from app.core.api.models import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_URL_CHARS,
    Flavour,
    ImageRequest,
    InputImage,
    ValidationError,
    image_url_chars,
    image_url_problems,
)
from tests.core.api.imgs import picture
from tests.core.api.test_wire import SCHEMAS, only, validate


def test_async_sends_moderation_only_when_asked(client, simulator, fake_time) -> None:
    client.run(ImageRequest(prompt="a cat"), Flavour.tasks, fake_time)
    client.run(ImageRequest(prompt="a cat", moderation="low", user="u-1"), Flavour.tasks, fake_time)
    first, second = (r.json for r in only(simulator, "POST", "/openai/images"))
    assert "moderation" not in first and "user" not in first
    assert second["moderation"] == "low" and second["user"] == "u-1"


def test_compat_generation_keeps_moderation_which_openai_documents_there(
    client, simulator, fake_time
) -> None:
    client.run(ImageRequest(prompt="a cat"), Flavour.compat, fake_time)
    [call] = simulator.requests
    assert call.json["moderation"] == "auto"
    validate(call.json, "CreateImageRequest")


def test_the_cut_out_key_never_reaches_the_wire(client, simulator, fake_time) -> None:
    req = ImageRequest(prompt="a sticker on green", background="opaque", cutout_key=(0, 255, 0))
    client.run(req, Flavour.compat, fake_time)
    client.run(req, Flavour.tasks, fake_time)
    compat = simulator.requests[0].json
    [task] = only(simulator, "POST", "/openai/images")
    for body in (compat, task.json):
        assert "cutout_key" not in body and body["background"] == "opaque"
    assert set(compat) <= set(SCHEMAS["CreateImageRequest"]["properties"])
    validate(compat, "CreateImageRequest")


def test_sizes_gpt_image_2_refuses_are_not_sent(client, simulator, fake_time) -> None:
    for size in ("800x800", "1024x624"):
        with pytest.raises(ValidationError, match="too small"):
            client.run(ImageRequest(prompt="x", size=size), Flavour.compat, fake_time)
    assert simulator.requests == []
    client.run(ImageRequest(prompt="x", size="1024x640"), Flavour.compat, fake_time)
    assert simulator.requests[0].json["size"] == "1024x640"


def test_a_data_url_over_openais_limit_is_refused_before_sending(
    client, simulator, fake_time
) -> None:
    small = InputImage(picture(32, 32), "small.png")
    assert image_url_chars(small) == len(data_url(small))
    jpeg = InputImage(picture(32, 32, fmt="jpeg"), "p.jpg")
    assert image_url_chars(jpeg) == len(data_url(jpeg))
    # A PNG whose data URL is one character over 20,971,520 (still well under 50 MB).
    base = picture(64, 64)
    prefix = len("data:image/png;base64,")
    n = (MAX_IMAGE_URL_CHARS - prefix) // 4 * 3 + 1
    big = InputImage(base + b"\0" * (n - len(base)), "big.png")
    assert image_url_chars(big) > MAX_IMAGE_URL_CHARS
    req = ImageRequest(prompt="edit it", images=[small, big])
    [problem] = image_url_problems(req)
    assert "Input image 2 (big.png)" in problem and "20,971,520" in problem
    with pytest.raises(ValidationError) as raised:
        client.run(req, Flavour.tasks, fake_time)
    assert raised.value.problems == [problem]
    assert simulator.requests == []
    fits = InputImage(base + b"\0" * (n - 3 - len(base)), "fits.png")
    assert image_url_chars(fits) <= MAX_IMAGE_URL_CHARS
    assert image_url_problems(ImageRequest(prompt="e", images=[fits])) == []


def test_the_50_mb_limit_is_decimal() -> None:
    assert MAX_IMAGE_BYTES == 50_000_000
    base = picture(16, 16)
    under = InputImage(base + b"\0" * (MAX_IMAGE_BYTES - 1 - len(base)), "under.png")
    at = InputImage(base + b"\0" * (MAX_IMAGE_BYTES - len(base)), "at.png")
    assert not any("50 MB" in p for p in ImageRequest(prompt="e", images=[under]).problems())
    [problem] = [p for p in ImageRequest(prompt="e", images=[at]).problems() if "50 MB" in p]
    assert "at.png" in problem and "50.0 MB" in problem
