"""Small builders shared by the simulator tests."""

from __future__ import annotations

import base64
import io
import json
import ssl
from functools import lru_cache
from typing import Any

import httpx
from PIL import Image, ImageDraw

# A copy of the shared spec extract (MIT, OpenAI; commit noted inside) so a fresh clone has it.
from tests.conftest import SPEC_PATH as SPEC
from tests.conftest import TEST_KEY


def png(
    size: tuple[int, int] = (1024, 1024),
    colour: tuple[int, ...] = (90, 120, 200),
    mode: str = "RGB",
) -> bytes:
    img = Image.new(mode, size, colour)
    # A second colour so the picture is not flat: drift and repaint show up in both.
    ImageDraw.Draw(img).rectangle(
        (size[0] // 8, size[1] // 8, size[0] // 3, size[1] // 3), fill=(230, 200, 60)[: len(colour)]
    )
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def encoded(size: tuple[int, int], fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 160, 90)).save(out, fmt.upper())
    return out.getvalue()


def mask_png(
    size: tuple[int, int] = (1024, 1024),
    hole: tuple[int, int, int, int] = (256, 256, 768, 768),
    *,
    alpha: bool = True,
) -> bytes:
    """Opaque everywhere except `hole` (alpha 0: the part to repaint)."""
    img = Image.new("RGBA", size, (0, 0, 0, 255))
    ImageDraw.Draw(img).rectangle(hole, fill=(0, 0, 0, 0))
    out = io.BytesIO()
    (img if alpha else img.convert("RGB")).save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def decode_b64(b64: str) -> Image.Image:
    img = Image.open(io.BytesIO(base64.b64decode(b64)))
    img.load()
    return img


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    return json.loads(SPEC.read_text())


def validator(schema_name: str) -> Any:
    """A jsonschema validator for one component of the spec, its $refs resolved in the spec."""
    import jsonschema

    document = spec()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    return jsonschema.Draft202012Validator(schema)


# One SSL context for every client: httpx builds a fresh one per client otherwise (~20 ms each),
# and these clients only ever speak plain HTTP to 127.0.0.1.
SSL_CONTEXT = ssl.create_default_context()


def http_client(base_url: str, key: str | None = TEST_KEY, **kwargs) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=base_url, headers=headers, verify=SSL_CONTEXT, **kwargs)
