"""Rebuild from files, schema migrations, a writer killed mid-write, two processes at once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from app.core.api.models import Flavour, ImageRequest, InputImage
from app.core.library import Library, db
from app.core.library.files import PARTIAL_DIR
from tests.core.library.helpers import add_item, make_image, make_result

ROOT = Path(__file__).resolve().parents[3]


def visible_images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and PARTIAL_DIR not in p.parts)


def drop_database(data_dir: Path) -> None:
    for name in ("library.sqlite3", "library.sqlite3-wal", "library.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)


def test_rebuild_from_files_alone(data_dir: Path) -> None:
    with Library.open(data_dir) as lib:
        a = add_item(lib, "a lighthouse", "png")
        b = add_item(lib, "a harbour", "jpeg")
        c = add_item(lib, "a harbour with boats", "webp", parent_item_id=b)
        job = lib.begin_job(
            ImageRequest(prompt="patched", images=[InputImage(make_image())]), Flavour.compat, "u"
        )
        (d,) = lib.save_result(job, make_result(seed=3), composited=[make_image(seed=4)])
        before = {i.id: i for i in lib.items([a, b, c, d.id]).values()}
        images = lib.images_dir
    by_prompt = {i.prompt: i for i in before.values()}
    # A file put into the folder by hand, with no metadata at all.
    hand = images / "holiday.png"
    hand.write_bytes(make_image("png", seed=11))
    drop_database(data_dir)

    with Library.open(data_dir) as lib:
        assert lib.search() == []
        report = lib.rebuild_from_files()
        assert (report.added, report.without_metadata) == (5, 1)
        items = lib.items(lib.search())
        got = {i.prompt: i for i in items.values()}
        assert set(got) == {"a lighthouse", "a harbour", "a harbour with boats", "patched", ""}
        for prompt, old in by_prompt.items():
            new = got[prompt]
            assert new.path == old.path and new.params == old.params and new.format == old.format
            assert (
                new.output_tokens == old.output_tokens
                and abs(new.created_at - old.created_at) < 1e-3
            )
        assert got["a harbour with boats"].parent_id == got["a harbour"].id  # lineage restored
        assert got["patched"].raw_path == by_prompt["patched"].raw_path
        assert got[""].path == hand
        assert lib.search("harbour") and lib.spend_by_month()[0].output_tokens == 4 * 4160
        # Rebuilding again changes nothing; a file removed by hand disappears from the index.
        lib.set_favourite(got["a lighthouse"].id)
        hand.unlink()
        report = lib.rebuild_from_files()
        assert (report.added, report.removed, report.kept) == (0, 1, 4)
        assert lib.item(got["a lighthouse"].id).favourite


def test_migration_upgrades_a_v1_database(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / "library.sqlite3", isolation_level=None)
    db.migrate(conn, target=1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.execute(
        "INSERT INTO jobs (job_id, flavour, base_url, state, created_at, params) VALUES (?,?,?,?,?,?)",
        (
            "j1",
            "async",
            "https://api.mountsea.ai",
            "running",
            1.0e9,
            json.dumps({"prompt": "old fox"}),
        ),
    )
    conn.execute(
        "INSERT INTO items (path, prompt, params, created_at, job_id, input_tokens, output_tokens) "
        "VALUES ('images/old.png', 'an old fox', '{}', 1.0e9, 'j1', 40, 1000)"
    )
    conn.close()
    with Library.open(data_dir) as lib:
        with lib._read() as c:
            assert c.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        (item_id,) = lib.search("fox")
        item = lib.item(item_id)
        assert item.prompt == "an old fox" and not item.favourite and item.collections == []
        assert lib.unfinished_jobs()[0].job_id == "j1"
        assert lib.spend_by_month()[0].output_tokens == 1000
        assert lib.integrity_ok()


def test_newer_schema_is_refused(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / "library.sqlite3")
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    conn.close()
    try:
        Library.open(data_dir).close()
    except db.SchemaTooNewError as e:
        assert "newer version" in str(e)
    else:
        raise AssertionError("a newer schema must not be opened")


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from app.core.api.models import Flavour, ImageRequest, ImageResult, ResultImage
    from app.core.library import Library

    real_replace = os.replace
    def replace_after_word(src, dst):
        # The temp file is written and fsynced: say so, then wait to be killed.
        print("TEMP", src, flush=True)
        sys.stdin.readline()
        real_replace(src, dst)
    os.replace = replace_after_word

    lib = Library.open(Path(sys.argv[1]))
    job = lib.begin_job(ImageRequest(prompt="never lands"), Flavour.tasks, "u")
    lib.set_task_id(job, "task-kill")
    data = Path(sys.argv[2]).read_bytes()
    lib.save_result(job, ImageResult(images=[ResultImage(data, "png")]))
    """
)


def test_killed_mid_write_leaves_no_half_file(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "big.png"
    src.write_bytes(make_image("png", size=(600, 400), seed=5))
    with Library.open(data_dir) as lib:
        kept = add_item(lib, "already here")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(data_dir), str(src)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("TEMP"), line
        assert Path(line.split(" ", 1)[1].strip()).is_file()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.stdout.close()  # type: ignore[union-attr]
    with Library.open(data_dir) as lib:
        assert lib.integrity_ok()
        assert lib.search() == [kept]
        assert [p.name for p in visible_images(lib.images_dir)] == [lib.item(kept).path.name]
        (job,) = lib.unfinished_jobs()
        assert job.task_id == "task-kill" and job.resumable  # to be polled again, not re-created
        assert lib.rebuild_from_files().added == 0


CONCURRENT_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.core.api.models import Flavour, ImageRequest, ImageResult, ResultImage
    from app.core.library import Library

    lib = Library.open(Path(sys.argv[1]))
    data = Path(sys.argv[2]).read_bytes()
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(int(sys.argv[3])):
        job = lib.begin_job(ImageRequest(prompt=f"from the cli {i}"), Flavour.tasks, "u", origin="cli")
        lib.set_task_id(job, f"cli-{i}")
        lib.save_result(job, ImageResult(images=[ResultImage(data, "png")]))
    lib.close()
    """
)


def test_two_processes_write_at_once(data_dir: Path, tmp_path: Path) -> None:
    n = 15
    src = tmp_path / "small.png"
    src.write_bytes(make_image("png"))
    with Library.open(data_dir) as lib:
        proc = subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_WRITER, str(data_dir), str(src), str(n)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout.readline().strip() == "ready"  # type: ignore[union-attr]
            proc.stdin.write("go\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            gui_ids = [add_item(lib, f"from the gui {i}") for i in range(n)]
            assert proc.wait(timeout=60) == 0
        finally:
            proc.stdin.close()  # type: ignore[union-attr]
            proc.stdout.close()  # type: ignore[union-attr]
        assert lib.count() == 2 * n
        assert lib.count("cli") == n and set(gui_ids) <= set(lib.search("gui"))
        assert len(visible_images(lib.images_dir)) == 2 * n
        assert {j.origin for j in lib.recent_jobs()} == {"gui", "cli"}
        assert lib.integrity_ok()


def test_rebuild_refuses_a_missing_images_folder(data_dir: Path, tmp_path: Path) -> None:
    drive = tmp_path / "usb"
    with Library.open(data_dir, images_dir=drive) as lib:
        add_item(lib, "on the stick")
        import shutil

        shutil.rmtree(drive)  # the drive was unplugged
        try:
            lib.rebuild_from_files()
        except FileNotFoundError as e:
            assert "nothing was changed" in str(e)
        else:
            raise AssertionError("rebuild must not run without the images folder")
        assert lib.count() == 1


def test_a_damaged_index_is_set_aside_and_rebuilt_from_the_files(data_dir: Path) -> None:
    with Library.open(data_dir) as lib:
        add_item(lib, "survives the damage", "webp")
        add_item(lib, "so does this", "png")
    drop_database(data_dir)
    (data_dir / "library.sqlite3").write_bytes(b"this is not a database at all" * 200)
    with Library.open(data_dir) as lib:
        assert lib.recovered_from is not None and lib.recovered_from.exists()
        assert sorted(lib.item(i).prompt for i in lib.search()) == [
            "so does this",
            "survives the damage",
        ]
        assert lib.integrity_ok()
    with Library.open(data_dir) as lib:  # and the next start is a normal one
        assert lib.recovered_from is None and lib.count() == 2
