"""The server itself: concurrent requests, clean shutdown, the command line."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.simulator import Simulator
from tests.simulator.helpers import data_url, decode_b64, http_client, png

ROOT = Path(__file__).resolve().parents[2]


def test_eight_concurrent_requests_all_succeed() -> None:
    # Compat calls hold their connection for 0.2 s, so all eight are in flight at once;
    # tasks finish at once so the pollers do not spin.
    with Simulator(api_keys=("k",), latency=0.2, task_step_delay=0) as sim:

        def one(i: int) -> tuple[int, tuple[int, int]]:
            with http_client(sim.base_url, key="k", timeout=30) as c:
                if i % 2:
                    r = c.post(
                        "/openai/v1/images/generations",
                        json={"prompt": f"job {i}", "size": "1536x1024"},
                    )
                    return r.status_code, decode_b64(r.json()["data"][0]["b64_json"]).size
                task_id = c.post(
                    "/openai/images", json={"prompt": f"job {i}", "image": data_url(png())}
                ).json()["taskId"]
                while True:
                    envelope = c.get("/openai/tasks", params={"taskId": task_id}).json()
                    if envelope["status"] == "completed":
                        return 200, decode_b64(envelope["result"]["data"][0]["b64_json"]).size

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(8)))
        assert results == [
            (200, (1024, 1024)) if i % 2 == 0 else (200, (1536, 1024)) for i in range(8)
        ]
        assert sim.created_tasks == 4 and sim.compat_calls == 4
        assert len({r.json.get("prompt") for r in sim.requests if r.json}) == 8


def test_stop_joins_every_thread_it_started() -> None:
    before = set(threading.enumerate())
    sim = Simulator(api_keys=("k",))
    sim.start()
    # A keep-alive connection left open by the client: its handler thread waits on it.
    c = http_client(sim.base_url, key="k")
    assert c.post("/openai/images", json={"prompt": "x"}).status_code == 200
    sim.stop()
    c.close()
    assert set(threading.enumerate()) - before == set()


def test_context_manager_and_restart() -> None:
    sim = Simulator(api_keys=("k",))
    with sim:
        first = sim.base_url
    with sim:
        assert sim.base_url.startswith("http://127.0.0.1:")
    assert first.startswith("http://127.0.0.1:")
    sim.stop()  # stopping twice is harmless


def test_ids_follow_the_seed() -> None:
    def ids() -> list[str]:
        with Simulator(api_keys=("k",), seed=7) as sim, http_client(sim.base_url, key="k") as c:
            return [
                c.post("/openai/images", json={"prompt": "x"}).json()["taskId"] for _ in range(2)
            ]

    assert ids() == ids()


def test_command_line_serves_until_terminated() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.simulator", "--port", "0", "--latency", "0", "--key", "sk-cli"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        with http_client(base_url, key="sk-cli") as c:
            assert c.post("/openai/images", json={"prompt": "x"}).status_code == 200
        with http_client(base_url, key="sk-demo") as c:
            assert c.get("/openai/tasks", params={"taskId": "x"}).status_code == 401
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "sk-cli" not in err  # the key is never printed


def test_the_simulator_never_imports_qt() -> None:
    code = (
        "import sys, app.simulator, app.simulator.__main__\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_recording_is_bounded_for_long_sessions() -> None:
    with Simulator(api_keys=("k",), max_recorded=3) as sim, http_client(sim.base_url, key="k") as c:
        for i in range(5):
            c.get("/openai/tasks", params={"taskId": str(i)})
        assert [r.query["taskId"] for r in sim.requests] == ["2", "3", "4"]
        assert sim.request_count == 5
        assert sim.wait_for_requests(5, timeout=0)


def test_finished_tasks_expire() -> None:
    with Simulator(api_keys=("k",), task_ttl=0) as sim, http_client(sim.base_url, key="k") as c:
        first = c.post("/openai/images", json={"prompt": "a"}).json()["taskId"]
        assert c.get("/openai/tasks", params={"taskId": first}).status_code == 200
        c.post("/openai/images", json={"prompt": "b"})  # creating work sweeps expired tasks
        assert c.get("/openai/tasks", params={"taskId": first}).status_code == 404
