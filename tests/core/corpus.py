"""A corpus of awkward pictures, built at run time with Pillow (and by hand where Pillow cannot
write the format or the flaw): every kind a person may drop, and the broken ones.

Each Case says what the intake must do with it: accept it (its upright size, whether alpha is
kept, whether the bytes pass through untouched) or refuse it (the ImageError kind).
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image, ImageDraw, features

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
GREY = (200, 200, 200)


@dataclass(frozen=True)
class Case:
    name: str  # the file name, extension as a person would have it (not always the truth)
    data: bytes
    size: tuple[int, int] | None = None  # accepted: the upright size; None: refused
    alpha: bool = False  # accepted: the result keeps an alpha channel
    untouched: bool = False  # accepted: the very same bytes are sent
    kind: str = ""  # refused: ImageError.kind
    corner: tuple[int, int, int] | None = RED  # accepted: the colour at the top-left, upright

    @property
    def accepted(self) -> bool:
        return self.size is not None


def save(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def picture(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """Grey, with a red top-left block and a blue bottom-right one, so turns and flips show."""
    im = Image.new("RGB", size, GREY)
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, size[0] // 4 - 1, size[1] // 4 - 1), fill=RED)
    d.rectangle((size[0] * 3 // 4, size[1] * 3 // 4, size[0], size[1]), fill=BLUE)
    return im.convert(mode) if mode != "RGB" else im


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_by_hand(width: int, height: int, depth: int, colour: int, raw: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def png_bomb(side: int, rows: int = 40) -> bytes:
    """A complete, valid-looking PNG declaring side x side RGB pixels with only `rows` rows of
    data (~1 KB): Pillow alone would zero-fill the rest without a word."""
    return png_by_hand(side, side, 8, 2, (b"\x00" + b"\x00" * 3 * side) * rows)


def rgb16_png() -> bytes:
    w, h = 8, 4
    rows = b"".join(b"\x00" + struct.pack(">HHH", 65535, 0, 0) * w for _ in range(h))
    return png_by_hand(w, h, 16, 2, rows)


def exif_rotated(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return save(picture((64, 48)), "JPEG", quality=95, exif=exif.tobytes())


def psd_with_layers(size: tuple[int, int] = (40, 30)) -> bytes:
    """An RGB Photoshop file with two layers (green, blue) over a composite that is `picture()`:
    Pillow numbers the layers from 1, and the composite is what Image.open gives."""
    w, h = size
    composite = picture(size)

    def planes(im: Image.Image) -> list[bytes]:
        return [band.tobytes() for band in im.split()]

    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, h, w, 8, 3)
    records = b""
    channel_data = b""
    for i, colour in enumerate((GREEN, BLUE)):
        records += struct.pack(">iiiiH", 0, 0, h, w, 3)
        for channel in range(3):
            records += struct.pack(">hI", channel, 2 + w * h)
        name = f"layer {i + 1}".encode()
        pascal = bytes([len(name)]) + name
        pascal += b"\x00" * (-len(pascal) % 4)
        extra = struct.pack(">II", 0, 0) + pascal
        records += b"8BIMnorm" + bytes([255, 0, 0, 0]) + struct.pack(">I", len(extra)) + extra
        for plane in planes(Image.new("RGB", size, colour)):
            channel_data += b"\x00\x00" + plane
    layer_info = struct.pack(">h", 2) + records + channel_data
    layer_info += b"\x00" * (len(layer_info) % 2)
    section = struct.pack(">I", len(layer_info)) + layer_info + struct.pack(">I", 0)
    image = b"\x00\x00" + b"".join(planes(composite))
    return (
        header
        + struct.pack(">I", 0)
        + struct.pack(">I", 0)
        + struct.pack(">I", len(section))
        + section
        + image
    )


def gif_bomb(side: int = 9000) -> bytes:
    """A GIF whose screen and frame declare side x side pixels, with a few bytes of data."""
    screen = b"GIF89a" + struct.pack("<HHBBB", side, side, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    frame = b"," + struct.pack("<HHHHB", 0, 0, side, side, 0)
    return screen + frame + b"\x02\x02\x4c\x01\x00;"


def bmp_bomb(side: int = 9000) -> bytes:
    """A 24-bit BMP header declaring side x side pixels, followed by 1 KB of pixels."""
    info = struct.pack("<IiiHHIIiiII", 40, side, side, 1, 24, 0, 0, 2835, 2835, 0, 0)
    body = b"\x80" * 1024
    return b"BM" + struct.pack("<IHHI", 14 + 40 + len(body), 0, 0, 54) + info + body


def tiff_with_bad_tag() -> bytes:
    """A TIFF with a tag claiming more data than the file holds: Pillow warns, skips the tag."""
    ifd = {270: "a description long enough to be stored outside the directory"}
    data = bytearray(save(picture(), "TIFF", compression="tiff_adobe_deflate", tiffinfo=ifd))
    offset = struct.unpack("<I", data[4:8])[0]
    for i in range(struct.unpack("<H", data[offset : offset + 2])[0]):
        entry = offset + 2 + 12 * i
        if struct.unpack("<H", data[entry : entry + 2])[0] == 270:
            data[entry + 4 : entry + 8] = struct.pack("<I", len(data) * 4)
    return bytes(data)


def animated(fmt: str, **kw: object) -> bytes:
    frames = [picture()] + [Image.new("RGB", (64, 48), c) for c in (GREEN, BLUE)]
    return save(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, **kw)


def build() -> list[Case]:
    """Every case, built afresh (a few hundred KB in all, well under a second)."""
    rgb = picture()
    png = save(rgb, "PNG")
    jpeg = save(rgb, "JPEG", quality=95)
    noisy = Image.merge("RGB", [Image.effect_noise((200, 160), 60) for _ in range(3)])
    noisy_png = save(noisy, "PNG")
    noisy_jpeg = save(noisy, "JPEG", quality=90)
    rgba = picture(mode="RGBA")
    rgba.putpixel((63, 0), (0, 0, 0, 0))
    palette = Image.new("P", (64, 48), 0)  # grey, red, blue, and a colour meant as clear
    palette.putpalette([*GREY, *RED, *BLUE, 0, 0, 0])
    palette.paste(1, (0, 0, 16, 12))
    palette.paste(2, (48, 36, 64, 48))
    palette.putpixel((63, 0), 3)
    grey16 = Image.new("I;16", (64, 48), 40000)
    grey16.paste(Image.new("I;16", (16, 12), 65535), (0, 0))
    la = Image.new("LA", (64, 48), (128, 255))
    la.putpixel((63, 0), (0, 0))
    cmyk = Image.new("CMYK", (64, 48), (0, 0, 0, 40))
    cmyk.paste((0, 255, 255, 0), (0, 0, 16, 12))  # red, in CMYK
    two_pages = [picture(), Image.new("RGB", (64, 48), BLUE)]
    whole = (64, 48)
    cases = [
        # Pass through untouched.
        Case("photo.png", png, whole, untouched=True),
        Case("photo.jpg", jpeg, whole, untouched=True),
        Case("photo.webp", save(rgb, "WEBP", quality=90), whole, untouched=True),
        Case("sticker.webp", save(rgba, "WEBP", lossless=True), whole, alpha=True, untouched=True),
        Case("sticker.png", save(rgba, "PNG"), whole, alpha=True, untouched=True),
        Case("interlaced.png", save(rgb, "PNG", interlace=1), whole, untouched=True),
        # Wrong extension, right content: judged by the content.
        Case("really-a-png.jpg", png, whole, untouched=True),
        Case("really-a-jpeg.png", jpeg, whole, untouched=True),
        Case("really-a-gif.png", save(rgb, "GIF"), whole),
        # Converted.
        Case("anim.gif", animated("GIF"), whole),
        Case("anim.webp", animated("WEBP", lossless=True), whole),
        Case("anim.png", animated("PNG"), whole),
        Case("cutout.gif", save(palette, "GIF", transparency=3), whole, alpha=True),
        Case("palette.png", save(palette, "PNG", transparency=3), whole, alpha=True),
        Case("palette-opaque.png", save(palette, "PNG"), whole),
        Case("picture.bmp", save(rgb, "BMP"), whole),
        Case("mono.bmp", save(rgb.convert("1"), "BMP"), whole, corner=None),
        Case("scan.tif", save(rgb, "TIFF", compression="tiff_adobe_deflate"), whole),
        Case("scan-lzw.tif", save(rgb, "TIFF", compression="tiff_lzw"), whole),
        Case("alpha.tif", save(rgba, "TIFF"), whole, alpha=True),
        Case("depth16.tif", save(grey16, "TIFF"), whole, corner=(255, 255, 255)),
        Case("print.tif", save(cmyk, "TIFF"), whole),
        Case(
            "pages.tif",
            save(two_pages[0], "TIFF", save_all=True, append_images=two_pages[1:]),
            whole,
        ),
        Case("odd-tag.tif", tiff_with_bad_tag(), whole),
        Case("game.tga", save(rgb, "TGA"), whole),
        Case("game-rle.tga", save(rgba, "TGA", compression="tga_rle"), whole, alpha=True),
        Case(
            "app.ico",
            save(picture((128, 128)), "ICO", sizes=[(16, 16), (32, 32), (128, 128)]),
            (128, 128),
        ),
        Case("picture.ppm", save(rgb, "PPM"), whole),
        Case("picture.pgm", save(rgb.convert("L"), "PPM"), whole, corner=None),
        Case("layers.psd", psd_with_layers(), (40, 30)),
        Case("stereo.mpo", save(rgb, "MPO", save_all=True, append_images=[two_pages[1]]), whole),
        Case("print.jpg", save(cmyk, "JPEG", quality=95), whole),
        Case("grey.jpg", save(rgb.convert("L"), "JPEG", quality=95), whole, corner=None),
        Case("depth16.png", save(grey16, "PNG"), whole, corner=(255, 255, 255)),
        Case("rgb16.png", rgb16_png(), (8, 4)),
        Case("la.png", save(la, "PNG"), whole, alpha=True, corner=None),
        Case("phone-6.jpg", exif_rotated(6), (48, 64), corner=GREY),
        Case("phone-8.jpg", exif_rotated(8), (48, 64), corner=GREY),
        Case("picture.pcx", save(rgb, "PCX"), whole),
        Case("picture.sgi", save(rgb, "SGI"), whole),
        Case(
            "large-flat.png",
            save(Image.new("RGB", (5000, 3400), RED), "PNG"),
            (5000, 3400),
            untouched=True,
        ),
        # Refused.
        Case("nothing.png", b"", kind="empty"),
        Case("notes.png", b"hello, I am not a picture\n" * 10, kind="unreadable"),
        Case("page.jpg", b"<!DOCTYPE html><html><body>Not found</body></html>", kind="unreadable"),
        Case(
            "drawing.eps", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", kind="unreadable"
        ),
        Case("half.png", noisy_png[: len(noisy_png) // 2], kind="incomplete"),
        Case("half.jpg", noisy_jpeg[: len(noisy_jpeg) // 2], kind="incomplete"),
        Case("half.gif", save(noisy, "GIF")[:3000], kind="incomplete"),
        Case("half.webp", save(noisy, "WEBP")[:3000], kind="incomplete"),
        Case("half.tif", save(noisy, "TIFF")[:20000], kind="incomplete"),
        Case("header-only.png", png[:60], kind="incomplete"),
        Case("bomb-83mp.png", png_bomb(9110), kind="incomplete"),
        Case("bomb-10gp.png", png_bomb(100_000, rows=1), kind="too_large"),
        Case("bomb.gif", gif_bomb(), kind="damaged"),
        Case("bomb.bmp", bmp_bomb(), kind="damaged"),
        Case("scrambled.png", scrambled(noisy_png), kind="damaged"),
    ]
    if features.check("avif"):
        cases.append(Case("photo.avif", save(rgb, "AVIF", quality=90), whole, corner=None))
        cases.append(
            Case("sticker.avif", save(rgba, "AVIF", quality=90), whole, alpha=True, corner=None)
        )
    return cases


def scrambled(data: bytes) -> bytes:
    """The PNG with the middle of its compressed data overwritten (its CRC no longer matches)."""
    middle = len(data) // 2
    return data[:middle] + bytes(range(256)) * 4 + data[middle + 1024 :]
