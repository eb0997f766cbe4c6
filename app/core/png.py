"""PNG bytes by hand: a fast writer for 8-bit pictures, and a check that a PNG's pixel data is
all there, made without decoding it into memory.

Pillow is imported where it is used: start-up does not need it.
"""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# IDAT chunks are cut at this size (any size is valid; 1 MB keeps each piece's CRC cheap).
_IDAT_PIECE = 1 << 20

MODES = {"L": (1, 0), "RGB": (3, 2), "RGBA": (4, 6)}  # channels, PNG colour type
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> channels


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))
    )


def write(im: Image.Image) -> bytes:
    """An 8-bit L/RGB/RGBA image as PNG: every row with the "Sub" filter, zlib level 1 with
    the run-length strategy.

    Pillow's encoder tries all five filters on every row, which costs more than the
    compression itself. One fixed filter, computed for the whole image at once by Pillow's C
    channel arithmetic (each byte minus the same channel of the pixel to its left, mod 256),
    gives files within a few percent of Pillow's level 1 on photographs in half the time;
    flat graphics come out up to 2x bigger, but those are small anyway. It holds about four
    copies of the pixels at once, so callers keep it for pictures of moderate size.
    """
    from PIL import Image, ImageChops

    channels, colour_type = MODES[im.mode]
    w, h = im.size
    if w > 1:
        left = Image.new(im.mode, im.size, 0)  # each pixel's left neighbour; 0 before the first
        left.paste(im.crop((0, 0, w - 1, h)), (1, 0))
        filtered = ImageChops.subtract_modulo(im, left).tobytes()
    else:
        filtered = im.tobytes()
    stride = w * channels
    rows = b"".join(b"\x01" + filtered[i : i + stride] for i in range(0, stride * h, stride))
    packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    stream = packer.compress(rows) + packer.flush()
    parts = [
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)),
    ]
    parts += [
        _chunk(b"IDAT", stream[i : i + _IDAT_PIECE]) for i in range(0, len(stream), _IDAT_PIECE)
    ]
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def bit_depth(data: bytes) -> int:
    """The bit depth in a PNG's IHDR (8 when it cannot be read: Pillow will judge the file)."""
    return data[24] if len(data) > 24 and data[12:16] == b"IHDR" else 8


def _expected_bytes(width: int, height: int, depth: int, colour_type: int, interlace: int) -> int:
    """How many bytes the decompressed pixel data must have (filter byte + packed row, per row
    of each pass)."""
    bits = _CHANNELS.get(colour_type, 4) * depth

    def rows(w: int, h: int) -> int:
        return 0 if w == 0 or h == 0 else h * (1 + (w * bits + 7) // 8)

    if not interlace:
        return rows(width, height)
    # Adam7: (x start, y start, x step, y step) of the seven passes.
    passes = (
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    )
    return sum(
        rows((width - x + dx - 1) // dx, (height - y + dy - 1) // dy) for x, y, dx, dy in passes
    )


def missing_data(data: bytes) -> str | None:
    """Why a PNG's pixel data is not all there, or None when it is.

    Pillow fills rows missing from a zlib stream that ends early with zeros, without a word, and
    a crafted file can declare 80 million pixels in a kilobyte; this walks the IDAT chunks and
    inflates them a megabyte at a time, counting, so nothing of the declared size is allocated.
    """
    if len(data) < 33 or data[12:16] != b"IHDR":
        return "no header"
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    need = _expected_bytes(width, height, depth, colour_type, interlace)
    inflater = zlib.decompressobj()
    got = 0
    pos = 8
    seen_idat = False
    while pos + 8 <= len(data) and got < need:
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IDAT":
            seen_idat = True
            try:
                got += len(inflater.decompress(body, 1 << 20))
                while inflater.unconsumed_tail and got < need:
                    got += len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
            except zlib.error as exc:
                return f"broken compressed data: {exc}"
            if inflater.eof:
                break
        elif seen_idat:  # the image data is one run of IDAT chunks
            break
    if got < need:
        return f"{got:,} of {need:,} bytes of pixel data"
    return None
