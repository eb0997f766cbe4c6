"""A local, faithful stand-in for Mountsea's gpt-image-2 service (no Qt): tests, demo mode, benchmarks.

    sim = Simulator(api_keys=("sk-test",), latency=0.0); base_url = sim.start(); ...; sim.stop()

Choices where the real service is silent or where a simulator must decide:
- Refusals: a prompt containing a whole word from MODERATION_TRIGGER_WORDS ("forbidden") is
  refused with 400 `moderation_blocked` on Compat; an async task is accepted and then ends
  `failed` with the same safety message and errorCode 400 (the model refuses when it runs).
- Async validation: parameters and inline (data URL) images are checked at creation (400);
  http(s) URL inputs are fetched when the task finishes, and a failed fetch fails the task.
  URLs of the simulator's own /files route are resolved without a network.
- Edits with size=auto answer a size gpt-image-2 makes, never the source's own pixel size: the
  1K preset closest in shape to the first picture (app.core.sizes; 1536x1024 for 3:2);
  `Simulator(edit_auto_size="nearest")` keeps to the three sizes Mountsea documents.
- Masked edits repaint where the mask's alpha is 0 and shift every other pixel by
  painter.DRIFT_LEVELS levels; without a mask the whole picture is restyled.
- Unknown fields are ignored, in a JSON body and in a multipart edit alike (Mountsea's note;
  `moderation` on an edit too); `response_format` is accepted and ignored.
- Compat `stream: true` (with `partial_images` 0-3) answers Server-Sent Events exactly as
  OpenAI documents them (stream.py): that many `image_generation.partial_image` events
  (`image_edit.*` for edits; quarter-size, blurred previews of the final picture), then one
  `...completed` event with the picture and the usage. `Fault(stream=...)` refuses streaming
  (400, param "stream"), answers plain JSON anyway, cuts the stream or garbles it.
- Faults: a `status` fault does no work; `delay`, `drop` and `malformed_json` answer after the
  work is done (the task exists, the Compat call counted), as when a create reached the server.
- Result URLs (/files/<id>) need no key, like signed storage URLs; every other route does.
- Unknown task ids answer 404 in Mountsea's own shape: {"statusCode", "message", "error"}.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.simulator.faults import RESULT_SHAPES, STREAM_FAULTS, Fault
    from app.simulator.process import DEMO_KEY
    from app.simulator.server import RecordedRequest, Simulator, TaskRecord
    from app.simulator.service import MODERATION_TRIGGER_WORDS

# Loaded when first asked for: the window's demo mode only needs app.simulator.process, which
# runs the server in a process of its own, and so never pays for (nor holds the GIL during)
# importing the server and its painter.
_HOME = {
    "DEMO_KEY": "app.simulator.process",
    "MODERATION_TRIGGER_WORDS": "app.simulator.service",
    "RESULT_SHAPES": "app.simulator.faults",
    "STREAM_FAULTS": "app.simulator.faults",
    "Fault": "app.simulator.faults",
    "RecordedRequest": "app.simulator.server",
    "Simulator": "app.simulator.server",
    "TaskRecord": "app.simulator.server",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "DEMO_KEY",
    "MODERATION_TRIGGER_WORDS",
    "RESULT_SHAPES",
    "STREAM_FAULTS",
    "Fault",
    "RecordedRequest",
    "Simulator",
    "TaskRecord",
]
