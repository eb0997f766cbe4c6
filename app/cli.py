"""`python -m app generate|edit`: one job from the shell, saved to the same library as the app.

Exit codes: 0 done; 1 the service or the task failed; 2 bad usage or invalid input (nothing
sent); 130 interrupted. Saved paths go to stdout, one per line; everything else to stderr.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app import APP_NAME, ORG_NAME
from app.core.api.cancel import CancelToken
from app.core.api.errors import ApiError, Cancelled, ErrorKind
from app.core.api.models import (
    DEFAULT_BASE_URL,
    DEFAULT_MODEL,
    Flavour,
    ImageRequest,
    ImageResult,
    InputImage,
    ValidationError,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEMO_LATENCY = 0.5
DEMO_POLL_INTERVAL = 0.5


class UsageError(Exception):
    """Bad usage or invalid input: exit 2, nothing sent."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m app", description=f"{APP_NAME}: make pictures with gpt-image-2.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def options(p: argparse.ArgumentParser) -> None:
        p.add_argument("prompt", help="what to draw (1 to 32,000 characters)")
        p.add_argument("--size", default="auto", metavar="S", help="auto, 1024x1024, 1024x1536, 1536x1024 or WIDTHxHEIGHT")
        p.add_argument("--quality", default="auto", metavar="Q", help="auto, low, medium, high or standard")
        p.add_argument("--background", default="auto", metavar="B", help="auto, opaque or transparent")
        p.add_argument("--format", dest="output_format", default="png", metavar="png|jpeg|webp", help="png, jpeg or webp")
        p.add_argument("--compression", type=int, default=None, metavar="N", help="0-100, jpeg and webp only")
        p.add_argument("--moderation", default="auto", metavar="auto|low", help="auto or low")
        p.add_argument("--model", default=DEFAULT_MODEL, metavar="M", help=f"default {DEFAULT_MODEL}")
        p.add_argument("--user", default=None, metavar="U", help="end-user id for abuse monitoring")
        p.add_argument("--api", choices=[f.value for f in Flavour], default=None,
                       help="async (a task polled until done) or compat (one long request); "
                            "default: the app's setting, else async")
        p.add_argument("--base-url", default=None, metavar="URL",
                       help=f"default: the app's setting, else {DEFAULT_BASE_URL}")
        p.add_argument("--data-dir", type=Path, default=None, metavar="DIR", help="library and settings folder")
        p.add_argument("--demo", action="store_true", help="use the built-in simulator: no key, no network")
        p.add_argument("--out", type=Path, default=None, metavar="PATH", help="also copy the image here")

    generate = commands.add_parser("generate", help="make a picture from a prompt")
    options(generate)
    edit = commands.add_parser("edit", help="change one or more pictures")
    options(edit)
    edit.add_argument("--image", type=Path, action="append", required=True, metavar="FILE",
                      help="a picture to edit (repeat for up to 16; the first one is the one masked)")
    edit.add_argument("--mask", type=Path, default=None, metavar="FILE",
                      help="PNG with alpha, the first image's size; transparent pixels are repainted")
    edit.add_argument("--input-fidelity", default=None, metavar="high|low", help="high or low")
    return parser


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, ORG_NAME))


def _read(path: Path, what: str) -> InputImage:
    try:
        return InputImage(path.read_bytes(), path.name)
    except OSError as exc:
        raise UsageError(f"Cannot read the {what} {path}: {exc.strerror or exc}.") from None


def build_request(args: argparse.Namespace) -> ImageRequest:
    images = [_read(p, "image") for p in getattr(args, "image", None) or []]
    mask_path = getattr(args, "mask", None)
    request = ImageRequest(
        prompt=args.prompt,
        model=args.model,
        size=args.size,
        quality=args.quality,
        background=args.background,
        output_format=args.output_format,
        output_compression=args.compression,
        moderation=args.moderation,
        user=args.user,
        input_fidelity=getattr(args, "input_fidelity", None),
        images=images,
        mask=_read(mask_path, "mask") if mask_path else None,
    )
    problems = request.problems()
    if problems:
        raise UsageError("\n".join(problems))
    return request


class Progress:
    """One stderr line per stage; polls only print when the server's status changes."""

    def __init__(self, out: TextIO, host: str, flavour: Flavour) -> None:
        self.out = out
        self.host = host
        self.flavour = flavour
        self.last: tuple[str, str | None] | None = None
        self.task_id: str | None = None
        self.task_id_seen = threading.Event()

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def __call__(self, event) -> None:  # ProgressEvent, from the worker thread
        key = (event.stage, event.server_status)
        if key == self.last and event.stage not in ("retrying", "waiting"):
            return
        self.last = key
        if event.stage == "sending":
            if self.flavour is Flavour.compat:
                self.say(f"Sending to {self.host}; the picture comes back when it is done (often 30-200 s)...")
            else:
                self.say(f"Sending to {self.host}...")
        elif event.stage == "submitted":
            self.task_id = event.task_id
            self.task_id_seen.set()
            minutes = f" (up to {event.deadline / 60:g} min)" if event.deadline else ""
            self.say(f"Task {event.task_id} accepted; waiting for the picture{minutes}...")
        elif event.stage == "polling":
            self.say(f"  {event.server_status} ({event.elapsed:.0f} s)")
        elif event.stage in ("retrying", "waiting"):
            self.say(f"  {event.message}")
        elif event.stage == "downloading":
            self.say("Downloading the picture...")
        elif event.stage == "decoding":
            self.say("Reading the picture...")


def _out_paths(out: Path, count: int, names: list[Path]) -> list[Path]:
    if out.is_dir():
        return [out / name.name for name in names]
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, count + 1)]


def _composites(request: ImageRequest, result: ImageResult, settings) -> list[bytes | None] | None:
    """Masked edits keep the untouched pixels of the source, as the app does (same settings)."""
    if request.mask is None or not request.images or not settings.keep_unmasked:
        return None
    from app.core import imaging

    out: list[bytes | None] = []
    for image in result.images:
        try:
            out.append(imaging.keep_unmasked(
                request.images[0].data, request.mask.data, image.data, int(settings.feather), image.format,
            ))
        except (imaging.ImageError, OSError, ValueError):
            out.append(None)  # the raw result is still saved
    return out


def _key_or_usage_error(demo: bool) -> str:
    if demo:
        from app.simulator import DEMO_KEY

        return DEMO_KEY
    from app.core.keys import KeyStore

    key, _source = KeyStore().get()
    if not key:
        raise UsageError(
            "No API key. Set MOUNTSEA_API_KEY, save the key in the app's Settings, "
            "or add --demo to try the built-in simulator."
        )
    return key


def _settings(data_dir: Path):
    """The app's saved settings (read only): the CLI follows the same server, flavour and images folder."""
    from app.core.settings import Settings

    settings, _reset = Settings.load(data_dir / "settings.json")
    return settings


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    request = build_request(args)
    data_dir = args.data_dir or default_data_dir()
    settings = _settings(data_dir)
    flavour = Flavour(args.api or settings.api_flavour or Flavour.tasks.value)
    api_key = _key_or_usage_error(args.demo)

    from app.core.api.client import MountseaClient, make_http_client
    from app.core.library import JobState, Library

    simulator = None
    lib = None
    http = make_http_client()
    try:
        if args.demo:
            from app.simulator import DEMO_KEY, Simulator

            simulator = Simulator(api_keys=(DEMO_KEY,), latency=DEMO_LATENCY)
            base_url = simulator.start()
        else:
            base_url = (args.base_url or settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        try:
            images_dir = Path(settings.images_dir) if settings.images_dir else None
            lib = Library.open(data_dir, images_dir=images_dir)
        except OSError as exc:
            raise UsageError(f"Cannot use the data folder {data_dir}: {exc.strerror or exc}.") from None

        client = MountseaClient(
            http, base_url, api_key, poll_interval=DEMO_POLL_INTERVAL if args.demo else float(settings.poll_interval),
        )
        token = CancelToken()
        host = "the demo simulator" if args.demo else (base_url.split("://", 1)[-1].split("/", 1)[0])
        progress = Progress(stderr, host, flavour)
        job_id = lib.begin_job(request, flavour, base_url, origin="cli")
        outcome: dict[str, object] = {}

        def on_event(event) -> None:
            if event.stage == "submitted" and event.task_id:
                lib.set_task_id(job_id, event.task_id)
            elif event.stage == "polling" and event.server_status:
                lib.update_job(job_id, server_status=event.server_status)
            progress(event)

        def work() -> None:
            try:
                lib.update_job(job_id, state=JobState.running)
                outcome["result"] = client.run(request, flavour, token, on_event)
            except BaseException as exc:  # handed to the main thread, which reports it
                outcome["error"] = exc

        worker = threading.Thread(target=work, name="cli-job", daemon=True)
        worker.start()
        interrupted = False
        while worker.is_alive():
            try:
                worker.join(0.2)
            except KeyboardInterrupt:
                if interrupted:
                    progress.say("Stopped.")
                    lib.update_job(job_id, state=JobState.cancelled)
                    return EXIT_INTERRUPTED
                interrupted = True
                token.cancel()
                progress.say(
                    "Cancelling... (a request already sent may still finish and is kept if it does; "
                    "press Ctrl+C again to quit now)"
                )

        result = outcome.get("result")
        error = outcome.get("error")
        if isinstance(result, ImageResult):
            items = lib.save_result(
                job_id, result, cancelled=token.cancelled, composited=_composites(request, result, settings)
            )
            paths = [Path(item.path) for item in items]
            for path in paths:
                print(path, file=stdout, flush=True)
            if args.out is not None:
                for src, dest in zip(paths, _out_paths(args.out, len(paths), paths), strict=True):
                    try:
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(src, dest)
                    except OSError as exc:
                        progress.say(f"error: could not copy the picture to {dest}: {exc.strerror or exc}.")
                        return EXIT_FAILED
            if token.cancelled:
                progress.say("Interrupted, but the picture had already arrived and was saved.")
                return EXIT_INTERRUPTED
            return EXIT_OK
        if isinstance(error, Cancelled) or (error is None and token.cancelled):
            lib.update_job(job_id, state=JobState.cancelled)
            task = f" Task {progress.task_id} may still finish on the server." if progress.task_id else ""
            progress.say("Cancelled." + task)
            return EXIT_INTERRUPTED
        if isinstance(error, ValidationError):
            lib.update_job(job_id, state=JobState.failed, error_kind="invalid_request", error_message=str(error))
            raise UsageError("\n".join(error.problems))
        if isinstance(error, ApiError):
            lib.update_job(job_id, state=JobState.failed, error_kind=str(error.kind), error_message=error.message)
            progress.say(f"error: {_cli_sentence(error)}")
            if error.raw:
                progress.say(f"  server answer: {error.raw}")
            return EXIT_FAILED
        message = f"{type(error).__name__}: {error}" if error else "the job ended without a result"
        lib.update_job(job_id, state=JobState.failed, error_kind="internal", error_message=message)
        progress.say(f"error: something unexpected went wrong ({message}). Please report it.")
        return EXIT_FAILED
    finally:
        if lib is not None:
            lib.close()
        http.close()
        if simulator is not None:
            simulator.stop()


def _cli_sentence(error: ApiError) -> str:
    if error.kind is ErrorKind.auth:
        words = f" The server said: {error.detail}" if error.detail else ""
        return (
            "The API key was refused. Check MOUNTSEA_API_KEY or the key saved in the app's Settings."
            + words
        )
    return error.message


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        return run(args, stdout, stderr)
    except UsageError as exc:
        print(f"error: {exc}", file=stderr, flush=True)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print("Interrupted.", file=stderr, flush=True)
        return EXIT_INTERRUPTED
    except OSError as exc:  # e.g. the disk filled up while saving
        print(f"error: {exc.strerror or exc}{f' ({exc.filename})' if exc.filename else ''}.", file=stderr, flush=True)
        return EXIT_FAILED
    except Exception as exc:  # a bug: still one sentence, never a traceback
        print(f"error: something unexpected went wrong ({type(exc).__name__}: {exc}). Please report it.",
              file=stderr, flush=True)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
