"""A kill between writing a result's file and committing it: found at the next start, indexed
once; the task is never saved again under a new name, and rebuild shows it once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.core.api.models import Flavour, ImageRequest, InputImage
from app.core.library import JobState, Library, metadata, saving
from tests.core.library.helpers import make_image, make_result
from tests.core.library.test_durability import drop_database, visible_images

ROOT = Path(__file__).resolve().parents[3]


class Killed(BaseException):
    """Stands for the process dying at the commit (BaseException: nothing may catch it)."""


def begin(lib: Library, prompt: str = "a paid fox") -> str:
    job = lib.begin_job(ImageRequest(prompt=prompt), Flavour.tasks, "https://api.example")
    lib.set_task_id(job, f"task-{prompt}")
    lib.update_job(job, state=JobState.running)
    return job


def die_at_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(*args: object, **kwargs: object) -> None:
        raise Killed

    monkeypatch.setattr(saving, "_commit", killed)


def test_a_result_killed_before_its_commit_is_indexed_once_at_the_next_start(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = make_result(task_id="task-a paid fox")
    with Library.open(data_dir) as lib:
        job = begin(lib)
        die_at_commit(monkeypatch)
        with pytest.raises(Killed):
            lib.save_result(job, result)
        monkeypatch.undo()
        (written,) = visible_images(lib.images_dir)
        assert lib.count() == 0
    record = metadata.read_file(written)
    assert record is not None and record["job_id"] == job and record["task_id"] == "task-a paid fox"

    with Library.open(data_dir) as lib:
        (item_id,) = lib.recovered_items
        item = lib.item(item_id)
        assert (item.path, item.job_id, item.task_id) == (written, job, "task-a paid fox")
        assert item.prompt == "a paid fox" and item.output_tokens == 4160
        assert lib.job(job).state == JobState.completed and lib.job(job).item_ids == [item_id]
        assert lib.unfinished_jobs() == []  # nothing left to resume
        assert lib.spend_by_month()[0].images == 1
        # Landing the same result again for that job changes nothing.
        (again,) = lib.save_result(job, result)
        assert again.id == item_id and lib.count() == 1
        assert visible_images(lib.images_dir) == [written]
        report = lib.rebuild_from_files()
        assert (report.added, report.duplicates, report.kept) == (0, 0, 1)
    with Library.open(data_dir) as lib:  # and the next start finds nothing more to do
        assert lib.recovered_items == [] and lib.count() == 1


def test_saving_again_in_the_same_process_adopts_the_files_written(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = lib.begin_job(
        ImageRequest(prompt="pasted back", images=[InputImage(make_image())]),
        Flavour.compat,
        "https://api.example",
    )
    result = make_result(seed=3)
    die_at_commit(monkeypatch)
    with pytest.raises(Killed):
        lib.save_result(job, result, composited=[make_image(seed=4)])
    monkeypatch.undo()
    written = visible_images(lib.images_dir)
    assert len(written) == 2  # the pasted-back picture and the server's original
    (item,) = lib.save_result(job, result, composited=[make_image(seed=4)])
    assert visible_images(lib.images_dir) == written
    assert item.raw_path is not None and item.raw_path in written and item.path in written
    assert item.source_paths and lib.count() == 1
    assert lib.job(job).state == JobState.completed


def test_a_landing_that_wrote_nothing_leaves_the_job_to_be_resumed(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Library.open(data_dir) as lib:
        job = begin(lib)

        def killed_before_writing(*args: object, **kwargs: object) -> None:
            raise Killed

        monkeypatch.setattr(saving, "write_atomic", killed_before_writing)
        with pytest.raises(Killed):
            lib.save_result(job, make_result())
        monkeypatch.undo()
    with Library.open(data_dir) as lib:
        assert lib.recovered_items == []
        (orphan,) = lib.claim_orphans()
        assert orphan.job_id == job and orphan.resumable
        (item,) = lib.save_result(job, make_result())
        assert lib.count() == 1 and visible_images(lib.images_dir) == [item.path]


KILLED_AT_COMMIT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from app.core.api.models import Flavour, ImageRequest
    from app.core.library import JobState, Library, saving
    from tests.core.library.helpers import make_result

    def wait_to_be_killed(*args, **kwargs):
        print("WRITTEN", flush=True)
        sys.stdin.readline()
        os._exit(3)

    saving._commit = wait_to_be_killed
    lib = Library.open(Path(sys.argv[1]))
    job = lib.begin_job(ImageRequest(prompt="killed at the commit"), Flavour.tasks, "https://x")
    lib.set_task_id(job, "task-killed")
    lib.update_job(job, state=JobState.running)
    lib.save_result(job, make_result(task_id="task-killed"))
    """
)


def test_a_rebuild_before_the_restart_counts_as_the_landing(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Library.open(data_dir) as lib:
        job = begin(lib)
        die_at_commit(monkeypatch)
        with pytest.raises(Killed):
            lib.save_result(job, make_result())
        monkeypatch.undo()
        assert lib.rebuild_from_files().added == 1  # the user rebuilt before restarting
    with Library.open(data_dir) as lib:
        assert lib.recovered_items == [] and lib.count() == 1
        assert lib.job(job).state == JobState.completed and lib.claim_orphans() == []


def test_a_real_kill_at_the_commit(data_dir: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_AT_COMMIT, str(data_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "WRITTEN"
        # While the writer lives, a start beside it leaves its landing alone.
        with Library.open(data_dir) as lib:
            assert lib.recovered_items == [] and lib.count() == 0
            (elsewhere,) = lib.jobs_running_elsewhere()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.stdout.close()
    with Library.open(data_dir) as lib:
        (item_id,) = lib.recovered_items
        assert lib.item(item_id).job_id == elsewhere.job_id
        assert lib.claim_orphans() == []  # landed: nothing to resume, nothing to save again
        assert len(visible_images(lib.images_dir)) == 1 and lib.integrity_ok()


def test_rebuild_never_shows_one_task_twice(lib: Library, data_dir: Path) -> None:
    job = begin(lib, "twice")
    (item,) = lib.save_result(job, make_result(task_id="task-twice"))
    # The copy an older version left after a kill: same task, landed a minute earlier.
    record = metadata.extract(item.path.read_bytes())
    assert record is not None
    copy = item.path.with_name("20200101-000000-copy.png")
    record.pop("v")
    copy.write_bytes(metadata.embed(make_image(seed=9), {**record, "created_at": 1.0}))
    report = lib.rebuild_from_files()
    assert (report.added, report.duplicates) == (0, 1)
    assert lib.search() == [item.id]
    # An n=2 result is one landing of two images: both stay.
    two = begin(lib, "pair")
    result = make_result(task_id="task-pair")
    result.images.append(make_result(seed=5).images[0])
    assert len(lib.save_result(two, result)) == 2
    # With the index lost, the first landing of each task is kept, once.
    lib.close()
    drop_database(data_dir)
    with Library.open(data_dir) as again:
        report = again.rebuild_from_files()
        assert (report.added, report.duplicates) == (3, 1)
        by_task: dict[str | None, list[Path]] = {}
        for i in again.items(again.search()).values():
            by_task.setdefault(i.task_id, []).append(i.path)
        assert {k: len(v) for k, v in by_task.items()} == {"task-twice": 1, "task-pair": 2}
        assert by_task["task-twice"] == [copy]  # the earlier landing
        # The spend of each task, once (the copy's in the month it says it was made).
        assert sum(m.images for m in again.spend_by_month()) == 2
