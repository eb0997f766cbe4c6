"""gpt-image-2's size rules, the 1K / 2K / 4K presets, snapping and paste-back fitting."""

from __future__ import annotations

import pytest

from app.core import sizes
from app.core.api.models import custom_size_problem


def test_the_rules_are_openais() -> None:
    assert sizes.is_valid(1024, 640) and sizes.is_valid(816, 816)  # 655,360 and just above
    assert sizes.is_valid(3840, 2160) and sizes.is_valid(3840, 1280)
    for w, h, why in (
        (800, 800, "too small"),
        (1024, 624, "too small"),
        (1000, 1000, "multiples of 16"),
        (3840, 1264, "ratio"),
        (4096, 2304, "too large"),
        (2880, 2896, "too large"),  # within the long side, over the pixel count
    ):
        problem = sizes.problem(w, h)
        assert problem is not None and why in problem, (w, h, problem)
    assert "too small" in (custom_size_problem("800x800") or "")
    assert custom_size_problem("1024x640") is None


def test_every_preset_is_valid_exact_and_grouped_by_tier() -> None:
    assert [p.tier for p in sizes.PRESETS] == [t for t in sizes.TIERS for _ in sizes.ASPECTS]
    for preset in sizes.PRESETS:
        assert sizes.is_valid(preset.width, preset.height), preset
        a, b = (int(v) for v in preset.aspect.split(":"))
        assert preset.width * b == preset.height * a, preset  # the exact ratio
    table = {(p.tier, p.aspect): p.size for p in sizes.PRESETS}
    assert table["1K", "1:1"] == "1024x1024" and table["1K", "3:2"] == "1536x1024"
    assert table["1K", "2:3"] == "1024x1536"
    assert table["2K", "16:9"] == "2560x1440" and table["4K", "16:9"] == "3840x2160"
    assert table["4K", "1:1"] == "2880x2880"
    # 2K is never experimental; 4K always is.
    for preset in sizes.PRESETS:
        assert sizes.is_experimental(preset.width, preset.height) == (preset.tier == "4K"), preset


def test_the_largest_size_of_each_tier_cannot_grow() -> None:
    for preset in sizes.PRESETS:
        if preset.tier == "1K":
            continue
        a, b = (int(v) for v in preset.aspect.split(":"))
        uw, uh = a * 16, b * 16  # a and b are coprime: the next exact size on the 16 grid
        w, h = preset.width + uw, preset.height + uh
        bound = sizes.EXPERIMENTAL_PIXELS if preset.tier == "2K" else sizes.MAX_PIXELS
        assert w * h > bound or max(w, h) > sizes.MAX_LONG_SIDE, preset


def test_snap_finds_the_nearest_valid_size() -> None:
    assert sizes.snap(800, 800) == (816, 816)
    assert sizes.snap(1000, 1000) == (992, 992)
    assert sizes.snap(2048, 1152) == (2048, 1152)  # already valid: unchanged
    assert sizes.snap(4096, 2304) == (3840, 2160)
    assert sizes.snap(1, 1) == (816, 816)
    for w, h in ((1024, 624), (5000, 100), (100, 3000), (3841, 3841), (17, 4000), (1999, 1001)):
        sw, sh = sizes.snap(w, h)
        assert sizes.is_valid(sw, sh), (w, h, sw, sh)
    with pytest.raises(ValueError):
        sizes.snap(0, 100)


def test_experimental_above_2560x1440() -> None:
    assert not sizes.is_experimental(2560, 1440) and sizes.is_experimental(2576, 1440)


def test_an_edit_follows_its_source_aspect() -> None:
    assert sizes.for_source(300, 200).size == "1536x1024"
    assert sizes.for_source(1080, 1920).size == "864x1536"
    assert sizes.for_source(1920, 1080, "2K").size == "2560x1440"
    assert sizes.for_source(4000, 3000, "4K").size == "3264x2448"
    assert sizes.for_source(500, 510).size == "1024x1024"
    assert sizes.preset_for("2560x1440") == sizes.for_source(16, 9, "2K")
    assert sizes.preset_for("1000x1000") is None


def test_paste_back_crops_a_little_or_letterboxes_never_stretches() -> None:
    assert sizes.fit((1536, 1024), (300, 200)) == ("crop", (0, 0, 1536, 1024))
    assert sizes.fit_sentence((1536, 1024), (300, 200)) is None
    mode, box = sizes.fit((1536, 864), (1500, 1000))  # 16:9 on 3:2: trim 16 % of the sides
    assert mode == "crop" and box == (120, 0, 1416, 864)
    assert abs((box[2] - box[0]) / (box[3] - box[1]) - 1.5) < 0.01
    mode, box = sizes.fit((1024, 1024), (1920, 1080))  # square on 16:9: too much to crop
    assert mode == "letterbox" and box == (420, 0, 1500, 1080)
    sentence = sizes.fit_sentence((1024, 1024), (1920, 1080))
    assert sentence is not None and "letterboxed" in sentence and "not stretched" in sentence
    sentence = sizes.fit_sentence((1536, 864), (1500, 1000))
    assert sentence is not None and "cropped" in sentence
