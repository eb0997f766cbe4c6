"""The main window: prompt and parameters on the left, Create/Edit | Result | Gallery in the
middle, the live task list on the right. It also decides where jobs go (a real server with
the user's key, or the built-in simulator in demo mode) and lands unfinished journal jobs at
start."""

from __future__ import annotations

import gc
import logging
import os
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.core.api.models import DEFAULT_BASE_URL
from app.core.settings import FILE_NAME, Settings
from app.services.runner import (
    CANCELLED,
    COMPLETED,
    FAILED,
    INTERRUPTED,
    Endpoint,
    JobRunner,
    is_loopback,
    make_thumbnail,
)
from app.services.task_model import TaskModel
from app.ui.banner import Banner
from app.ui.edit_panel import EditPanel
from app.ui.gallery import GalleryPanel
from app.ui.prompt_panel import PromptPanel
from app.ui.result_view import ResultView
from app.ui.task_list import TaskList

log = logging.getLogger(__name__)

HISTORY_ROWS = 30  # finished jobs from earlier runs shown in the task list
DEMO_LATENCY = 3.0  # seconds: long enough to see a job move through its states
WARM_UP_DELAY_MS = 300


def _start_simulator() -> Any:
    from app.simulator import DEMO_KEY, Simulator

    sim = Simulator(api_keys=(DEMO_KEY,), latency=DEMO_LATENCY)
    sim.start()
    return sim, DEMO_KEY


def _read_journal(library: Any, before: float) -> tuple[list[Any], list[Any], dict[int, Any]]:
    # Only jobs from earlier runs: this session's first jobs may already be journaled by now.
    unfinished = [j for j in library.unfinished_jobs() if j.created_at < before]
    unfinished_ids = {j.job_id for j in unfinished}
    recent = [
        j
        for j in library.recent_jobs(limit=HISTORY_ROWS)
        if j.job_id not in unfinished_ids and j.created_at < before
    ]
    item_ids = [j.item_ids[0] for j in recent if j.item_ids]
    items = library.items(item_ids) if item_ids else {}
    return unfinished, recent, items


def _warm_up(runner: JobRunner) -> None:
    import uuid  # noqa: F401  (job ids; it pulls in platform: ~5 ms the first Generate would pay)

    import PIL.Image

    PIL.Image.init()  # registers (imports) every codec plugin now rather than on the first result
    runner.http()


def _style_sheet() -> str:
    from app.resources import resources_dir

    try:
        return (resources_dir() / "styles" / "app.qss").read_text(encoding="utf-8")
    except OSError:
        log.info("no style sheet; banners use the platform style")
        return ""


def _mark_interrupted(library: Any, job_ids: list[Any]) -> None:
    for job_id in job_ids:
        library.update_job(job_id, state="interrupted")


def _read_embedded(path: str) -> tuple[str, dict | None]:
    from app.core.library import Library

    try:
        return path, Library.read_embedded(Path(path))
    except Exception:  # unreadable or not a picture: the editor says why when it tries
        log.info("no settings read from %s", path, exc_info=True)
        return path, None


def _thumbnails(wanted: list[tuple[str, str, Path | None]]) -> list[tuple[str, QImage]]:
    out = []
    for key, path, cached in wanted:
        # The gallery's thumbnail cache is a small JPEG: far cheaper than decoding the picture.
        if cached is not None and cached.exists():
            image = QImage(str(cached))
            if not image.isNull():
                out.append((key, image))
                continue
        thumb, _full = make_thumbnail(path)
        if thumb is not None:
            out.append((key, thumb))
    return out


class MainWindow(QMainWindow):
    endpoint_changed = Signal()  # the server/key jobs go to changed (demo <-> real)

    def __init__(
        self,
        *,
        settings: Settings,
        data_dir: Path,
        demo: bool = False,
        base_url_override: str | None = None,
        api_override: str | None = None,
        settings_reset: list[str] | None = None,
    ):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.settings = settings
        self.data_dir = data_dir
        self._demo_forced = demo
        self._base_url = (base_url_override or settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._simulator: Any = None
        self._simulator_starting = False
        self._demo_mode = False
        self._demo_key: str | None = None
        self._key_store: Any = None
        self._key_source = "none"
        self._api_key: str | None = None
        self._closed = False
        self._gc_frozen = False
        self._tray: QSystemTrayIcon | None = None
        self._settings_reset = settings_reset or []
        self.settings_dialog: Any = None

        from app.core.library import Library

        images_dir = Path(settings.images_dir) if settings.images_dir else None
        self.library = Library.open(data_dir, images_dir=images_dir)
        self.runner = JobRunner(
            self.library,
            concurrency=settings.concurrency,
            client_options={"poll_interval": float(settings.poll_interval)},
            parent=self,
        )
        self.task_model = TaskModel(self.runner, self)

        self._build_ui(api_override)
        self._build_menus()
        self.runner.job_finished.connect(self.on_job_finished)
        self.runner.endpoint_needed.connect(self.on_endpoint_needed)
        self.runner.job_added.connect(self.on_jobs_changed)
        self.runner.job_changed.connect(self.on_jobs_changed)
        self._restore_geometry()

    # ------------------------------------------------------------------ building

    def _build_ui(self, api_override: str | None) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.demo_banner = Banner("demoBanner", closable=False, parent=central)
        self.demo_banner.action_clicked.connect(self.on_add_key)
        outer.addWidget(self.demo_banner)
        self.notice_banner = Banner("noticeBanner", parent=central)
        outer.addWidget(self.notice_banner)
        sheet = _style_sheet()
        for banner in (self.demo_banner, self.notice_banner):
            banner.setStyleSheet(sheet)

        splitter = QSplitter(Qt.Orientation.Horizontal, central)
        splitter.setObjectName("mainSplitter")
        self.prompt_panel = PromptPanel(self.settings, splitter)
        if api_override:
            self.prompt_panel.set_flavour(api_override)
        scroll = QScrollArea(splitter)
        scroll.setWidget(self.prompt_panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(300)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        splitter.addWidget(scroll)

        self.tabs = QTabWidget(splitter)
        self.tabs.setObjectName("centreTabs")
        self.tabs.setDocumentMode(True)
        self.edit_panel = self._make_edit_panel()
        self.tabs.addTab(self.edit_panel, self.tr("Create / Edit"))
        self.result_view = ResultView(self.runner, self.tabs)
        self.result_tab = self.tabs.addTab(self.result_view, self.tr("Result"))
        self.gallery = self._make_gallery()
        self.tabs.addTab(self.gallery, self.tr("Gallery"))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 900])
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self.task_list = TaskList(self.runner, self.task_model, self)
        self.task_dock = QDockWidget(self.tr("Tasks"), self)
        self.task_dock.setObjectName("taskDock")
        self.task_dock.setWidget(self.task_list)
        self.task_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.task_dock.setMinimumWidth(300)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.task_dock)

        self.status_network = QLabel(self)
        self.status_network.setObjectName("statusNetwork")
        self.statusBar().addPermanentWidget(self.status_network)
        self.status_jobs = QLabel(self)
        self.status_jobs.setObjectName("statusJobs")
        self.statusBar().addPermanentWidget(self.status_jobs)
        self.status_endpoint = QLabel(self)
        self.status_endpoint.setObjectName("statusEndpoint")
        self.statusBar().addPermanentWidget(self.status_endpoint)

        self.prompt_panel.generate_requested.connect(self.on_generate)
        self.prompt_panel.prompt_edit.files_dropped.connect(self.on_prompt_files_dropped)
        self.notice_banner.action_clicked.connect(self.on_show_recovered)
        self._restore_box: QMessageBox | None = None
        self.task_list.open_requested.connect(self.on_open_job)
        self.task_list.message.connect(self.show_message)
        self.result_view.message.connect(self.show_message)
        self.result_view.reuse_requested.connect(self.on_reuse)
        self.result_view.edit_source_requested.connect(self.on_edit_source)
        self.resize(1400, 880)

    def _make_edit_panel(self) -> EditPanel:
        panel = EditPanel(self)
        s = self.settings
        panel.set_feather(s.feather)
        panel.set_keep_unmasked(s.keep_unmasked)
        panel.set_brush_size(s.brush_size)
        # The slider drives the canvas: set it, not the canvas behind its back.
        panel.opacity_slider.setValue(round(float(s.overlay_opacity) * 100))
        colour = QColor(s.mask_colour)
        if colour.isValid():
            panel.canvas.set_overlay_color(colour)
        panel.sources_changed.connect(self.on_sources_changed)
        panel.message.connect(self.show_message)
        # The panel offers to restore the settings a dropped file carries, and says when accepted.
        panel.reuse_requested.connect(self.on_reuse)
        panel.feather_changed.connect(self.on_feather_changed)
        panel.keep_unmasked_changed.connect(self.on_keep_unmasked_changed)
        panel.brush_size_changed.connect(self.on_brush_size_changed)
        return panel

    def _make_gallery(self) -> GalleryPanel:
        gallery = GalleryPanel(self.library, self)
        gallery.edit_requested.connect(self.on_gallery_edit)
        gallery.reuse_requested.connect(self.on_reuse)
        gallery.message.connect(self.show_message)
        return gallery

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.open_action = self._action(
            file_menu,
            self.tr("&Open image to edit…"),
            self.on_open_image,
            QKeySequence.StandardKey.Open,
        )
        file_menu.addSeparator()
        self._action(
            file_menu,
            self.tr("&Settings…"),
            self.on_settings,
            QKeySequence.StandardKey.Preferences,
            name="settingsAction",
        )
        self._action(file_menu, self.tr("Open the &data folder"), self.on_open_data_folder)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu(self.tr("&Edit"))
        self._action(
            edit_menu,
            self.tr("&Undo"),
            self.on_undo,
            QKeySequence.StandardKey.Undo,
            shortcut_context=False,
        )
        self._action(
            edit_menu,
            self.tr("&Redo"),
            self.on_redo,
            QKeySequence.StandardKey.Redo,
            shortcut_context=False,
        )
        edit_menu.addSeparator()
        self.paste_action = self._action(
            edit_menu, self.tr("&Paste image as edit source"), self.on_paste_image
        )

        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.task_dock.toggleViewAction())
        self._action(view_menu, self.tr("&Fit picture"), self.result_view.on_fit)
        self._action(view_menu, self.tr("&Actual size (100 %)"), self.result_view.on_actual)
        self._action(
            view_menu,
            self.tr("Create / &Edit"),
            lambda: self.tabs.setCurrentWidget(self.edit_panel),
            QKeySequence("Ctrl+1"),
        )
        self._action(
            view_menu,
            self.tr("&Result"),
            lambda: self.tabs.setCurrentWidget(self.result_view),
            QKeySequence("Ctrl+2"),
        )
        self._action(
            view_menu,
            self.tr("&Gallery"),
            lambda: self.tabs.setCurrentWidget(self.gallery),
            QKeySequence("Ctrl+3"),
        )
        view_menu.addSeparator()
        self._action(view_menu, self.tr("&Spend…"), self.on_spend)

        help_menu = bar.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("Open the &log folder"), self.on_open_logs)
        self._action(help_menu, self.tr("&About"), self.on_about)

    def _action(
        self,
        menu: Any,
        text: str,
        slot: Any,
        shortcut: Any = None,
        *,
        name: str | None = None,
        shortcut_context: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        if name:
            action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            if not shortcut_context:
                # Undo/redo belong to the focused widget (prompt, canvas); the menu only mirrors them.
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        if self.settings.window_state:
            self.restoreState(QByteArray.fromBase64(self.settings.window_state.encode()))

    # ------------------------------------------------------------------ start-up

    def start(self) -> None:
        """After show: find the key (off the GUI thread), pick the endpoint, land the journal."""
        notices = []
        if self._settings_reset:
            notices.append(
                self.tr(
                    "Some settings could not be read and were reset to their defaults: {0}."
                ).format(", ".join(self._settings_reset))
            )
        recovered = self.library.recovered_from
        if recovered is not None:
            # The journal lived in the damaged file: say what that costs and where it went.
            log.warning("the library index was damaged; rebuilt, the old one kept at %s", recovered)
            notices.append(
                self.tr(
                    "The library index was damaged and has been rebuilt from your pictures. "
                    "Jobs left unfinished before could not be resumed. "
                    "The damaged file was kept as {0}."
                ).format(recovered)
            )
        if notices:
            self.notice_banner.show_message(
                " ".join(notices),
                self.tr("Show the damaged file") if recovered is not None else None,
            )
        self._update_endpoint_label()
        if self._demo_forced:
            self._start_demo()
        else:
            env_key = (os.environ.get("MOUNTSEA_API_KEY") or "").strip()
            if env_key:
                # The environment wins and needs no keyring call.
                self._use_key(env_key, "env")
            else:
                # Neutral until the keyring answers: neither demo nor a key is claimed yet.
                self.status_endpoint.setText(self.tr("Looking up the API key…"))
                # Importing keyring costs 50-150 ms of interpreter time (it pulls in urllib,
                # http.client, email, entry points...), and a worker importing it holds the GIL
                # as much as the GUI thread would: start it once the window has painted (the
                # zero timer runs after the paint events show() posted), not while it is built.
                QTimer.singleShot(0, self.on_look_up_key)
        # Importing httpx and Pillow's codecs takes ~100 ms of interpreter time: do it off the
        # GUI thread once the window is up, before the first Generate, not during start-up.
        QTimer.singleShot(WARM_UP_DELAY_MS, self.on_warm_up)
        self.runner.call(
            _read_journal,
            self.library,
            time.time(),
            on_done=self.on_journal_read,
            on_error=lambda e: log.error("could not read the journal: %r", e),
        )

    @Slot()
    def on_warm_up(self) -> None:
        if self._closed:
            return
        self.runner.call(
            _warm_up, self.runner, on_done=self.on_warmed_up, on_error=self.on_warm_up_failed
        )

    def on_warm_up_failed(self, error: BaseException) -> None:
        log.warning("warm-up failed: %r", error)  # the first job imports what it needs itself
        self.on_warmed_up(None)

    @Slot(object)
    def on_warmed_up(self, _result: Any) -> None:
        """Start-up is over: what is alive now (modules, classes, widgets, httpx and Pillow
        after the warm-up) lives as long as the window. Freezing it takes those objects out
        of the cyclic GC's full collections, which otherwise walk all of them: a 25-35 ms
        GUI-thread pause while scrolling a 100,000-item gallery. Frozen objects are still
        freed by reference counting; only cycles among them wait for the unfreeze at close.
        `app.main.main` keeps the collector off until here (start-up's own collections found
        little and cost ~14 ms before the first paint); this is where it comes back on. A
        window closed before this point leaves it off: `python -m app` is exiting then, and
        turning it on would start with a pass over every object start-up made."""
        if self._closed or self._gc_frozen:
            return
        started = time.perf_counter()
        # What the first Generate and the first task row would otherwise pay on the GUI
        # thread, in the same frame as the click (~15 ms together): the budget question's
        # module, and the row painter's style enums and glyph fallback fonts.
        import app.ui.spend  # noqa: F401

        self.task_list.delegate.warm_up(self.task_list.view.font())
        gc.collect()  # the garbage start-up left is freed, not frozen
        gc.freeze()
        gc.enable()
        self._gc_frozen = True
        log.info(
            "start-up objects frozen for the GC: %d (%.0f ms)",
            gc.get_freeze_count(),
            (time.perf_counter() - started) * 1000,
        )

    @Slot()
    def on_look_up_key(self) -> None:
        if not self._closed:
            self.runner.call(
                self._lookup_key, on_done=self.on_key_looked_up, on_error=self.on_key_lookup_failed
            )

    def key_store(self) -> Any:
        if self._key_store is None:
            from app.core.keys import KeyStore

            self._key_store = KeyStore()
        return self._key_store

    def _lookup_key(self) -> tuple[str | None, str]:
        key, source = self.key_store().get()
        return key, str(source)

    @Slot(object)
    def on_key_looked_up(self, found: Any) -> None:
        key, source = found
        if key:
            self._use_key(key, source)
        else:
            self._start_demo()

    def on_key_lookup_failed(self, error: BaseException) -> None:
        log.warning("key lookup failed: %r", error)
        self._start_demo()

    def _use_key(self, key: str, source: str) -> None:
        from app.main import RedactingFilter

        RedactingFilter.add_secret(key)
        self._api_key = key
        self._key_source = source
        self._demo_forced = False
        self._demo_mode = False
        self.runner.endpoints.set(Endpoint(self._base_url, key, demo=False))
        self.demo_banner.hide()
        self._update_endpoint_label()
        self.endpoint_changed.emit()

    def _start_demo(self) -> None:
        self.demo_banner.show_message(
            self.tr(
                "Demo mode: pictures come from the built-in simulator and nothing is sent to Mountsea. "
                "Add your API key to make real images."
            ),
            self.tr("Add API key…"),
        )
        self._demo_mode = True
        self.runner.endpoints.waiting_reason = self.tr("starting the demo server")
        if self._simulator is not None:
            self._set_demo_endpoint()
        else:
            # The simulator starts when the first job needs it: start-up stays lean.
            self.runner.endpoints.set(None)
            self._update_endpoint_label()
            if self.runner.busy:
                self.on_endpoint_needed()

    @Slot()
    def on_endpoint_needed(self) -> None:
        if (
            not self._demo_mode
            or self._simulator is not None
            or self._simulator_starting
            or self._closed
        ):
            return
        self._simulator_starting = True
        self.status_endpoint.setText(self.tr("Starting the demo server…"))
        self.runner.call(
            _start_simulator, on_done=self.on_simulator_started, on_error=self.on_simulator_failed
        )

    @Slot(object)
    def on_simulator_started(self, started: Any) -> None:
        sim, demo_key = started
        self._simulator_starting = False
        if self._closed:
            sim.stop()
            return
        self._simulator = sim
        self._demo_key = demo_key
        if self._demo_mode:
            self._set_demo_endpoint()

    def on_simulator_failed(self, error: BaseException) -> None:
        self._simulator_starting = False
        log.error("the demo server did not start: %r", error)
        self.demo_banner.show_message(
            self.tr(
                "The demo server could not start ({0}). Add your API key to make images."
            ).format(error),
            self.tr("Add API key…"),
        )

    def _set_demo_endpoint(self) -> None:
        self.runner.endpoints.set(
            Endpoint(self._simulator.base_url, self._demo_key or "", demo=True)
        )
        self._update_endpoint_label()
        self.endpoint_changed.emit()

    def is_demo(self) -> bool:
        return self._demo_mode

    def _update_endpoint_label(self) -> None:
        endpoint = self.runner.endpoints.get()
        if self._demo_mode:
            text = self.tr("Demo server")
        elif endpoint is None:
            text = ""
        elif endpoint.demo:
            text = self.tr("Demo server")
        else:
            source = {
                "env": self.tr("key from MOUNTSEA_API_KEY"),
                "keyring": self.tr("key from the keyring"),
                "session": self.tr("key for this session"),
            }.get(self._key_source, "")
            text = f"{endpoint.base_url} · {source}" if source else endpoint.base_url
        self.status_endpoint.setText(text)

    @Slot(object)
    def on_journal_read(self, read: Any) -> None:
        unfinished, recent, items = read
        interrupted = []
        for job in reversed(recent):
            state = str(job.state)
            if state not in (COMPLETED, FAILED, CANCELLED, INTERRUPTED):
                continue
            paths = (
                [str(items[job.item_ids[0]].path)]
                if job.item_ids and job.item_ids[0] in items
                else []
            )
            key = self.runner.add_history(job, state, error=self._journal_error(job), paths=paths)
            record = self.runner.record(key)
            if record is not None and job.item_ids and job.item_ids[0] in items:
                item = items[job.item_ids[0]]
                record.info = {
                    "revised_prompt": item.revised_prompt,
                    "size": item.size_returned,
                    "quality": item.quality_returned,
                    "format": item.format,
                    "text_input_tokens": item.text_input_tokens,
                    "image_input_tokens": item.image_input_tokens,
                    "output_tokens": item.output_tokens,
                    "input_tokens": item.input_tokens,
                }
                record.late_result = bool(item.cancelled)
                record.raw_paths = [str(item.raw_path) if item.raw_path else None]
                record.is_edit = record.is_edit or item.is_edit
        for job in unfinished:
            own_demo_gone = is_loopback(job.base_url) and job.base_url.rstrip("/") != self._base_url
            # A job journaled as "waiting" never reached the server (no network): sending it now
            # cannot bill twice. An async task with an id is polled, never created again.
            never_sent = str(job.state) == "waiting" and not job.task_id
            if (job.resumable or never_sent) and not own_demo_gone:
                self.runner.resume(
                    job, keep_unmasked=self.settings.keep_unmasked, feather=self.settings.feather
                )
            else:
                interrupted.append(job.job_id)
                self.runner.add_history(
                    job,
                    INTERRUPTED,
                    error=self.tr(
                        "Interrupted when the app last closed. Retry runs it again (and is billed again)."
                    ),
                )
        if interrupted:
            self.runner.call(_mark_interrupted, self.library, interrupted)
        wanted = [
            (r.key, r.paths[0], self.library.thumbnail_path(r.item_ids[0]) if r.item_ids else None)
            for r in self.runner.records()
            if r.paths and r.thumbnail is None
        ]
        if wanted:
            self.runner.call(_thumbnails, wanted, on_done=self.on_history_thumbnails)
        resumed = sum(1 for j in unfinished if j.job_id not in interrupted)
        if resumed:
            self.show_message(self.tr("Resuming %n unfinished task(s) from last time", "", resumed))

    def _journal_error(self, job: Any) -> str | None:
        if str(job.state) != FAILED:
            return None
        from app.core.api.errors import ApiError, ErrorKind
        from app.services.runner import error_sentence

        try:
            return error_sentence(ApiError(ErrorKind(job.error_kind), job.error_message or ""))
        except ValueError:
            return job.error_message

    @Slot(object)
    def on_history_thumbnails(self, thumbs: Any) -> None:
        for key, image in thumbs:
            self.runner.on_event(key, {"thumbnail": image})

    # ------------------------------------------------------------------ jobs

    @Slot()
    def on_generate(self) -> None:
        problems = self.prompt_panel.problems()
        if problems:
            self.show_message(problems[0])
            return
        request = self.prompt_panel.request()
        snapshot = None
        feather = self.settings.feather
        keep = self.settings.keep_unmasked
        if self.edit_panel.has_sources():
            snapshot = self.edit_panel.snapshot()
            if snapshot is not None:
                feather, keep = snapshot.feather, snapshot.keep_unmasked
        if not self._budget_ok(request):
            return
        flavour = self.prompt_panel.flavour()
        copies = self.prompt_panel.copies()
        for _ in range(copies):
            self.runner.submit(
                request, flavour, snapshot=snapshot, keep_unmasked=keep, feather=feather
            )
        self.prompt_panel.remember_used_size()
        self.show_message(self.tr("Started %n job(s)", "", copies))

    def _budget_ok(self, request: Any) -> bool:
        """Ask before a job that may take this month past the user's budget (never in demo)."""
        if self.is_demo():
            return True
        from app.ui.spend import confirm_budget

        try:
            # A few small SQLite reads: cheap enough for a click.
            return confirm_budget(self, self.library, request.size, request.quality)
        except Exception:
            log.exception("budget check failed")
            return True

    @Slot(str)
    def on_job_finished(self, key: str) -> None:
        record = self.runner.record(key)
        if record is None:
            return
        if record.state == COMPLETED or record.late_result:
            # One indexed lookup per item: the row appears in place, selection and scroll kept.
            for item_id in record.item_ids:
                self.gallery.item_added(item_id)
            self._show_result(
                record,
                switch=self.tabs.currentWidget() is not self.gallery
                and not (
                    self.edit_panel.has_sources() and self.tabs.currentWidget() is self.edit_panel
                ),
            )
            text = self.tr("Finished: {0}").format(record.prompt[:60])
        elif record.state == FAILED:
            text = self.tr("Failed: {0}").format(record.prompt[:60])
        else:
            return
        self.show_message(text)
        if not self.isActiveWindow() and self.settings.notifications:
            self._notify(text)

    def _show_result(self, record: Any, *, switch: bool) -> None:
        self.result_view.show_record(record)
        if switch:
            self.tabs.setCurrentWidget(self.result_view)

    def _notify(self, text: str) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                self._tray = QSystemTrayIcon(self.windowIcon(), self)
                self._tray.setToolTip(APP_NAME)
                self._tray.show()
            self._tray.showMessage(APP_NAME, text, QSystemTrayIcon.MessageIcon.Information, 5000)
        else:
            QApplication.alert(self)

    @Slot()
    def on_jobs_changed(self, *_: Any) -> None:
        counts = self.task_model.counts()
        active = counts.get("running", 0) + counts.get("queued", 0) + counts.get("waiting", 0)
        self.status_jobs.setText(self.tr("%n job(s) running", "", active) if active else "")
        # Jobs that could not reach the server probe it on their own and start when it answers.
        offline = counts.get("waiting_network", 0)
        self.status_network.setText(self.tr("Offline") if offline else "")
        self.status_network.setToolTip(
            self.tr(
                "No network: %n job(s) wait and start when it is back. The gallery works as usual.",
                "",
                offline,
            )
            if offline
            else ""
        )

    @Slot(str)
    def on_open_job(self, key: str) -> None:
        record = self.runner.record(key)
        if record is not None:
            self._show_result(record, switch=True)

    @Slot(dict)
    def on_reuse(self, params: dict) -> None:
        self.prompt_panel.apply_params(params)
        self.prompt_panel.prompt_edit.setFocus()
        self.show_message(self.tr("Settings restored: change the prompt or press Generate"))

    @Slot(str)
    def on_edit_source(self, path: str) -> None:
        """A result becomes the picture to edit (the first source, the one the mask applies to)."""
        self.edit_panel.use_as_source(path=path)
        self.tabs.setCurrentWidget(self.edit_panel)

    @Slot(list)
    def on_prompt_files_dropped(self, paths: list) -> None:
        """One picture the app made, dropped on the prompt: offer its prompt and settings.
        Anything else goes to the editor, as a drop anywhere else on the window does."""
        if len(paths) == 1:
            self.runner.call(_read_embedded, paths[0], on_done=self.on_prompt_file_read)
        else:
            self._edit_files(paths)

    @Slot(object)
    def on_prompt_file_read(self, read: Any) -> None:
        path, params = read
        if not params:
            self._edit_files([path])
            return
        prompt = str(params.get("prompt") or "")
        short = prompt if len(prompt) <= 60 else prompt[:57] + "…"
        if self._restore_box is not None:
            self._restore_box.close()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Restore settings"),
            self.tr(
                "“{0}” was made with this app (“{1}”). Restore its prompt and settings?"
            ).format(Path(path).name, short),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        restore = box.addButton(self.tr("Restore settings"), QMessageBox.ButtonRole.AcceptRole)
        restore.setObjectName("restoreSettingsButton")
        box.addButton(self.tr("Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        restore.clicked.connect(lambda: self.on_reuse(params))
        box.finished.connect(self.on_restore_box_closed)
        self._restore_box = box
        box.open()

    @Slot(int)
    def on_restore_box_closed(self, _result: int) -> None:
        self._restore_box = None

    def _edit_files(self, paths: list[str]) -> None:
        self.edit_panel.add_files(paths)
        self.tabs.setCurrentWidget(self.edit_panel)

    @Slot()
    def on_show_recovered(self) -> None:
        recovered = self.library.recovered_from
        if recovered is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(recovered.parent)))

    @Slot(int)
    def on_gallery_edit(self, item_id: int) -> None:
        lib = self.library
        self.runner.call(
            lambda: str(lib.item(item_id).path),
            on_done=self.on_edit_source,
            on_error=lambda e: self.show_message(
                self.tr("Could not find the picture: {0}").format(e)
            ),
        )

    @Slot()
    def on_sources_changed(self) -> None:
        self.prompt_panel.set_editing(self.edit_panel.has_sources())

    @Slot(int)
    def on_feather_changed(self, pixels: int) -> None:
        self.settings.feather = max(0, min(256, int(pixels)))

    @Slot(bool)
    def on_keep_unmasked_changed(self, keep: bool) -> None:
        self.settings.keep_unmasked = bool(keep)

    @Slot(int)
    def on_brush_size_changed(self, pixels: int) -> None:
        self.settings.brush_size = max(1, min(1000, int(pixels)))

    # ------------------------------------------------------------------ menus

    @Slot()
    def on_open_image(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open pictures to edit"),
            str(Path.home()),
            self.tr("Pictures (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)"),
        )
        if paths:
            self.edit_panel.add_files(paths)
            self.tabs.setCurrentWidget(self.edit_panel)

    @Slot()
    def on_paste_image(self) -> None:
        self.edit_panel.paste()
        self.tabs.setCurrentWidget(self.edit_panel)

    @Slot()
    def on_undo(self) -> None:
        widget = QApplication.focusWidget()
        if widget is not None and hasattr(widget, "undo"):
            widget.undo()

    @Slot()
    def on_redo(self) -> None:
        widget = QApplication.focusWidget()
        if widget is not None and hasattr(widget, "redo"):
            widget.redo()

    @Slot()
    def on_settings(self) -> None:
        self.open_settings()

    @Slot()
    def on_add_key(self) -> None:
        self.open_settings().key_edit.setFocus()

    def open_settings(self) -> Any:
        from app.ui.settings_dialog import SettingsDialog

        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self, self)
            self.settings_dialog.finished.connect(self.on_settings_closed)
        self.settings_dialog.open()
        return self.settings_dialog

    @Slot(int)
    def on_settings_closed(self, _result: int) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
            self.settings_dialog = None

    @Slot()
    def on_spend(self) -> None:
        from app.ui.spend import SpendDialog

        dialog = SpendDialog(self.library, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def on_open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))

    @Slot()
    def on_open_logs(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir / "logs")))

    @Slot()
    def on_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About {0}").format(APP_NAME),
            self.tr(
                "{0} {1}\n\nA desktop client for Mountsea's gpt-image-2 image service.\n"
                "Your data folder: {2}"
            ).format(APP_NAME, __version__, self.data_dir),
        )

    # ------------------------------------------------------------------ called by the settings dialog

    def key_info(self) -> tuple[str, bool]:
        """(where the key came from, whether it is the demo's)."""
        return self._key_source, self._api_key is None

    def base_url(self) -> str:
        return self._base_url

    def apply_key(self, key: str | None, source: str) -> None:
        """A key was saved, kept for the session, or removed: switch endpoints without a restart."""
        if key:
            self._use_key(key, source)
        else:
            self._api_key = None
            self._key_source = "none"
            self._start_demo()
        self._update_endpoint_label()

    def set_base_url(self, base_url: str) -> None:
        """New jobs go to this server from now on (jobs already sent stay with theirs)."""
        self._base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if self._api_key:
            self.runner.endpoints.set(Endpoint(self._base_url, self._api_key, demo=False))
        self._update_endpoint_label()

    def apply_settings(self) -> None:
        s = self.settings
        self.runner.set_concurrency(s.concurrency)
        if s.images_dir:
            self.runner.call(self.library.set_images_dir, Path(s.images_dir))
        self.edit_panel.set_feather(s.feather)
        self.edit_panel.set_keep_unmasked(s.keep_unmasked)
        self._update_endpoint_label()
        self.save_settings()

    def save_settings(self) -> None:
        try:
            self.settings.save(self.data_dir / FILE_NAME)
        except OSError as exc:
            self.show_message(self.tr("Could not save the settings: {0}").format(exc))

    # ------------------------------------------------------------------ misc

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # Pictures dropped anywhere on the window go to the editor.
        if self.edit_panel.accepts_mime(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.edit_panel.take_mime(event.mimeData()):
            self.tabs.setCurrentWidget(self.edit_panel)
            event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        self._closed = True
        self.settings.overlay_opacity = self.edit_panel.canvas.overlay_opacity() / 100
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        self.settings.window_state = bytes(self.saveState().toBase64().data()).decode()
        self.save_settings()
        self.runner.shutdown()
        if self._gc_frozen:
            # Cycles among start-up objects can be collected again (tests open many windows
            # in one process).
            gc.unfreeze()
            self._gc_frozen = False
        if self._simulator is not None:
            self._simulator.stop()
            self._simulator = None
        if self._tray is not None:
            self._tray.hide()
        self.gallery.shutdown()
        self.library.close()
        log.info("closed cleanly")
        event.accept()
