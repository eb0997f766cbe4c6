"""Every setting of the app, declared once: name, type, default and one line of doc.

Saved as JSON (settings.json in the data dir) with an atomic replace. Loading tolerates a
missing, broken or old file: whatever cannot be read takes its default, and `load` says what
it reset so the app can tell the user. The API key is never a setting: it lives in the OS
keyring (app.core.keys). Prices and the monthly budget live in the library (shared with the
command line), not here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.api.models import DEFAULT_BASE_URL, DEFAULT_MODEL

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Setting:
    name: str
    type: type | tuple[type, ...]
    default: Any
    doc: str
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def problem(self, value: Any) -> str | None:
        """Why `value` cannot be this setting, or None."""
        if value is None and self.default is None:
            return None
        # bool is an int in Python; a JSON `true` must not pass as a concurrency of 1.
        if isinstance(value, bool) and self.type is not bool and bool not in _as_tuple(self.type):
            return "wrong type"
        if not isinstance(value, self.type):
            return "wrong type"
        if self.choices is not None and value not in self.choices:
            return "not one of the allowed values"
        if self.minimum is not None and isinstance(value, int | float) and value < self.minimum:
            return "too small"
        if self.maximum is not None and isinstance(value, int | float) and value > self.maximum:
            return "too large"
        if isinstance(value, list) and any(not isinstance(v, str) for v in value):
            return "wrong type"
        return None


def _as_tuple(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


_NUM = (int, float)
_OPT_STR = (str, type(None))

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "base_url",
        str,
        DEFAULT_BASE_URL,
        "Server to talk to: Mountsea or any OpenAI-compatible URL.",
    ),
    Setting(
        "api_flavour",
        str,
        "async",
        "Async task (default) or Compat (synchronous) endpoints.",
        ("async", "compat"),
    ),
    Setting("concurrency", int, 4, "How many jobs run at the same time.", minimum=1, maximum=16),
    Setting(
        "poll_interval",
        _NUM,
        3.0,
        "Seconds between polls of an async task (Mountsea advises 3-5).",
        minimum=0.05,
        maximum=60.0,
    ),
    Setting(
        "copies",
        int,
        1,
        "How many images (one job each) the Generate button starts.",
        minimum=1,
        maximum=16,
    ),
    Setting(
        "size", str, "auto", "Last size chosen (one of the four documented values or a custom WxH)."
    ),
    Setting(
        "quality",
        str,
        "auto",
        "Last quality chosen.",
        ("auto", "low", "medium", "high", "standard"),
    ),
    Setting(
        "background",
        str,
        "auto",
        "Last background chosen.",
        ("auto", "opaque", "transparent", "transparent_cutout"),
    ),
    Setting("output_format", str, "png", "Last output format chosen.", ("png", "jpeg", "webp")),
    Setting(
        "output_compression", int, 90, "Compression for jpeg/webp (0-100).", minimum=0, maximum=100
    ),
    Setting("moderation", str, "auto", "Last moderation level chosen.", ("auto", "low")),
    Setting("input_fidelity", str, "high", "Input fidelity for edits.", ("high", "low")),
    Setting("model", str, DEFAULT_MODEL, "Model name sent with every request."),
    Setting("user", str, "", "End-user id sent for abuse monitoring (empty: not sent)."),
    Setting("custom_sizes", list, [], "Custom WxH sizes used before, newest first."),
    Setting(
        "stream_previews",
        bool,
        True,
        "Compat calls stream partial pictures (previews) while the picture is made.",
    ),
    Setting(
        "no_stream_servers",
        list,
        [],
        "Base URLs that refused streaming: Compat calls there are sent plainly at once.",
    ),
    Setting(
        "images_dir", _OPT_STR, None, "Folder for saved results (None: images/ in the data dir)."
    ),
    Setting(
        "feather",
        int,
        8,
        "Feather radius in pixels when pasting an edit back (0 = hard edge).",
        minimum=0,
        maximum=256,
    ),
    Setting("brush_size", int, 40, "Mask brush size in picture pixels.", minimum=1, maximum=1000),
    Setting("keep_unmasked", bool, True, "Paste edits back onto the source outside the mask."),
    Setting(
        "overlay_opacity",
        _NUM,
        0.5,
        "Opacity of the mask overlay on the canvas.",
        minimum=0.0,
        maximum=1.0,
    ),
    Setting("mask_colour", str, "#ff3b6b", "Colour of the mask overlay."),
    Setting(
        "notifications", bool, True, "Desktop notification when a job finishes in the background."
    ),
    Setting("window_geometry", str, "", "Main window geometry (base64, Qt's saveGeometry)."),
    Setting("window_state", str, "", "Main window dock/toolbar state (base64, Qt's saveState)."),
    Setting("language", str, "", "UI language code such as zh_CN (empty: the system's)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _copy_default(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


class Settings:
    """The values, typed by the declaration above. Attribute access reads and writes them."""

    def __init__(self, path: Path | None = None, values: dict[str, Any] | None = None):
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_values", {s.name: _copy_default(s.default) for s in SETTINGS})
        if values:
            for key, value in values.items():
                setattr(self, key, value)

    @classmethod
    def load(cls, path: Path) -> tuple[Settings, list[str]]:
        """The settings in `path` and the names of those that had to be reset to defaults."""
        settings = cls(path)
        reset: list[str] = []
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return settings, reset
        except OSError as exc:
            log.warning("cannot read %s: %s", path, exc)
            return settings, ["(all: the file could not be read)"]
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            log.warning("settings file %s is damaged (%s); using defaults", path, exc)
            return settings, ["(all: the file was damaged)"]
        for name, value in data.items():
            if name == "_version":
                continue
            setting = _BY_NAME.get(name)
            if setting is None:
                continue  # an old or newer setting we do not know: ignore it quietly
            problem = setting.problem(value)
            if problem:
                reset.append(name)
                log.warning("setting %s reset to its default: %s", name, problem)
                continue
            settings._values[name] = value
        return settings, reset

    def save(self, path: Path | None = None) -> None:
        target = path or self._path
        if target is None:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        data = {"_version": SCHEMA_VERSION, **self._values}
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        setting = _BY_NAME.get(name)
        if setting is None:
            raise AttributeError(f"no setting named {name!r}")
        if isinstance(value, int) and not isinstance(value, bool) and setting.type == _NUM:
            value = float(value)
        problem = setting.problem(value)
        if problem:
            raise ValueError(f"setting {name}: {problem} ({value!r})")
        self._values[name] = value

    def remember_custom_size(self, size: str, keep: int = 8) -> None:
        sizes = [s for s in self._values["custom_sizes"] if s != size]
        self._values["custom_sizes"] = [size, *sizes][:keep]


PREVIEW_COUNT = 2  # partial pictures a streamed Compat call asks for (OpenAI allows 0-3)


class StreamChoice:
    """Whether a Compat call to a server asks for live previews (`stream_previews`, and the
    server not in `no_stream_servers`), and remembering a server that refused them, so later
    jobs there are sent plainly at once. Called from job threads: the list is changed under a
    lock and saved by `save`."""

    def __init__(self, settings: Settings, save: Callable[[], None] | None = None) -> None:
        self._settings = settings
        self._save = save
        self._lock = threading.Lock()

    def partial_images(self, base_url: str) -> int | None:
        if not self._settings.stream_previews:
            return None
        if base_url.rstrip("/") in self._settings.no_stream_servers:
            return None
        return PREVIEW_COUNT

    def refused(self, base_url: str) -> None:
        url = base_url.rstrip("/")
        with self._lock:
            known = list(self._settings.no_stream_servers)
            if url in known:
                return
            self._settings.no_stream_servers = [*known, url]
            if self._save is not None:
                try:
                    self._save()
                except OSError:
                    log.warning("could not save the settings after %s refused streaming", url)

    def client_options(self, base_url: str) -> dict[str, Any]:
        """Keyword arguments for a MountseaClient talking to `base_url`."""
        return {"partial_images": self.partial_images(base_url), "on_stream_refused": self.refused}
