"""Composition root: parse the command line, build everything, run.

`python -m app generate|edit ...` goes to the headless CLI; everything else opens the window.
Heavy modules (httpx, Pillow, keyring, the simulator) are imported where they are used, off the
GUI thread, and only once the window has painted: start-up pays for the window itself.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import re
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import APP_NAME, ORG_NAME, __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow

log = logging.getLogger("app")

CLI_COMMANDS = ("generate", "edit")
LANG_ENV = "MOUNTSEA_LANG"


@dataclass(frozen=True)
class Options:
    data_dir: Path
    demo: bool
    base_url: str | None
    api: str | None
    smoke_test: bool
    lang: str | None


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, ORG_NAME, roaming=True))


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
    data_dir = (ns.data_dir or default_data_dir()).expanduser().resolve()
    return Options(data_dir, ns.demo, ns.base_url, ns.api, ns.smoke_test, ns.lang)


# --- logging -----------------------------------------------------------------------------------

_SECRET_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"(?i)(bearer\s+)[^\s'\"]+"),
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
)


class RedactingFilter(logging.Filter):
    """Removes API keys from every record: known keys by value, and anything that looks like one."""

    _known: set[str] = set()
    _lock = threading.Lock()

    @classmethod
    def add_secret(cls, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with cls._lock:
                cls._known.add(secret)

    @classmethod
    def redact(cls, text: str) -> str:
        with cls._lock:
            known = sorted(cls._known, key=len, reverse=True)
        for secret in known:
            text = text.replace(secret, "[redacted]")
        for pattern in _SECRET_PATTERNS:
            text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class RotatingFile(logging.FileHandler):
    """What logging.handlers.RotatingFileHandler does (app.log, then .1 .. .N), without
    importing logging.handlers: it pulls in socket, pickle and queue, ~8 ms of start-up for
    handlers we never use."""

    def __init__(self, path: Path, *, max_bytes: int, backups: int):
        super().__init__(path, encoding="utf-8", delay=True)
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is None:
                self.stream = self._open()
            # Rotate before a record would take the file past the limit (the stdlib's rule).
            if self.stream.tell() + len(self.format(record)) + 1 >= self.max_bytes:
                self._rotate()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        base = self.baseFilename
        for i in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{i}"):
                os.replace(f"{base}.{i}", f"{base}.{i + 1}")
        if self.backups > 0 and os.path.exists(base):
            os.replace(base, f"{base}.1")
        self.stream = self._open()


_logging_ready: set[Path] = set()


def setup_logging(data_dir: Path) -> None:
    log_dir = data_dir / "logs"
    if log_dir in _logging_ready:
        return
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFile(log_dir / "app.log", max_bytes=2_000_000, backups=3)
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

    # The GUI thread shares the GIL with up to `concurrency` workers reading, decoding and
    # saving results. A thread that wants the GIL waits a whole switch interval (5 ms by
    # default) before the holder is asked to let go, and with several workers busy it can
    # lose that race more than once: 15-20 ms without a frame. At 1 ms the GUI thread gets
    # back in within a millisecond or two; the workers' throughput barely changes (their
    # heavy steps, zlib, Pillow's codecs, sockets, hashing, release the GIL anyway).
    sys.setswitchinterval(0.001)
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


def app_icon():  # -> QIcon
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
    if ours.load(locale, "mountsea", "_", str(resources_dir() / "translations")):
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


def create_window(argv: list[str]) -> MainWindow:
    """Build everything exactly as `python -m app argv` would; show the window and return it.

    The caller owns the QApplication and the event loop. Closing the window stops the workers.
    """
    from PySide6.QtWidgets import QApplication

    from app.core.settings import FILE_NAME, Settings

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

    from app.ui.main_window import MainWindow

    window = MainWindow(
        settings=settings,
        data_dir=opts.data_dir,
        demo=opts.demo,
        base_url_override=opts.base_url,
        api_override=opts.api,
        settings_reset=reset,
    )
    window.show()
    window.start()
    return window


# --- entry point -------------------------------------------------------------------------------


def _install_excepthook(app: QApplication, failures: list[str]) -> None:
    """An exception escaping a slot is logged and told in one sentence; the app carries on."""

    def hook(exc_type, exc, tb):  # noqa: ANN001
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
        box.setDetailedText(RedactingFilter.redact(text))
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

    opts = parse_args(argv)  # exits 2 with a usage message on bad arguments
    # Start-up creates ~40,000 long-lived objects the collector tracks (modules, classes,
    # functions, widget wrappers) and little cyclic garbage (~600 objects): its ~85 young-
    # generation passes over them cost ~14 ms before the first paint. The window turns it back
    # on once start-up is over (after its warm-up: one full collection, then what is left is
    # frozen); closed before that, the process is exiting with it off.
    gc.disable()
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
