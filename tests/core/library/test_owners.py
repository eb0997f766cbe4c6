"""Who owns a job: a start leaves a live process's jobs alone and takes over a dead one's."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.api.models import Flavour, ImageRequest
from app.core.library import JobState, Library, db, owner

ROOT = Path(__file__).resolve().parents[3]

# A command line with an async task in flight: it journals the job, says so, and waits.
RUNNING_ELSEWHERE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.core.api.models import Flavour, ImageRequest
    from app.core.library import JobState, Library

    lib = Library.open(Path(sys.argv[1]))
    job = lib.begin_job(ImageRequest(prompt="in the cli"), Flavour.tasks, "https://x", origin="cli")
    lib.set_task_id(job, "task-elsewhere")
    lib.update_job(job, state=JobState.running)
    print(job, flush=True)
    sys.stdin.readline()
    """
)

CLAIMER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from app.core.library import Library

    lib = Library.open(Path(sys.argv[1]))
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps([j.job_id for j in lib.claim_orphans()]), flush=True)
    sys.stdin.readline()  # alive until every claimer has claimed (then its jobs are orphans again)
    lib.close()
    """
)


@contextmanager
def other_process(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNING_ELSEWHERE, str(data_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        job_id = proc.stdout.readline().strip()
        assert job_id, "the other process did not journal its job"
        yield proc, job_id
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.stdout.close()


def journal_job(lib: Library, prompt: str = "p") -> str:
    job = lib.begin_job(ImageRequest(prompt=prompt), Flavour.tasks, "https://x")
    lib.update_job(job, state=JobState.running)
    return job


def set_owner(lib: Library, job_id: str, token: str | None) -> None:
    with lib._write() as c:
        c.execute("UPDATE jobs SET owner = ? WHERE job_id = ?", (token, job_id))


def test_a_job_records_the_process_that_runs_it(lib: Library) -> None:
    job = lib.job(journal_job(lib))
    assert job.owner == lib.owner and job.owner_pid == os.getpid()
    # Our own running job is neither an orphan nor running elsewhere.
    assert lib.unfinished_jobs() == [job]
    assert lib.unfinished_jobs(include_live=False) == []
    assert lib.claim_orphans() == [] and lib.jobs_running_elsewhere() == []
    assert lib.claim_job(job.job_id)


def test_a_live_process_keeps_its_job_and_a_dead_ones_is_taken_over(data_dir: Path) -> None:
    with Library.open(data_dir) as lib, other_process(data_dir) as (proc, job_id):
        # The window starts while the command line runs: it leaves that job alone.
        assert lib.unfinished_jobs(include_live=False) == []
        assert lib.claim_orphans() == []
        assert not lib.claim_job(job_id)
        (elsewhere,) = lib.jobs_running_elsewhere()
        assert elsewhere.job_id == job_id and elsewhere.origin == "cli"
        assert elsewhere.owner_pid == proc.pid and elsewhere.owner != lib.owner
        assert lib.job(job_id).state == JobState.running
        os.kill(proc.pid, signal.SIGKILL)  # the command line dies with its paid task in flight
        proc.wait(timeout=30)
        assert lib.jobs_running_elsewhere() == []
        (claimed,) = lib.claim_orphans()
        assert claimed.job_id == job_id and claimed.owner == lib.owner and claimed.resumable
        assert lib.claim_orphans() == []  # ours now
        # The dead owner's lock file was swept; ours is the only one left.
        assert [p.name for p in (data_dir / owner.OWNERS_DIR).glob("*.lock")] == [
            f"{lib.owner.replace(':', '-')}.lock"
        ]


def test_two_processes_starting_at_once_never_both_take_a_job(data_dir: Path) -> None:
    with Library.open(data_dir) as lib:
        jobs = {journal_job(lib, f"orphan {i}") for i in range(20)}
        for job in jobs:
            set_owner(lib, job, "99999:1:dead")  # a process long gone
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(data_dir)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        claims = []
        for p in procs:
            assert p.stdout is not None
            claims.append(json.loads(p.stdout.readline()))
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("done\n")
            p.stdin.flush()
            assert p.wait(timeout=60) == 0
    finally:
        for p in procs:
            assert p.stdin is not None and p.stdout is not None
            p.stdin.close()
            p.stdout.close()
    taken = [job for claim in claims for job in claim]
    assert sorted(taken) == sorted(jobs)  # every orphan went to exactly one process


def test_a_reused_pid_is_not_taken_for_the_owner(lib: Library, data_dir: Path) -> None:
    # Same pid as ours, another start (the owner died and the pid came round again).
    job = journal_job(lib)
    impostor = f"{os.getpid()}:1:0000"
    set_owner(lib, job, impostor)
    assert not owner.is_alive(data_dir, impostor)
    # A lock file left by a killed process (nobody holds its lock): gone, and swept.
    stale = data_dir / owner.OWNERS_DIR / f"{impostor.replace(':', '-')}.lock"
    stale.write_text(impostor)
    assert [j.job_id for j in lib.unfinished_jobs(include_live=False)] == [job]
    assert not stale.exists()
    assert lib.claim_job(job) and lib.job(job).owner == lib.owner


def test_closing_the_library_gives_its_jobs_up(data_dir: Path) -> None:
    first = Library.open(data_dir)
    job = journal_job(first)
    with Library.open(data_dir) as second:
        # One process, one owner: a second Library in it sees the job as running here.
        assert second.unfinished_jobs(include_live=False) == []
        first.close()
        assert [j.job_id for j in second.claim_orphans()] == [job]


def test_migration_from_schema_2_keeps_every_row(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / "library.sqlite3", isolation_level=None)
    db.migrate(conn, target=2)
    for job_id, base_url, state in (
        ("real", "https://api.mountsea.ai", "running"),
        ("demo", "http://127.0.0.1:50123", "completed"),
    ):
        conn.execute(
            "INSERT INTO jobs (job_id, flavour, base_url, state, created_at, params) "
            "VALUES (?, 'async', ?, ?, 1.0e9, '{}')",
            (job_id, base_url, state),
        )
        conn.execute(
            "INSERT INTO items (path, prompt, params, created_at, job_id, base_url, "
            "input_tokens, output_tokens) VALUES (?, ?, '{}', 1.0e9, ?, ?, 10, 1000)",
            (f"images/{job_id}.png", f"a {job_id} fox", job_id, base_url),
        )
        conn.execute(
            "INSERT INTO usage (job_id, at, model, input_tokens, output_tokens) "
            "VALUES (?, 1.0e9, 'gpt-image-2', 10, 1000)",
            (job_id,),
        )
    conn.close()
    with Library.open(data_dir) as lib:
        with lib._read() as c:
            assert c.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION == 6
        real, demo = lib.job("real"), lib.job("demo")
        assert real.owner is None and not real.demo and demo.demo
        items = {i.prompt: i for i in lib.items(lib.search()).values()}
        assert not items["a real fox"].demo and items["a demo fox"].demo
        # The old demo picture no longer counts as money; the real one does.
        (month,) = lib.spend_by_month()
        assert (month.images, month.output_tokens) == (1, 1000)
        # A job journaled before owners were recorded has none: the next start takes it.
        assert [j.job_id for j in lib.claim_orphans()] == ["real"]
        assert lib.integrity_ok()
