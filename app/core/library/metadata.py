"""Prompt and settings embedded in the image files themselves, without re-encoding a pixel.

PNG: an iTXt chunk (keyword `mountsea`, JSON) before IEND, plus a readable `Description`.
JPEG: an XMP APP1 segment (dc:description + mountsea:settings JSON); settings too large for one
segment (prompts may be 32,000 characters) go into numbered APP15 segments instead.
WebP: an `XMP ` chunk in the extended (VP8X) container; a simple file is converted to it.

All three are byte-level edits of the container, so the decoded image is identical.
"""

from __future__ import annotations

import html
import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

from app.core.api.models import sniff_format

KEYWORD = b"mountsea"
XMP_NS = "https://mountsea.ai/ns/image-studio/1.0/"
XMP_APP1_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
APP15_HEADER = b"MOUNTSEA\x00"
FORMAT_VERSION = 1
_JPEG_SEGMENT_MAX = 65533  # payload bytes after the 2-byte length

# Characters XML 1.0 forbids: keep them out of the readable description.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class MetadataError(ValueError):
    """The bytes are not a PNG, JPEG or WebP this module can edit."""


def embed(data: bytes, record: dict[str, Any]) -> bytes:
    """`data` with `record` (a JSON-able dict) embedded; format-preserving, pixel-preserving."""
    fmt = sniff_format(data)
    payload = json.dumps({"v": FORMAT_VERSION, **record}, ensure_ascii=False, separators=(",", ":"))
    prompt = str(record.get("params", {}).get("prompt") or "")
    if fmt == "png":
        return _png_embed(data, payload, prompt)
    if fmt == "jpeg":
        return _jpeg_embed(data, payload, prompt)
    if fmt == "webp":
        return _webp_embed(data, payload, prompt)
    raise MetadataError("not a PNG, JPEG or WebP image")


def extract(data: bytes) -> dict[str, Any] | None:
    """The embedded record, or None when the file carries none (or it is unreadable)."""
    fmt = sniff_format(data)
    try:
        if fmt == "png":
            text = _png_extract(data)
        elif fmt == "jpeg":
            text = _jpeg_extract(data)
        elif fmt == "webp":
            text = _webp_extract(data)
        else:
            return None
    except (struct.error, IndexError, zlib.error, UnicodeDecodeError, ValueError):
        return None
    if not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("params"), dict):
        return None
    return record


def read_file(path: Path) -> dict[str, Any] | None:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return extract(data)


# --- PNG -----------------------------------------------------------------------------------


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise MetadataError("not a PNG")
    pos, chunks = 8, []
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        chunks.append((ctype, body))
        pos += 12 + length
        if ctype == b"IEND":
            break
    return chunks


def _png_chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def _itxt(keyword: bytes, text: str, compress: bool) -> bytes:
    raw = text.encode("utf-8")
    if compress:
        return keyword + b"\x00\x01\x00" + b"\x00" + b"\x00" + zlib.compress(raw, 9)
    return keyword + b"\x00\x00\x00" + b"\x00" + b"\x00" + raw


def _png_embed(data: bytes, payload: str, prompt: str) -> bytes:
    chunks = _png_chunks(data)
    out = [data[:8]]
    ours = (KEYWORD + b"\x00", b"Description\x00")
    for ctype, body in chunks:
        if ctype in (b"iTXt", b"tEXt", b"zTXt") and body.startswith(ours):
            continue  # replace our own earlier chunks, keep everyone else's
        if ctype == b"IEND":
            out.append(_png_chunk(b"iTXt", _itxt(KEYWORD, payload, compress=len(payload) > 1024)))
            if prompt:
                out.append(
                    _png_chunk(b"iTXt", _itxt(b"Description", prompt, compress=len(prompt) > 1024))
                )
        out.append(_png_chunk(ctype, body))
    return b"".join(out)


def _png_extract(data: bytes) -> str | None:
    for ctype, body in _png_chunks(data):
        if ctype == b"iTXt" and body.startswith(KEYWORD + b"\x00"):
            rest = body[len(KEYWORD) + 1 :]
            compressed = rest[0] == 1
            rest = rest[2:]
            _lang, rest = rest.split(b"\x00", 1)
            _translated, text = rest.split(b"\x00", 1)
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
    return None


# --- XMP (JPEG and WebP) -------------------------------------------------------------------


def _xmp_packet(payload: str | None, prompt: str) -> bytes:
    settings = ""
    if payload is not None:
        settings = f' mountsea:settings="{html.escape(payload, quote=True)}"'
    desc = html.escape(_XML_ILLEGAL.sub("", prompt), quote=False)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        f' xmlns:mountsea="{XMP_NS}" xmp:CreatorTool="Mountsea Image Studio"{settings}>'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{desc}</rdf:li></rdf:Alt></dc:description>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


_SETTINGS_RE = re.compile(rb'mountsea:settings="([^"]*)"')


def _xmp_settings(xmp: bytes) -> str | None:
    m = _SETTINGS_RE.search(xmp)
    return html.unescape(m.group(1).decode("utf-8")) if m else None


# --- JPEG ----------------------------------------------------------------------------------


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """Header segments (marker, payload) up to the first non-APP/COM marker, and where it starts."""
    if not data.startswith(b"\xff\xd8"):
        raise MetadataError("not a JPEG")
    pos = 2
    segs: list[tuple[int, bytes]] = []
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise MetadataError("corrupt JPEG header")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            return segs, pos
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segs.append((marker, data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    raise MetadataError("JPEG ends inside its header")


def _jpeg_seg(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def _is_ours(marker: int, payload: bytes) -> bool:
    return (marker == 0xE1 and payload.startswith(XMP_APP1_HEADER)) or (
        marker == 0xEF and payload.startswith(APP15_HEADER)
    )


def _jpeg_embed(data: bytes, payload: str, prompt: str) -> bytes:
    segs, body_start = _jpeg_segments(data)
    kept = [(m, p) for m, p in segs if not _is_ours(m, p)]
    xmp = _xmp_packet(payload, prompt)
    extra: list[bytes] = []
    if len(XMP_APP1_HEADER) + len(xmp) > _JPEG_SEGMENT_MAX:
        # Too big for one APP1: the settings travel in numbered APP15 segments, and the XMP keeps
        # a readable (shortened) description for other programs.
        short = prompt
        while len(XMP_APP1_HEADER) + len(_xmp_packet(None, short)) > _JPEG_SEGMENT_MAX:
            short = short[: len(short) * 3 // 4]
        xmp = _xmp_packet(None, short)
        raw = payload.encode("utf-8")
        step = _JPEG_SEGMENT_MAX - len(APP15_HEADER) - 2
        parts = [raw[i : i + step] for i in range(0, len(raw), step)]
        if len(parts) > 255:
            raise MetadataError("settings too large to embed in a JPEG")
        for i, part in enumerate(parts):
            extra.append(_jpeg_seg(0xEF, APP15_HEADER + bytes((i, len(parts))) + part))
    # Keep JFIF (APP0) and Exif (APP1) first, as readers expect, then ours.
    head = [_jpeg_seg(m, p) for m, p in kept if m == 0xE0 or (m == 0xE1 and p.startswith(b"Exif"))]
    rest = [
        _jpeg_seg(m, p) for m, p in kept if not (m == 0xE0 or (m == 0xE1 and p.startswith(b"Exif")))
    ]
    ours = [_jpeg_seg(0xE1, XMP_APP1_HEADER + xmp), *extra]
    return b"\xff\xd8" + b"".join(head + ours + rest) + data[body_start:]


def _jpeg_extract(data: bytes) -> str | None:
    segs, _ = _jpeg_segments(data)
    parts: dict[int, bytes] = {}
    total = 0
    xmp_settings = None
    for marker, payload in segs:
        if marker == 0xEF and payload.startswith(APP15_HEADER):
            idx, total = payload[len(APP15_HEADER)], payload[len(APP15_HEADER) + 1]
            parts[idx] = payload[len(APP15_HEADER) + 2 :]
        elif marker == 0xE1 and payload.startswith(XMP_APP1_HEADER):
            xmp_settings = _xmp_settings(payload[len(XMP_APP1_HEADER) :])
    if total and len(parts) == total:
        return b"".join(parts[i] for i in range(total)).decode("utf-8")
    return xmp_settings


# --- WebP ----------------------------------------------------------------------------------


def _webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise MetadataError("not a WebP")
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = min(len(data), 8 + riff_size)
    pos, chunks = 12, []
    while pos + 8 <= end:
        fourcc = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        chunks.append((fourcc, data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return chunks


def _webp_chunk(fourcc: bytes, body: bytes) -> bytes:
    return fourcc + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _webp_canvas(chunks: list[tuple[bytes, bytes]]) -> tuple[int, int, bool]:
    """Width, height and 'has alpha' of a simple (VP8 / VP8L) WebP."""
    fourcc, body = chunks[0]
    if fourcc == b"VP8 ":
        if body[3:6] != b"\x9d\x01\x2a":
            raise MetadataError("corrupt VP8 frame")
        w, h = struct.unpack("<HH", body[6:10])
        return w & 0x3FFF, h & 0x3FFF, False
    if fourcc == b"VP8L":
        if body[0] != 0x2F:
            raise MetadataError("corrupt VP8L frame")
        (bits,) = struct.unpack("<I", body[1:5])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool((bits >> 28) & 1)
    raise MetadataError(f"unexpected WebP chunk {fourcc!r}")


def _webp_embed(data: bytes, payload: str, prompt: str) -> bytes:
    chunks = [(c, b) for c, b in _webp_chunks(data) if c != b"XMP "]
    if chunks and chunks[0][0] == b"VP8X":
        vp8x = bytearray(chunks[0][1])
        vp8x[0] |= 0x04
        chunks[0] = (b"VP8X", bytes(vp8x))
    else:
        w, h, alpha = _webp_canvas(chunks)
        flags = 0x04 | (0x10 if alpha else 0)
        header = (
            bytes((flags, 0, 0, 0)) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
        )
        chunks.insert(0, (b"VP8X", header))
    chunks.append((b"XMP ", _xmp_packet(payload, prompt)))
    body = b"WEBP" + b"".join(_webp_chunk(c, b) for c, b in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _webp_extract(data: bytes) -> str | None:
    for fourcc, body in _webp_chunks(data):
        if fourcc == b"XMP ":
            return _xmp_settings(body)
    return None
