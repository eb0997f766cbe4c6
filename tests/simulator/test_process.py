"""The demo server in a process of its own (app.simulator.process): it serves, it stops, it
never outlives the app, and a failed start says why."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.simulator import process
from app.simulator.process import DEMO_KEY, SimulatorDidNotStart, SimulatorProcess


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # ended; waiting for whoever adopted it to reap it


def _wait_gone(pid: int, timeout: float = 20.0) -> bool:
    """Wait for the process to end: its pidfd becomes readable then (Linux 5.3+)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        return bool(ready)
    finally:
        os.close(fd)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads each thread's nice value")
def test_it_runs_below_the_window_with_every_thread_it_serves_from() -> None:
    # On a 2-core laptop the server's painting and answers would take the CPU the window
    # needs while results land; on Linux a nice value is per thread.
    sim = SimulatorProcess([DEMO_KEY], latency=0.0)
    url = sim.start()
    try:
        httpx.get(f"{url}/openai/v1/models", timeout=30)  # its serving threads exist now
        pid = sim._process.pid  # type: ignore[union-attr]
        threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert all(os.getpriority(os.PRIO_PROCESS, t) > mine for t in threads), threads
    finally:
        sim.stop()


def test_it_serves_the_demo_key_and_stops() -> None:
    sim = SimulatorProcess([DEMO_KEY], latency=0.0)
    url = sim.start()
    try:
        assert url == sim.base_url and url.startswith("http://127.0.0.1:")
        answer = httpx.post(
            f"{url}/openai/v1/images/generations",
            json={"model": "gpt-image-2", "prompt": "a red cat", "size": "1024x1024"},
            headers={"Authorization": f"Bearer {DEMO_KEY}"},
            timeout=30,
        )
        assert answer.status_code == 200 and answer.json()["data"][0]["b64_json"]
        refused = httpx.post(
            f"{url}/openai/v1/images/generations",
            json={"model": "gpt-image-2", "prompt": "a red cat"},
            headers={"Authorization": "Bearer sk-someone-else"},
            timeout=30,
        )
        assert refused.status_code == 401
        child = sim._process
        assert child is not None
    finally:
        sim.stop()
    assert child.returncode is not None  # stopped and reaped, not left running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/openai/tasks", timeout=5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_server_ends_when_the_app_is_killed(tmp_path: Path) -> None:
    # An app that starts its demo server, says the server's pid, and is then SIGKILLed: no
    # close, no atexit. The server must notice and end on its own.
    root = Path(process.__file__).resolve().parents[2]
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from app.simulator.process import DEMO_KEY, SimulatorProcess\n"
            "sim = SimulatorProcess([DEMO_KEY], latency=0.0)\n"
            "sim.start()\n"
            "print(sim._process.pid, flush=True)\n"
            "sys.stdin.read()\n",
        ],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as app:
        server_pid = 0
        try:
            assert app.stdout is not None
            server_pid = int(app.stdout.readline())
            assert not _gone(server_pid)
            app.kill()
            app.wait()
            assert _wait_gone(server_pid), "the demo server outlived the app"
        finally:
            if app.poll() is None:
                app.kill()
            if server_pid and not _gone(server_pid):
                os.kill(server_pid, 9)


def test_a_server_that_cannot_start_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing() -> tuple[list[str], dict[str, str]]:
        script = "import sys; sys.exit('address already in use')"
        return [sys.executable, "-c", script], dict(os.environ)

    monkeypatch.setattr(process, "command", failing)
    sim = SimulatorProcess([DEMO_KEY], latency=0.0)
    with pytest.raises(SimulatorDidNotStart, match="address already in use"):
        sim.start()
    assert sim._process is None and sim.base_url == ""
