"""Which flat colour to ask for behind the subject of a "Transparent (cut out)" picture, and
the words that ask for it (app.core.cutout removes that colour afterwards).

Plain text work, no Pillow: the prompt form uses it while the person types.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from app.core.api.models import ImageRequest

Colour = tuple[int, int, int]

GREEN: Colour = (0, 255, 0)
MAGENTA: Colour = (255, 0, 255)
BLUE: Colour = (0, 0, 255)

# Words that say a key colour would also be in the subject (English, and Chinese for the
# catalogue's users). The first family with the fewest mentions wins.
_FAMILIES: tuple[tuple[Colour, str, tuple[str, ...]], ...] = (
    (
        GREEN,
        "green",
        (
            "green",
            "plant",
            "leaf",
            "leaves",
            "tree",
            "forest",
            "grass",
            "jungle",
            "moss",
            "fern",
            "cactus",
            "cacti",
            "succulent",
            "lime",
            "mint",
            "emerald",
            "olive",
            "jade",
            "frog",
            "lizard",
            "salad",
            "lettuce",
            "broccoli",
            "cucumber",
            "avocado",
            "herb",
            "basil",
            "clover",
            "shamrock",
            "garden",
            "vine",
            "ivy",
            "bamboo",
            "pea",
            "kiwi",
            "chlorophyll",
        ),
    ),
    (
        MAGENTA,
        "magenta",
        (
            "magenta",
            "pink",
            "purple",
            "violet",
            "lilac",
            "lavender",
            "fuchsia",
            "orchid",
            "plum",
            "mauve",
            "flamingo",
            "amethyst",
            "grape",
            "raspberry",
            "peony",
            "hibiscus",
        ),
    ),
    (
        BLUE,
        "blue",
        (
            "blue",
            "sky",
            "sea",
            "ocean",
            "water",
            "navy",
            "teal",
            "cyan",
            "turquoise",
            "azure",
            "denim",
            "sapphire",
            "cobalt",
            "indigo",
            "lake",
            "river",
            "wave",
            "ice",
            "glacier",
        ),
    ),
)
_CJK = {GREEN: "绿植叶树草竹", MAGENTA: "粉紫品", BLUE: "蓝天海水湖冰"}
_NAMES = {
    GREEN: "pure green (#00FF00)",
    MAGENTA: "pure magenta (#FF00FF)",
    BLUE: "pure blue (#0000FF)",
}


def _mentions(prompt: str, words: Sequence[str], cjk: str) -> int:
    text = prompt.lower()
    pattern = r"\b(?:" + "|".join(re.escape(w) for w in words) + r")(?:s|es)?\b"
    return len(re.findall(pattern, text)) + sum(text.count(ch) for ch in cjk)


def choose_key_colour(prompt: str) -> Colour:
    """A flat key colour the subject is unlikely to contain: green, unless the prompt mentions
    green things (plants, leaves, ...), then magenta, unless pink or purple things, then blue;
    when all three are mentioned, the one mentioned least (in that order on a tie)."""
    counts = [
        (_mentions(prompt, words, _CJK[key]), i, key)
        for i, (key, _n, words) in enumerate(_FAMILIES)
    ]
    return min(counts)[2]


def colour_name(key: Colour) -> str:
    return _NAMES.get(key, "#{:02X}{:02X}{:02X}".format(*key))


_KEY_WORDS = (
    (GREEN, ("#00ff00", "green", "绿")),
    (MAGENTA, ("#ff00ff", "magenta", "洋红", "品红")),
    (BLUE, ("#0000ff", "blue", "蓝")),
)


def key_in_text(text: str) -> Colour | None:
    """The key colour an (edited) prompt addition names first, or None."""
    lowered = text.lower()
    found = [(lowered.find(w), key) for key, words in _KEY_WORDS for w in words if w in lowered]
    return min(found)[1] if found else None


def prompt_addition(key: Colour) -> str:
    """The sentence added to the prompt (shown to the user, who may edit it)."""
    name = colour_name(key)
    return (
        f"Place the subject on a perfectly flat, solid {name} background that fills the whole "
        "frame: one even colour, no gradient, texture, floor, shadows or reflections on it, and "
        "keep that colour out of the subject itself."
    )


def as_cutout(request: ImageRequest) -> ImageRequest:
    """The same request by the cut-out route (for the one-click offer after a server refuses
    native transparency): opaque, the addition appended to the prompt, the key carried along."""
    key = choose_key_colour(request.prompt)
    return dataclasses.replace(
        request,
        prompt=f"{request.prompt}\n\n{prompt_addition(key)}",
        background="opaque",
        cutout_key=key,
    )


def refused_transparency(background: object, kind: str | None, words: str) -> bool:
    """The server refused native transparency for this model (gpt-image-2 answers 400
    "Transparent background is not supported for this model.", code invalid_value): the job
    can be sent again by the cut-out route. `words`: the server's message and detail."""
    text = words.lower()
    return (
        background == "transparent"
        and kind == "invalid_request"
        and "transparent" in text
        and "not supported" in text
    )
