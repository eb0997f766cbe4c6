"""The job journal: written before sending, task ids kept, results landed once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from app.core.api.models import Flavour, ImageRequest, InputImage
from app.core.library import JobState, Library
from tests.core.library.helpers import make_image, make_result


def test_begin_job_is_on_disk_before_anything_is_sent(lib: Library, data_dir: Path) -> None:
    job_id = lib.begin_job(
        ImageRequest(prompt="a lighthouse at dusk"), Flavour.tasks, "https://api.mountsea.ai"
    )
    # Another connection (another process) sees the row at once: it was committed.
    with sqlite3.connect(data_dir / "library.sqlite3") as other:
        row = other.execute(
            "SELECT state, flavour FROM jobs WHERE job_id = ?", (job_id,)
        ).fetchone()
    other.close()
    assert row == ("queued", "async")
    job = lib.job(job_id)
    assert job.params["prompt"] == "a lighthouse at dusk"
    assert job.origin == "gui" and job.task_id is None and job.item_ids == []


def test_task_id_and_states_and_unfinished(lib: Library) -> None:
    a = lib.begin_job(ImageRequest(prompt="one"), Flavour.tasks, "u", origin="cli")
    b = lib.begin_job(ImageRequest(prompt="two"), Flavour.compat, "u")
    c = lib.begin_job(ImageRequest(prompt="three"), Flavour.tasks, "u")
    lib.set_task_id(a, "task-123")
    lib.update_job(a, state=JobState.running, server_status="processing")
    lib.update_job(c, state=JobState.failed, error_kind="refused", error_message="blocked")
    unfinished = {j.job_id: j for j in lib.unfinished_jobs()}
    assert set(unfinished) == {a, b}
    assert unfinished[a].resumable and unfinished[a].origin == "cli"
    assert not unfinished[b].resumable
    failed = lib.job(c)
    assert failed.state == JobState.failed and failed.error_kind == "refused" and failed.finished_at
    assert [j.job_id for j in lib.recent_jobs()] == [c, b, a]


def test_inputs_are_kept_for_retry(lib: Library) -> None:
    src = make_image("png", seed=3)
    mask = make_image("png", seed=4)
    req = ImageRequest(
        prompt="paint the door red",
        images=[InputImage(src, "door.png")],
        mask=InputImage(mask, "m.png"),
        input_fidelity="high",
    )
    job_id = lib.begin_job(req, Flavour.compat, "u")
    back = lib.load_request(job_id)
    assert back.images[0].data == src and back.images[0].filename == "door.png"
    assert back.mask is not None and back.mask.data == mask
    assert back.parameters() == req.parameters()


def test_save_result_lands_files_rows_and_completes(lib: Library) -> None:
    job_id = lib.begin_job(ImageRequest(prompt="red fox", output_format="webp"), Flavour.tasks, "u")
    lib.set_task_id(job_id, "t-1")
    items = lib.save_result(job_id, make_result("webp", revised="a red fox in snow"))
    assert len(items) == 1
    item = items[0]
    assert item.path.is_file() and item.path.suffix == ".webp" and item.format == "webp"
    assert item.prompt == "red fox" and item.revised_prompt == "a red fox in snow"
    assert (
        item.task_id == "t-1" and item.output_tokens == 4160 and item.size_returned == "1024x1024"
    )
    assert (item.width, item.height) == (48, 32)
    job = lib.job(job_id)
    assert job.state == JobState.completed and job.item_ids == [item.id]
    embedded = Library.read_embedded(item.path)
    assert embedded is not None and embedded["prompt"] == "red fox"
    # Saving again (a resumed task landing twice) makes no second copy.
    again = lib.save_result(job_id, make_result("webp"))
    assert [i.id for i in again] == [item.id]
    assert len(list(lib.images_dir.rglob("*.webp"))) == 1


def test_cancelled_result_is_kept_and_flagged(lib: Library) -> None:
    job_id = lib.begin_job(ImageRequest(prompt="late one"), Flavour.tasks, "u")
    (item,) = lib.save_result(job_id, make_result(), cancelled=True)
    assert item.cancelled and lib.job(job_id).state == JobState.cancelled
    assert lib.search() == [item.id]


def test_composited_result_keeps_the_raw_image(lib: Library) -> None:
    job_id = lib.begin_job(
        ImageRequest(prompt="patch", images=[InputImage(make_image(seed=9))]), Flavour.compat, "u"
    )
    pasted = make_image("png", seed=5)
    (item,) = lib.save_result(job_id, make_result("png", seed=6), composited=[pasted])
    assert item.raw_path is not None and item.raw_path.is_file()
    with Image.open(item.path) as a, Image.open(__import__("io").BytesIO(pasted)) as b:
        assert a.tobytes() == b.tobytes()
    assert item.source_paths and item.source_paths[0].is_file() and item.is_edit


def test_images_folder_the_user_chose(data_dir: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "My Pictures"
    with Library.open(data_dir, images_dir=chosen) as lib:
        job_id = lib.begin_job(ImageRequest(prompt="elsewhere"), Flavour.tasks, "u")
        (item,) = lib.save_result(job_id, make_result())
        assert chosen in item.path.parents
    with Library.open(data_dir) as lib:  # the row remembers where the file is
        assert lib.item(item.id).path == item.path


def test_no_secret_in_the_endpoint_reaches_disk(lib: Library, data_dir: Path) -> None:
    secret = "sk-live-do-not-store-0123456789"
    job_id = lib.begin_job(
        ImageRequest(prompt="keys stay out"),
        Flavour.compat,
        f"https://me:{secret}@api.example.com/v1?key={secret}",
    )
    (_item,) = lib.save_result(job_id, make_result())
    assert lib.job(job_id).base_url == "https://api.example.com/v1"
    lib.close()
    for path in [*data_dir.rglob("*")]:
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_paths_are_absolute_with_a_relative_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with Library.open(Path("rel-data")) as lib:
        job_id = lib.begin_job(ImageRequest(prompt="where am I"), Flavour.tasks, "u")
        (item,) = lib.save_result(job_id, make_result())
        assert item.path.is_absolute() and item.path.is_file()
        assert lib.item(item.id).path == tmp_path / "rel-data" / item.path.relative_to(
            tmp_path / "rel-data"
        )


def test_error_texts_are_redacted_before_the_journal(lib: Library) -> None:
    job_id = lib.begin_job(ImageRequest(prompt="x"), Flavour.compat, "u")
    lib.update_job(
        job_id,
        state=JobState.failed,
        error_kind="auth",
        error_message="401 for Authorization: Bearer sk-abcdefghijklmnop0123456789",
    )
    assert "abcdefghijklmnop" not in (lib.job(job_id).error_message or "")
    assert "redacted" in (lib.job(job_id).error_message or "")
