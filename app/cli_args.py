"""The command line's arguments: `python -m app generate|edit PROMPT [options]` and
`python -m app resume TASK_ID [options]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import APP_NAME
from app.core.api.models import DEFAULT_BASE_URL, DEFAULT_MODEL, Flavour


class UsageError(Exception):
    """Bad usage or invalid input: exit 2, nothing sent."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("prompt", help="what to draw (1 to 32,000 characters)")
    p.add_argument(
        "--size",
        default="auto",
        metavar="S",
        help="auto, 1024x1024, 1024x1536, 1536x1024 or WIDTHxHEIGHT",
    )
    p.add_argument(
        "--quality", default="auto", metavar="Q", help="auto, low, medium, high or standard"
    )
    p.add_argument("--background", default="auto", metavar="B", help="auto, opaque or transparent")
    p.add_argument(
        "--format",
        dest="output_format",
        default="png",
        metavar="png|jpeg|webp",
        help="png, jpeg or webp",
    )
    p.add_argument(
        "--compression", type=int, default=None, metavar="N", help="0-100, jpeg and webp only"
    )
    p.add_argument("--moderation", default="auto", metavar="auto|low", help="auto or low")
    p.add_argument("--model", default=DEFAULT_MODEL, metavar="M", help=f"default {DEFAULT_MODEL}")
    p.add_argument("--user", default=None, metavar="U", help="end-user id for abuse monitoring")
    p.add_argument(
        "--api",
        choices=[f.value for f in Flavour],
        default=None,
        help="async (a task polled until done) or compat (one long request); "
        "default: the app's setting, else async",
    )
    _place(p)


def _place(p: argparse.ArgumentParser) -> None:
    """Where a job runs and lands: the options every command shares."""
    p.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help=f"default: the app's setting (for resume: the journal's), else {DEFAULT_BASE_URL}",
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, metavar="DIR", help="library and settings folder"
    )
    p.add_argument(
        "--demo", action="store_true", help="use the built-in simulator: no key, no network"
    )
    p.add_argument(
        "--out", type=Path, default=None, metavar="PATH", help="also copy the image here"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m app", description=f"{APP_NAME}: make pictures with gpt-image-2."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    generate = commands.add_parser("generate", help="make a picture from a prompt")
    _options(generate)
    edit = commands.add_parser("edit", help="change one or more pictures")
    _options(edit)
    edit.add_argument(
        "--image",
        type=Path,
        action="append",
        required=True,
        metavar="FILE",
        help="a picture to edit (repeat for up to 16; the first one is the one masked)",
    )
    edit.add_argument(
        "--mask",
        type=Path,
        default=None,
        metavar="FILE",
        help="PNG with alpha, the first image's size; transparent pixels are repainted",
    )
    edit.add_argument("--input-fidelity", default=None, metavar="high|low", help="high or low")
    resume = commands.add_parser(
        "resume",
        help="check a task the server already has once more and save its picture "
        "(never creates a task, never bills again)",
    )
    resume.add_argument("task_id", metavar="TASK_ID", help="the task id a job printed")
    _place(resume)
    return parser
