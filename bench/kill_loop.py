"""The kill loop: the window and the command line with async tasks in flight, SIGKILLed at
random moments, restarted; afterwards nothing is lost, nothing twice, nothing half-written.

    python bench/kill_loop.py --rounds 20 --seed 7

The simulator runs in this process and is never killed; each task takes a random 0.5-3 s
(seeded). Each round starts, on one shared data folder, the real window
(tests/procs/window_jobs.py: create_window, the prompt panel, the Generate button) with a few
async jobs and one or two `python -m app generate` processes, one prompt of its own per job
("kill-r3-w2"), waits for a moment picked by a seeded generator (a random time, the first
task created, the first task id journaled, the first result ready to land) and SIGKILLs them
all. Every next start resumes what the last one left, as a user's would. After the last round
a settle process (the window again) resumes and lands what can be, closes cleanly, and the
checks run on the files and the index as they are (the library is not opened: opening it
would repair what the checks are meant to see). Exit 1 when any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from app.core.library import metadata  # noqa: E402
from app.core.library.files import IMAGE_SUFFIXES, PARTIAL_DIR  # noqa: E402
from app.core.library.store import DB_NAME  # noqa: E402
from app.simulator import Simulator  # noqa: E402

API_KEY = "sk-kill-loop-0123456789"
WINDOW_SCRIPT = ROOT / "tests" / "procs" / "window_jobs.py"
SLOW_LANDING_SCRIPT = ROOT / "tests" / "procs" / "slow_landing.py"
LATENCY = (0.5, 3.0)  # seconds a task takes on the simulator, per task
POLL_INTERVAL = 0.2  # the app's setting for this data folder: rounds stay short
MOMENTS = ("early", "created", "journaled", "landing", "writing")
MOMENT_TIMEOUT = 25.0  # a moment not reached by then: kill anyway (said in the round's line)
SETTLE_TIMEOUT = 120.0
WATCH = 0.02  # seconds between looks at the journal and the simulator
SLOW_COMMIT = 1.5  # seconds the "writing" rounds wait between writing and committing
TEMP_MARKERS = (".tmp", ".part", ".partial")


# --- the server ---------------------------------------------------------------------------------


class JitterSimulator(Simulator):
    """The simulator with a seeded random latency per task (read once as each task is made)."""

    def __init__(self, *args: Any, seed: int, span: tuple[float, float] = LATENCY, **kw: Any):
        self._jitter = random.Random(seed)
        self._jitter_lock = threading.Lock()
        self._span = span
        super().__init__(*args, **kw)

    @property  # type: ignore[override]
    def latency(self) -> float:
        with self._jitter_lock:
            return self._jitter.uniform(*self._span)

    @latency.setter
    def latency(self, _value: float) -> None:
        pass  # the base class sets one latency for all; ours is drawn per task


# --- the processes ------------------------------------------------------------------------------


def make_simulator(seed: int) -> Simulator:
    # Finished tasks must not expire during the loop: the checks read them all at the end.
    return JitterSimulator(api_keys=(API_KEY,), seed=seed, task_ttl=24 * 3600.0)


def clean_env() -> dict[str, str]:
    """What a child gets: the key, the offscreen platform, no display, no real keyring."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "MOUNTSEA_API_KEY": API_KEY,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "KILL_LOOP_SLOW_COMMIT": str(SLOW_COMMIT),  # for tests/procs/slow_landing.py
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return env


class Processes:
    """Every child started, so that all of them are killed and reaped whatever happens."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"{name}.log", "wb") as out:
            child = subprocess.Popen(
                [sys.executable, *argv],
                cwd=ROOT,
                env=clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal's Ctrl+C reaches the loop only
            )
        self.children.append(child)
        return child

    def kill_all(self) -> list[int | None]:
        """SIGKILL every child still running, reap them all; their exit codes (None: killed)."""
        codes: list[int | None] = []
        for child in self.children:
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.pid, signal.SIGKILL)
                child.wait()
                codes.append(None)
            else:
                codes.append(child.returncode)
        self.children.clear()
        return codes


def window_argv(data_dir: Path, base_url: str, *rest: str) -> list[str]:
    return [str(WINDOW_SCRIPT), "--data-dir", str(data_dir), "--base-url", base_url, *rest]


def cli_argv(data_dir: Path, base_url: str, prompt: str, *, slow: bool = False) -> list[str]:
    """`python -m app generate`, or the same through the wrapper that commits slowly."""
    return [
        *([str(SLOW_LANDING_SCRIPT)] if slow else ["-m", "app"]),
        "generate",
        prompt,
        "--base-url",
        base_url,
        "--data-dir",
        str(data_dir),
        "--api",
        "async",
    ]


# --- watching the journal and the server --------------------------------------------------------


def _query(data_dir: Path, sql: str) -> list[sqlite3.Row]:
    db = data_dir / DB_NAME
    if not db.exists():
        return []
    try:
        conn = sqlite3.connect(db, timeout=5)
    except sqlite3.Error:
        return []
    try:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql).fetchall()
    except sqlite3.Error:
        return []  # not created yet, or a schema still being made: look again
    finally:
        conn.close()


def journal_rows(data_dir: Path) -> list[dict[str, Any]]:
    rows = _query(data_dir, "SELECT job_id, task_id, state, params, landing FROM jobs")
    out = []
    for r in rows:
        try:
            prompt = json.loads(r["params"]).get("prompt")
        except (ValueError, AttributeError):
            prompt = None
        out.append(
            {
                "job_id": r["job_id"],
                "task_id": r["task_id"],
                "state": r["state"],
                "prompt": prompt,
                "landing": r["landing"],
            }
        )
    return out


def wait_for(condition: Callable[[], bool], timeout: float, every: float = WATCH) -> bool:
    """Look at `condition` every `every` seconds until it holds (True) or time is up (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(every)
    return condition()


def moment_reached(
    moment: str, sim: Simulator, data_dir: Path, prompts: set[str]
) -> Callable[[], bool]:
    """The condition a round's kill waits for."""

    def created() -> bool:
        return any(t.request.get("prompt") in prompts for t in list(sim.tasks.values()))

    def journaled() -> bool:
        return any(r["task_id"] and r["prompt"] in prompts for r in journal_rows(data_dir))

    def landing() -> bool:
        # A client has seen the task final: it is downloading, decoding or saving it now.
        return any(
            t.request.get("prompt") in prompts and t._final == "completed"
            for t in list(sim.tasks.values())
        )

    def writing() -> bool:
        # The files are being written: the job says where, and the commit has not cleared it.
        return any(r["landing"] and r["prompt"] in prompts for r in journal_rows(data_dir))

    conditions = {
        "created": created,
        "journaled": journaled,
        "landing": landing,
        "writing": writing,
    }
    return conditions[moment]


# --- the checks ---------------------------------------------------------------------------------


@dataclass
class Counts:
    rounds: int = 0
    integrity: str = "not checked"
    lost: int = 0  # the server made it, its id reached the journal, it never landed
    landed_twice: int = 0  # two items, or two picture files, for one task
    created_twice: int = 0  # prompts the server made more than one task for
    half_written: int = 0  # items whose file is missing, does not decode, or is a temp file
    unindexed: int = 0  # picture files in the images folder no item points to
    unfinished: int = 0  # jobs still queued, waiting or running after the settle
    unanswered: int = 0  # tasks made whose create answer the kill cut off (not a failure)
    cut_landings: int = 0  # kills between writing a result's files and committing them
    tasks: int = 0
    items: int = 0
    settled: bool = False
    details: dict[str, list[str]] = field(default_factory=dict)

    def failures(self) -> list[str]:
        bad = [
            name
            for name in (
                "lost",
                "landed_twice",
                "created_twice",
                "half_written",
                "unindexed",
                "unfinished",
            )
            if getattr(self, name)
        ]
        if self.integrity != "ok":
            bad.insert(0, "integrity")
        if not self.settled:
            bad.append("settled")
        return bad

    def lines(self) -> list[str]:
        return [
            f"rounds: {self.rounds} (server tasks {self.tasks}, library items {self.items})",
            f"integrity_check: {self.integrity}",
            f"settle closed cleanly with nothing running: {'ok' if self.settled else 'NO'}",
            f"tasks journaled but never landed: {self.lost}",
            f"tasks landed more than once: {self.landed_twice}",
            f"tasks created twice for one prompt: {self.created_twice}",
            f"half-written or temp files indexed: {self.half_written}",
            f"picture files the library does not list: {self.unindexed}",
            f"jobs left unfinished after the settle: {self.unfinished}",
            f"tasks made whose create answer the kill cut off (not a failure): {self.unanswered}",
            f"landings cut off between writing and committing (not a failure): {self.cut_landings}",
        ]


def _decodes(path: Path) -> bool:
    try:
        with Image.open(path) as im:
            im.load()
        return True
    except (OSError, ValueError, Image.DecompressionBombError):
        return False


def check(data_dir: Path, sim: Simulator) -> Counts:
    counts = Counts()
    details: dict[str, list[str]] = {}
    db = data_dir / DB_NAME
    conn = sqlite3.connect(db, timeout=10)
    try:
        conn.row_factory = sqlite3.Row
        counts.integrity = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        jobs = conn.execute("SELECT job_id, task_id, state, params FROM jobs").fetchall()
        items = conn.execute("SELECT id, path, raw_path, task_id FROM items").fetchall()
    finally:
        conn.close()

    def resolve(stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else data_dir / p

    server = {tid: str(rec.request.get("prompt")) for tid, rec in list(sim.tasks.items())}
    counts.tasks, counts.items = len(server), len(items)
    journaled = {j["task_id"] for j in jobs if j["task_id"]}
    by_task = Counter(i["task_id"] for i in items if i["task_id"])

    lost = sorted(t for t in journaled & set(server) if by_task[t] == 0)
    counts.lost = len(lost)
    details["lost"] = [f"{t} ({server[t]})" for t in lost]

    # Two rows for one task, or (rebuild's view) two picture files carrying one task's id.
    files_by_task: Counter[str] = Counter()
    pictures = [
        p
        for p in (data_dir / "images").rglob("*")
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and PARTIAL_DIR not in p.parts
    ]
    for p in pictures:
        record = metadata.read_file(p)
        if record and record.get("task_id") and not record.get("raw"):
            files_by_task[str(record["task_id"])] += 1
    twice = sorted(
        {t for t, n in by_task.items() if n > 1} | {t for t, n in files_by_task.items() if n > 1}
    )
    counts.landed_twice = len(twice)
    details["landed_twice"] = [f"{t}: {by_task[t]} items, {files_by_task[t]} files" for t in twice]

    per_prompt = Counter(server.values())
    doubled = sorted(p for p, n in per_prompt.items() if n > 1)
    counts.created_twice = len(doubled)
    details["created_twice"] = [f"{p}: {per_prompt[p]} tasks" for p in doubled]

    half = []
    listed: set[Path] = set()
    for i in items:
        for stored in (i["path"], i["raw_path"]):
            if not stored:
                continue
            path = resolve(stored)
            listed.add(path.resolve())
            temp = PARTIAL_DIR in path.parts or any(m in path.name for m in TEMP_MARKERS)
            if temp or not path.is_file() or not _decodes(path):
                half.append(f"item {i['id']}: {path}")
    counts.half_written = len(half)
    details["half_written"] = half

    unlisted = sorted(str(p) for p in pictures if p.resolve() not in listed)
    counts.unindexed = len(unlisted)
    details["unindexed"] = unlisted

    left = [j for j in jobs if j["state"] in ("queued", "waiting", "running")]
    counts.unfinished = len(left)
    details["unfinished"] = [f"{j['job_id']} {j['state']} task {j['task_id']}" for j in left]

    counts.unanswered = len(set(server) - journaled)
    details["unanswered"] = sorted(f"{t} ({server[t]})" for t in set(server) - journaled)
    counts.details = details
    return counts


# --- the loop -----------------------------------------------------------------------------------


def write_settings(data_dir: Path) -> None:
    """The app's own settings file for this folder: async jobs, polled often (rounds are short)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = {"poll_interval": POLL_INTERVAL, "api_flavour": "async", "concurrency": 4}
    (data_dir / "settings.json").write_text(json.dumps(settings), encoding="utf-8")


def run_round(
    n: int,
    rng: random.Random,
    sim: Simulator,
    base_url: str,
    data_dir: Path,
    procs: Processes,
) -> tuple[str, int]:
    """One round: start the window and the command lines, wait for a moment, kill them all.
    Its line, and how many landings the kill cut off between writing and committing."""
    window_prompts = [f"kill-r{n}-w{i}" for i in range(1, rng.randint(2, 3) + 1)]
    cli_prompts = [f"kill-r{n}-c{i}" for i in range(1, rng.randint(1, 2) + 1)]
    moment = rng.choice(MOMENTS)
    extra = {"early": 0.0, "created": 0.0, "writing": 0.0, "journaled": rng.uniform(0, 1.0)}.get(
        moment, rng.uniform(0, 0.3)
    )
    # The moment is looked for in the window's jobs or in the command line's: the window
    # starts slower, and would otherwise almost always be killed before its first task.
    # "writing" lasts milliseconds: the command lines widen it (tests/procs/slow_landing.py).
    target = rng.choice(("window", "cli"))
    slow = ("--slow-commit", str(SLOW_COMMIT)) if moment == "writing" else ()
    began = time.monotonic()
    window = procs.start(
        f"r{n}-window", window_argv(data_dir, base_url, "jobs", *window_prompts, *slow)
    )
    clis = [
        procs.start(f"r{n}-cli{i}", cli_argv(data_dir, base_url, prompt, slow=moment == "writing"))
        for i, prompt in enumerate(cli_prompts, 1)
    ]
    watched = set(window_prompts if target == "window" else cli_prompts)
    watched_procs = [window] if target == "window" else clis
    reached = True
    if moment == "early":
        wait_for(lambda: False, rng.uniform(0.2, 4.0))  # a plain random time after the start
    else:
        moment_now = moment_reached(moment, sim, data_dir, watched)
        reached = wait_for(
            lambda: moment_now() or all(p.poll() is not None for p in watched_procs),
            MOMENT_TIMEOUT,
        )
        reached = reached and moment_now()
    if extra:
        wait_for(lambda: False, extra)
    codes = procs.kill_all()
    ended = sum(1 for c in codes if c is not None)
    prompts = set(window_prompts) | set(cli_prompts)
    made = sum(1 for t in list(sim.tasks.values()) if t.request.get("prompt") in prompts)
    rows = [r for r in journal_rows(data_dir) if r["prompt"] in prompts]
    ids = sum(1 for r in rows if r["task_id"])
    open_landings = sum(1 for r in rows if r["landing"])
    line = (
        f"round {n}: {len(window_prompts)} window + {len(cli_prompts)} cli jobs, killed at "
        f"{target} '{moment}'{'' if reached else ' (not reached)'} +{extra:.2f}s after "
        f"{time.monotonic() - began:.1f}s; {made} tasks made, {ids} ids journaled, "
        f"{open_landings} landings cut off, {ended} processes had exited"
    )
    return line, open_landings


def settle(data_dir: Path, base_url: str, procs: Processes, timeout: float) -> bool:
    """The next start after the kills: resume, land, close cleanly. True when it did."""
    child = procs.start(
        "settle", window_argv(data_dir, base_url, "--timeout", str(timeout), "settle")
    )
    try:
        code = child.wait(timeout + 30)
    except subprocess.TimeoutExpired:
        code = None
    procs.kill_all()
    return code == 0


def run_loop(
    rounds: int,
    seed: int,
    work_dir: Path,
    *,
    say: Callable[[str], None] = print,
    settle_timeout: float = SETTLE_TIMEOUT,
    sim: Simulator | None = None,
) -> Counts:
    """The whole loop in `work_dir` (data/ and procs/ logs); the counts of the checks. `sim`
    (started and stopped here; its task records stay readable) is made from `seed` if not given."""
    data_dir = work_dir / "data"
    write_settings(data_dir)
    rng = random.Random(seed)
    if sim is None:
        sim = make_simulator(seed)
    procs = Processes(work_dir / "procs")
    base_url = sim.start()
    try:
        cut = 0
        for n in range(1, rounds + 1):
            line, cut_now = run_round(n, rng, sim, base_url, data_dir, procs)
            cut += cut_now
            say(line)
        settled = settle(data_dir, base_url, procs, settle_timeout)
        counts = check(data_dir, sim)
        counts.rounds = rounds
        counts.cut_landings = cut
        counts.settled = settled
        return counts
    finally:
        procs.kill_all()
        sim.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work-dir", type=Path, default=None, help="keep the data folder here")
    args = p.parse_args(argv)
    began = time.monotonic()
    with contextlib.ExitStack() as stack:
        work = args.work_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="kill-loop-"))
        )
        counts = run_loop(args.rounds, args.seed, work)
        for line in counts.lines():
            print(line)
        for name in counts.failures():
            for detail in counts.details.get(name, [])[:20]:
                print(f"  {name}: {detail}")
        print(f"took {time.monotonic() - began:.0f} s (seed {args.seed})")
        failed = counts.failures()
        if failed:
            print(f"FAILED: {', '.join(failed)}  (logs: {work / 'procs'})")
            if args.work_dir is None:
                print("  run with --work-dir to keep the data folder and the logs")
            return 1
        print("all ok")
        return 0


if __name__ == "__main__":
    sys.exit(main())
