"""The request and result types shared by both flavours, the CLI, the simulator and the GUI."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum

from app.core import sizes

DEFAULT_MODEL = "gpt-image-2"
DEFAULT_BASE_URL = "https://api.mountsea.ai"

SIZES = ("auto", "1024x1024", "1024x1536", "1536x1024")
QUALITIES = ("auto", "low", "medium", "high", "standard")
BACKGROUNDS = ("auto", "opaque", "transparent")
FORMATS = ("png", "jpeg", "webp")
MODERATIONS = ("auto", "low")
FIDELITIES = ("high", "low")

MAX_PROMPT_CHARS = 32_000
MAX_IMAGES = 16
MAX_IMAGE_BYTES = 50_000_000  # OpenAI's "50MB" is decimal
# OpenAI's JSON `image_url` (the async body's data URLs) takes at most this many characters.
MAX_IMAGE_URL_CHARS = 20_971_520
MAX_MASK_BYTES = 4_000_000  # "4MB", decimal as well

# gpt-image-2 custom sizes (OpenAI's rules, see app.core.sizes): multiples of 16, ratio
# 1:3..3:1, from 655,360 to 8,294,400 pixels, long side at most 3840.
MAX_LONG_SIDE = sizes.MAX_LONG_SIDE
MAX_PIXELS = sizes.MAX_PIXELS
MIN_PIXELS = sizes.MIN_PIXELS
_SIZE_RE = re.compile(r"^(\d{2,5})x(\d{2,5})$")

MIME_BY_FORMAT = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


class Flavour(StrEnum):
    tasks = "async"  # POST /openai/images + GET /openai/tasks (the default)
    compat = "compat"  # POST /openai/v1/images/generations | /edits, synchronous


class ValidationError(ValueError):
    """The request breaks a documented limit; nothing was sent."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_size(size: str) -> tuple[int, int] | None:
    m = _SIZE_RE.match(size)
    return (int(m.group(1)), int(m.group(2))) if m else None


def custom_size_problem(size: str) -> str | None:
    """Why a custom WxH is not allowed for gpt-image-2, or None when it is."""
    dims = parse_size(size)
    if dims is None:
        return f"size must be one of {', '.join(SIZES)} or WIDTHxHEIGHT, not {size!r}"
    return sizes.problem(*dims)


def sniff_format(data: bytes) -> str | None:
    """png / jpeg / webp from the first bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True)
class InputImage:
    data: bytes
    filename: str = "image.png"

    @property
    def format(self) -> str | None:
        return sniff_format(self.data)

    @property
    def mime(self) -> str:
        return MIME_BY_FORMAT.get(self.format or "png", "application/octet-stream")


def image_url_chars(image: InputImage) -> int:
    """How long `image` is as a base64 data URL (client.data_url), without encoding it."""
    mime = MIME_BY_FORMAT.get(image.format or "png", "image/png")
    return len(f"data:{mime};base64,") + 4 * math.ceil(len(image.data) / 3)


def image_url_problems(req: ImageRequest) -> list[str]:
    """The pictures too big for the async body, where each travels as a JSON data URL (OpenAI's
    `image_url` takes at most 20,971,520 characters). The multipart Compat edit has no such bound."""
    problems: list[str] = []
    named = [
        (f"Input image {i} ({img.filename})", img) for i, img in enumerate(req.images, start=1)
    ]
    if req.mask is not None:
        named.append((f"The mask ({req.mask.filename})", req.mask))
    for name, image in named:
        chars = image_url_chars(image)
        if chars > MAX_IMAGE_URL_CHARS:
            mb = len(image.data) / 1_000_000
            problems.append(
                f"{name} is {mb:.1f} MB, {chars:,} characters as a data URL; an async "
                f"task takes at most {MAX_IMAGE_URL_CHARS:,} per picture (about 15 MB). "
                "Use a smaller picture, or the Compat API, which uploads files."
            )
    return problems


@dataclass
class ImageRequest:
    prompt: str
    model: str = DEFAULT_MODEL
    size: str = "auto"
    quality: str = "auto"
    background: str = "auto"
    output_format: str = "png"
    output_compression: int | None = None  # only with jpeg/webp
    moderation: str = "auto"  # never sent on a multipart edit
    user: str | None = None
    input_fidelity: str | None = None  # edits only
    images: list[InputImage] = field(default_factory=list)  # empty: text-to-image
    mask: InputImage | None = None  # applies to images[0]
    # Never sent (common_fields lists what is): set for "Transparent (cut out)", the flat colour
    # asked for behind the subject, which the job removes locally (app.core.cutout.cut_out).
    cutout_key: tuple[int, int, int] | None = None

    @property
    def is_edit(self) -> bool:
        return bool(self.images)

    def problems(self) -> list[str]:
        """Every documented limit this request breaks (empty when it may be sent)."""
        from app.core.api.validation import request_problems

        return request_problems(self)

    def validate(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)

    def parameters(self) -> dict[str, object]:
        """The settings as plain JSON values (no image bytes): for the journal, library and metadata."""
        params: dict[str, object] = {
            "prompt": self.prompt,
            "model": self.model,
            "size": self.size,
            "quality": self.quality,
            "background": self.background,
            "output_format": self.output_format,
            "output_compression": self.output_compression,
            "moderation": self.moderation,
            "user": self.user,
            "input_fidelity": self.input_fidelity,
        }
        if self.cutout_key is not None:  # only when set: older records stay as they were
            params["cutout_key"] = list(self.cutout_key)
        return params

    @classmethod
    def from_parameters(cls, params: dict[str, object]) -> ImageRequest:
        """Inverse of parameters(); unknown keys are ignored, missing ones take defaults."""
        known = {k: v for k, v in params.items() if k in _PARAM_FIELDS and v is not None}
        key = params.get("cutout_key")
        if (
            isinstance(key, (list, tuple))
            and len(key) == 3
            and all(isinstance(c, int) for c in key)
        ):
            known["cutout_key"] = (key[0], key[1], key[2])
        return cls(**known)  # type: ignore[arg-type]


_PARAM_FIELDS = {
    "prompt",
    "model",
    "size",
    "quality",
    "background",
    "output_format",
    "output_compression",
    "moderation",
    "user",
    "input_fidelity",
}


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    text_input_tokens: int = 0
    image_input_tokens: int = 0


@dataclass
class ResultImage:
    data: bytes
    format: str  # png / jpeg / webp, sniffed from the bytes
    revised_prompt: str | None = None


@dataclass
class ImageResult:
    images: list[ResultImage]
    created: int | None = None
    size: str | None = None  # what the server says it made (may be outside the enums)
    quality: str | None = None
    background: str | None = None
    output_format: str | None = None
    usage: Usage = field(default_factory=Usage)
    task_id: str | None = None


FINAL_TASK_STATES = frozenset({"completed", "failed", "cancelled", "timeout"})
PENDING_TASK_STATES = frozenset({"pending", "ready", "assigned", "processing"})


@dataclass
class TaskStatus:
    task_id: str
    status: str
    result: object = None
    error_message: str | None = None
    error_code: int | str | None = None
    trace_id: str | None = None
    created_at: str | None = None
    finished_at: str | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_TASK_STATES
