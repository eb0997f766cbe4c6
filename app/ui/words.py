"""The words a person reads for the values the wire carries: "high" is sent, "High" (or "高")
is shown. One table for every view that shows a job's parameters (result, task rows, gallery
details), so a value reads the same everywhere and in every language. A value this app does
not know (a newer server's) is shown as it came."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate


def quality(value: str | None) -> str:
    words = {
        "auto": translate("Words", "Auto"),
        "low": translate("Words", "Low"),
        "medium": translate("Words", "Medium"),
        "high": translate("Words", "High"),
        "standard": translate("Words", "Standard"),
        "hd": translate("Words", "HD"),
    }
    return words.get(value or "", value or "")


def background(value: str | None) -> str:
    words = {
        "auto": translate("Words", "Auto"),
        "opaque": translate("Words", "Opaque"),
        "transparent": translate("Words", "Transparent"),
        "transparent_cutout": translate("Words", "Transparent (cut out)"),
    }
    return words.get(value or "", value or "")


def moderation(value: str | None) -> str:
    words = {"auto": translate("Words", "Auto"), "low": translate("Words", "Low")}
    return words.get(value or "", value or "")


def input_fidelity(value: str | None) -> str:
    words = {"high": translate("Words", "High"), "low": translate("Words", "Low")}
    return words.get(value or "", value or "")


def flavour(value: str | None, *, short: bool = False) -> str:
    if short:
        words = {"async": translate("Words", "Async"), "compat": translate("Words", "Compat")}
    else:
        words = {
            "async": translate("Words", "Async task"),
            "compat": translate("Words", "Compat (synchronous)"),
        }
    return words.get(value or "", value or "")


def output_format(value: str | None) -> str:
    # Names, the same in every language.
    names = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WebP"}
    return names.get((value or "").lower(), (value or "").upper())


def size(value: str | None) -> str:
    if value == "auto":
        return translate("Words", "Auto")
    return (value or "").replace("x", " × ")


def pixels(n: int) -> str:
    return translate("Words", "%1 px").replace("%1", f"{n:,}")


def pixel_suffix() -> str:
    """For a spin box's suffix: the unit after the number, its space included."""
    return translate("Words", " px")


def file_size(n: int) -> str:
    if n >= 1024 * 1024:
        return translate("Words", "%1 MB").replace("%1", f"{n / 1024 / 1024:,.1f}")
    return translate("Words", "%1 KB").replace("%1", f"{n / 1024:,.0f}")


# Each parameter's words, by the name the request and the library use.
BY_PARAMETER = {
    "quality": quality,
    "background": background,
    "moderation": moderation,
    "input_fidelity": input_fidelity,
    "output_format": output_format,
    "size": size,
}


def parameter(name: str, value: object) -> str:
    """The shown words for request parameter `name` set to `value`."""
    words = BY_PARAMETER.get(name)
    text = "" if value is None else str(value)
    return words(text) if words is not None else text
