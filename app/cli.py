"""`python -m app generate|edit|resume`: one job from the shell, saved to the same library as
the app. `resume TASK_ID` polls a task the server already has again and never creates one.

The job runs through the same pipeline as the window's (app.core.jobs.run_job), its pictures
through the same intake; this file turns the pipeline's events into lines on stderr.

Exit codes: 0 done; 1 the service or the task failed; 2 bad usage or invalid input (nothing
sent); 130 interrupted. Saved paths go to stdout, one per line; everything else to stderr.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from app.cli_args import UsageError, build_parser
from app.core import job_events as ev
from app.core import sentences, sizes
from app.core.api.models import DEFAULT_BASE_URL, Flavour, ImageRequest, InputImage
from app.core.api.models import ValidationError as _ValidationError

if TYPE_CHECKING:
    from app.core.library import Library
    from app.core.settings import Settings, StreamChoice

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "UsageError", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEMO_LATENCY = 0.5
DEMO_POLL_INTERVAL = 0.5
DEMO_RESUME_DEADLINE = 15.0


def _read(path: Path, what: str) -> InputImage:
    try:
        return InputImage(path.read_bytes(), path.name)
    except OSError as exc:
        raise UsageError(f"Cannot read the {what} {path}: {exc.strerror or exc}.") from None


def build_request(args: argparse.Namespace) -> tuple[ImageRequest, ev.Sources | None]:
    """The request as given, and its pictures still to go through the window's intake."""
    from app.core.jobs import FileSources

    images = [_read(p, "image") for p in getattr(args, "image", None) or []]
    mask_path = getattr(args, "mask", None)
    mask = _read(mask_path, "mask") if mask_path else None
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
        mask=mask,
    )
    # The pictures are checked once the intake has prepared them (any picture Pillow reads is
    # fine, a BMP or a sideways phone photo included): here only what does not depend on them.
    given = replace(request, images=[], mask=None, input_fidelity=None)
    problems = (given if images or mask else request).problems()
    if problems:
        raise UsageError("\n".join(problems))
    return request, (FileSources(images, mask) if images or mask else None)


class Progress:
    """One stderr line per step; polls only print when the server's status changes."""

    def __init__(self, out: TextIO, host: str, flavour: Flavour) -> None:
        self.out = out
        self.host = host
        self.flavour = flavour
        self.last: tuple[str, str | None, str | None] | None = None
        self.job_id: Any = None
        self.task_id: str | None = None
        self.end: ev.JobEvent | None = None  # Landed, Failed, Cancelled or Interrupted
        self.reading = False  # "Reading the picture" said (the answer, then its picture)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def __call__(self, event: ev.JobEvent) -> None:  # from the worker thread
        match event:
            case ev.Journaled(job_id):
                self.job_id = job_id
            case ev.TaskCreated(task_id, deadline):
                self.task_id = task_id
                minutes = f" (up to {deadline / 60:g} min)" if deadline else ""
                self.say(f"Task {task_id} accepted; waiting for the picture{minutes}...")
            case ev.ServerStatus():
                self.status(event)
            case ev.Preview(index):
                # Streamed partial pictures are only for showing: the command line says they came.
                self.say(f"  preview {index + 1} arrived; the picture is still being made...")
            case ev.Landed() | ev.Failed() | ev.Cancelled() | ev.Interrupted():
                self.end = event

    def status(self, event: ev.ServerStatus) -> None:
        # A "waiting" note (answers that cannot be read) prints once per change, like a status;
        # every retry is news of its own.
        key = (event.stage, event.status, event.message)
        if key == self.last and event.stage != "retrying":
            return
        self.last = key
        if event.stage == "sending":
            if self.flavour is Flavour.compat:
                self.say(
                    f"Sending to {self.host}; the picture comes back when it is done "
                    "(often 30-200 s)..."
                )
            else:
                self.say(f"Sending to {self.host}...")
        elif event.stage == "polling":
            self.say(f"  {event.status} ({event.elapsed:.0f} s)")
        elif event.stage in ("retrying", "waiting"):
            self.say(f"  {event.message}")
        elif event.stage == "downloading":
            self.say("Downloading the picture...")
        elif event.stage == "decoding" and not self.reading:
            self.reading = True
            self.say("Reading the picture...")


def _out_paths(out: Path, count: int, names: list[Path]) -> list[Path]:
    if out.is_dir():
        return [out / name.name for name in names]
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, count + 1)]


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


def _settings(data_dir: Path) -> Settings:
    """The app's saved settings (read only): the CLI follows the same server, flavour, images
    folder and paste-back."""
    from app.core.settings import Settings

    settings, _reset = Settings.load(data_dir / "settings.json")
    return settings


def _stream_choice(settings: Settings, data_dir: Path) -> StreamChoice:
    """Live previews as the window asks for them; a server that refuses them is remembered in
    the settings file (read afresh, so nothing else in it changes)."""
    from app.core.settings import Settings, StreamChoice

    path = data_dir / "settings.json"

    def save() -> None:
        fresh, _reset = Settings.load(path)
        known = [u for u in fresh.no_stream_servers if u not in settings.no_stream_servers]
        fresh.no_stream_servers = [*known, *settings.no_stream_servers]
        fresh.save(path)

    return StreamChoice(settings, save)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.paths import resolve_data_dir

    resuming = args.command == "resume"
    if resuming:
        task_id = args.task_id.strip()
        if not task_id:
            raise UsageError("The task id is empty.")
        request, sources = None, None
    else:
        request, sources = build_request(args)
    data_dir = resolve_data_dir(args.data_dir)
    settings = _settings(data_dir)
    if resuming:
        flavour = Flavour.tasks  # only an async task has an id to check again
    else:
        flavour = Flavour(args.api or settings.api_flavour or Flavour.tasks.value)
    api_key = _key_or_usage_error(args.demo)

    from app.core.api.client import make_http_client
    from app.core.library import Library

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
            raise UsageError(
                f"Cannot use the data folder {data_dir}: {exc.strerror or exc}."
            ) from None
        if resuming:
            # A demo task lives only as long as its simulator: ask the one just started.
            given = base_url if args.demo else args.base_url
            resumed = _resume_spec(task_id, lib, given, base_url)
            if isinstance(resumed, list):  # landed already: nothing to ask the server
                for path in resumed:
                    print(path, file=stdout, flush=True)
                return EXIT_OK
            spec = resumed
            base_url = spec.resume_base_url or base_url
        else:
            spec = ev.JobSpec(key="cli", flavour=flavour.value, request=request, snapshot=sources)
        spec.keep_unmasked = bool(settings.keep_unmasked)
        spec.feather = int(settings.feather)
        spec.origin = "cli"
        host = "the demo simulator" if args.demo else base_url.split("://", 1)[-1].split("/")[0]
        progress = Progress(stderr, host, flavour)
        if resuming:
            progress.task_id = task_id
            progress.say(f"Checking task {task_id} on {host} again (no new task)...")
        poll = DEMO_POLL_INTERVAL if args.demo else float(settings.poll_interval)
        endpoint = ev.Endpoint(base_url, api_key, demo=args.demo)
        # The demo's simulator starts empty: a task of an earlier demo is not coming back.
        deadline = DEMO_RESUME_DEADLINE if args.demo and resuming else None
        streaming = _stream_choice(settings, data_dir)
        return _drive(
            spec, lib, http, endpoint, poll, progress, stdout, args.out, deadline, streaming
        )
    finally:
        if lib is not None:
            lib.close()
        http.close()
        if simulator is not None:
            simulator.stop()


def _resume_spec(
    task_id: str, lib: Library, given_url: str | None, current_url: str
) -> ev.JobSpec | list[Path]:
    """The job that polls `task_id` again: the journal's own job when it knows the task (on
    the server it names, unless --base-url says otherwise), else a new job for it. A task whose
    picture already landed gives its paths instead: it is never saved twice."""
    known = lib.job_by_task(task_id)
    if known is None:
        return ev.JobSpec(
            key="cli",
            flavour=Flavour.tasks.value,
            resume_task_id=task_id,
            resume_base_url=given_url or current_url,
        )
    if known.item_ids:
        items = lib.items(known.item_ids)
        return [items[i].path for i in known.item_ids if i in items]
    return ev.JobSpec(
        key="cli",
        flavour=Flavour.tasks.value,
        resume_job_id=known.job_id,
        resume_task_id=task_id,
        resume_base_url=given_url or known.base_url or current_url,
        parent_item_id=known.parent_item_id,
    )


def _drive(
    spec: ev.JobSpec,
    lib: Library,
    http: Any,
    endpoint: ev.Endpoint,
    poll: float,
    progress: Progress,
    stdout: TextIO,
    out: Path | None,
    deadline: float | None = None,
    streaming: StreamChoice | None = None,
) -> int:
    """Run the job on a worker thread, so Ctrl+C (main thread only) can cancel it."""
    from app.core.api.cancel import CancelToken
    from app.core.api.client import MountseaClient
    from app.core.jobs import JobEnv, run_job
    from app.core.library import JobState

    def client(e: ev.Endpoint) -> MountseaClient:
        extra = streaming.client_options(e.base_url) if streaming is not None else {}
        c = MountseaClient(http, e.base_url, e.api_key, poll_interval=poll, **extra)
        if deadline is not None:
            c.task_deadline = deadline
        return c

    # A script wants an answer, not a wait for the network to come back.
    env = JobEnv(lib, client, ev.FixedEndpoint(endpoint), wait_for_network=False)
    token = CancelToken()
    done = threading.Event()  # not Thread.is_alive(): a join broken by Ctrl+C can misreport it

    def work() -> None:
        try:
            run_job(spec, env, token, progress)
        finally:
            done.set()

    threading.Thread(target=work, name="cli-job", daemon=True).start()
    interrupted = False
    while True:
        try:
            if done.wait(0.2):
                break
        except KeyboardInterrupt:
            if interrupted:
                progress.say("Stopped.")
                if progress.job_id is not None:
                    lib.update_job(progress.job_id, state=JobState.cancelled)
                return EXIT_INTERRUPTED
            interrupted = True
            token.cancel()
            progress.say(
                "Cancelling... (a request already sent may still finish and is kept if it "
                "does; press Ctrl+C again to quit now)"
            )
    return _outcome(progress, stdout, out)


def _outcome(progress: Progress, stdout: TextIO, out: Path | None) -> int:
    """Print how the job ended and give its exit code."""
    end = progress.end
    if isinstance(end, ev.Landed):
        paths = [Path(p) for p in end.paths]
        if fitted := end.info.get("paste_back"):
            rw, rh, sw, sh = fitted
            progress.say(sizes.fit_sentence((rw, rh), (sw, sh)) or "")
        for path in paths:
            print(path, file=stdout, flush=True)
        if out is not None:
            for src, dest in zip(paths, _out_paths(out, len(paths), paths), strict=True):
                try:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(src, dest)
                except OSError as exc:
                    progress.say(
                        f"error: could not copy the picture to {dest}: {exc.strerror or exc}."
                    )
                    return EXIT_FAILED
        if end.late:
            progress.say("Interrupted, but the picture had already arrived and was saved.")
            return EXIT_INTERRUPTED
        return EXIT_OK
    if isinstance(end, ev.Cancelled | ev.Interrupted):
        task = (
            f" Task {progress.task_id} may still finish on the server; check it again with: "
            f"python -m app resume {progress.task_id}"
            if progress.task_id
            else ""
        )
        progress.say("Cancelled." + task)
        return EXIT_INTERRUPTED
    if isinstance(end, ev.Failed):
        if end.kind == "input":  # nothing was sent
            if isinstance(end.error, _ValidationError):
                raise UsageError("\n".join(end.error.problems))
            raise UsageError(sentences.error_sentence(end.error, cli=True))
        if isinstance(end.error, OSError) and end.kind == "save":
            progress.say(f"error: {sentences.save_failed_sentence(end.error, cli=True)}")
        else:
            progress.say(f"error: {sentences.error_sentence(end.error, cli=True)}")
        raw = end.raw or getattr(end.error, "raw", None)
        if raw:
            progress.say(f"  server answer: {raw}")
        from app.core.jobs import can_check_again

        task_id = end.task_id or progress.task_id
        if can_check_again(progress.flavour.value, task_id, end.kind):
            progress.say(sentences.check_again_note(task_id=task_id or "", cli=True))
        return EXIT_FAILED
    progress.say("error: the job ended without a result. Please report it.")
    return EXIT_FAILED


def _quiet_logs() -> None:
    """The pipeline logs for the window's log file; here the sentences on stderr say it all
    (without a handler, Python would print warnings and tracebacks to stderr)."""
    app_log = logging.getLogger("app")
    if not any(isinstance(h, logging.NullHandler) for h in app_log.handlers):
        app_log.addHandler(logging.NullHandler())


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    _quiet_logs()
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
    except OSError as exc:  # e.g. the disk filled up while journaling
        print(f"error: {sentences.error_sentence(exc, cli=True)}", file=stderr, flush=True)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a bug: still one sentence, never a traceback
        print(f"error: {sentences.error_sentence(exc, cli=True)}", file=stderr, flush=True)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
