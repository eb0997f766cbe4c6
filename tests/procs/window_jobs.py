"""The real window in a process of its own, for the kill loop (bench/kill_loop.py).

    python tests/procs/window_jobs.py --data-dir DIR --base-url URL jobs PROMPT...
    python tests/procs/window_jobs.py --data-dir DIR --base-url URL settle

`jobs`: opens the window exactly as `python -m app` does (app.main.create_window), lets it
resume the journal as it does at every start, types each prompt into the prompt panel and
clicks Generate (one copy each, so every job has a prompt of its own), then runs the event
loop until it is killed (or, with --finish, until nothing runs and it closes cleanly).

`settle`: opens the window, lets it resume the journal, waits until no job runs, and closes
cleanly: what a user's next start does after the kills. Exit 0 when it settled, 1 when the
time ran out first.

Lines on stdout say what happened ("ready", "submitted PROMPT", "settled"), for a person
reading the loop's output; the loop itself watches the journal and the simulator.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

# Run as a script (the loop starts it with sys.executable): the project root is the import root.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
)

from app.main import create_window  # noqa: E402
from app.startup import before_qt  # noqa: E402

TICK_MS = 50


@dataclass
class State:
    pending: list[str]  # prompts still to type in and send
    journal_done: bool = False  # the start-up's journal resume has handed its jobs over
    code: int = 0

    def on_journal_done(self) -> None:
        self.journal_done = True


def say(text: str) -> None:
    print(text, flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", required=True)
    p.add_argument("--base-url", required=True)
    p.add_argument("--timeout", type=float, default=120.0, help="settle: give up after this")
    sub = p.add_subparsers(dest="mode", required=True)
    jobs = sub.add_parser("jobs")
    jobs.add_argument("prompts", nargs="+")
    jobs.add_argument("--finish", action="store_true", help="close once nothing runs")
    jobs.add_argument(
        "--slow-commit",
        type=float,
        default=0.0,
        help="wait this long between writing a result's files and committing them",
    )
    sub.add_parser("settle")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    if getattr(args, "slow_commit", 0.0) > 0:
        from tests.procs import slow_landing

        slow_landing.install(args.slow_commit)
    before_qt()
    app = QApplication([sys.argv[0]])
    window = create_window(
        ["--data-dir", args.data_dir, "--base-url", args.base_url, "--api", "async"]
    )
    window.confirm_quit = False  # the loop kills or settles; nobody answers a question
    journal = window.startup.journal
    state = State(pending=list(getattr(args, "prompts", [])))
    journal.done.connect(state.on_journal_done)

    edit = window.findChild(QPlainTextEdit, "promptEdit")
    copies = window.findChild(QSpinBox, "copiesSpin")
    button = window.findChild(QPushButton, "generateButton")
    assert edit is not None and copies is not None and button is not None

    def finish(code: int) -> None:
        state.code = code
        window.close()
        app.quit()

    def idle() -> bool:
        return state.journal_done and not window.runner.busy

    def tick_jobs() -> None:
        # Submit once the key is in use (the environment's) and the form can be sent.
        if window.session.endpoint() is None:
            return
        if state.pending:
            prompt = state.pending[0]
            edit.setPlainText(prompt)
            copies.setValue(1)
            if not button.isEnabled():
                return
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            state.pending.pop(0)
            say(f"submitted {prompt}")
        elif args.finish and idle():
            say("finished")
            finish(0)

    def tick_settle() -> None:
        if idle():
            say("settled")
            finish(0)

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick_jobs if args.mode == "jobs" else tick_settle)
    timer.start()
    if args.mode == "settle":

        def give_up() -> None:
            say("timed out with jobs still running")
            finish(1)

        QTimer.singleShot(int(args.timeout * 1000), give_up)
    say("ready")
    app.exec()
    timer.stop()
    return state.code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
