"""The one job pipeline without any Qt: real library, real simulator, real sockets."""

from __future__ import annotations

import base64
import io
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from app.core import job_events as ev
from app.core import sentences
from app.core.api.cancel import CancelToken
from app.core.api.client import MountseaClient, make_http_client
from app.core.api.models import ImageRequest, InputImage
from app.core.jobs import FileSources, JobEnv, run_job
from app.core.jobs import can_check_again as jobs_can_check_again
from app.core.library import JobState, Library
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    """Collects events; `hook` runs on each one, on the job's thread."""

    def __init__(self, hook=None) -> None:
        self.events: list[ev.JobEvent] = []
        self.hook = hook

    def __call__(self, event: ev.JobEvent) -> None:
        self.events.append(event)
        if self.hook is not None:
            self.hook(event)

    def kinds(self) -> list[type]:
        return [type(e) for e in self.events]

    def first(self, kind: type):
        return next(e for e in self.events if isinstance(e, kind))


@pytest.fixture
def http() -> Iterator[object]:
    client = make_http_client()
    yield client
    client.close()


def env_for(library: Library, http, base_url: str, **kw) -> JobEnv:
    def client(e: ev.Endpoint) -> MountseaClient:
        return MountseaClient(http, e.base_url, e.api_key, poll_interval=0.05)

    endpoints = kw.pop("endpoints", None) or ev.FixedEndpoint(
        ev.Endpoint(base_url, TEST_KEY, False)
    )
    return JobEnv(library, client, endpoints, **kw)


def spec(prompt: str, flavour: str = "async", **kw) -> ev.JobSpec:
    return ev.JobSpec(key="k", flavour=flavour, request=ImageRequest(prompt=prompt), **kw)


def test_core_pipeline_imports_no_qt() -> None:
    code = "import sys, app.core.jobs, app.core.sentences; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_an_async_job_is_journaled_then_created_then_landed(
    library: Library, simulator, http
) -> None:
    seen_at_creation = {}

    def hook(event: ev.JobEvent) -> None:
        if isinstance(event, ev.TaskCreated):
            job_id = recorder.first(ev.Journaled).job_id
            # The id is in the journal before the first poll: a crash now still resumes it.
            seen_at_creation["task_id"] = library.job(job_id).task_id
            seen_at_creation["polls"] = [r for r in simulator.requests if r.method == "GET"]

    recorder = Recorder(hook)
    run_job(spec("a red kite"), env_for(library, http, simulator.base_url), CancelToken(), recorder)
    kinds = recorder.kinds()
    assert kinds[0] is ev.Started and kinds[-1] is ev.Landed
    assert kinds.index(ev.Journaled) < kinds.index(ev.TaskCreated) < kinds.index(ev.Landed)
    created = recorder.first(ev.TaskCreated)
    assert seen_at_creation == {"task_id": created.task_id, "polls": []}
    assert any(isinstance(e, ev.ServerStatus) and e.stage == "polling" for e in recorder.events)
    landed = recorder.first(ev.Landed)
    assert not landed.late and Path(landed.paths[0]).is_file()
    assert landed.info["output_tokens"] > 0
    job = library.job(recorder.first(ev.Journaled).job_id)
    assert job.state is JobState.completed and job.item_ids == [i.id for i in landed.items]


def test_a_compat_job_makes_one_call_and_lands(library: Library, simulator, http) -> None:
    recorder = Recorder()
    run_job(
        spec("a lighthouse", "compat"),
        env_for(library, http, simulator.base_url),
        CancelToken(),
        recorder,
    )
    kinds = recorder.kinds()
    assert ev.TaskCreated not in kinds
    assert kinds.index(ev.Journaled) < kinds.index(ev.Landed)
    assert [r.path for r in simulator.requests] == ["/openai/v1/images/generations"]
    assert Path(recorder.first(ev.Landed).paths[0]).is_file()


@pytest.mark.parametrize("flavour", ["async", "compat"])
def test_a_refused_prompt_fails_with_the_safety_sentence(
    library: Library, simulator, http, flavour
) -> None:
    recorder = Recorder()
    run_job(
        spec("something forbidden", flavour),
        env_for(library, http, simulator.base_url),
        CancelToken(),
        recorder,
    )
    failed = recorder.events[-1]
    assert isinstance(failed, ev.Failed) and failed.kind == "refused"
    assert "safety system" in sentences.error_sentence(failed.error)
    job = library.job(failed.job_id)
    assert job.state is JobState.failed and job.error_kind == "refused"


def test_cancel_while_polling_ends_cancelled_and_journaled(
    library: Library, simulator, http
) -> None:
    simulator.latency = 60.0
    token = CancelToken()
    recorder = Recorder(lambda e: token.cancel() if isinstance(e, ev.TaskCreated) else None)
    run_job(spec("a long one"), env_for(library, http, simulator.base_url), token, recorder)
    assert isinstance(recorder.events[-1], ev.Cancelled)
    job = library.job(recorder.first(ev.Journaled).job_id)
    assert job.state is JobState.cancelled and job.task_id == recorder.first(ev.TaskCreated).task_id
    assert simulator.created_tasks == 1


def test_a_job_cancelled_before_it_starts_sends_and_journals_nothing(
    library: Library, simulator, http
) -> None:
    token = CancelToken()
    token.cancel()
    recorder = Recorder()
    run_job(spec("never sent"), env_for(library, http, simulator.base_url), token, recorder)
    assert recorder.kinds() == [ev.Started, ev.Cancelled]
    assert simulator.requests == [] and library.recent_jobs() == []


def test_a_picture_that_cannot_be_read_fails_before_anything_is_sent(
    library: Library, simulator, http
) -> None:
    sources = FileSources([InputImage(b"not a picture at all", "notes.png")])
    recorder = Recorder()
    run_job(
        spec("edit it", snapshot=sources),
        env_for(library, http, simulator.base_url),
        CancelToken(),
        recorder,
    )
    failed = recorder.events[-1]
    assert isinstance(failed, ev.Failed) and failed.kind == "input" and failed.job_id is None
    assert "“notes.png” is not a picture this app can read" in sentences.error_sentence(
        failed.error
    )
    assert simulator.requests == [] and library.recent_jobs() == []


def exif_rotated_jpeg() -> bytes:
    im = Image.new("RGB", (64, 48), (20, 20, 200))
    im.paste((230, 20, 20), (0, 0, 8, 8))  # the stored top-left corner is red
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view"
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    return buf.getvalue()


def assert_upright(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (48, 64)  # turned upright before upload
        assert im.getexif().get(0x0112, 1) == 1  # and no tag left for the server to apply again
        r, g, b = im.convert("RGB").getpixel((44, 3))  # red now at the top right
        assert r > 200 and g < 60 and b < 60


def test_file_pictures_go_through_the_windows_intake(library: Library, simulator, http) -> None:
    sources = FileSources([InputImage(exif_rotated_jpeg(), "photo.jpg")])
    recorder = Recorder()
    run_job(
        spec("a hat", snapshot=sources),
        env_for(library, http, simulator.base_url),
        CancelToken(),
        recorder,
    )
    assert isinstance(recorder.events[-1], ev.Landed)
    [create] = [r for r in simulator.requests if r.path == "/openai/images"]
    url = create.json["image"]
    assert url.startswith("data:image/jpeg;base64,")
    assert_upright(base64.b64decode(url.split(",", 1)[1]))


def test_a_cli_edit_of_an_exif_rotated_jpeg_arrives_upright(
    simulator, data_dir, tmp_path, monkeypatch
) -> None:
    from app.cli import main

    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(exif_rotated_jpeg())
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "edit",
            "a hat",
            "--image",
            str(photo),
            "--api",
            "compat",
            "--base-url",
            simulator.base_url,
            "--data-dir",
            str(data_dir),
        ],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    [call] = simulator.requests
    assert_upright(call.files["image"][0][2])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_network_waits_until_the_server_answers(library: Library, http) -> None:
    from app.simulator import Simulator

    port = free_port()
    sim = Simulator(api_keys=(TEST_KEY,))
    probes = []

    def probe(base_url: str) -> bool:
        probes.append(base_url)
        if len(probes) == 1:
            return False
        if len(probes) == 2:
            sim.start(port)  # the network comes back
        return True

    env = env_for(library, http, f"http://127.0.0.1:{port}", probe=probe, probe_interval=0.01)
    recorder = Recorder()
    try:
        run_job(spec("offline for now"), env, CancelToken(), recorder)
    finally:
        sim.stop()
    kinds = recorder.kinds()
    assert (
        kinds.index(ev.Journaled)
        < kinds.index(ev.Waiting)
        < kinds.index(ev.Resumed)
        < kinds.index(ev.Landed)
    )
    assert recorder.first(ev.Waiting).reason == "offline"


def test_without_the_network_wait_a_refused_connection_fails(library: Library, http) -> None:
    env = env_for(library, http, f"http://127.0.0.1:{free_port()}", wait_for_network=False)
    recorder = Recorder()
    run_job(spec("offline"), env, CancelToken(), recorder)
    failed = recorder.events[-1]
    assert isinstance(failed, ev.Failed) and failed.kind == "network"


def test_a_job_waits_for_an_endpoint(library: Library, simulator, http) -> None:
    class Later:
        """No endpoint yet; one arrives while the job waits."""

        def __init__(self) -> None:
            self.value: ev.Endpoint | None = None
            self.ready = threading.Event()

        def get(self) -> ev.Endpoint | None:
            return self.value

        def wait(self, cancel: CancelToken, accept=lambda e: True) -> ev.Endpoint:
            self.ready.wait(5)
            assert self.value is not None
            return self.value

    later = Later()

    def hook(event: ev.JobEvent) -> None:
        if isinstance(event, ev.Waiting):
            later.value = ev.Endpoint(simulator.base_url, TEST_KEY, False)
            later.ready.set()

    recorder = Recorder(hook)
    run_job(
        spec("before the key"), env_for(library, http, "", endpoints=later), CancelToken(), recorder
    )
    kinds = recorder.kinds()
    assert kinds[:3] == [ev.Started, ev.Waiting, ev.Resumed] and kinds[-1] is ev.Landed
    assert recorder.first(ev.Waiting).reason == "endpoint"


# --- checking a task again, and the answers nobody could read --------------------------------


def env_with_deadline(library: Library, http, base_url: str, deadline: float) -> JobEnv:
    def client(e: ev.Endpoint) -> MountseaClient:
        return MountseaClient(
            http, e.base_url, e.api_key, poll_interval=0.02, task_deadline=deadline
        )

    return JobEnv(library, client, ev.FixedEndpoint(ev.Endpoint(base_url, TEST_KEY, False)))


def test_a_task_past_the_deadline_is_checked_again_without_a_new_one(
    library: Library, simulator, http
) -> None:
    simulator.latency = 0.6
    first = Recorder()
    run_job(
        spec("a slow owl"),
        env_with_deadline(library, http, simulator.base_url, 0.2),
        CancelToken(),
        first,
    )
    failed = first.first(ev.Failed)
    assert failed.kind == "deadline" and failed.task_id and failed.job_id is not None
    assert jobs_can_check_again("async", failed.task_id, failed.kind)
    again = Recorder()
    again_spec = ev.JobSpec(
        key="k", flavour="async", resume_job_id=failed.job_id, resume_task_id=failed.task_id
    )
    run_job(again_spec, env_for(library, http, simulator.base_url), CancelToken(), again)
    landed = again.first(ev.Landed)
    assert simulator.created_tasks == 1 and ev.TaskCreated not in again.kinds()
    assert library.job(failed.job_id).state is JobState.completed
    assert Path(landed.paths[0]).is_file()


def test_a_task_the_journal_does_not_know_is_journaled_then_landed(
    library: Library, simulator, http
) -> None:
    from app.core.api.cancel import CancelToken as Token

    client = MountseaClient(http, simulator.base_url, TEST_KEY)
    task_id = client.submit_task(ImageRequest(prompt="made elsewhere"), Token())
    recorder = Recorder()
    adopt = ev.JobSpec(key="k", flavour="async", resume_task_id=task_id, origin="cli")
    run_job(adopt, env_for(library, http, simulator.base_url), CancelToken(), recorder)
    landed = recorder.first(ev.Landed)
    job = library.job(recorder.first(ev.Journaled).job_id)
    assert job.task_id == task_id and job.origin == "cli" and job.state is JobState.completed
    assert job.item_ids == [item.id for item in landed.items]
    assert simulator.created_tasks == 1  # the one made above; none by the resume


def test_an_unknown_result_keeps_the_servers_answer_in_the_event_and_the_log(
    library: Library, simulator, http, caplog
) -> None:
    from app.simulator import Fault

    simulator.inject(Fault(result_shape="unrecognised"))
    recorder = Recorder()
    with caplog.at_level("INFO", logger="app.core.jobs"):
        run_job(
            spec("an odd shape"),
            env_for(library, http, simulator.base_url),
            CancelToken(),
            recorder,
        )
    failed = recorder.first(ev.Failed)
    assert failed.kind == "malformed" and failed.raw and "artifact" in failed.raw
    assert failed.task_id
    [line] = [r.getMessage() for r in caplog.records if "the server's answer" in r.getMessage()]
    assert "artifact" in line and TEST_KEY not in line
    gui = sentences.error_sentence(failed.error)
    assert "Copy the server's answer" in gui and "details are in the log" not in gui
    assert "printed below" in sentences.error_sentence(failed.error, cli=True)
    # ... and in the library, where a restarted app finds it again
    kept = library.job(failed.job_id).raw_answer
    assert kept and "artifact" in kept and TEST_KEY not in kept
    assert library.job_by_task(failed.task_id).job_id == failed.job_id


def test_demo_pictures_are_marked_and_cost_nothing(library: Library, simulator, http) -> None:
    demo = ev.FixedEndpoint(ev.Endpoint(simulator.base_url, TEST_KEY, True))
    recorder = Recorder()
    run_job(
        spec("a demo fox"),
        env_for(library, http, simulator.base_url, endpoints=demo),
        CancelToken(),
        recorder,
    )
    landed = recorder.first(ev.Landed)
    assert all(library.item(item.id).demo for item in landed.items)
    assert library.usage_totals("%Y-%m") == []  # nothing counted as spend
    assert library.spend_by_month() == []


def test_what_can_be_checked_again() -> None:
    assert jobs_can_check_again("async", "t1", "deadline")
    assert jobs_can_check_again("async", "t1", "malformed")
    assert jobs_can_check_again("async", "t1", None)  # cancelled, interrupted
    assert not jobs_can_check_again("async", None, "deadline")  # no task: nothing to ask
    assert not jobs_can_check_again("compat", "t1", "deadline")
    assert not jobs_can_check_again("async", "t1", "task_failed")  # the server said it is over


def test_a_cut_out_job_saves_the_cut_picture_and_keeps_the_uncut_one(
    library: Library, simulator, http
) -> None:
    from dataclasses import replace

    from app.core import cutout

    request = ImageRequest(prompt="a sticker of a fox", background="opaque")
    key = cutout.choose_key_colour(request.prompt)
    request = replace(request, cutout_key=key)
    recorder = Recorder()
    run_job(
        ev.JobSpec(key="k", flavour="async", request=request),
        env_for(library, http, simulator.base_url),
        CancelToken(),
        recorder,
    )
    (item,) = recorder.first(ev.Landed).items
    saved = library.item(item.id)
    with Image.open(saved.path) as cut:
        assert cut.mode == "RGBA"  # the key colour became alpha
    assert saved.raw_path is not None and saved.raw_path.is_file()  # the uncut picture is kept
    [create] = [r for r in simulator.requests if r.path == "/openai/images"]
    assert create.json["background"] == "opaque"
    assert not [k for k in create.json if "cutout" in k]  # the key colour is ours, never sent


def test_a_streamed_compat_job_reports_previews_then_lands_only_the_final(
    library: Library, simulator, http
) -> None:
    def client(e: ev.Endpoint) -> MountseaClient:
        return MountseaClient(http, e.base_url, e.api_key, partial_images=2)

    recorder = Recorder()
    env = JobEnv(
        library, client, ev.FixedEndpoint(ev.Endpoint(simulator.base_url, TEST_KEY, False))
    )
    run_job(spec("a lighthouse", "compat"), env, CancelToken(), recorder)
    previews = [e for e in recorder.events if isinstance(e, ev.Preview)]
    assert [p.index for p in previews] == [0, 1]
    assert all(p.output_format == "png" and p.data.startswith(b"\x89PNG") for p in previews)
    kinds = recorder.kinds()
    assert kinds.index(ev.Preview) < kinds.index(ev.Landed) == len(kinds) - 1
    landed = recorder.first(ev.Landed)
    [item] = landed.items
    with Image.open(item.path) as saved:
        assert saved.size == (1024, 1024)  # the final picture, not a preview
    assert len(library.recent_jobs()) == 1 and library.recent_jobs()[0].item_ids == [item.id]


@pytest.mark.parametrize(
    "prompt", ["a sticker of a fox", "a potted plant with green leaves", "a pink flamingo"]
)
def test_a_cut_out_from_the_simulator_matches_the_subject_it_painted(
    library: Library, simulator, http, prompt: str
) -> None:
    # The whole route over sockets: native transparency refused -> the cut-out request (its
    # key colour named in the prompt) -> the simulator paints the subject on that colour
    # with soft edges -> the job removes the colour. Measured against the painted coverage.
    from PIL import ImageChops, ImageStat

    from app.core import cutout
    from app.simulator import painter

    request = cutout.as_cutout(
        ImageRequest(prompt=prompt, background="transparent", size="1536x1024")
    )
    key = request.cutout_key
    assert key is not None
    recorder = Recorder()
    run_job(
        ev.JobSpec(key="k", flavour="async", request=request),
        env_for(library, http, simulator.base_url),
        CancelToken(),
        recorder,
    )
    (item,) = recorder.first(ev.Landed).items
    with Image.open(library.item(item.id).path) as cut:
        cut.load()
    _picture, truth = painter.key_scene(request.prompt, (1536, 1024), key)
    got = cut.getchannel("A")
    mae = ImageStat.Stat(ImageChops.difference(got, truth)).mean[0] / 255

    def binary(im: Image.Image) -> Image.Image:
        return im.point(lambda v: 255 if v >= 128 else 0)

    inter = ImageStat.Stat(ImageChops.darker(binary(got), binary(truth))).sum[0]
    union = ImageStat.Stat(ImageChops.lighter(binary(got), binary(truth))).sum[0]
    # The key's colour left in what is seen: pixels mostly kept, close to the key.
    rgb = cut.convert("RGB")
    kept = got.point(lambda v: 255 if v >= 128 else 0)
    near_key = ImageChops.difference(rgb, Image.new("RGB", rgb.size, key)).convert("L")
    fringe = ImageStat.Stat(near_key.point(lambda v: 255 if v < 60 else 0), kept).mean[0]
    assert mae < 0.01 and inter / union > 0.99, (mae, inter / union)
    assert fringe < 1.0, fringe  # under 0.4 % of the kept pixels anywhere near the key


class Gate:
    """Stands in for the landing semaphore: says when a job asks for the slot, lets it in
    when the test opens it."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.open = threading.Event()

    def acquire(self) -> bool:
        self.asked.set()
        return self.open.wait(10)

    def release(self) -> None:
        pass


def test_a_results_answer_is_read_only_once_the_landing_slot_is_free(
    library: Library, simulator, http, monkeypatch
) -> None:
    # Reading a picture's answer (JSON, then base64) holds the GIL: eight results read side by
    # side, their threads waiting for a core, stalled the GUI thread (bench_landing sep).
    from app.core import jobs
    from app.core.api import client as client_module

    monkeypatch.setattr(client_module, "PICTURE_ANSWER_BYTES", 8 * 1024)  # the test's are small
    gate = Gate()
    monkeypatch.setattr(jobs, "LANDING", gate)
    recorder = Recorder()
    worker = threading.Thread(
        target=run_job,
        args=(
            spec("a lighthouse"),
            env_for(library, http, simulator.base_url),
            CancelToken(),
            recorder,
        ),
    )
    worker.start()
    try:
        assert gate.asked.wait(10)
        assert any(r.path.startswith("/openai/tasks") for r in simulator.requests)
        # The completed answer has arrived, and not even its status has been read yet.
        assert "completed" not in [
            e.status for e in recorder.events if isinstance(e, ev.ServerStatus)
        ]
    finally:
        gate.open.set()
        worker.join(10)
    assert isinstance(recorder.events[-1], ev.Landed)


def test_a_job_waiting_again_after_an_unreadable_answer_frees_the_landing_slot(
    library: Library, simulator, http, monkeypatch
) -> None:
    from app.core import jobs
    from app.core.api import client as client_module
    from app.simulator.faults import Fault

    # Every poll answer counts as one carrying a picture, the garbled one included.
    monkeypatch.setattr(client_module, "PICTURE_ANSWER_BYTES", 64)
    landing = threading.BoundedSemaphore(1)
    monkeypatch.setattr(jobs, "LANDING", landing)
    simulator.inject(Fault(malformed_json=True), method="GET", path="/openai/tasks")
    free_while_waiting: list[bool] = []

    def hook(event: ev.JobEvent) -> None:
        if isinstance(event, ev.ServerStatus) and event.stage == "waiting":
            free = landing.acquire(blocking=False)
            if free:
                landing.release()
            free_while_waiting.append(free)

    recorder = Recorder(hook)
    run_job(
        spec("a lighthouse"), env_for(library, http, simulator.base_url), CancelToken(), recorder
    )
    assert free_while_waiting == [True]
    assert isinstance(recorder.events[-1], ev.Landed)
    assert landing.acquire(blocking=False)  # and given back at the end
