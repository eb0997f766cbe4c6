"""Composition root: parse the command line, build everything, inject it, run.

`python -m app generate|edit ...` goes to the headless CLI, which never loads Qt: PySide6 and
the window are imported below only on the window's path. `create_window` builds the library,
the background helper, the job runner, the task model, the key store, the session and the
journal resume, hands them to MainWindow, and leaves what can wait to app.startup.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from app import APP_NAME, ORG_NAME, __version__
from app.core.redact import redact
from app.paths import resolve_data_dir
from app.startup import before_qt

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.core.keys import KeyStore
    from app.ui.main_window import MainWindow

log = logging.getLogger("app")

CLI_COMMANDS = ("generate", "edit", "resume")
SIMULATOR_COMMAND = "simulator"  # what app.simulator.process.command() runs
LANG_ENV = "MOUNTSEA_LANG"
DEMO_LATENCY = 3.0  # seconds: long enough to see a demo job move through its states
SHORT_CALL_THREADS = 4  # keyring, key check, loading a picture: never wait behind jobs


@dataclass(frozen=True)
class Options:
    data_dir: Path
    demo: bool
    base_url: str | None
    api: str | None
    smoke_test: bool
    lang: str | None


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m app", description=f"{APP_NAME} {__version__}")
    parser.add_argument("--data-dir", type=Path, help="keep the library, logs and settings here")
    parser.add_argument(
        "--demo", action="store_true", help="run on the built-in simulator: no key, no network"
    )
    parser.add_argument("--base-url", help="server URL (default: the saved setting, Mountsea)")
    parser.add_argument("--api", choices=("async", "compat"), help="API flavour for new jobs")
    parser.add_argument(
        "--smoke-test", action="store_true", help="show the window, let it settle, exit 0"
    )
    parser.add_argument("--lang", help="UI language, e.g. zh_CN or en (default: the system's)")
    ns = parser.parse_args(argv)
    data_dir = resolve_data_dir(ns.data_dir)
    return Options(data_dir, ns.demo, ns.base_url, ns.api, ns.smoke_test, ns.lang)


# --- logging -----------------------------------------------------------------------------------


class RedactingFilter(logging.Filter):
    """Removes API keys from every record (app.core.redact: the one redactor), tracebacks too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message, limit=None)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, limit=None)
        return True


_logging_ready: set[Path] = set()


def setup_logging(data_dir: Path) -> None:
    log_dir = data_dir / "logs"
    if log_dir in _logging_ready:
        return
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        log_dir / "app.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    # Tests open many windows, each with its own data dir: only the newest one writes.
    for old in [h for h in root.handlers if getattr(h, "_mountsea", False)]:
        root.removeHandler(old)
        old.close()
    handler._mountsea = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    # httpx logs every request URL at INFO; keep the file about our own events.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    _logging_ready.clear()
    _logging_ready.add(log_dir)


# --- Qt application ----------------------------------------------------------------------------


def _make_application(argv: list[str]) -> QApplication:
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    # Qt 6 already scales for high DPI; PassThrough keeps 125 %/150 % screens sharp instead of rounding.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication([sys.argv[0], *argv])
    app.setApplicationDisplayName(APP_NAME)
    QGuiApplication.setDesktopFileName("mountsea-image-studio")
    return app


def app_icon() -> QIcon:
    from PySide6.QtGui import QIcon

    from app.resources import resources_dir

    icon = QIcon()
    icons = resources_dir() / "icons"
    for size in (16, 32, 48, 64, 128, 256, 512):
        candidate = icons / f"app-{size}.png"
        if candidate.exists():
            icon.addFile(str(candidate))
    if icon.isNull() and (icons / "app.png").exists():
        icon.addFile(str(icons / "app.png"))
    return icon


def install_translators(app: QApplication, lang: str | None) -> str:
    """Load our .qm (and Qt's own) for `lang` or the system locale; returns the language used."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    from app.resources import resources_dir

    for old in getattr(app, "_mountsea_translators", []):
        app.removeTranslator(old)
    locale = QLocale(lang) if lang else QLocale.system()
    translators = []
    ours = QTranslator(app)
    folder = str(resources_dir() / "translations")
    # A language we have no catalogue for reads English, whose catalogue holds its plurals.
    if ours.load(locale, "mountsea", "_", folder) or ours.load("mountsea_en", folder):
        app.installTranslator(ours)
        translators.append(ours)
    qt_own = QTranslator(app)
    if qt_own.load(
        locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_own)
        translators.append(qt_own)
    app._mountsea_translators = translators  # type: ignore[attr-defined]
    return locale.name()


def _key_store() -> KeyStore:
    # Called on a worker by the session's first keyring lookup: importing keyring costs
    # ~100 ms of interpreter time, which start-up does not pay on the GUI thread (app.startup).
    from app.core.keys import KeyStore

    return KeyStore()


def _simulator() -> Any:
    # Called on a worker when the first demo job needs a server, which runs in a process of
    # its own so its work never holds this process's GIL (app.simulator.process).
    from app.simulator.process import DEMO_KEY, SimulatorProcess

    return SimulatorProcess(api_keys=(DEMO_KEY,), latency=DEMO_LATENCY)


def create_window(argv: list[str]) -> MainWindow:
    """Build everything exactly as `python -m app argv` would; show the window and return it.

    The caller owns the QApplication and the event loop. Closing the window stops the workers.
    """
    from PySide6.QtWidgets import QApplication

    from app.core.library import Library
    from app.core.settings import FILE_NAME, Settings, StreamChoice
    from app.services.background import Background
    from app.services.edit_session import EditSession
    from app.services.form import FormModel
    from app.services.journal import JournalResume
    from app.services.prompt_store import PromptLibrary
    from app.services.runner import JobRunner
    from app.services.session import Session
    from app.services.task_model import TaskModel
    from app.startup import StartUp
    from app.ui.main_window import MainWindow

    opts = parse_args(argv)
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("create_window needs a QApplication")
    opts.data_dir.mkdir(parents=True, exist_ok=True)
    setup_logging(opts.data_dir)
    log.info("starting %s %s, data dir %s", APP_NAME, __version__, opts.data_dir)
    settings, reset = Settings.load(opts.data_dir / FILE_NAME)
    lang = opts.lang or os.environ.get(LANG_ENV) or settings.language or None
    install_translators(app, lang)  # type: ignore[arg-type]
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)  # type: ignore[attr-defined]

    images_dir = Path(settings.images_dir) if settings.images_dir else None
    library = Library.open(opts.data_dir, images_dir=images_dir)
    background = Background(SHORT_CALL_THREADS)
    runner = JobRunner(
        library,
        background=background,
        concurrency=settings.concurrency,
        client_options={"poll_interval": float(settings.poll_interval)},
        streaming=StreamChoice(settings, save=lambda: settings.save(opts.data_dir / FILE_NAME)),
    )
    task_model = TaskModel(runner)
    session = Session(
        runner,
        background,
        key_store=_key_store,
        simulator_factory=_simulator,
        base_url=opts.base_url or settings.base_url,
        demo=opts.demo,
    )
    journal = JournalResume(
        library, runner, background, base_url=session.base_url, settings=settings
    )
    form = FormModel(settings)
    prompts = PromptLibrary(opts.data_dir, background)
    edit_session = EditSession(opts.data_dir, background)
    window = MainWindow(
        settings=settings,
        data_dir=opts.data_dir,
        library=library,
        runner=runner,
        task_model=task_model,
        session=session,
        background=background,
        form=form,
        api_override=opts.api,
        settings_reset=reset,
        prompts=prompts,
        edit_session=edit_session,
    )
    # The window owns every service, so that they and their timers end with it, on the GUI
    # thread. Left to the garbage collector, a service in a reference cycle is destroyed on
    # whichever thread happens to collect (a worker), where Qt cannot stop its running timer
    # ("Timers cannot be stopped from another thread") and the timer later fires into freed
    # memory.
    for service in (background, runner, task_model, session, journal, form, prompts, edit_session):
        service.setParent(window)
    journal.message.connect(window.show_message)
    startup = StartUp(
        window, session=session, journal=journal, runner=runner, background=background
    )
    window.closed.connect(startup.end)
    window.startup = startup
    window.show()
    startup.begin()
    return window


# --- entry point -------------------------------------------------------------------------------


def _install_excepthook(app: QApplication, failures: list[str]) -> None:
    """An exception escaping a slot is logged and told in one sentence; the app carries on."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("uncaught exception:\n%s", text)
        failures.append(text)
        if exc_type is KeyboardInterrupt:
            app.quit()
            return
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            APP_NAME,
            app.translate(
                "main",
                "Something went wrong inside the app. Your images and jobs are safe; the details are in the log file.",
            ),
        )
        box.setDetailedText(redact(text, limit=None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Held until it is closed: a parentless dialog whose Python wrapper goes away is deleted.
        _open_boxes.add(box)
        box.finished.connect(lambda _r: _open_boxes.discard(box))
        box.open()

    sys.excepthook = hook


_open_boxes: set = set()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in CLI_COMMANDS:
        from app import cli

        return cli.main(argv)
    if argv and argv[0] == SIMULATOR_COMMAND:  # the demo mode's server (app.simulator.process)
        from app.simulator.__main__ import main as simulator_main

        return simulator_main(argv[1:])

    opts = parse_args(argv)  # exits 2 with a usage message on bad arguments
    from app import platform_check

    # Qt aborts with a misleading message when its platform plugin cannot load (a missing
    # libxcb-*, no display): say what to install instead.
    if (problem := platform_check.problem()) is not None:
        print(problem, file=sys.stderr)
        return 1
    before_qt()
    qapp = _make_application(argv)
    failures: list[str] = []
    _install_excepthook(qapp, failures)
    try:
        window = create_window(argv)
    except Exception:
        log.exception("could not start")
        traceback.print_exc()
        return 1
    if opts.smoke_test:
        return _smoke_test(qapp, window, failures)
    code = qapp.exec()
    return 1 if code else 0


def _smoke_test(app: QApplication, window: MainWindow, failures: list[str]) -> int:
    from PySide6.QtCore import QTimer

    # A chain of zero-timers: each fires only once the queue has drained, so a few in a row
    # means the window has painted and the start-up work has settled.
    remaining = [5]

    def tick() -> None:
        remaining[0] -= 1
        if remaining[0] > 0:
            QTimer.singleShot(0, tick)
        else:
            window.close()
            app.quit()

    QTimer.singleShot(0, tick)
    app.exec()
    if failures:
        print(failures[0], file=sys.stderr)
        return 1
    return 0
