"""Answers with pictures inline read as json.loads reads them, with the long strings cut out."""

from __future__ import annotations

import base64
import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.core.api import picture_json
from app.core.api.errors import ApiError, ErrorKind
from app.core.api.parse import load_json, parse_result

LONG_B64 = base64.b64encode(os.urandom(3 * picture_json.LONG)).decode()


def no_fetch(url: str) -> bytes:
    raise AssertionError(f"nothing should be downloaded, asked for {url}")


def test_a_compat_answer_with_a_heavy_picture_gives_the_picture_back_byte_for_byte() -> None:
    noise = Image.frombytes("RGB", (1536, 1024), os.urandom(1536 * 1024 * 3))
    buf = io.BytesIO()
    noise.save(buf, format="PNG", compress_level=1)  # as heavy as a real result, or heavier
    png = buf.getvalue()
    body = json.dumps(
        {"created": 1, "data": [{"b64_json": base64.b64encode(png).decode()}]}
    ).encode()
    result = parse_result(load_json(body), no_fetch)
    assert result.images[0].data == png


# Values as answers hold them, a long base64 string (or a short one) among them.
_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_long = st.integers(min_value=picture_json.LONG, max_value=len(LONG_B64)).map(
    lambda n: LONG_B64[:n]
)
_values = st.recursive(
    _leaves | _long,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | _long, inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_values, ascii_only=st.booleans())
def test_any_answer_reads_as_json_reads_it(value: object, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert picture_json.loads(body) == json.loads(body)


@pytest.mark.parametrize(
    "body",
    [
        # Escapes in a long string: json.loads reads it, escapes and all.
        json.dumps({"url": "data:image/png;base64," + LONG_B64}).replace("/", "\\/").encode(),
        # A quote escaped just before a long string begins.
        json.dumps({"note": 'say "hi"', "b64_json": LONG_B64}).encode(),
        json.dumps([LONG_B64, "\\", LONG_B64]).encode(),
        # An escaped quote, then much that is not a string: it stays what it is.
        json.dumps(['say "hi', list(range(20_000)), "b", LONG_B64]).encode(),
    ],
)
def test_escapes_around_long_strings_read_as_json_reads_them(body: bytes) -> None:
    assert picture_json.loads(body) == json.loads(body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": [{"b64_json": "' + LONG_B64.encode() + b'"}',  # cut short
        b'{"data": [{"b64_json": "' + LONG_B64.encode(),  # cut inside the picture
        b'["' + LONG_B64.encode() + b'\xff"]',  # not UTF-8
        b'{"a": "' + LONG_B64.encode() + b'"}}',  # one brace too many
    ],
)
def test_a_damaged_answer_with_a_picture_is_still_malformed(body: bytes) -> None:
    with pytest.raises(ApiError) as info:
        load_json(body)
    assert info.value.kind is ErrorKind.malformed
