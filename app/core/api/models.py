"""The request and result types shared by both flavours, the CLI, the simulator and the GUI,
and the documented limits a request is checked against before anything is sent."""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

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


# -- Every documented limit of the service, checked before anything is sent. The sentences end
# up in the GUI and on stderr as they are, so they say what is wrong and how to fix it, in words
# a person understands. (They live beside the request they check: apart, the two files imported
# each other.)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"  # decimal, like OpenAI's "50MB" (50,000,000 bytes)


def _choice_problem(label: str, value: object, allowed: tuple[str, ...]) -> str | None:
    if value in allowed:
        return None
    return f"The {label} must be one of {', '.join(allowed)}, not {value!r}."


def _header(image: InputImage) -> Image.Image | None:
    """The image opened lazily: Pillow reads the header here and decodes no pixels."""
    # Pillow is imported on the first picture checked, not with these types, which every
    # entry point imports at start.
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # A huge picture is the server's business (it has its own limits), not a reason to stop here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(image.data))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _image_problems(req: ImageRequest) -> list[str]:
    problems: list[str] = []
    if len(req.images) > MAX_IMAGES:
        problems.append(
            f"At most {MAX_IMAGES} input images can be sent; this request has {len(req.images)}."
        )
    for index, image in enumerate(req.images, start=1):
        name = f"Input image {index} ({image.filename})"
        fmt = image.format
        if fmt is None:
            problems.append(f"{name} is not a PNG, JPEG or WebP picture.")
            continue
        if len(image.data) >= MAX_IMAGE_BYTES:
            problems.append(
                f"{name} is {_mb(len(image.data))}; each input image must be under 50 MB."
            )
        if _header(image) is None:
            problems.append(
                f"{name} looks like a {fmt.upper()} file but cannot be read; it may be damaged."
            )
    return problems


def _mask_problems(req: ImageRequest) -> list[str]:
    mask = req.mask
    if mask is None:
        return []
    if not req.images:
        return ["A mask can only be used together with an input image to edit."]
    problems: list[str] = []
    if mask.format != "png":
        return [f"The mask ({mask.filename}) must be a PNG file with transparency."]
    if len(mask.data) >= MAX_MASK_BYTES:
        problems.append(f"The mask is {_mb(len(mask.data))}; it must be under 4 MB.")
    header = _header(mask)
    if header is None:
        problems.append(f"The mask ({mask.filename}) cannot be read; it may be damaged.")
        return problems
    # The service wants a real alpha channel (PNG colour types 4 and 6); a palette with tRNS is refused.
    if header.mode not in ("RGBA", "LA", "PA", "RGBa", "La"):
        problems.append(
            "The mask must have an alpha channel (transparent pixels mark what to repaint); "
            f"{mask.filename} has none."
        )
    first = req.images[0]
    first_header = _header(first) if first.format else None
    if first_header is not None and header.size != first_header.size:
        mw, mh = header.size
        iw, ih = first_header.size
        problems.append(
            f"The mask is {mw}x{mh} pixels but the first input image is {iw}x{ih}; "
            "they must be exactly the same size."
        )
    return problems


def request_problems(req: ImageRequest) -> list[str]:
    """Every documented limit `req` breaks, as sentences; empty when it may be sent."""
    problems: list[str] = []

    prompt = req.prompt if isinstance(req.prompt, str) else ""
    if not prompt.strip():
        problems.append("The prompt is empty; describe the picture you want.")
    elif len(prompt) > MAX_PROMPT_CHARS:
        problems.append(
            f"The prompt is {len(prompt):,} characters long; at most {MAX_PROMPT_CHARS:,} are allowed."
        )

    if not isinstance(req.model, str) or not req.model.strip():
        problems.append(f"The model name is empty; use {DEFAULT_MODEL} unless you know better.")

    if req.size not in SIZES:
        why = custom_size_problem_sentence(req.size)
        if why:
            problems.append(why)

    for label, value, allowed in (
        ("quality", req.quality, QUALITIES),
        ("background", req.background, BACKGROUNDS),
        ("output format", req.output_format, FORMATS),
        ("moderation level", req.moderation, MODERATIONS),
    ):
        problem = _choice_problem(label, value, allowed)
        if problem:
            problems.append(problem)

    compression = req.output_compression
    if compression is not None:
        if isinstance(compression, bool) or not isinstance(compression, int):
            problems.append(
                f"The compression must be a whole number from 0 to 100, not {compression!r}."
            )
        elif not 0 <= compression <= 100:
            problems.append(f"The compression must be from 0 to 100, not {compression}.")
        if req.output_format not in ("jpeg", "webp"):
            problems.append(
                "Compression only applies to JPEG and WebP; choose one of those formats or leave compression unset."
            )

    if req.background == "transparent" and req.output_format not in ("png", "webp"):
        problems.append(
            "A transparent background needs the PNG or WebP format; JPEG cannot store transparency."
        )

    if req.user is not None and not isinstance(req.user, str):
        problems.append(f"The user id must be text, not {req.user!r}.")

    if req.input_fidelity is not None:
        if not req.images:
            problems.append(
                "Input fidelity only applies to edits; add an input image or leave it unset."
            )
        problem = _choice_problem("input fidelity", req.input_fidelity, FIDELITIES)
        if problem:
            problems.append(problem)

    problems.extend(_image_problems(req))
    problems.extend(_mask_problems(req))
    return problems


def custom_size_problem_sentence(size: object) -> str | None:
    if not isinstance(size, str):
        return f"The size must be text such as 1024x1024, not {size!r}."
    why = custom_size_problem(size)
    if why is None:
        return None
    return why[0].upper() + why[1:] + "."
