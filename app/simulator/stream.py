"""Compat answers as Server-Sent Events, the way OpenAI streams them (`stream: true`).

Each partial picture is one `image_generation.partial_image` event (`image_edit.partial_image`
for an edit), then one `...completed` event carries the final picture and the usage; every
event is an `event: <type>` line and a `data: <json>` line. The events are spread over the
simulated latency so a client sees previews before the result.
"""

from __future__ import annotations

import json
import time
from typing import Any

from app.simulator import painter
from app.simulator.service import Job, Output

# What a gateway that does not forward streaming answers (a Fault(stream="refuse")).
REFUSED = {
    "message": "Unsupported parameter: 'stream'. This endpoint does not support streaming responses.",
    "type": "invalid_request_error",
    "param": "stream",
    "code": "unsupported_parameter",
}


def event_bytes(kind: str, data: dict[str, Any] | str) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"event: {kind}\ndata: {payload}\n\n".encode()


def events(job: Job, out: Output, *, garbled: bool = False) -> list[tuple[str, bytes]]:
    """(type, framed bytes) for each event, partials first; `garbled` cuts the final event's
    JSON short, as a proxy mangling the stream would."""
    prefix = "image_edit" if job.is_edit else "image_generation"
    resp = out.response
    common = {
        "size": resp["size"],
        "quality": resp["quality"],
        "background": resp["background"],
        "output_format": resp["output_format"],
    }
    framed: list[tuple[str, bytes]] = []
    for i, data in enumerate(out.partials):
        kind = f"{prefix}.partial_image"
        body = {
            "type": kind,
            "b64_json": painter.base64_text(data),
            "partial_image_index": i,
            "created_at": int(time.time()),
            **common,
        }
        framed.append((kind, event_bytes(kind, body)))
    kind = f"{prefix}.completed"
    final: dict[str, Any] = {
        "type": kind,
        "b64_json": resp["data"][0]["b64_json"],
        "created_at": int(time.time()),
        **common,
        "usage": resp["usage"],
    }
    if garbled:
        text = json.dumps(final)
        framed.append((kind, event_bytes(kind, text[: len(text) // 2])))
    else:
        framed.append((kind, event_bytes(kind, final)))
    return framed
