"""`python -m app generate|edit` end to end: real sockets, a real library in a temp data dir."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from app.cli import main
from app.core.api.models import ImageRequest
from app.core.library import JobState, Library
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def pixels(path: Path) -> Image.Image:
    with Image.open(path) as img:
        img.load()
        return img


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)


def test_generate_demo_makes_a_real_png_of_the_requested_size(data_dir):
    code, out, err = run_cli(
        "generate", "a red fox", "--demo", "--size", "1024x1536", "--data-dir", str(data_dir)
    )
    assert code == 0, err
    [line] = out.splitlines()
    path = Path(line)
    assert path.is_file() and path.is_relative_to(data_dir)
    img = pixels(path)
    assert img.format == "PNG" and img.size == (1024, 1536)
    assert "accepted" in err and "Traceback" not in err
    lib = Library.open(data_dir)
    try:
        [job] = lib.recent_jobs()
        assert job.state is JobState.completed and job.task_id and job.origin == "cli"
        assert lib.item(job.item_ids[0]).path == path
    finally:
        lib.close()


def test_every_option_reaches_the_server(simulator, data_dir, keyed):
    code, out, err = run_cli(
        "generate",
        "a quiet harbour",
        "--size",
        "1536x1024",
        "--quality",
        "low",
        "--background",
        "opaque",
        "--format",
        "webp",
        "--compression",
        "60",
        "--moderation",
        "low",
        "--model",
        "gpt-image-2",
        "--user",
        "cli-user",
        "--api",
        "async",
        "--base-url",
        simulator.base_url,
        "--data-dir",
        str(data_dir),
    )
    assert code == 0, err
    [create] = [r for r in simulator.requests if r.path == "/openai/images"]
    assert create.json == {
        "prompt": "a quiet harbour",
        "model": "gpt-image-2",
        "size": "1536x1024",
        "quality": "low",
        "background": "opaque",
        "output_format": "webp",
        "output_compression": 60,
        "moderation": "low",
        "user": "cli-user",
    }
    img = pixels(Path(out.strip()))
    assert img.format == "WEBP" and img.size == (1536, 1024)


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [
        (["generate", "  "], "The prompt is empty"),
        (
            ["generate", "x", "--format", "jpeg", "--background", "transparent"],
            "transparent background needs",
        ),
        (["generate", "x", "--compression", "50"], "Compression only applies to JPEG and WebP"),
        (["generate", "x", "--size", "1000x1000"], "multiples of 16"),
        (["generate", "x", "--compression", "lots"], "invalid int value"),
        (["edit", "x", "--image", "/no/such/file.png"], "Cannot read the image /no/such/file.png"),
        (["edit", "x"], "--image"),
        (["paint", "x"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_and_sends_nothing(simulator, data_dir, keyed, argv, sentence):
    code, out, err = run_cli(*argv, "--base-url", simulator.base_url, "--data-dir", str(data_dir))
    assert code == 2
    assert sentence in err and "Traceback" not in err and out == ""
    assert simulator.requests == []


def test_no_key_exits_2_and_says_where_to_put_one(simulator, data_dir):
    code, _out, err = run_cli(
        "generate", "x", "--base-url", simulator.base_url, "--data-dir", str(data_dir)
    )
    assert code == 2 and "MOUNTSEA_API_KEY" in err and "--demo" in err
    assert simulator.requests == []


def test_the_keyring_key_is_used(simulator, data_dir, memory_keyring):
    from app.core.keys import KeyStore

    KeyStore(env={}).save(TEST_KEY)
    code, _out, err = run_cli(
        "generate", "x", "--base-url", simulator.base_url, "--data-dir", str(data_dir)
    )
    assert code == 0, err
    assert simulator.requests[0].headers["authorization"] == f"Bearer {TEST_KEY}"


def test_a_refused_key_exits_1_with_a_clear_sentence(simulator, data_dir, monkeypatch):
    monkeypatch.setenv("MOUNTSEA_API_KEY", "sk-wrong-key-123")
    code, out, err = run_cli(
        "generate", "x", "--base-url", simulator.base_url, "--data-dir", str(data_dir)
    )
    assert code == 1 and out == ""
    assert "error: The API key was refused. Check MOUNTSEA_API_KEY" in err
    assert "Traceback" not in err and "sk-wrong-key-123" not in err
    assert len(simulator.requests) == 1
    lib = Library.open(data_dir)
    try:
        [job] = lib.recent_jobs()
        assert job.state is JobState.failed and job.error_kind == "auth"
    finally:
        lib.close()


def test_out_copies_the_picture(simulator, data_dir, keyed, tmp_path):
    target = tmp_path / "exports" / "fox.png"
    code, out, err = run_cli(
        "generate",
        "x",
        "--api",
        "compat",
        "--base-url",
        simulator.base_url,
        "--data-dir",
        str(data_dir),
        "--out",
        str(target),
    )
    assert code == 0, err
    assert target.read_bytes() == Path(out.strip()).read_bytes()


def test_edit_with_image_and_mask_keeps_the_unmasked_pixels(simulator, data_dir, keyed, tmp_path):
    from tests.core.api.imgs import mask, picture

    src = tmp_path / "photo.png"
    src.write_bytes(picture(256, 256, color=(20, 120, 220)))
    hole = tmp_path / "mask.png"
    hole.write_bytes(mask(256, 256))  # the top-left quarter is transparent: repaint it
    code, out, err = run_cli(
        "edit",
        "add a moon",
        "--image",
        str(src),
        "--mask",
        str(hole),
        "--input-fidelity",
        "high",
        "--api",
        "compat",
        "--base-url",
        simulator.base_url,
        "--data-dir",
        str(data_dir),
    )
    assert code == 0, err
    [call] = simulator.requests
    assert call.path == "/openai/v1/images/edits"
    assert (
        call.files["image"][0][2] == src.read_bytes()
        and call.files["mask"][0][2] == hole.read_bytes()
    )
    assert call.form["input_fidelity"] == ["high"]
    result = pixels(Path(out.strip())).convert("RGB")
    assert result.size == (256, 256)
    assert result.getpixel((200, 200)) == (20, 120, 220)  # outside the mask: the source, exactly
    lib = Library.open(data_dir)
    try:
        [job] = lib.recent_jobs()
        item = lib.item(job.item_ids[0])
        assert (
            item.raw_path is not None and item.raw_path.is_file()
        )  # the server's own picture is kept too
    finally:
        lib.close()


def test_async_edit_with_several_images(simulator, data_dir, keyed, tmp_path):
    from tests.core.api.imgs import picture

    paths = []
    for i in range(2):
        p = tmp_path / f"in{i}.jpg"
        p.write_bytes(picture(128, 128, fmt="jpeg"))
        paths += ["--image", str(p)]
    code, _out, err = run_cli(
        "edit", "merge them", *paths, "--base-url", simulator.base_url, "--data-dir", str(data_dir)
    )
    assert code == 0, err
    [create] = [r for r in simulator.requests if r.path == "/openai/images"]
    assert [u[:23] for u in create.json["image"]] == ["data:image/jpeg;base64,"] * 2


@pytest.mark.parametrize("fmt", ["BMP", "GIF", "TIFF"])
def test_edit_takes_any_picture_the_window_takes(simulator, data_dir, keyed, tmp_path, fmt):
    source = tmp_path / f"photo.{fmt.lower()}"
    Image.new("RGB", (320, 200), (30, 120, 200)).save(source, fmt)
    code, _out, err = run_cli(
        "edit",
        "make it stormy",
        "--image",
        str(source),
        "--base-url",
        simulator.base_url,
        "--data-dir",
        str(data_dir),
    )
    assert code == 0, err
    [create] = [r for r in simulator.requests if r.path == "/openai/images"]
    assert create.json["image"].startswith("data:image/png;base64,")  # converted, as a drop is


def test_a_failed_task_exits_1_with_its_details(simulator, data_dir, keyed):
    from app.simulator import Fault

    simulator.inject(Fault(task_status="failed", error_message="upstream broke", error_code=77))
    code, _out, err = run_cli(
        "generate", "x", "--base-url", simulator.base_url, "--data-dir", str(data_dir)
    )
    assert code == 1
    assert "upstream broke" in err and "77" in err and "trace id" in err


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MOUNTSEA_API_KEY"}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def test_module_entry_point_in_a_real_process(data_dir, tmp_path):
    out_file = tmp_path / "fox.jpg"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "generate",
            "a red fox",
            "--demo",
            "--format",
            "jpeg",
            "--size",
            "1024x1024",
            "--data-dir",
            str(data_dir),
            "--out",
            str(out_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=_env(),
    )
    assert proc.returncode == 0, proc.stderr
    [line] = proc.stdout.splitlines()
    assert Path(line).is_file() and pixels(out_file).size == (1024, 1024)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_exits_130_and_names_the_task(data_dir):
    from app.simulator import Simulator

    with Simulator(api_keys=(TEST_KEY,), latency=3600.0) as sim:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.cli",
                "generate",
                "x",
                "--base-url",
                sim.base_url,
                "--data-dir",
                str(data_dir),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=_env(MOUNTSEA_API_KEY=TEST_KEY),
        )
        try:
            assert proc.stderr is not None
            seen = []
            for line in proc.stderr:
                seen.append(line)
                if "accepted" in line:
                    break
            proc.send_signal(signal.SIGINT)
            out, rest = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        err = "".join(seen) + rest
        assert proc.returncode == 130, err
        assert (
            "Cancelled." in err
            and "may still finish on the server" in err
            and "Traceback" not in err
        )
        assert out == ""
        assert sim.created_tasks == 1
    lib = Library.open(data_dir)
    try:
        [job] = lib.recent_jobs()
        assert job.state is JobState.cancelled and job.task_id
    finally:
        lib.close()


@pytest.mark.expect_log_error
def test_a_failure_while_saving_is_a_sentence_not_a_traceback(
    simulator, data_dir, keyed, monkeypatch
):
    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Library, "save_result", disk_full)
    code, out, err = run_cli(
        "generate", "x", "--base-url", simulator.base_url, "--data-dir", str(data_dir)
    )
    assert code == 1 and out == ""
    assert "error: No space left on device." in err and "Traceback" not in err


def test_the_apps_settings_are_followed(simulator, data_dir, keyed, tmp_path):
    from app.core.settings import Settings
    from tests.core.api.imgs import mask, picture

    images = tmp_path / "elsewhere"
    Settings(
        values={
            "base_url": simulator.base_url,
            "api_flavour": "compat",
            "keep_unmasked": False,
            "images_dir": str(images),
        }
    ).save(data_dir / "settings.json")
    src = tmp_path / "photo.png"
    src.write_bytes(picture(128, 128))
    hole = tmp_path / "mask.png"
    hole.write_bytes(mask(128, 128))
    code, out, err = run_cli(
        "edit", "a moon", "--image", str(src), "--mask", str(hole), "--data-dir", str(data_dir)
    )
    assert code == 0, err
    assert [r.path for r in simulator.requests] == ["/openai/v1/images/edits"]
    path = Path(out.strip())
    assert path.is_relative_to(images)
    lib = Library.open(data_dir, images_dir=images)
    try:
        [job] = lib.recent_jobs()
        assert (
            lib.item(job.item_ids[0]).raw_path is None
        )  # not pasted back: the server's picture is the file
    finally:
        lib.close()


def test_a_picture_the_intake_cannot_read_exits_2_and_sends_nothing(
    simulator, data_dir, keyed, tmp_path
):
    junk = tmp_path / "notes.png"
    from tests.core.api.imgs import picture

    whole = picture(256, 256)
    junk.write_bytes(whole[: len(whole) // 2])  # a header that reads, pixels cut short
    code, out, err = run_cli(
        "edit",
        "x",
        "--image",
        str(junk),
        "--base-url",
        simulator.base_url,
        "--data-dir",
        str(data_dir),
    )
    assert code == 2 and out == ""
    [line] = err.splitlines()  # one sentence from the window's intake
    assert line.startswith("error: “notes.png” is ") and "Traceback" not in err
    assert simulator.requests == []
    lib = Library.open(data_dir)
    try:
        assert lib.recent_jobs() == []  # nothing journaled either
    finally:
        lib.close()


# --- resume: checking a task the server already has --------------------------------------------


def _fast(data_dir: Path, simulator) -> None:
    from app.core.settings import Settings

    Settings(values={"base_url": simulator.base_url, "poll_interval": 0.05}).save(
        data_dir / "settings.json"
    )


def test_a_failed_task_says_how_to_check_it_again_and_resume_lands_it(simulator, data_dir, keyed):
    from app.simulator import Fault

    _fast(data_dir, simulator)
    simulator.inject(Fault(status=401), method="GET", path="/openai/tasks")
    code, out, err = run_cli("generate", "a night heron", "--data-dir", str(data_dir))
    assert code == 1 and out == ""
    [task_id] = list(simulator.tasks)
    assert f"python -m app resume {task_id}" in err and "nothing billed again" in err
    code, out, err = run_cli("resume", task_id, "--data-dir", str(data_dir))
    assert code == 0, err
    [line] = out.splitlines()
    assert Path(line).is_file() and "no new task" in err
    assert simulator.created_tasks == 1
    lib = Library.open(data_dir)
    try:
        [job] = lib.recent_jobs()  # the journal's own job, not a second one
        assert job.task_id == task_id and job.state is JobState.completed
        assert lib.item(job.item_ids[0]).path == Path(line)
    finally:
        lib.close()
    polls = sum(1 for r in simulator.requests if r.path == "/openai/tasks")
    code, again, _err = run_cli("resume", task_id, "--data-dir", str(data_dir))
    assert code == 0 and again == out  # landed already: the same file, nothing asked
    assert sum(1 for r in simulator.requests if r.path == "/openai/tasks") == polls


def test_resume_of_a_task_the_journal_does_not_know_saves_it_as_a_new_item(
    simulator, data_dir, keyed
):
    from app.core.api.cancel import CancelToken
    from app.core.api.client import MountseaClient, make_http_client

    http = make_http_client()
    try:
        task_id = MountseaClient(http, simulator.base_url, TEST_KEY).submit_task(
            ImageRequest(prompt="made on another machine"), CancelToken()
        )
    finally:
        http.close()
    code, out, err = run_cli(
        "resume", task_id, "--base-url", simulator.base_url, "--data-dir", str(data_dir)
    )
    assert code == 0, err
    assert pixels(Path(out.strip())).format == "PNG"
    assert simulator.created_tasks == 1
    assert not [r for r in simulator.requests if r.method == "POST"][1:]
    lib = Library.open(data_dir)
    try:
        [job] = lib.recent_jobs()
        assert job.task_id == task_id and job.origin == "cli" and job.state is JobState.completed
    finally:
        lib.close()


def test_resume_needs_a_task_id(data_dir, keyed):
    code, _out, err = run_cli("resume", "  ", "--data-dir", str(data_dir))
    assert code == 2 and "task id is empty" in err


def test_unreadable_poll_answers_are_said_once_and_the_job_carries_on(simulator, data_dir, keyed):
    from app.simulator import Fault

    _fast(data_dir, simulator)
    simulator.inject(
        Fault(status=200, body={"code": 0, "msg": "busy"}),
        method="GET",
        path="/openai/tasks",
        times=3,
    )
    code, _out, err = run_cli("generate", "a busy gateway", "--data-dir", str(data_dir))
    assert code == 0, err
    assert err.count("The server's answers can't be read. Still trying until the deadline.") == 1


def test_an_unknown_result_prints_the_servers_answer_and_says_so(simulator, data_dir, keyed):
    from app.simulator import Fault

    _fast(data_dir, simulator)
    simulator.inject(Fault(result_shape="unrecognised"))
    code, _out, err = run_cli("generate", "an odd shape", "--data-dir", str(data_dir))
    assert code == 1
    assert "  server answer: " in err and "artifact" in err
    assert "printed below" in err and "details are in the log" not in err
    assert TEST_KEY not in err


def test_compat_generate_streams_previews_and_saves_the_final(simulator, data_dir, keyed):
    code, out, err = run_cli(
        "generate",
        "a red fox",
        "--api",
        "compat",
        "--base-url",
        simulator.base_url,
        "--data-dir",
        str(data_dir),
    )
    assert code == 0, err
    assert "preview 1 arrived" in err and "preview 2 arrived" in err
    [call] = simulator.requests
    assert call.json["stream"] is True and call.json["partial_images"] == 2
    [line] = out.splitlines()
    assert pixels(Path(line)).size == (1024, 1024)


def test_compat_remembers_a_server_that_refuses_streaming(simulator, data_dir, keyed):
    from app.core.settings import Settings
    from app.simulator import Fault

    simulator.inject(Fault(stream="refuse"), path="/openai/v1/images/generations")
    argv = ("generate", "a fox", "--api", "compat", "--base-url", simulator.base_url)
    code, _out, err = run_cli(*argv, "--data-dir", str(data_dir))
    assert code == 0, err
    assert [("stream" in r.json) for r in simulator.requests] == [True, False]
    saved, _ = Settings.load(data_dir / "settings.json")
    assert saved.no_stream_servers == [simulator.base_url]
    code, _out, err = run_cli(*argv, "--data-dir", str(data_dir))
    assert (
        code == 0 and "stream" not in simulator.requests[-1].json and len(simulator.requests) == 3
    )
