"""The simulator answers both flavours over a real socket."""

from __future__ import annotations

import base64
import io

import httpx
from PIL import Image

from tests.conftest import TEST_KEY


def test_generation_and_task_round_trip(simulator) -> None:
    with httpx.Client(
        base_url=simulator.base_url, headers={"Authorization": f"Bearer {TEST_KEY}"}
    ) as client:
        r = client.post(
            "/openai/v1/images/generations", json={"prompt": "a red fox", "size": "1536x1024"}
        )
        assert r.status_code == 200
        img = Image.open(io.BytesIO(base64.b64decode(r.json()["data"][0]["b64_json"])))
        assert img.size == (1536, 1024)

        task_id = client.post("/openai/images", json={"prompt": "a red fox"}).json()["taskId"]
        envelope = client.get("/openai/tasks", params={"taskId": task_id}).json()
        assert envelope["status"] == "completed"
        assert base64.b64decode(envelope["result"]["data"][0]["b64_json"]).startswith(b"\x89PNG")
