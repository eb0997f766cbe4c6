"""What the API client costs on top of the wire: a whole job through MountseaClient against the
same calls made with bare httpx (the baseline), both on the zero-latency simulator.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/api_client.py

The client adds validation, retries bookkeeping, tolerant parsing and a full decode of every
image (so a truncated picture never reaches the library); the ratio shows what that costs.
"""

from __future__ import annotations

import base64
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from app.core.api.cancel import CancelToken
from app.core.api.client import MountseaClient, make_http_client
from app.core.api.models import Flavour, ImageRequest
from app.core.api.parse import verify_image
from app.simulator import Simulator

KEY = "sk-bench"
ROUNDS = 12


def bare_compat(http: httpx.Client, base: str, body: dict) -> bytes:
    r = http.post(
        f"{base}/openai/v1/images/generations",
        json=body,
        headers={"Authorization": f"Bearer {KEY}"},
    )
    r.raise_for_status()
    return base64.b64decode(r.json()["data"][0]["b64_json"])


def bare_async(http: httpx.Client, base: str, body: dict) -> bytes:
    auth = {"Authorization": f"Bearer {KEY}"}
    task = http.post(f"{base}/openai/images", json=body, headers=auth).json()["taskId"]
    while True:
        env = http.get(f"{base}/openai/tasks", params={"taskId": task}, headers=auth).json()
        if env["status"] == "completed":
            return base64.b64decode(env["result"]["data"][0]["b64_json"])


def timed(fn, rounds: int = ROUNDS) -> float:
    fn()  # warm up: connections, imports, font cache in the simulator
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    size = "1536x1024"
    req = ImageRequest(prompt="a lighthouse at dusk", size=size)
    body = {"prompt": req.prompt, "model": req.model, "size": size}
    with Simulator(api_keys=(KEY,), latency=0.0) as sim, make_http_client() as http:
        client = MountseaClient(http, sim.base_url, KEY, poll_interval=0.0)
        print(f"one {size} PNG per job, median of {ROUNDS} jobs, simulator at zero latency")
        for name, flavour, bare in (
            ("compat", Flavour.compat, bare_compat),
            ("async", Flavour.tasks, bare_async),
        ):
            base_t = timed(lambda bare=bare: bare(http, sim.base_url, body))
            ours = timed(lambda flavour=flavour: client.run(req, flavour, CancelToken()))
            print(
                f"  {name:6}  bare httpx {base_t * 1000:7.1f} ms   MountseaClient {ours * 1000:7.1f} ms"
                f"   ratio {ours / base_t:4.2f}"
            )
        data = client.run(req, Flavour.compat, CancelToken()).images[0].data
        verify = timed(lambda: verify_image(data), rounds=20)
        print(f"  full decode check of the {len(data) / 1e6:.1f} MB result: {verify * 1000:.1f} ms")


if __name__ == "__main__":
    main()
