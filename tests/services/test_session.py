"""The session without any window: which server and key jobs use, demo on and off, key and
server changes. Real runner, real library, real simulators over real sockets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.api.models import DEFAULT_BASE_URL, ImageRequest
from app.core.keys import SERVICE, USERNAME, KeyStore
from app.core.library import Library
from app.core.redact import redact
from app.services.background import Background
from app.services.journal import JournalResume
from app.services.runner import JobRunner
from app.services.session import Session
from app.simulator import Simulator
from tests.conftest import TEST_KEY

DEMO = "sk-demo-for-the-tests"


class Simulators:
    """The session's simulator factory, counting what it made; stops them all at the end."""

    def __init__(self) -> None:
        self.made: list[Simulator] = []

    def __call__(self) -> Simulator:
        sim = Simulator(api_keys=(DEMO,), latency=0.0)
        self.made.append(sim)
        return sim

    def stop(self) -> None:
        for sim in self.made:
            sim.stop()


@pytest.fixture
def parts(qtbot, library: Library) -> Iterator[tuple[JobRunner, Background, Simulators]]:
    runner = JobRunner(library, concurrency=2, client_options={"poll_interval": 0.05})
    background = Background(2)
    sims = Simulators()
    yield runner, background, sims
    runner.shutdown()
    background.shutdown()
    sims.stop()


def make_session(parts, **kwargs) -> Session:
    runner, background, sims = parts
    env = kwargs.pop("env", {})
    session = Session(
        runner,
        background,
        key_store=lambda: KeyStore(env=env),
        simulator_factory=sims,
        env=env,
        **kwargs,
    )
    return session


def start(qtbot, session: Session) -> None:
    with qtbot.waitSignal(session.endpoint_changed, timeout=10000):
        session.start()


def finish(qtbot, runner: JobRunner, key: str) -> None:
    with qtbot.waitSignal(runner.job_finished, timeout=15000, check_params_cb=lambda k: k == key):
        pass


def test_without_a_key_jobs_go_to_the_demo_server_started_when_the_first_job_needs_it(
    qtbot, parts
) -> None:
    runner, _background, sims = parts
    session = make_session(parts)
    with qtbot.waitSignal(session.demo_changed, check_params_cb=lambda demo: demo):
        start(qtbot, session)
    assert session.is_demo() and session.key_info() == ("none", True)
    assert sims.made == [] and session.endpoint() is None  # start-up stays lean
    key = runner.submit(ImageRequest(prompt="a demo kite"), "async")
    finish(qtbot, runner, key)
    assert runner.record(key).state == "completed", runner.record(key).error
    (sim,) = sims.made
    assert session.endpoint() == (sim.base_url, DEMO, True) and sim.created_tasks == 1


def test_demo_forced_ignores_a_key(qtbot, parts, memory_keyring) -> None:
    memory_keyring.set_password(SERVICE, USERNAME, TEST_KEY)
    session = make_session(parts, demo=True, env={"MOUNTSEA_API_KEY": TEST_KEY})
    start(qtbot, session)
    assert session.is_demo() and session.endpoint() is None


def test_a_key_from_the_environment_wins_without_asking_the_keyring(
    qtbot, parts, memory_keyring
) -> None:
    memory_keyring.set_password(SERVICE, USERNAME, "sk-stored-in-the-keyring")
    env = {"MOUNTSEA_API_KEY": f"  {TEST_KEY} "}
    session = make_session(parts, env=env, base_url="http://example.test/")
    made: list[object] = []
    session._key_store_factory = lambda: made.append(1) or KeyStore(env=env)  # type: ignore[method-assign]
    session.start()
    assert not session.looking_up and made == []  # decided at once, no keyring call
    assert session.key_info() == ("env", False) and not session.is_demo()
    assert session.endpoint() == ("http://example.test", TEST_KEY, False)
    assert TEST_KEY not in redact(f"the key {TEST_KEY} in a message")  # registered as a secret


def test_a_stored_key_is_looked_up_on_a_worker(qtbot, parts, memory_keyring) -> None:
    memory_keyring.set_password(SERVICE, USERNAME, TEST_KEY)
    session = make_session(parts, base_url="http://example.test")
    with qtbot.waitSignal(session.key_changed, check_params_cb=lambda s: s == "keyring"):
        session.start()
        assert session.looking_up and session.endpoint() is None  # neither demo nor a key yet
    assert not session.looking_up and not session.is_demo()
    assert session.endpoint() == ("http://example.test", TEST_KEY, False)


def test_a_key_added_in_demo_mode_switches_to_the_real_server_without_a_restart(
    qtbot, parts, simulator
) -> None:
    runner, _background, sims = parts
    session = make_session(parts, base_url=simulator.base_url)
    start(qtbot, session)
    key = runner.submit(ImageRequest(prompt="made by the demo"), "async")
    finish(qtbot, runner, key)
    (demo,) = sims.made
    with qtbot.waitSignal(session.demo_changed, check_params_cb=lambda d: not d):
        session.apply_key(TEST_KEY, "session")
    assert session.endpoint() == (simulator.base_url, TEST_KEY, False)
    assert session.key_info() == ("session", False)
    key = runner.submit(ImageRequest(prompt="made for real"), "async")
    finish(qtbot, runner, key)
    assert runner.record(key).state == "completed", runner.record(key).error
    assert simulator.created_tasks == 1 and demo.created_tasks == 1
    # ... and removing the key goes back to the demo server already running.
    with qtbot.waitSignal(session.demo_changed, check_params_cb=lambda d: d):
        session.apply_key(None, "none")
    assert session.endpoint() == (demo.base_url, DEMO, True) and len(sims.made) == 1


def test_a_base_url_change_moves_new_jobs_and_keeps_the_key(qtbot, parts, simulator) -> None:
    session = make_session(parts, env={"MOUNTSEA_API_KEY": TEST_KEY})
    session.start()
    assert session.base_url() == DEFAULT_BASE_URL
    with qtbot.waitSignal(session.endpoint_changed):
        session.set_base_url(simulator.base_url + "/")
    assert session.base_url() == simulator.base_url
    assert session.endpoint() == (simulator.base_url, TEST_KEY, False)
    runner = parts[0]
    key = runner.submit(ImageRequest(prompt="to the new server"), "compat")
    finish(qtbot, runner, key)
    assert runner.record(key).state == "completed" and simulator.compat_calls == 1


def test_the_key_check_asks_the_server(qtbot, parts, simulator) -> None:
    from app.core.api.errors import ApiError

    session = make_session(parts)
    session.check_key(simulator.base_url, TEST_KEY)
    with pytest.raises(ApiError):
        session.check_key(simulator.base_url, "sk-refused-by-the-server")
    assert simulator.created_tasks == 0


@pytest.mark.expect_log_error
def test_a_simulator_that_cannot_start_is_said(qtbot, parts) -> None:
    runner, background, _sims = parts

    def broken() -> Simulator:
        raise OSError("no port free")

    session = Session(runner, background, key_store=KeyStore, simulator_factory=broken, env={})
    session.apply_key(None, "none")
    with qtbot.waitSignal(session.simulator_failed, check_params_cb=lambda e: "no port" in e):
        session.on_endpoint_needed()
    assert not session.starting_simulator and session.endpoint() is None


def test_shutdown_stops_the_demo_server(qtbot, parts) -> None:
    sims = parts[2]
    session = make_session(parts, demo=True)
    session.start()
    with qtbot.waitSignal(session.endpoint_changed, timeout=10000):
        session.on_endpoint_needed()
    (sim,) = sims.made
    assert sim._server is not None  # listening
    session.shutdown()
    assert sim._server is None  # stopped: Simulator.port raises once it is
    with pytest.raises(RuntimeError):
        _ = sim.port


def test_a_window_closed_while_the_demo_server_starts_leaves_no_server(qtbot, parts) -> None:
    _runner, background, sims = parts
    session = make_session(parts, demo=True)
    session.start()
    session.on_endpoint_needed()
    # The server is up and the worker has returned, but its answer has not reached the GUI
    # thread: the window closes now, and after shutdown that answer is never delivered.
    assert background.pool.waitForDone(10000)
    session.shutdown()
    background.shutdown()
    (sim,) = sims.made
    assert sim._server is None  # stopped: no server left running without a window


def test_the_journal_resumes_without_a_window(qtbot, parts, library: Library, simulator) -> None:
    from app.core.api.models import Flavour
    from app.core.settings import Settings

    runner, background, _sims = parts
    waiting = library.begin_job(
        ImageRequest(prompt="never sent"), Flavour.tasks, simulator.base_url
    )
    library.update_job(waiting, state="waiting")
    cut = library.begin_job(ImageRequest(prompt="cut off"), Flavour.compat, simulator.base_url)
    with library._write() as c:  # both left by a run whose process is gone
        c.execute("UPDATE jobs SET owner = '99999:1:dead'")
    session = make_session(parts, env={"MOUNTSEA_API_KEY": TEST_KEY}, base_url=simulator.base_url)
    session.start()
    journal = JournalResume(
        library, runner, background, base_url=session.base_url, settings=Settings()
    )
    with qtbot.waitSignal(journal.done, timeout=10000):
        journal.start()
    states = {r.job_id: r.state for r in runner.records()}
    assert states[cut] == "interrupted" and states[waiting] != "interrupted"
    (resumed,) = [r for r in runner.records() if r.job_id == waiting]
    finish(qtbot, runner, resumed.key)
    assert resumed.state == "completed" and simulator.created_tasks == 1
    qtbot.waitUntil(lambda: library.job(cut).state == "interrupted", timeout=5000)


def test_a_task_that_failed_on_our_side_is_checked_again_at_start(
    qtbot, parts, library: Library, simulator
) -> None:
    """Last run the server's answers could not be read, so the job failed while its task went
    on; this start polls that task once more and lands the picture, creating nothing."""
    from app.core.api.cancel import CancelToken
    from app.core.api.client import MountseaClient, make_http_client
    from app.core.api.models import Flavour
    from app.core.settings import Settings

    runner, background, _sims = parts
    with make_http_client() as http:
        task_id = MountseaClient(http, simulator.base_url, TEST_KEY).submit_task(
            ImageRequest(prompt="paid for last time"), CancelToken()
        )
    job = library.begin_job(
        ImageRequest(prompt="paid for last time"), Flavour.tasks, simulator.base_url
    )
    library.set_task_id(job, task_id)
    library.update_job(
        job,
        state="failed",
        error_kind="malformed",
        error_message="The server's answer could not be read.",
    )
    with library._write() as c:  # left by a run whose process is gone
        c.execute("UPDATE jobs SET owner = '99999:1:dead'")
    session = make_session(parts, env={"MOUNTSEA_API_KEY": TEST_KEY}, base_url=simulator.base_url)
    session.start()
    journal = JournalResume(
        library, runner, background, base_url=session.base_url, settings=Settings()
    )
    with qtbot.waitSignal(journal.done, timeout=10000):
        journal.start()
    (record,) = [r for r in runner.records() if r.job_id == job]
    qtbot.waitUntil(lambda: record.state == "completed", timeout=15000)
    assert library.job(job).item_ids and simulator.created_tasks == 1
