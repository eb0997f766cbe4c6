"""The one table of sentences a person reads when a job or a picture goes wrong.

Each sentence says what happened and what to do. They are English source strings under the
translation contexts the window has always used ("JobRunner", "EditPanel"), written as literal
`translate(context, text)` calls so lupdate finds them. The window passes
QCoreApplication.translate; the command line passes `plain` and prints English. Core stays
free of Qt: only the caller knows how to translate.
"""

from __future__ import annotations

from collections.abc import Callable

from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.models import ValidationError
from app.core.imaging import MAX_SOURCE_PIXELS, ImageError
from app.core.prompts import PromptFileError

Translate = Callable[[str, str], str]


def plain(context: str, text: str) -> str:
    """No translation: the command line speaks the source language."""
    return text


def error_sentence(
    exc: BaseException, translate: Translate = plain, *, cli: bool = False, settings: bool = False
) -> str:
    """One sentence for `exc`, with the server's own words, code and trace when it gave any,
    and where the server's unreadable answer is kept when there is one. `settings`: said in the
    Settings dialog (the key check), where "check it in Settings" would send the reader nowhere."""
    if isinstance(exc, ApiError):
        sentence = _api_sentence(exc, translate, cli, settings)
        if exc.raw:
            sentence = f"{sentence} {raw_answer_note(translate, cli=cli)}"
        return sentence
    if isinstance(exc, ImageError):
        return image_error_sentence(exc, translate)
    if isinstance(exc, ValidationError):  # the limits the request breaks, each a sentence
        return "\n".join(exc.problems)
    if isinstance(exc, Cancelled):
        return translate("JobRunner", "Cancelled.")
    if isinstance(exc, OSError):
        if cli:  # the shell user sees the system's own words and the file
            name = f" ({exc.filename})" if exc.filename else ""
            return f"{exc.strerror or exc}{name}."
        return translate("JobRunner", "Could not write the image: {0}.").format(exc.strerror or exc)
    if cli:  # no log to look in: the words themselves
        return f"Something unexpected went wrong ({type(exc).__name__}: {exc}). Please report it."
    return translate(
        "JobRunner", "Something unexpected went wrong ({0}). The details are in the log."
    ).format(type(exc).__name__)


def save_failed_sentence(exc: OSError, translate: Translate = plain, *, cli: bool = False) -> str:
    """The result arrived but could not be written (disk full, folder gone)."""
    if cli:  # nothing stays in memory after the command ends: say what the system said
        return error_sentence(exc, translate, cli=True)
    return translate(
        "JobRunner", "Could not save the image ({0}). It is kept in memory: use Save again."
    ).format(exc.strerror or exc)


def _api_sentence(exc: ApiError, translate: Translate, cli: bool, settings: bool = False) -> str:
    base = (settings and _settings_sentence(exc.kind, translate)) or _kind_sentence(
        exc.kind, translate, cli
    )
    extras = []
    if exc.detail:
        extras.append(translate("JobRunner", "Server said: {0}").format(exc.detail.strip()[:300]))
    if exc.code not in (None, ""):
        extras.append(translate("JobRunner", "code {0}").format(exc.code))
    if exc.trace_id:
        extras.append(translate("JobRunner", "trace id {0}").format(exc.trace_id))
    if not extras:
        return base
    return " ".join([base, *(f"({e})" if i else e for i, e in enumerate(extras))])


def _settings_sentence(kind: ErrorKind, translate: Translate) -> str | None:
    """The key check's own words, where they differ from a job's: what to do, right here."""
    sentences = {
        ErrorKind.auth: translate(
            "JobRunner",
            "The server refused this key. Copy it again from your Mountsea account (without "
            "spaces), paste it above and check again.",
        ),
        ErrorKind.network: translate(
            "JobRunner",
            "The server could not be reached. Check the base URL above and your network, then "
            "check again.",
        ),
        ErrorKind.timeout: translate(
            "JobRunner",
            "The server did not answer in time. Check the base URL above, then check again.",
        ),
        ErrorKind.malformed: translate(
            "JobRunner",
            "The answer could not be read: is the base URL above a Mountsea or OpenAI-compatible "
            "server?",
        ),
    }
    return sentences.get(kind)


def key_problem(kind: str | None) -> bool:
    """A job that failed on its key (401/403 or none): the fix is in Settings."""
    return kind == ErrorKind.auth.value


def _kind_sentence(kind: ErrorKind, translate: Translate, cli: bool) -> str:
    if kind is ErrorKind.auth and cli:  # on the command line the key comes from elsewhere
        return (
            "The API key was refused. Check MOUNTSEA_API_KEY or the key saved in the app's "
            "Settings."
        )
    sentences = {
        ErrorKind.invalid_request: translate(
            "JobRunner", "The server refused the request as invalid."
        ),
        ErrorKind.auth: translate(
            "JobRunner", "The API key was refused. Check it in Settings, then retry."
        ),
        ErrorKind.refused: translate(
            "JobRunner", "The safety system refused this prompt. Rephrase it and try again."
        ),
        ErrorKind.quota: translate(
            "JobRunner", "Your account has run out of credit. Top it up, then retry."
        ),
        ErrorKind.rate_limited: translate(
            "JobRunner", "Too many requests right now. Wait a minute, then retry."
        ),
        ErrorKind.server: translate("JobRunner", "The server had a problem. Retry in a moment."),
        ErrorKind.network: translate(
            "JobRunner",
            "The connection to the server was lost. Check your network, then retry.",
        ),
        ErrorKind.timeout: translate(
            "JobRunner", "The server did not answer in time. Retry later."
        ),
        ErrorKind.maybe_billed: translate(
            "JobRunner",
            "The server stopped answering after it got the request; it may still have billed it. "
            "Check your account before retrying.",
        ),
        ErrorKind.not_found: translate(
            "JobRunner", "The server no longer knows this task (unknown or expired)."
        ),
        ErrorKind.task_failed: translate("JobRunner", "The server reported that the task failed."),
        # No "retry" here: a retry makes a new task and bills again; the job's row offers
        # "Check the server again" (app.core.jobs.can_check_again) for the same task.
        ErrorKind.deadline: translate("JobRunner", "The task took longer than the time limit."),
        ErrorKind.malformed: translate("JobRunner", "The server's answer could not be read."),
        ErrorKind.cancelled: translate("JobRunner", "Cancelled."),
    }
    return sentences.get(kind) or translate("JobRunner", "The job failed.")


def raw_answer_note(translate: Translate = plain, *, cli: bool = False) -> str:
    """Where the answer the reader could not use is kept (it is also in the log)."""
    if cli:
        return "The server's answer is printed below."
    return translate(
        "JobRunner",
        "The server's answer is kept: use “Copy the server's answer” in the row's menu.",
    )


def check_again_note(translate: Translate = plain, *, task_id: str = "", cli: bool = False) -> str:
    """A failed job whose task the server may still finish: polling it again costs nothing."""
    if cli:
        return (
            f"The task may still finish on the server. Check it again (no new task, nothing "
            f"billed again): python -m app resume {task_id}"
        )
    return translate(
        "JobRunner",
        "The task may still finish on the server: “Check the server again” asks for it "
        "without a new task or a new charge.",
    )


def waiting_note(message: str, translate: Translate = plain) -> str:
    """What a row shows while polls meet answers that cannot be used (the client's English
    message); the usual ones are translated, any other is shown as the client wrote it."""
    known = {
        "The server's answers can't be read. Still trying until the deadline.": translate(
            "JobRunner",
            "The server's answers can't be read. Still trying until the deadline.",
        ),
        "The server does not show this task right now. Still trying until the deadline.": (
            translate(
                "JobRunner",
                "The server does not show this task right now. Still trying until the deadline.",
            )
        ),
        "The finished picture could not be downloaded; asking the server for a fresh link. "
        "Still trying until the deadline.": translate(
            "JobRunner",
            "The finished picture could not be downloaded; asking the server for a fresh link. "
            "Still trying until the deadline.",
        ),
    }
    return known.get(message, message)


def image_error_sentence(exc: ImageError, translate: Translate = plain) -> str:
    """An ImageError from app.core.imaging (a picture that cannot be used) in the reader's words."""
    if not exc.name:
        return exc.message
    # The edit panel's context: these strings were first translated there.
    templates = {
        "empty": translate("EditPanel", "“%1” is empty (0 bytes). Choose another file."),
        "unreadable": translate(
            "EditPanel", "“%1” is not a picture this app can read. Use a PNG, JPEG or WebP file."
        ),
        "incomplete": translate(
            "EditPanel",
            "“%1” is incomplete (the file was cut short, perhaps by an unfinished download or "
            "copy). Get the file again.",
        ),
        "damaged": translate(
            "EditPanel", "“%1” is damaged and cannot be read (%2). Try another file."
        ),
        "too_large": translate(
            "EditPanel",
            "“%1” is too large (%2): at most %3 megapixels can be used. Scale it down in an image "
            "editor first.",
        ),
    }
    template = templates.get(exc.kind)
    if template is None:
        return exc.message
    return (
        template.replace("%1", exc.name)
        .replace("%2", exc.detail)
        .replace("%3", str(MAX_SOURCE_PIXELS // 1_000_000))
    )


def preview_note(index: int, translate: Translate = plain) -> str:
    """What a row shows once a streamed preview came: which one (from 1)."""
    return translate("JobRunner", "preview {0} shown").format(index + 1)


def job_note(name: str, translate: Translate = plain) -> str:
    """The short notes a job row shows while it is not simply running."""
    notes = {
        "network": translate("JobRunner", "waiting for the network"),
        "key": translate("JobRunner", "waiting for an API key"),
        "cancelling": translate("JobRunner", "cancelling…"),
        "saving": translate("JobRunner", "saving…"),
        "resuming": translate("JobRunner", "resuming"),
    }
    return notes[name]


def prompt_file_sentence(exc: PromptFileError, translate: Translate = plain) -> str:
    """A prompts file that cannot be imported: what is wrong with it, and that nothing changed."""
    templates = {
        "unreadable": translate(
            "PromptHistory", "“%1” could not be read (%2); no prompts were imported."
        ),
        "too_large": translate(
            "PromptHistory",
            "“%1” is too large to be a prompts file; no prompts were imported.",
        ),
        "not_json": translate(
            "PromptHistory",
            "“%1” is not a prompts file (it is not JSON); no prompts were imported.",
        ),
        "not_prompts": translate(
            "PromptHistory",
            "“%1” is JSON but holds no list of prompts; no prompts were imported.",
        ),
        "bad_entry": translate(
            "PromptHistory",
            "Prompt %2 in “%1” cannot be used; no prompts were imported. Fix or remove it and "
            "import again.",
        ),
    }
    template = templates.get(exc.kind, templates["not_prompts"])
    return template.replace("%1", exc.name).replace("%2", exc.detail)
