"""The work in progress that comes back after a restart: the prompt and the edit session (the
pictures to edit, in order, and the painted mask). The parameters need nothing here: the form
keeps them in Settings as they change (app.services.form).

Kept in <data>/session/: each picture as the file it was prepared to (named by its content,
so an unchanged picture is never written twice), the mask as a grey PNG of the painted
pixels, and session.json naming them. Written a moment after a change, on a worker, and at
close; read on a worker at start. A missing session is an empty start; a damaged one too,
with a warning in the log: it was a convenience, and nothing the server returned lives here.

What the window holds is read through a `capture` callable and given back through the
`restored` signal (app.ui.session_restore does both), so this service knows no widget.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.core.library.files import write_atomic
from app.services.background import Background

log = logging.getLogger(__name__)

FOLDER = "session"
STATE_FILE = "session.json"
VERSION = 1
SAVE_DELAY_MS = 1000
FORMATS = {"png": "png", "jpeg": "jpg", "webp": "webp"}
_OURS = ("picture-", "mask-")  # file names this module writes (and may remove)


@dataclass
class Picture:
    data: bytes  # as prepared for the service (app.core.intake.PreparedImage.data)
    format: str  # png | jpeg | webp
    name: str  # the file name the user knows it by


@dataclass
class SessionState:
    prompt: str = ""
    pictures: list[Picture] = field(default_factory=list)
    mask: bytes | None = None  # painted pixels, one byte each (L), row by row
    mask_size: tuple[int, int] | None = None  # the first picture's size


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:24]


def _mask_png(mask: bytes, size: tuple[int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("L", size, mask).save(out, "PNG", compress_level=1)
    return out.getvalue()


def _read_mask(path: Path, size: tuple[int, int]) -> bytes:
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        if im.mode != "L" or im.size != size:
            raise ValueError(f"the mask is {im.mode} {im.size}, not L {size}")
        return im.tobytes()


class SessionFiles:
    """The folder: `write` from any thread (one at a time, an older state never over a newer
    one), `read` once at start."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._written = 0
        # id(bytes) -> (the bytes, their digest): a picture is hashed once, not at every save
        # (16 pictures of 50 MB would be 800 MB to hash for each word typed in the prompt).
        # The bytes are held so that the id stays theirs.
        self._digests: dict[int, tuple[bytes, str]] = {}

    def _digest(self, data: bytes, keep: dict[int, tuple[bytes, str]]) -> str:
        known = self._digests.get(id(data))
        digest = known[1] if known is not None and known[0] is data else _digest(data)
        keep[id(data)] = (data, digest)
        return digest

    def write(self, state: SessionState, generation: int) -> None:
        with self._lock:
            if generation < self._written:
                return
            self._write(state)
            self._written = generation

    def _write(self, state: SessionState) -> None:
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        keep = {STATE_FILE}
        digests: dict[int, tuple[bytes, str]] = {}
        pictures = []
        for picture in state.pictures:
            digest = self._digest(picture.data, digests)
            name = f"picture-{digest}.{FORMATS.get(picture.format, 'bin')}"
            keep.add(name)
            if not (folder / name).exists():
                write_atomic(folder / name, picture.data, durable=False)
            pictures.append({"file": name, "name": picture.name, "format": picture.format})
        mask = None
        if state.mask is not None and state.mask_size is not None and state.pictures:
            name = f"mask-{self._digest(state.mask, digests)}.png"
            keep.add(name)
            if not (folder / name).exists():
                write_atomic(folder / name, _mask_png(state.mask, state.mask_size), durable=False)
            mask = {"file": name, "width": state.mask_size[0], "height": state.mask_size[1]}
        data = {"version": VERSION, "prompt": state.prompt, "pictures": pictures, "mask": mask}
        # Not fsynced: a power cut costs the last second of a convenience, not a result.
        write_atomic(
            folder / STATE_FILE, json.dumps(data, ensure_ascii=False).encode(), durable=False
        )
        self._digests = digests
        for old in folder.iterdir():
            if old.name.startswith(_OURS) and old.name not in keep:
                old.unlink(missing_ok=True)

    def read(self) -> SessionState:
        """What was kept; an empty state when nothing was, or nothing could be read."""
        path = self.folder / STATE_FILE
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return SessionState()
        except OSError as exc:
            log.warning("the last session could not be read (%s): starting empty", exc)
            return SessionState()
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("pictures", []), list):
                raise ValueError("not a session")
            prompt = data.get("prompt", "")
            state = SessionState(prompt=prompt if isinstance(prompt, str) else "")
            for entry in data.get("pictures", []):
                state.pictures.append(self._picture(entry))
        except (UnicodeDecodeError, ValueError, TypeError, KeyError, OSError) as exc:
            log.warning("the last session in %s is damaged (%s): starting empty", path, exc)
            return SessionState()
        mask = data.get("mask")
        if isinstance(mask, dict) and state.pictures:
            try:
                size = (int(mask["width"]), int(mask["height"]))
                state.mask = _read_mask(self.folder / str(mask["file"]), size)
                state.mask_size = size
            except (ValueError, TypeError, KeyError, OSError) as exc:
                log.warning("the last session's mask could not be read (%s): left out", exc)
        return state

    def _picture(self, entry: object) -> Picture:
        if not isinstance(entry, dict):
            raise ValueError("a picture entry is not an object")
        name = str(entry["file"])
        if "/" in name or "\\" in name or not name.startswith("picture-"):
            raise ValueError(f"not a session file name: {name!r}")
        fmt = str(entry.get("format", "png"))
        return Picture((self.folder / name).read_bytes(), fmt, str(entry.get("name") or name))


class EditSession(QObject):
    """Keeps the session of one data folder: `changed()` after every change, `flush()` at
    close, `restored` once at start with what was kept."""

    restored = Signal(object)  # SessionState

    def __init__(
        self, data_dir: Path, background: Background, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.files = SessionFiles(data_dir / FOLDER)
        self._background = background
        self._capture: Callable[[], SessionState] | None = None
        self._generation = 0
        self._dirty = False
        self._held = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.on_save_due)

    def start(self, capture: Callable[[], SessionState]) -> None:
        """Read the kept session (on a worker); from now on, `capture` says what to keep."""
        self._capture = capture
        self._held = True  # nothing is written over the kept session before it is back
        self._background.submit(
            self.files.read, on_done=self.on_read, on_error=self.on_read_failed, receiver=self
        )

    def on_read(self, state: SessionState) -> None:
        self.restored.emit(state)

    def on_read_failed(self, exc: BaseException) -> None:
        log.warning("the last session could not be read (%s): starting empty", exc)
        self.release()

    @property
    def held(self) -> bool:
        """Nothing is written: the kept session is not back yet."""
        return self._held

    def release(self) -> None:
        """The kept session is back (or there was none): changes are written from now on."""
        self._held = False
        if self._dirty:
            self._timer.start()

    @Slot()
    def changed(self) -> None:
        self._dirty = True
        if not self._held:
            self._timer.start()

    def _take(self) -> tuple[SessionState, int] | None:
        if not self._dirty or self._held or self._capture is None:
            return None
        self._dirty = False
        self._generation += 1
        return self._capture(), self._generation

    @Slot()
    def on_save_due(self) -> None:
        taken = self._take()
        if taken is not None:
            self._background.submit(
                self.files.write, *taken, on_error=self.on_write_failed, receiver=self
            )

    def on_write_failed(self, exc: BaseException) -> None:
        # A warning, not an error: the work is still in the window, only its copy failed.
        log.warning("the session could not be kept: %s", exc)

    def flush(self) -> None:
        """At close, on the GUI thread: write what changed since the last write."""
        self._timer.stop()
        taken = self._take()
        if taken is None:
            return
        try:
            self.files.write(*taken)
        except (OSError, ValueError) as exc:
            log.warning("the session could not be kept at close: %s", exc)
