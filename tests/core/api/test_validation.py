from __future__ import annotations

import pytest

from app.core.api.models import (
    MAX_IMAGE_BYTES,
    MAX_MASK_BYTES,
    ImageRequest,
    InputImage,
    ValidationError,
)
from tests.core.api.imgs import mask, picture


def problems(**fields) -> list[str]:
    fields.setdefault("prompt", "a red fox in the snow")
    return ImageRequest(**fields).problems()


def test_a_plain_request_is_fine():
    assert problems() == []
    assert (
        problems(
            size="1536x1024",
            quality="high",
            background="opaque",
            output_format="webp",
            output_compression=80,
            moderation="low",
            user="u-1",
        )
        == []
    )


@pytest.mark.parametrize("prompt", ["", "   \n", "x" * 32_001])
def test_prompt_must_be_non_blank_and_at_most_32000_chars(prompt):
    [sentence] = problems(prompt=prompt)
    assert sentence.startswith("The prompt ")


def test_prompt_of_exactly_32000_chars_is_allowed():
    assert problems(prompt="x" * 32_000) == []


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("quality", "ultra", "quality"),
        ("background", "green", "background"),
        ("output_format", "gif", "output format"),
        ("moderation", "none", "moderation level"),
    ],
)
def test_enums_are_checked_with_a_sentence_listing_the_choices(field, value, label):
    found = problems(**{field: value})
    assert any(f"The {label} must be one of" in p and repr(value) in p for p in found), found


def test_custom_sizes_follow_gpt_image_2_rules():
    assert problems(size="2048x1152") == []
    assert "multiples of 16" in problems(size="1000x1000")[0]
    assert "ratio" in problems(size="3840x1024")[0]
    assert "too large" in problems(size="4096x2304")[0]
    assert "one of" in problems(size="big")[0]


def test_compression_only_with_jpeg_or_webp_and_in_range():
    assert problems(output_format="jpeg", output_compression=0) == []
    assert problems(output_format="webp", output_compression=100) == []
    assert any("only applies to JPEG and WebP" in p for p in problems(output_compression=50))
    assert any("from 0 to 100" in p for p in problems(output_format="jpeg", output_compression=101))
    assert any("from 0 to 100" in p for p in problems(output_format="jpeg", output_compression=-1))


def test_transparent_background_needs_png_or_webp():
    assert problems(background="transparent", output_format="png") == []
    assert problems(background="transparent", output_format="webp") == []
    [sentence] = problems(background="transparent", output_format="jpeg")
    assert "transparent background needs the PNG or WebP" in sentence


def test_input_fidelity_only_on_edits():
    assert any("only applies to edits" in p for p in problems(input_fidelity="high"))
    edit = [InputImage(picture())]
    assert problems(images=edit, input_fidelity="high") == []
    assert any(
        "input fidelity must be one of" in p for p in problems(images=edit, input_fidelity="max")
    )


def test_input_images_are_sniffed_from_their_bytes():
    assert (
        problems(
            images=[
                InputImage(picture(fmt="jpeg"), "a.jpg"),
                InputImage(picture(fmt="webp"), "b.webp"),
            ]
        )
        == []
    )
    [sentence] = problems(images=[InputImage(b"GIF89a" + b"\0" * 50, "anim.gif")])
    assert sentence == "Input image 1 (anim.gif) is not a PNG, JPEG or WebP picture."
    [sentence] = problems(images=[InputImage(picture()[:30], "cut.png")])
    assert "cannot be read" in sentence


def test_at_most_16_images():
    one = InputImage(picture(16, 16))
    assert problems(images=[one] * 16) == []
    assert any("At most 16 input images" in p for p in problems(images=[one] * 17))


def test_each_image_under_50_mb():
    big = picture(16, 16) + b"\0" * MAX_IMAGE_BYTES
    found = problems(images=[InputImage(big, "huge.png")])
    assert any("must be under 50 MB" in p and "huge.png" in p for p in found)


def test_mask_needs_an_image():
    assert problems(mask=InputImage(mask())) == [
        "A mask can only be used together with an input image to edit."
    ]


def test_mask_must_be_png_with_alpha_of_the_first_images_size():
    src = [InputImage(picture(64, 48)), InputImage(picture(32, 32))]
    assert problems(images=src, mask=InputImage(mask(64, 48))) == []
    assert any(
        "alpha channel" in p for p in problems(images=src, mask=InputImage(mask(64, 48, mode="L")))
    )
    assert any(
        "must be a PNG" in p
        for p in problems(images=src, mask=InputImage(picture(64, 48, fmt="webp", mode="RGBA")))
    )
    [sentence] = problems(images=src, mask=InputImage(mask(32, 32)))
    assert sentence == (
        "The mask is 32x32 pixels but the first input image is 64x48; they must be exactly the same size."
    )


def test_mask_under_4_mb():
    heavy = mask(64, 48) + b"\0" * MAX_MASK_BYTES
    found = problems(images=[InputImage(picture(64, 48))], mask=InputImage(heavy))
    assert any("under 4 MB" in p for p in found)


def test_validate_raises_with_every_problem():
    req = ImageRequest(prompt="", quality="ultra", output_format="jpeg", background="transparent")
    with pytest.raises(ValidationError) as info:
        req.validate()
    assert len(info.value.problems) == 3
