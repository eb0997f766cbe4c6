"""Errors a person can understand. The UI maps `kind` to a translated sentence; the CLI prints `message`."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    invalid_request = "invalid_request"  # 400 other than moderation
    auth = "auth"  # 401 / 403: bad or missing key
    refused = "refused"  # moderation_blocked: the safety system said no
    quota = "quota"  # insufficient_quota: money, not time
    rate_limited = "rate_limited"  # 429 after retries
    server = "server"  # 5xx after retries
    network = "network"  # could not connect / connection dropped
    timeout = "timeout"  # the server did not answer in time
    maybe_billed = "maybe_billed"  # a create timed out after it reached the server
    not_found = "not_found"  # unknown or expired task
    task_failed = "task_failed"  # the task ended failed / cancelled / timeout
    deadline = "deadline"  # our own overall deadline for a task passed
    malformed = "malformed"  # an answer nothing could read
    cancelled = "cancelled"  # the user cancelled


class ApiError(Exception):
    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        detail: str | None = None,
        status: int | None = None,
        code: str | int | None = None,
        trace_id: str | None = None,
        raw: str | None = None,
        retry_after: float | None = None,
        task_id: str | None = None,
        connect_failed: bool = False,
    ):
        super().__init__(message)
        self.kind = kind
        self.message = message  # an English sentence: what happened and what to do
        self.detail = detail  # the server's own words, if any
        self.status = status
        self.code = code
        self.trace_id = trace_id
        self.raw = raw  # the unreadable body, secrets removed (for bug reports)
        self.retry_after = retry_after
        self.task_id = task_id
        # True when the connection could not even be opened: the request certainly never arrived.
        self.connect_failed = connect_failed
        # True when a result's link could not be fetched: the task may give a fresh one.
        self.download_failed = False

    def reword(self, message: str) -> None:
        """Replace the sentence (what str() shows too), keeping everything else."""
        self.message = message
        self.args = (message,)


class Cancelled(Exception):
    """The caller's cancel token was set."""
