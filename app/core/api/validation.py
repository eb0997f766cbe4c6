"""Every documented limit of the service, checked before anything is sent.

The sentences end up in the GUI and on stderr as they are, so they say what is wrong and how
to fix it, in words a person understands.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from app.core.api import models
from app.core.api.models import ImageRequest, InputImage


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"  # decimal, like OpenAI's "50MB" (50,000,000 bytes)


def _choice_problem(label: str, value: object, allowed: tuple[str, ...]) -> str | None:
    if value in allowed:
        return None
    return f"The {label} must be one of {', '.join(allowed)}, not {value!r}."


def _header(image: InputImage) -> Image.Image | None:
    """The image opened lazily: Pillow reads the header here and decodes no pixels."""
    try:
        with warnings.catch_warnings():
            # A huge picture is the server's business (it has its own limits), not a reason to stop here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(image.data))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _image_problems(req: ImageRequest) -> list[str]:
    problems: list[str] = []
    if len(req.images) > models.MAX_IMAGES:
        problems.append(
            f"At most {models.MAX_IMAGES} input images can be sent; this request has {len(req.images)}."
        )
    for index, image in enumerate(req.images, start=1):
        name = f"Input image {index} ({image.filename})"
        fmt = image.format
        if fmt is None:
            problems.append(f"{name} is not a PNG, JPEG or WebP picture.")
            continue
        if len(image.data) >= models.MAX_IMAGE_BYTES:
            problems.append(
                f"{name} is {_mb(len(image.data))}; each input image must be under 50 MB."
            )
        if _header(image) is None:
            problems.append(f"{name} looks like a {fmt.upper()} file but cannot be read; it may be damaged.")
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
    if len(mask.data) >= models.MAX_MASK_BYTES:
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
    elif len(prompt) > models.MAX_PROMPT_CHARS:
        problems.append(
            f"The prompt is {len(prompt):,} characters long; at most {models.MAX_PROMPT_CHARS:,} are allowed."
        )

    if not isinstance(req.model, str) or not req.model.strip():
        problems.append(f"The model name is empty; use {models.DEFAULT_MODEL} unless you know better.")

    if req.size not in models.SIZES:
        why = custom_size_problem_sentence(req.size)
        if why:
            problems.append(why)

    for label, value, allowed in (
        ("quality", req.quality, models.QUALITIES),
        ("background", req.background, models.BACKGROUNDS),
        ("output format", req.output_format, models.FORMATS),
        ("moderation level", req.moderation, models.MODERATIONS),
    ):
        problem = _choice_problem(label, value, allowed)
        if problem:
            problems.append(problem)

    compression = req.output_compression
    if compression is not None:
        if isinstance(compression, bool) or not isinstance(compression, int):
            problems.append(f"The compression must be a whole number from 0 to 100, not {compression!r}.")
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
            problems.append("Input fidelity only applies to edits; add an input image or leave it unset.")
        problem = _choice_problem("input fidelity", req.input_fidelity, models.FIDELITIES)
        if problem:
            problems.append(problem)

    problems.extend(_image_problems(req))
    problems.extend(_mask_problems(req))
    return problems


def custom_size_problem_sentence(size: object) -> str | None:
    if not isinstance(size, str):
        return f"The size must be text such as 1024x1024, not {size!r}."
    why = models.custom_size_problem(size)
    if why is None:
        return None
    return why[0].upper() + why[1:] + "."
