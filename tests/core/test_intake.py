"""The one intake against a corpus of awkward pictures (tests/core/corpus.py): every kind a person
may have is accepted as a picture the service takes, upright and whole, and every broken one is
refused with one sentence naming the file, before anything is sent or much memory is used."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from PIL import Image, ImageFile, features

from app.core import intake
from app.core.imaging import ImageError, PreparedImage, prepare_source
from tests.core import corpus

CASES = corpus.build()
ACCEPTED = [c for c in CASES if c.accepted]
REFUSED = [c for c in CASES if not c.accepted]
ROOT = Path(__file__).resolve().parents[2]

# Each sentence ends by saying what to do.
WHAT_TO_DO = (
    "Choose another file",
    "Get the file again",
    "Try another file",
    "Use a PNG, JPEG or WebP file",
    "Scale it down",
)


def decode(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus as files on disk, the way the command line and the window read them."""
    root = tmp_path_factory.mktemp("corpus")
    for case in CASES:
        (root / case.name).write_bytes(case.data)
    return root


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_every_picture_pillow_reads_becomes_a_valid_source(
    case: corpus.Case, folder: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    prepared = prepare_source((folder / case.name).read_bytes(), case.name)
    assert isinstance(prepared, PreparedImage)
    assert prepared.format in ("png", "jpeg", "webp")
    magic = {"png": b"\x89PNG", "jpeg": b"\xff\xd8\xff", "webp": b"RIFF"}[prepared.format]
    assert prepared.data.startswith(magic)
    out = decode(prepared.data)  # decodes fully: nothing truncated is sent
    assert (out.format or "").lower() == prepared.format
    assert getattr(out, "n_frames", 1) == 1
    assert out.size == prepared.size == case.size
    assert out.mode in ("RGB", "RGBA")
    assert (out.mode == "RGBA") == case.alpha
    if case.alpha:
        lowest = out.getchannel("A").getextrema()[0]
        assert isinstance(lowest, int) and lowest < 255  # the transparency is still there
    if case.untouched:
        assert prepared.data == case.data and prepared.notes == []
    else:
        assert prepared.data != case.data
    if case.corner is not None:
        r, g, b = out.convert("RGB").getpixel((1, 1))  # type: ignore[misc]
        assert max(abs(r - case.corner[0]), abs(g - case.corner[1]), abs(b - case.corner[2])) < 40
    assert prepared.upload_name().endswith(
        "." + ("jpg" if prepared.format == "jpeg" else prepared.format)
    )
    assert capfd.readouterr().err == ""  # neither Pillow nor libtiff spoke


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_every_broken_file_is_refused_with_one_sentence_naming_it(
    case: corpus.Case, folder: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ImageError) as info:
        prepare_source((folder / case.name).read_bytes(), case.name)
    error = info.value
    assert (error.kind, error.name) == (case.kind, case.name)
    assert error.message.startswith(f"“{case.name}” is ")
    assert error.message.count(". ") == 1 and error.message.endswith(".")
    assert any(advice in error.message for advice in WHAT_TO_DO)
    assert "Traceback" not in error.message and "\n" not in error.message
    assert capfd.readouterr().err == ""


def test_the_corpus_covers_every_kind_the_issue_names() -> None:
    names = {c.name.rsplit(".", 1)[-1] for c in CASES}
    assert {"gif", "bmp", "tif", "tga", "ico", "ppm", "pgm", "psd", "mpo", "png", "jpg"} <= names
    assert {"webp"} <= names
    kinds = {c.kind for c in REFUSED}
    assert {"empty", "unreadable", "incomplete", "damaged", "too_large"} <= kinds


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF plugin")
def test_avif_is_in_the_corpus_when_pillow_reads_it() -> None:
    assert any(c.name.endswith(".avif") for c in ACCEPTED)


def test_a_layered_psd_gives_its_composite_not_a_layer() -> None:
    prepared = prepare_source(corpus.psd_with_layers(), "layers.psd")
    out = decode(prepared.data).convert("RGB")
    assert out.getpixel((1, 1)) == corpus.RED and out.getpixel((20, 15)) == corpus.GREY
    assert any("composite" in n for n in prepared.notes)


@pytest.mark.parametrize(("orientation", "red_at"), [(6, (44, 3)), (8, (3, 60))])
def test_rotated_phone_photos_are_sent_upright(orientation: int, red_at: tuple[int, int]) -> None:
    prepared = prepare_source(corpus.exif_rotated(orientation), "phone.jpg")
    assert prepared.size == (48, 64) and prepared.format == "jpeg"
    out = decode(prepared.data)
    assert out.getexif().get(0x0112, 1) == 1  # nothing for the service to turn a second time
    r, g, b = out.convert("RGB").getpixel(red_at)  # type: ignore[misc]
    assert r > 200 and g < 60 and b < 60


def test_the_first_page_frame_and_picture_are_used_and_said() -> None:
    notes = {
        c.name: prepare_source(c.data, c.name).notes
        for c in CASES
        if c.name in ("pages.tif", "stereo.mpo", "anim.gif")
    }
    assert "Used the first page of 2." in notes["pages.tif"]
    assert "Used the first of its 2 pictures." in notes["stereo.mpo"]
    assert any("first frame" in n for n in notes["anim.gif"])


def test_a_png_declaring_more_rows_than_it_holds_is_refused_not_zero_filled() -> None:
    with pytest.raises(ImageError) as info:
        prepare_source(corpus.png_bomb(4100, rows=4000), "short.png")  # 16.8 MP, 96 rows missing
    assert info.value.kind == "incomplete" and "bytes of pixel data" in info.value.detail


def test_pillow_warnings_never_reach_the_user() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        prepare_source(corpus.tiff_with_bad_tag(), "odd-tag.tif")
    assert seen == []
    # and the global filters are as they were
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_c_level_stderr_is_caught_while_libtiff_decodes(capfd: pytest.CaptureFixture[str]) -> None:
    with intake._stderr_caught():
        os.write(2, b"TIFFReadDirectory: Warning, Unknown field with tag 65000\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage is POSIX")
def test_a_tiny_file_declaring_83_megapixels_is_refused_in_little_memory() -> None:
    """In a fresh process, so the peak resident size measures this refusal alone."""
    script = textwrap.dedent(
        """
        import resource
        from app.core.imaging import ImageError, prepare_source
        from tests.core import corpus

        prepare_source(corpus.save(corpus.picture(), "PNG"), "warm-up.png")
        cases = [("bomb.png", corpus.png_bomb(9110)), ("bomb.gif", corpus.gif_bomb()),
                 ("bomb.bmp", corpus.bmp_bomb()),
                 ("cut.png", corpus.png_bomb(9110)[:-40] + corpus.chunk(b"IEND", b""))]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for name, data in cases:
            assert len(data) < 2000, (name, len(data))
            try:
                prepare_source(data, name)
            except ImageError as exc:
                assert exc.name == name
            else:
                raise SystemExit(name + " was accepted")
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) < 50  # MB above the warmed-up process: nothing was decoded


def test_the_command_lines_files_go_through_the_same_intake() -> None:
    from app.core.api.models import ImageRequest, InputImage
    from app.core.jobs import FileSources

    given = {c.name: c for c in CASES}
    files = [given[n] for n in ("picture.bmp", "layers.psd", "phone-6.jpg", "photo.png")]
    images, mask = FileSources([InputImage(c.data, c.name) for c in files]).build()
    assert mask is None
    assert [i.filename for i in images] == ["picture.png", "layers.png", "phone-6.jpg", "photo.png"]
    assert decode(images[2].data).size == (48, 64)  # upright, as the window shows it
    assert images[3].data == given["photo.png"].data
    ImageRequest(prompt="a kite", images=images).validate()
    with pytest.raises(ImageError) as info:
        FileSources([InputImage(given["half.jpg"].data, "half.jpg")]).build()
    assert info.value.kind == "incomplete"  # refused before anything is sent


@pytest.mark.parametrize("interlace", [0, 1])
@pytest.mark.parametrize("mode", ["1", "L", "P", "LA", "RGB", "RGBA", "I;16"])
def test_the_png_completeness_check_counts_every_row_of_every_pass(
    mode: str, interlace: int
) -> None:
    from app.core import png

    im = Image.new(mode, (37, 23))
    data = corpus.save(im, "PNG", interlace=interlace)
    assert png.missing_data(data) is None
    shorter = corpus.save(Image.new(mode, (37, 22)), "PNG", interlace=interlace)
    # The same data under a header one row taller: whole-looking, but a row short.
    taller = shorter[:16] + data[16:33] + shorter[33:]
    assert png.missing_data(taller) is not None


def test_a_big_png_that_cannot_fit_stops_being_written_at_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    noisy = Image.merge("RGB", [Image.effect_noise((600, 400), 80) for _ in range(3)])
    monkeypatch.setattr(intake, "_FAST_PNG_PIXELS", 1000)  # "big" from 1000 pixels on
    monkeypatch.setattr(intake, "MAX_IMAGE_BYTES", 500_000)
    prepared = prepare_source(corpus.save(noisy, "BMP"), "noise.bmp")
    assert prepared.format == "jpeg" and len(prepared.data) <= 500_000
    assert any(n.startswith("Re-encoded as JPEG (over 50 MB as PNG to ") for n in prepared.notes)
    assert decode(prepared.data).size == (600, 400)
