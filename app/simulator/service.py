"""What the simulated service checks and makes: request validation, images, ImagesResponse.

The HTTP layer (server.py) turns the three ways of asking (JSON generation, multipart edit,
async task JSON) into one `Job`; everything here is independent of how it arrived.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import math
import re
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageFilter

from app.core import sizes
from app.core.api.models import (
    BACKGROUNDS,
    FIDELITIES,
    FORMATS,
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    MAX_MASK_BYTES,
    MAX_PROMPT_CHARS,
    MODERATIONS,
    QUALITIES,
    SIZES,
    custom_size_problem,
    parse_size,
    sniff_format,
)
from app.simulator import painter

# Prompts containing one of these whole words are refused as the safety system would refuse
# them, so tests and the demo can show a refusal without real objectionable text.
MODERATION_TRIGGER_WORDS = ("forbidden",)
_TRIGGER_RE = re.compile(r"\b(" + "|".join(MODERATION_TRIGGER_WORDS) + r")\b", re.IGNORECASE)

SAFETY_MESSAGE = (
    "Your request was rejected by the safety system. Your request may contain content that is "
    "not allowed by our safety system. If you believe this is an error, contact support and "
    "include the request ID {request_id}."
)

RESPONSE_FORMATS = ("url", "b64_json")
MAX_PARTIAL_IMAGES = 3

# Output tokens OpenAI publishes for a 1024x1024 image at each quality; other sizes scale by area.
_OUTPUT_TOKENS_1024 = {"low": 272, "medium": 1056, "high": 4160}
_FIDELITY_HIGH_EXTRA_TOKENS = 4096


class ApiProblem(Exception):
    """An answer in OpenAI's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


NO_TRANSPARENCY_MODELS = frozenset({"gpt-image-2"})
TRANSPARENT_REFUSED = "Transparent background is not supported for this model."


def bad(message: str, param: str | None, code: str | None = "invalid_value") -> ApiProblem:
    return ApiProblem(400, message, param=param, code=code)


@dataclass
class SourceImage:
    """An input image as received: inline bytes, or a URL fetched when the work starts."""

    data: bytes | None = None
    url: str | None = None
    param: str = "image"


@dataclass
class Job:
    prompt: str
    model: str = "gpt-image-2"
    size: str = "auto"
    quality: str = "auto"
    background: str = "auto"
    output_format: str = "png"
    output_compression: int | None = None
    moderation: str = "auto"
    user: str | None = None
    input_fidelity: str | None = None
    images: list[SourceImage] = field(default_factory=list)
    mask: SourceImage | None = None
    stream: bool = False  # answer Server-Sent Events (Compat only)
    partial_images: int = 0  # previews streamed before the final picture (0-3)

    @property
    def is_edit(self) -> bool:
        return bool(self.images)


@dataclass
class Output:
    data: bytes
    fmt: str
    response: dict[str, Any]  # the ImagesResponse, b64_json filled in
    partials: list[bytes] = field(default_factory=list)  # encoded previews, first to last


# ---------------------------------------------------------------- reading parameters


def _enum(value: Any, param: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(f"'{a}'" for a in allowed[:-1]) + f", and '{allowed[-1]}'"
        raise bad(f"Invalid value: '{value}'. Supported values are: {listed}.", param)
    return value


def _integer(value: Any, param: str, *, from_form: bool) -> int:
    if from_form and isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    raise bad(
        f"Invalid type for '{param}': expected an integer, but got {type(value).__name__} instead.",
        param,
        "invalid_type",
    )


def _boolean(value: Any, param: str, *, from_form: bool) -> bool:
    if isinstance(value, bool):
        return value
    if from_form and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad(
        f"Invalid type for '{param}': expected a boolean, but got {type(value).__name__} instead.",
        param,
        "invalid_type",
    )


def read_job(params: dict[str, Any], *, from_form: bool, edit: bool) -> Job:
    """Check the text parameters the way OpenAI does and build a Job (images added by the caller)."""
    prompt = params.get("prompt")
    if prompt is None:
        raise bad("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
    if not isinstance(prompt, str):
        raise bad(
            f"Invalid type for 'prompt': expected a string, but got {type(prompt).__name__} instead.",
            "prompt",
            "invalid_type",
        )
    if not prompt.strip():
        raise bad(
            "Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an empty string instead.",
            "prompt",
            "empty_string",
        )
    if len(prompt) > MAX_PROMPT_CHARS:
        raise bad(
            f"Invalid 'prompt': string too long. Expected a string with maximum length {MAX_PROMPT_CHARS}, "
            f"but got a string with length {len(prompt)} instead.",
            "prompt",
            "string_above_max_length",
        )
    job = Job(prompt=prompt)

    def present(name: str) -> bool:
        return params.get(name) is not None

    if present("model"):
        model = params["model"]
        if not isinstance(model, str) or not model.strip():
            raise bad("Invalid 'model': expected a non-empty string.", "model")
        if not model.startswith(("gpt-image", "chatgpt-image")):
            raise bad(
                f"Invalid value: '{model}'. This endpoint serves the GPT image models only (e.g. 'gpt-image-2').",
                "model",
            )
        job.model = model
    if present("n"):
        n = _integer(params["n"], "n", from_form=from_form)
        if n != 1:
            raise bad(
                f"Invalid 'n': only n=1 is supported (got {n}); send one request per image.", "n"
            )
    if present("quality"):
        job.quality = _enum(params["quality"], "quality", QUALITIES)
    if present("background"):
        job.background = _enum(params["background"], "background", BACKGROUNDS)
    if present("output_format"):
        job.output_format = _enum(params["output_format"], "output_format", FORMATS)
    if present("moderation") and not edit:
        job.moderation = _enum(params["moderation"], "moderation", MODERATIONS)
    if present("response_format"):
        # Accepted for DALL-E compatibility and ignored: GPT image models always answer b64_json.
        _enum(params["response_format"], "response_format", RESPONSE_FORMATS)
    if present("user"):
        if not isinstance(params["user"], str):
            raise bad("Invalid type for 'user': expected a string.", "user", "invalid_type")
        job.user = params["user"]
    if present("input_fidelity") and edit:
        job.input_fidelity = _enum(params["input_fidelity"], "input_fidelity", FIDELITIES)
    if present("stream"):
        job.stream = _boolean(params["stream"], "stream", from_form=from_form)
    if present("partial_images"):
        n = _integer(params["partial_images"], "partial_images", from_form=from_form)
        if not 0 <= n <= MAX_PARTIAL_IMAGES:
            above = n > MAX_PARTIAL_IMAGES
            raise bad(
                f"Invalid 'partial_images': integer {'above maximum' if above else 'below minimum'} "
                f"value. Expected a value {'<= 3' if above else '>= 0'}, but got {n} instead.",
                "partial_images",
                "integer_above_max_value" if above else "integer_below_min_value",
            )
        job.partial_images = n
    if present("output_compression"):
        c = _integer(params["output_compression"], "output_compression", from_form=from_form)
        if c > 100:
            raise bad(
                f"Invalid 'output_compression': integer above maximum value. Expected a value <= 100, but got {c} instead.",
                "output_compression",
                "integer_above_max_value",
            )
        if c < 0:
            raise bad(
                f"Invalid 'output_compression': integer below minimum value. Expected a value >= 0, but got {c} instead.",
                "output_compression",
                "integer_below_min_value",
            )
        if job.output_format == "png":
            raise bad(
                "output_compression is only supported with the 'jpeg' and 'webp' output formats, not 'png'.",
                "output_compression",
            )
        job.output_compression = c
    if job.background == "transparent" and job.output_format == "jpeg":
        raise bad(
            "Transparent backgrounds are not supported with the 'jpeg' output format; use 'png' or 'webp'.",
            "background",
        )
    if job.background == "transparent" and job.model in NO_TRANSPARENCY_MODELS:
        # As the service answers today (refused at launch, a preview from 2026-08-21, refused
        # again since 2026-09-30); other model names still get transparent pictures.
        raise bad(TRANSPARENT_REFUSED, "background")
    if present("size"):
        size = params["size"]
        if not isinstance(size, str):
            raise bad("Invalid type for 'size': expected a string.", "size", "invalid_type")
        if size not in SIZES:
            problem = custom_size_problem(size)
            if problem:
                raise bad(f"Invalid value: '{size}'. {problem[0].upper()}{problem[1:]}.", "size")
        job.size = size
    return job


def moderation_problem(job: Job, request_id: str) -> ApiProblem | None:
    if _TRIGGER_RE.search(job.prompt):
        return ApiProblem(
            400,
            SAFETY_MESSAGE.format(request_id=request_id),
            type="image_generation_user_error",
            param=None,
            code="moderation_blocked",
        )
    return None


# ---------------------------------------------------------------- images


def data_url_bytes(value: str, param: str) -> bytes:
    head, sep, payload = value.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise bad(
            f"Invalid '{param}': expected a base64 data URL (data:image/png;base64,...).",
            param,
            "invalid_image_url",
        )
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise bad(
            f"Invalid '{param}': the data URL's base64 payload does not decode.",
            param,
            "invalid_image_url",
        ) from None


def source_from_string(
    value: Any, param: str, resolve_own: Callable[[str], bytes | None]
) -> SourceImage:
    if not isinstance(value, str) or not value:
        raise bad(
            f"Invalid type for '{param}': expected a data URL or an https URL.",
            param,
            "invalid_type",
        )
    if value.startswith("data:"):
        return SourceImage(data=data_url_bytes(value, param), param=param)
    if value.startswith(("https://", "http://")):
        own = resolve_own(value)
        return (
            SourceImage(data=own, param=param)
            if own is not None
            else SourceImage(url=value, param=param)
        )
    raise bad(
        f"Invalid '{param}': expected a full data URL (data:image/png;base64,...) or an https URL; "
        "bare base64 and file paths are not accepted.",
        param,
        "invalid_image_url",
    )


def fetch(source: SourceImage, limit: int) -> bytes:
    """Download a URL input (bounded); only called for URLs that are not the simulator's own."""
    assert source.url is not None
    try:
        with urllib.request.urlopen(source.url, timeout=10) as resp:  # http(s) only, checked above
            data = resp.read(limit + 1)
    # Any network failure (refused, timed out, HTTP error, a bad URL or a garbled answer) is the
    # task's failure, as on the real service.
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise bad(
            f"Failed to download '{source.param}' from {source.url}: {exc}",
            source.param,
            "image_download_failed",
        ) from None
    if len(data) > limit:
        raise bad(
            f"Invalid '{source.param}': the file is larger than {limit // (1024 * 1024)} MB.",
            source.param,
            "file_too_large",
        )
    return data


def decode_inputs(job: Job) -> tuple[list[Image.Image], Image.Image | None]:
    """Decode and check the input images and mask; raises ApiProblem like OpenAI would."""
    if len(job.images) > MAX_IMAGES:
        raise bad(
            f"Invalid 'image': array too long. Expected an array with maximum length {MAX_IMAGES}, "
            f"but got an array with length {len(job.images)} instead.",
            "image",
            "array_above_max_length",
        )
    images = []
    for i, src in enumerate(job.images):
        data = src.data if src.data is not None else fetch(src, MAX_IMAGE_BYTES)
        if len(data) > MAX_IMAGE_BYTES:
            raise bad(
                f"Invalid '{src.param}': image {i + 1} is larger than 50 MB.",
                src.param,
                "file_too_large",
            )
        fmt = sniff_format(data)
        if fmt is None:
            raise bad(
                f"Invalid file '{src.param}': unsupported image format for image {i + 1}. "
                "Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
                src.param,
                "unsupported_file_mimetype",
            )
        try:
            images.append(painter.decode(data))
        except Exception:  # noqa: BLE001 - whatever Pillow raises on a damaged file, the service says 400
            raise bad(
                f"Invalid image file for image {i + 1}: it could not be read as {fmt}.",
                src.param,
                "invalid_image_file",
            ) from None
    mask = None
    if job.mask is not None:
        src = job.mask
        data = src.data if src.data is not None else fetch(src, MAX_MASK_BYTES)
        if len(data) > MAX_MASK_BYTES:
            raise bad(
                "Invalid 'mask': the mask must be smaller than 4 MB.", "mask", "file_too_large"
            )
        if sniff_format(data) != "png":
            raise bad(
                "Invalid mask image format - the mask must be a PNG file with an alpha channel.",
                "mask",
                "invalid_image_file",
            )
        try:
            mask = painter.decode(data)
        except Exception:  # noqa: BLE001 - whatever Pillow raises on a damaged file, the service says 400
            raise bad(
                "Invalid mask image: it could not be read as a PNG.", "mask", "invalid_image_file"
            ) from None
        if mask.mode not in ("RGBA", "LA", "PA") and "transparency" not in mask.info:
            raise bad(
                f"Invalid mask image format - the mask must have an alpha channel (got mode {mask.mode}).",
                "mask",
                "invalid_image_file",
            )
        if mask.size != images[0].size:
            raise bad(
                f"Invalid mask image: the mask is {mask.width}x{mask.height} but the first image is "
                f"{images[0].width}x{images[0].height}; they must be the same size.",
                "mask",
                "invalid_image_file",
            )
    return images, mask


# ---------------------------------------------------------------- making the answer


def output_size(job: Job, first: Image.Image | None, edit_auto_size: str) -> tuple[int, int]:
    dims = parse_size(job.size) if job.size != "auto" else None
    if dims:
        return dims
    if first is None:
        return (1024, 1024)
    w, h = first.size
    if edit_auto_size == "nearest":
        # Only the three sizes Mountsea documents, the one closest in shape to the source.
        ratio = w / h
        return min(
            ((1024, 1024), (1536, 1024), (1024, 1536)),
            key=lambda s: abs(math.log(ratio * s[1] / s[0])),
        )
    # A size the model makes (never the source's own pixel size, which it cannot): the 1K
    # preset closest in shape, e.g. 1536x1024 for a 3:2 picture, 1536x864 for 16:9.
    preset = sizes.for_source(w, h, "1K")
    return (preset.width, preset.height)


def partial_pictures(picture: Image.Image, count: int, fmt: str) -> list[bytes]:
    """`count` previews of `picture`, as a streaming model sends them: smaller and blurrier
    first, each a little sharper (a quarter of the size keeps them cheap to make and send)."""
    small = picture.copy()
    small.thumbnail((max(16, picture.width // 4), max(16, picture.height // 4)))
    out = []
    for i in range(count):
        radius = 6.0 * (count - i) / count
        out.append(painter.encode(small.filter(ImageFilter.GaussianBlur(radius)), fmt, None))
    return out


def _resolved_quality(q: str) -> str:
    return {"auto": "high", "standard": "medium"}.get(q, q)


def _image_tokens(img: Image.Image) -> int:
    # OpenAI's vision formula: fit in 2048, shortest side to 512-tiles, 65 + 129 per tile.
    fit = min(1.0, 2048 / max(img.size))
    w, h = img.width * fit, img.height * fit
    scale = min(1.0, 768 / min(w, h))
    tiles = math.ceil(w * scale / 512) * math.ceil(h * scale / 512)
    return 65 + 129 * tiles


def revise(prompt: str) -> str:
    text = " ".join(prompt.split()).rstrip(" .")
    return f"{text}. Rendered as a clean digital illustration with soft, even lighting and balanced composition."


def make(
    job: Job,
    *,
    edit_auto_size: str = "preset",
    decoded: tuple[list[Image.Image], Image.Image | None] | None = None,
) -> Output:
    """Decode inputs (unless already done), paint, encode and describe one generation or edit."""
    if decoded is None:
        decoded = decode_inputs(job) if job.is_edit else ([], None)
    images, mask = decoded
    size = output_size(job, images[0] if images else None, edit_auto_size)
    transparent_ok = job.output_format in ("png", "webp")
    if job.background == "transparent":
        transparent = True
    elif job.background == "auto" and images:
        transparent = (
            transparent_ok
            and images[0].mode in ("RGBA", "LA", "PA")
            and _has_transparency(images[0])
        )
    else:
        transparent = False
    if images:
        picture = painter.edit(job.prompt, images, size, mask=mask, transparent=transparent)
    elif not transparent and painter.heavy_mode():
        picture = painter.heavy(job.prompt, size)  # as heavy as a real result, for benchmarks
    else:
        picture = painter.render(job.prompt, size, transparent=transparent)
    if not transparent and picture.mode == "RGBA":
        picture = picture.convert("RGB")
    data = painter.encode(picture, job.output_format, job.output_compression)
    partials = (
        partial_pictures(picture, job.partial_images, job.output_format) if job.stream else []
    )

    quality = _resolved_quality(job.quality)
    text_tokens = max(1, math.ceil(len(job.prompt) / 4))
    image_tokens = sum(_image_tokens(i) for i in images)
    if images and job.input_fidelity == "high":
        image_tokens += _FIDELITY_HIGH_EXTRA_TOKENS
    output_tokens = max(1, round(_OUTPUT_TOKENS_1024[quality] * size[0] * size[1] / (1024 * 1024)))
    response: dict[str, Any] = {
        "created": int(time.time()),
        "data": [
            {
                "b64_json": painter.base64_text(data),
                "revised_prompt": revise(job.prompt),
            }
        ],
        "background": "transparent" if transparent else "opaque",
        "output_format": job.output_format,
        "quality": quality,
        "size": f"{size[0]}x{size[1]}",
        "usage": {
            "input_tokens": text_tokens + image_tokens,
            "input_tokens_details": {"image_tokens": image_tokens, "text_tokens": text_tokens},
            "output_tokens": output_tokens,
            "total_tokens": text_tokens + image_tokens + output_tokens,
        },
    }
    return Output(data=data, fmt=job.output_format, response=response, partials=partials)


def _has_transparency(img: Image.Image) -> bool:
    lo, _ = img.getchannel("A").getextrema()
    return bool(lo < 255)  # type: ignore[operator]  # one band: extrema are two ints
