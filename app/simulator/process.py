"""The demo simulator in a process of its own, for the window's demo mode.

In the app's process the simulator's HTTP threads and painter hold the GIL for milliseconds at
a time (encoding a 2.5 MB picture, serialising an answer), and the GUI thread waits behind
them: 8 demo jobs landing stalled the window 38-49 ms, against 19-27 ms with the same server
in another process (bench/bench_landing.py, demo and sep). The child is this same program
(`python -m app simulator`, or the frozen executable with `simulator`): it prints its URL,
and ends when its stdin closes, so a window that is killed leaves no server behind.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from app.core.priority import run_below_normal

DEMO_KEY = "sk-demo"  # the key the demo server accepts and the demo sends
START_TIMEOUT = 60.0  # seconds: a cold frozen start on a slow disk, with room to spare
STOP_TIMEOUT = 5.0


class SimulatorDidNotStart(RuntimeError):
    """The child process ended, or said nothing, before it served."""


def command() -> tuple[list[str], dict[str, str]]:
    """How to run this program's simulator (arguments, environment), from source or frozen
    by PyInstaller."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if getattr(sys, "frozen", False):
        return [sys.executable, "simulator"], env
    # The checkout this `app` came from, whatever the working directory is.
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return [sys.executable, "-m", "app", "simulator"], env


class SimulatorProcess:
    """What app.simulator.Simulator offers the session (api_keys, base_url, start, stop),
    served from a child process."""

    def __init__(self, api_keys: Iterable[str], latency: float):
        self.api_keys = frozenset(api_keys)
        self.latency = latency
        self._process: subprocess.Popen[bytes] | None = None
        self._base_url = ""

    @property
    def base_url(self) -> str:
        return self._base_url

    def start(self) -> str:
        program, env = command()
        args = [*program, "--port", "0", "--latency", str(self.latency), "--exit-with-stdin"]
        for key in sorted(self.api_keys):
            args += ["--key", key]
        # Its stderr goes to a file, read only if it fails: a pipe nobody reads could fill up.
        with tempfile.TemporaryFile() as errors:
            self._process = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
                # No console window flashing up beside a windowed app on Windows; and the
                # server, which stands for a remote service, below the window's priority
                # (app.core.priority): a creation flag there.
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)
                | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0),
            )
            if sys.platform != "win32":
                # Set at once, while the child starts: on Linux a nice value is per thread,
                # and the threads it makes later inherit it.
                run_below_normal(self._process.pid, "the demo server")
            line = self._first_line()
            if not line.startswith("http://"):
                self.stop()
                errors.seek(0)
                why = errors.read().decode("utf-8", "replace").strip().splitlines()
                raise SimulatorDidNotStart(why[-1] if why else "the demo server said nothing")
        self._base_url = line
        return line

    def _first_line(self) -> str:
        """The child's first line (its URL), or "" if it ends or stays silent too long."""
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(
            target=lambda: lines.put(stdout.readline()), name="simulator-url", daemon=True
        ).start()
        try:
            return lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace").strip()
        except queue.Empty:
            return ""

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()  # the child's signal to stop
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
