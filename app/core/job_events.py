"""The plain values of the job pipeline (app.core.jobs): what a job is, and what it reports.

A job reports each step as one small frozen event. The window turns them into row updates on
the GUI thread; the command line prints them. Nothing here knows about threads or Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Protocol

from app.core.api.cancel import CancelToken
from app.core.api.models import ImageRequest, InputImage


class Endpoint(NamedTuple):
    base_url: str
    api_key: str
    demo: bool


class Endpoints(Protocol):
    """Where a job gets its server and key; a job started before it is known waits."""

    def get(self) -> Endpoint | None: ...

    def wait(self, cancel: CancelToken, accept: Callable[[Endpoint], bool] = ...) -> Endpoint: ...


class FixedEndpoint:
    """One known endpoint (the command line): never waits."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def get(self) -> Endpoint | None:
        return self._endpoint

    def wait(
        self, cancel: CancelToken, accept: Callable[[Endpoint], bool] = lambda e: True
    ) -> Endpoint:
        return self._endpoint


class Sources(Protocol):
    """The pictures of an edit, turned into upload-ready files in the worker (slow encoding)."""

    def build(self) -> tuple[list[InputImage], InputImage | None]: ...


@dataclass
class JobSpec:
    """Everything a job needs, as plain values."""

    key: str
    flavour: str
    request: ImageRequest | None = None  # text-to-image, or the parameters of an edit
    snapshot: Sources | None = None  # an edit's pictures, prepared in the worker
    retry_of: Any = None  # a journaled job id whose saved request (with images) is re-sent
    resume_job_id: Any = None  # a journaled async job whose task id is polled, never re-created
    # With resume_job_id None: a task the journal does not know (the command line's `resume
    # TASK_ID`), journaled first as a job of its own, then polled like any other.
    resume_task_id: str | None = None
    resume_base_url: str | None = None
    parent_item_id: int | None = None
    keep_unmasked: bool = True
    feather: int = 8
    origin: str = "gui"  # who started it, for the journal: "gui" or "cli"
    # Sent by the cut-out route (key_colour.as_cutout): the one-click answer to a server that
    # refused native transparency for this model.
    as_cutout: bool = False


# --- events, in the order a job reports them ---------------------------------------------------


@dataclass(frozen=True)
class Started:
    at: float  # wall clock


@dataclass(frozen=True)
class Waiting:
    """Not able to run yet: no endpoint known (or only the demo one), or no network."""

    reason: Literal["endpoint", "offline"]
    needs_real_key: bool = False  # a resumed task on a real server: the demo key will not do
    retry_in: float | None = None  # offline: seconds until the server is tried again


@dataclass(frozen=True)
class Resumed:
    """Running again after a Waiting of the same reason."""

    reason: Literal["endpoint", "offline"]


@dataclass(frozen=True)
class Journaled:
    job_id: Any


@dataclass(frozen=True)
class TaskCreated:
    """The async task exists on the server; its id is already in the journal."""

    task_id: str
    deadline: float | None = None  # seconds the job will wait for it


@dataclass(frozen=True)
class ServerStatus:
    """A step of sending, polling or reading (stage) and what the server calls it (status)."""

    status: str
    stage: str = ""
    elapsed: float = 0.0
    message: str | None = None  # retrying / waiting: why, in English
    offline: bool = False  # retrying / waiting because the server cannot be reached
    retry_in: float | None = None  # retrying / waiting: seconds until the next try


@dataclass(frozen=True)
class Preview:
    """A partial picture streamed before the result (Compat `stream`/`partial_images`).

    Only for showing: it is never saved, and a job that fails after previews still fails.
    `data` is the encoded picture as the server sent it (base64 decoded), `index` counts from 0.
    """

    index: int
    data: bytes
    output_format: str = "png"


@dataclass(frozen=True)
class Landed:
    """The result is saved (late: it arrived after cancel, so it is marked cancelled)."""

    items: tuple[Any, ...]
    info: dict[str, Any] = field(default_factory=dict)
    late: bool = False

    @property
    def paths(self) -> list[str]:
        return [str(item.path) for item in self.items]

    @property
    def raw_paths(self) -> list[str | None]:
        return [str(i.raw_path) if getattr(i, "raw_path", None) else None for i in self.items]


@dataclass(frozen=True)
class Failed:
    """kind: an ErrorKind value, "input" (a request or picture that cannot be sent, nothing
    journaled), "save" (the result arrived but could not be written) or "internal" (a bug)."""

    kind: str
    message: str  # English, for the journal and the log
    error: BaseException
    job_id: Any = None
    unsaved: Any = None  # "save": (ImageResult, composited) kept for Save again
    info: dict[str, Any] = field(default_factory=dict)
    task_id: str | None = None  # an async task the server has: it can be checked again
    raw: str | None = None  # the server's answer the reader could not use (redacted, capped)


@dataclass(frozen=True)
class Cancelled:
    pass


@dataclass(frozen=True)
class Interrupted:
    """Stopped because the program is closing: the journal is left for the next start."""


JobEvent = (
    Started
    | Waiting
    | Resumed
    | Journaled
    | TaskCreated
    | ServerStatus
    | Preview
    | Landed
    | Failed
    | Cancelled
    | Interrupted
)
