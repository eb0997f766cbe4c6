"""Which server and key jobs use: the user's key on a real server, or the built-in simulator.

The session owns the runner's endpoint box. With a key (MOUNTSEA_API_KEY, the keyring, or
one kept for this run) jobs go to `base_url` with it; without one the app is in demo mode and
the simulator, made by the injected factory, starts when the first job needs it. A key added
or removed later switches the endpoint without a restart; jobs already sent keep theirs.
Keyring calls and the simulator's start run on the Background helper, never on the GUI thread.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from app.core.api.models import DEFAULT_BASE_URL
from app.core.redact import add_secret
from app.services.background import Background
from app.services.runner import Endpoint, JobRunner

log = logging.getLogger(__name__)

ENV_VAR = "MOUNTSEA_API_KEY"  # the same name app.core.keys reads; it wins over a stored key


class Simulator(Protocol):
    """What the session needs of app.simulator.Simulator (the factory's product)."""

    api_keys: frozenset[str]  # the keys it accepts: the demo sends one of them

    @property
    def base_url(self) -> str: ...

    def start(self) -> str: ...

    def stop(self) -> None: ...


class KeyStore(Protocol):
    """What the session needs of app.core.keys.KeyStore."""

    def get(self) -> tuple[str | None, Any]: ...


class Session(QObject):
    endpoint_changed = Signal()  # where new jobs go changed (demo <-> real, server, key)
    demo_changed = Signal(bool)  # demo mode on / off
    key_changed = Signal(str)  # the key in use changed; its source: env, keyring, session, none
    state_changed = Signal()  # looking up the key / starting the demo server began or ended
    simulator_failed = Signal(str)  # the demo server could not start: why

    def __init__(
        self,
        runner: JobRunner,
        background: Background,
        *,
        key_store: Callable[[], KeyStore],
        simulator_factory: Callable[[], Simulator],
        base_url: str | None = None,
        demo: bool = False,
        env: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`key_store` makes the key store on first use (importing keyring is slow: that
        happens on a worker); `simulator_factory` makes the demo server (not started)."""
        super().__init__(parent)
        self.runner = runner
        self.background = background
        self._key_store_factory = key_store
        self._key_store: KeyStore | None = None
        self._key_store_lock = threading.Lock()
        self._simulator_factory = simulator_factory
        self._env = os.environ if env is None else env
        self._base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._demo_forced = demo
        self._demo = False
        self._api_key: str | None = None
        self._key_source = "none"
        self._simulator: Simulator | None = None
        # Guards _simulator and _shut between the worker that starts the demo server and
        # shutdown: whichever comes second stops it, so a window closed mid-start leaves no
        # server process behind (its answer would no longer be delivered to stop it).
        self._simulator_lock = threading.Lock()
        self.looking_up = False  # the keyring lookup has not answered yet
        self.starting_simulator = False
        self._shut = False
        runner.endpoint_needed.connect(self.on_endpoint_needed)

    # -- what the window and the settings dialog read --

    def is_demo(self) -> bool:
        return self._demo

    def key_info(self) -> tuple[str, bool]:
        """(where the key came from, whether jobs run without one: the demo's)."""
        return self._key_source, self._api_key is None

    @property
    def api_key(self) -> str | None:
        return self._api_key

    def base_url(self) -> str:
        return self._base_url

    def endpoint(self) -> Endpoint | None:
        return self.runner.endpoints.get()

    def key_store(self) -> KeyStore:
        """The key store, made on first use (from a worker at start-up: keyring is slow to import)."""
        with self._key_store_lock:
            if self._key_store is None:
                self._key_store = self._key_store_factory()
            return self._key_store

    # -- start-up --

    def start(self) -> None:
        """Pick the endpoint: demo when asked for, else the environment's key at once, else
        the keyring, asked on a worker (`looking_up` until it answers)."""
        if self._demo_forced:
            self._start_demo()
            return
        env_key = (self._env.get(ENV_VAR) or "").strip()
        if env_key:
            self._use_key(env_key, "env")  # the environment wins and needs no keyring call
            return
        # Neutral until the keyring answers: neither demo nor a key is claimed yet.
        self.looking_up = True
        self.state_changed.emit()
        self.look_up_key()

    @Slot()
    def look_up_key(self) -> None:
        if not self._shut:
            self.background.submit(
                self._lookup_key, on_done=self.on_key_looked_up, on_error=self.on_key_lookup_failed
            )

    def _lookup_key(self) -> tuple[str | None, str]:
        key, source = self.key_store().get()
        return key, str(source)

    @Slot(object)
    def on_key_looked_up(self, found: tuple[str | None, str]) -> None:
        self.looking_up = False
        key, source = found
        if key:
            self._use_key(key, source)
        else:
            self._start_demo()

    def on_key_lookup_failed(self, error: BaseException) -> None:
        log.warning("key lookup failed: %r", error)
        self.looking_up = False
        self._start_demo()

    # -- changes --

    def apply_key(self, key: str | None, source: str) -> None:
        """A key was saved, kept for the session, or removed: switch endpoints without a restart."""
        if key:
            self._use_key(key, source)
        else:
            self._api_key = None
            self._key_source = "none"
            self.key_changed.emit("none")
            self._start_demo()

    def set_base_url(self, base_url: str) -> None:
        """New jobs go to this server from now on (jobs already sent stay with theirs)."""
        self._base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if self._api_key:
            self.runner.endpoints.set(Endpoint(self._base_url, self._api_key, demo=False))
        self.endpoint_changed.emit()

    def check_key(self, base_url: str, key: str) -> None:
        """Ask the server whether it accepts `key` (costs nothing). Blocking: run it on a worker."""
        from app.core.api.client import MountseaClient  # httpx: imported on the worker

        MountseaClient(self.runner.http(), base_url, key, max_retries=0).check_key()

    def _use_key(self, key: str, source: str) -> None:
        add_secret(key)
        was_demo = self._demo
        self._api_key = key
        self._key_source = source
        self._demo_forced = False
        self._demo = False
        self.runner.endpoints.set(Endpoint(self._base_url, key, demo=False))
        self.key_changed.emit(source)
        if was_demo:
            self.demo_changed.emit(False)
        self.endpoint_changed.emit()

    def _start_demo(self) -> None:
        was_demo = self._demo
        self._demo = True
        self.runner.endpoints.waiting_reason = QCoreApplication.translate(
            "MainWindow", "starting the demo server"
        )
        if not was_demo:
            self.demo_changed.emit(True)
        if self._simulator is not None:
            self._set_demo_endpoint()
            return
        # The simulator starts when the first job needs it: start-up stays lean.
        self.runner.endpoints.set(None)
        self.endpoint_changed.emit()
        if self.runner.busy:
            self.on_endpoint_needed()

    @Slot()
    def on_endpoint_needed(self) -> None:
        if not self._demo or self._simulator is not None or self.starting_simulator or self._shut:
            return
        self.starting_simulator = True
        self.state_changed.emit()
        self.background.submit(
            self._start_simulator,
            on_done=self.on_simulator_started,
            on_error=self.on_simulator_failed,
        )

    def _start_simulator(self) -> Simulator | None:
        sim = self._simulator_factory()
        sim.start()
        with self._simulator_lock:
            if not self._shut:
                self._simulator = sim
                return sim
        sim.stop()  # the window closed while it started
        return None

    @Slot(object)
    def on_simulator_started(self, sim: Simulator | None) -> None:
        self.starting_simulator = False
        if sim is None or self._shut:
            return
        self.state_changed.emit()
        if self._demo:
            self._set_demo_endpoint()

    def on_simulator_failed(self, error: BaseException) -> None:
        self.starting_simulator = False
        log.error("the demo server did not start: %r", error)
        self.state_changed.emit()
        self.simulator_failed.emit(str(error))

    def _set_demo_endpoint(self) -> None:
        assert self._simulator is not None
        demo_key = min(self._simulator.api_keys, default="")
        self.runner.endpoints.set(Endpoint(self._simulator.base_url, demo_key, demo=True))
        self.endpoint_changed.emit()

    def shutdown(self) -> None:
        """Stop the demo server (after the runner has stopped its jobs)."""
        with self._simulator_lock:
            self._shut = True
            sim, self._simulator = self._simulator, None
        if sim is not None:
            sim.stop()
