"""The money path under a misbehaving server: N jobs of both flavours, a few at a time, through
app.core.jobs.run_job (the pipeline the window and the command line use) against an in-process
simulator that answers badly at random on every route.

    python bench/soak.py [--jobs 300] [--seed 1] [--threads 4] [--rate 0.3]

Prints what must all be 0 (and exits 1 otherwise):
  hung                 jobs that did not end within their deadline and a margin
  crashes              jobs that ended in an exception the pipeline did not expect
  paid results lost    tasks (or Compat calls) the server completed with a readable picture,
                       answered to a job that knew about it, and whose picture never landed
                       (after the "Check the server again" a person is offered)
  created twice        jobs for which the server really made more than one task or picture
  broken files         landed files that Pillow cannot decode in full
  unclear failures     failures whose sentence is empty or the generic "something unexpected"
and, for the record, what the faults cost without any fault of ours: billed answers the server
lost or broke (a dropped or garbled create, a truncated or unknown picture).
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from app.core import job_events as ev
from app.core import jobs, sentences
from app.core.api.cancel import CancelToken
from app.core.api.client import MountseaClient, make_http_client
from app.core.api.errors import ApiError, ErrorKind
from app.core.api.models import Flavour, ImageRequest
from app.core.library import Library
from app.simulator import Fault, Simulator
from app.simulator.server import (
    EDITS,
    FILES,
    GENERATIONS,
    TASKS_CREATE,
    TASKS_POLL,
    Answer,
    RecordedRequest,
)

KEY = "sk-soak-0123456789"
MARK = "soak-job-"
CHECK_AGAIN_ROUNDS = 3  # what a person would do with "Check the server again" before giving up
HTML = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>"


def _statuses(*codes: int) -> list[Fault]:
    return [Fault(status=c) for c in codes]


def _delay(rng: random.Random) -> Fault:
    return Fault(delay=rng.uniform(0.02, 0.25))


# Per route, the misbehaviours a real gateway shows (the simulator's own Fault kinds).
def fault_table(rng: random.Random) -> dict[str, list[Fault]]:
    return {
        TASKS_CREATE: [
            *_statuses(429, 500, 502, 503, 504),
            Fault(drop=True),
            Fault(malformed_json=True),
            _delay(rng),
            Fault(truncated_b64=True),
            Fault(task_status="failed"),
            Fault(task_status="timeout"),
            Fault(result_shape="url"),
            Fault(result_shape="url"),
            Fault(result_shape="unrecognised"),
        ],
        TASKS_POLL: [
            *_statuses(429, 500, 502, 503, 504, 404),
            Fault(drop=True),
            Fault(malformed_json=True),
            _delay(rng),
            Fault(status=200, body=HTML, headers={"content-type": "text/html"}),
            Fault(status=200, body={"code": 0, "msg": "busy"}),
            Fault(status=200, body={"taskId": "x"}),  # JSON without a status
        ],
        GENERATIONS: [
            *_statuses(429, 500, 502, 503, 504),
            Fault(drop=True),
            Fault(malformed_json=True),
            _delay(rng),
            Fault(truncated_b64=True),
            Fault(result_shape="url"),
            Fault(result_shape="unrecognised"),
        ],
        FILES: [*_statuses(404, 500, 502, 503), Fault(drop=True), _delay(rng)],
    }


def marker_of(rec: RecordedRequest) -> str | None:
    prompt = None
    if isinstance(rec.json, dict):
        prompt = rec.json.get("prompt")
    elif rec.form.get("prompt"):
        prompt = rec.form["prompt"][-1]
    if not isinstance(prompt, str):
        return None
    start = prompt.find(MARK)
    return prompt[start:].split()[0] if start >= 0 else None


def _lost_or_broken(fault: Fault | None) -> bool:
    """The server did the (billed) work but no reader could get a good picture from it."""
    return fault is not None and (
        fault.drop
        or fault.malformed_json
        or fault.truncated_b64
        or fault.result_shape == "unrecognised"
    )


class FaultySimulator(Simulator):
    """The simulator with a seeded random fault on about `rate` of all answers, and a ledger of
    what it made for which job (by the marker in the prompt)."""

    def __init__(self, rate: float, seed: int, **kwargs: Any) -> None:
        super().__init__(seed=seed, max_recorded=1_000_000, **kwargs)
        self.rate = rate
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._ledger_lock = threading.Lock()
        self.tasks_by_job: dict[str, list[str]] = defaultdict(list)
        self.broken_tasks: set[str] = set()  # made, but the answer or the picture is unusable
        self.compat_good: Counter[str] = Counter()  # Compat pictures answered readably
        self.compat_lost: Counter[str] = Counter()  # Compat pictures billed, answer lost
        self.faults: Counter[str] = Counter()

    def take_fault(self, method: str, path: str) -> Fault | None:
        route = FILES if path.startswith(FILES) else path
        with self._rng_lock:
            if self._rng.random() >= self.rate:
                return None
            choices = fault_table(self._rng).get(route)
            if not choices:
                return None
            fault = self._rng.choice(choices)
        self.faults[f"{method} {route} {_describe(fault)}"] += 1
        return fault

    def handle(
        self, rec: RecordedRequest, route: str, request_id: str, fault: Fault | None
    ) -> Answer:
        answer = super().handle(rec, route, request_id, fault)
        marker = marker_of(rec)
        if marker is None or answer.status != 200:
            return answer
        with self._ledger_lock:
            if route == TASKS_CREATE and isinstance(answer.body, dict):
                task_id = str(answer.body["taskId"])
                self.tasks_by_job[marker].append(task_id)
                if _lost_or_broken(fault):
                    self.broken_tasks.add(task_id)
            elif route in (GENERATIONS, EDITS):
                (self.compat_lost if _lost_or_broken(fault) else self.compat_good)[marker] += 1
        return answer

    def completed(self, task_id: str) -> bool:
        """The server finished this task with a picture (and billed it), polled or not."""
        record = self.tasks.get(task_id)
        return record is not None and record.status == "completed"


def _describe(fault: Fault) -> str:
    if fault.status is not None:
        return f"{fault.status}" + (" body" if fault.body is not None else "")
    for name in ("drop", "malformed_json", "truncated_b64"):
        if getattr(fault, name):
            return name
    if fault.task_status:
        return f"task {fault.task_status}"
    if fault.result_shape:
        return f"shape {fault.result_shape}"
    return "delay"


@dataclass
class Outcome:
    marker: str
    flavour: str
    events: list[ev.JobEvent] = field(default_factory=list)
    crashed: str | None = None
    checked_again: int = 0
    started: float = 0.0
    took: float = 0.0

    @property
    def end(self) -> ev.JobEvent | None:
        ends = (ev.Landed, ev.Failed, ev.Cancelled, ev.Interrupted)
        found = [e for e in self.events if isinstance(e, ends)]
        return found[-1] if found else None

    @property
    def task_ids(self) -> set[str]:
        return {e.task_id for e in self.events if isinstance(e, ev.TaskCreated)}

    @property
    def landed(self) -> list[ev.Landed]:
        return [e for e in self.events if isinstance(e, ev.Landed)]


@dataclass
class Report:
    jobs: int = 0
    hung: int = 0
    crashes: int = 0
    paid_lost: int = 0
    created_twice: int = 0
    broken_files: int = 0
    unclear: int = 0
    landed: int = 0
    failed: int = 0
    checked_again: int = 0  # jobs that failed with a task id and were checked again
    recovered_by_check_again: int = 0
    creates_resent: int = 0  # after a 429 or 503 only: allowed, nothing was made
    billed_answer_lost: int = 0  # the server's fault: it billed and lost or broke the answer
    faults: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.hung
            or self.crashes
            or self.paid_lost
            or self.created_twice
            or self.broken_files
            or self.unclear
        )

    def lines(self) -> list[str]:
        return [
            f"jobs                 {self.jobs} ({self.landed} landed, {self.failed} failed, "
            f"{self.faults} faults injected, {self.seconds:.1f} s)",
            f"hung                 {self.hung}",
            f"crashes              {self.crashes}",
            f"paid results lost    {self.paid_lost}",
            f"created twice        {self.created_twice}",
            f"broken files         {self.broken_files}",
            f"unclear failures     {self.unclear}",
            f"(checked the server again: {self.checked_again} jobs, "
            f"{self.recovered_by_check_again} of them landed; "
            f"creates re-sent after 429/503: {self.creates_resent}; billed answers the server "
            f"lost or broke: {self.billed_answer_lost})",
        ]


def _unclear(event: ev.Failed) -> bool:
    sentence = sentences.error_sentence(event.error).strip()
    generic = sentence.startswith("Something unexpected") or sentence == "The job failed."
    return not sentence or generic or event.kind == "internal"


def run_soak(
    jobs_count: int = 300,
    *,
    seed: int = 1,
    threads: int = 4,
    rate: float = 0.3,
    latency: float = 0.05,
    task_deadline: float = 6.0,
    data_dir: Path | None = None,
) -> Report:
    rng = random.Random(seed)
    sim = FaultySimulator(rate, seed, api_keys=(KEY,), latency=latency)
    base_url = sim.start()
    http = make_http_client()
    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="soak-")
        data_dir = Path(tmp.name)
    lib = Library.open(data_dir)

    def env(deadline: float) -> jobs.JobEnv:
        def client(endpoint: ev.Endpoint) -> MountseaClient:
            # Short waits so a few hundred jobs take a minute: the rules are the same ones.
            return MountseaClient(
                http,
                endpoint.base_url,
                endpoint.api_key,
                poll_interval=0.02,
                max_poll_interval=0.2,
                task_deadline=deadline,
                random=lambda: 1.0,  # the shortest back-off the jitter allows
            )

        return jobs.JobEnv(lib, client, ev.FixedEndpoint(ev.Endpoint(base_url, KEY, False)))

    patient = env(task_deadline)
    # Some jobs give up before the server is done (a deadline shorter than the task), so that
    # "Check the server again" has something to find.
    hasty = env(latency / 3)
    plan = [
        (f"{MARK}{i:04d}", rng.choice((Flavour.tasks.value, Flavour.compat.value)))
        for i in range(jobs_count)
    ]
    in_a_hurry = {i for i in range(jobs_count) if rng.random() < 0.15}
    formats = [rng.choice(("png", "jpeg", "webp")) for _ in range(jobs_count)]
    outcomes = [Outcome(marker, flavour) for marker, flavour in plan]
    cancels = [CancelToken() for _ in plan]

    def one(i: int) -> None:
        outcome, cancel = outcomes[i], cancels[i]
        began = outcome.started = time.monotonic()
        spec = ev.JobSpec(
            key=outcome.marker,
            flavour=outcome.flavour,
            request=ImageRequest(
                prompt=f"a small lighthouse {outcome.marker}",
                size="1024x1024",
                quality="low",
                output_format=formats[i],
            ),
        )
        try:
            jobs.run_job(spec, hasty if i in in_a_hurry else patient, cancel, outcome.events.append)
            # What the row offers a job that failed with a task id: the same task once more.
            while (
                isinstance(end := outcome.end, ev.Failed)
                and jobs.can_check_again(outcome.flavour, end.task_id, end.kind)
                and end.job_id is not None
                and outcome.checked_again < CHECK_AGAIN_ROUNDS
                and not cancel.cancelled
            ):
                outcome.checked_again += 1
                again = ev.JobSpec(
                    key=outcome.marker,
                    flavour=outcome.flavour,
                    resume_job_id=end.job_id,
                    resume_task_id=end.task_id,
                )
                jobs.run_job(again, patient, cancel, outcome.events.append)
        except Exception as exc:  # noqa: BLE001 - counted: run_job promises never to raise
            outcome.crashed = repr(exc)
        outcome.took = time.monotonic() - began

    began = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="soak")
    futures = [pool.submit(one, i) for i in range(jobs_count)]
    # A job may take its deadline once per round, plus retries: beyond that it is hung (and
    # cancelled, so that the others can finish).
    limit = (CHECK_AGAIN_ROUNDS + 1) * (task_deadline + 15.0)
    hung: set[int] = set()
    while not all(f.done() for f in futures):
        now = time.monotonic()
        for i, outcome in enumerate(outcomes):
            started = outcome.started
            if started and not futures[i].done() and now - started > limit and i not in hung:
                hung.add(i)
                cancels[i].cancel()
        if hung and all(f.done() or i in hung for i, f in enumerate(futures)):
            break
        time.sleep(0.1)
    pool.shutdown(wait=not hung, cancel_futures=True)
    report = _tally(outcomes, hung, sim)
    report.seconds = time.monotonic() - began
    lib.close()
    http.close()
    sim.stop()
    if tmp is not None:
        tmp.cleanup()
    return report


def _tally(outcomes: list[Outcome], hung: set[int], sim: FaultySimulator) -> Report:
    report = Report(jobs=len(outcomes), hung=len(hung), faults=sum(sim.faults.values()))
    creates = Counter(
        marker_of(r)
        for r in sim.requests
        if r.method == "POST" and r.path in (TASKS_CREATE, GENERATIONS, EDITS)
    )
    for i, outcome in enumerate(outcomes):
        if i in hung:
            report.problems.append(f"{outcome.marker}: hung")
            continue
        end = outcome.end
        if outcome.crashed or end is None:
            report.crashes += 1
            report.problems.append(f"{outcome.marker}: crashed {outcome.crashed or 'no end'}")
            continue
        for event in outcome.events:
            if isinstance(event, ev.Failed) and event.kind == "internal":
                report.crashes += 1
                report.problems.append(f"{outcome.marker}: internal {event.error!r}")
        landed = outcome.landed
        report.checked_again += int(outcome.checked_again > 0)
        if landed:
            report.landed += 1
            if outcome.checked_again:
                report.recovered_by_check_again += 1
        elif isinstance(end, ev.Failed):
            report.failed += 1
            if _unclear(end):
                report.unclear += 1
                report.problems.append(f"{outcome.marker}: unclear {end.kind} {end.error!r}")
        for event in landed:
            for path in event.paths:
                try:
                    with Image.open(path) as img:
                        img.load()
                except (OSError, ValueError) as exc:
                    report.broken_files += 1
                    report.problems.append(f"{outcome.marker}: broken {path}: {exc}")
        made = sim.tasks_by_job.get(outcome.marker, [])
        good_compat = sim.compat_good.get(outcome.marker, 0)
        pictures = len(made) + good_compat + sim.compat_lost.get(outcome.marker, 0)
        if pictures > 1:
            report.created_twice += 1
            report.problems.append(f"{outcome.marker}: the server made {pictures} pictures")
        if creates.get(outcome.marker, 0) > 1:
            report.creates_resent += 1
        report.billed_answer_lost += sim.compat_lost.get(outcome.marker, 0)
        for task_id in made:
            if task_id in sim.broken_tasks or task_id not in outcome.task_ids:
                # The server broke its picture, or its answer to the create never arrived (the
                # job could not know the task, and said the picture may have been billed).
                report.billed_answer_lost += int(sim.completed(task_id))
                continue
            if sim.completed(task_id) and not landed:
                report.paid_lost += 1
                report.problems.append(
                    f"{outcome.marker}: task {task_id} completed, not landed ({_said(end)})"
                )
        if good_compat and not landed:
            report.paid_lost += 1
            report.problems.append(
                f"{outcome.marker}: a Compat picture answered, not landed ({_said(end)})"
            )
        if isinstance(end, ev.Failed) and not landed:
            _check_evidence(outcome, end, report)
    return report


def _said(end: ev.JobEvent | None) -> str:
    if isinstance(end, ev.Failed):
        return f"{end.kind}: {end.message}"
    return type(end).__name__


def _check_evidence(outcome: Outcome, end: ev.Failed, report: Report) -> None:
    """An answer no reader could use must keep its body for a person to look at."""
    error = end.error
    if isinstance(error, ApiError) and error.kind is ErrorKind.malformed and not end.raw:
        if error.download_failed:
            return
        report.unclear += 1
        report.problems.append(f"{outcome.marker}: unreadable answer without its body: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rate", type=float, default=0.3, help="share of answers that misbehave")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every problem")
    args = parser.parse_args(argv)
    logging.getLogger("app").addHandler(logging.NullHandler())
    logging.getLogger("app").propagate = args.verbose
    report = run_soak(args.jobs, seed=args.seed, threads=args.threads, rate=args.rate)
    for line in report.lines():
        print(line)
    for problem in report.problems[:50]:
        print("  " + problem)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
