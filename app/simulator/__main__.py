"""`python -m app.simulator` (or `python -m app simulator`): serve the simulator until Ctrl+C, for
manual testing; the window's demo mode runs it so too (app.simulator.process)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from types import FrameType

from app.simulator import painter
from app.simulator.server import DEMO_KEY, Simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.simulator", description="A local Mountsea gpt-image-2 simulator."
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument(
        "--latency", type=float, default=3.0, help="seconds a Compat call or an async task takes"
    )
    parser.add_argument(
        "--key", action="append", help=f"accepted API key (repeatable; default {DEMO_KEY})"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for ids (reproducible runs)")
    parser.add_argument(
        "--heavy",
        action="store_true",
        help="results as heavy as real ones (2-3 MB at 1536x1024, ~10 MB at 3840x2160)",
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when stdin closes (the app's demo mode: its server ends with the window)",
    )
    args = parser.parse_args(argv)
    if args.heavy:
        os.environ[painter.HEAVY_ENV] = "1"

    sim = Simulator(api_keys=tuple(args.key or (DEMO_KEY,)), latency=args.latency, seed=args.seed)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if args.exit_with_stdin:
        # EOF comes when the app closes its end, or dies: no server is left behind either way.
        def stop_at_eof() -> None:
            sys.stdin.buffer.read()
            stop.set()

        threading.Thread(target=stop_at_eof, name="stdin-eof", daemon=True).start()
    sim.start(port=args.port)
    print(sim.base_url, flush=True)
    print(
        f"serving Mountsea's API on {sim.base_url} (Compat base URL {sim.base_url}/openai/v1); Ctrl+C stops",
        file=sys.stderr,
        flush=True,
    )
    stop.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
