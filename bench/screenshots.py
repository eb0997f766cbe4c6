"""Screenshots of the real window at given sizes and languages, for looking at (not a test).

Runs the app in demo mode on a fresh data folder (a picture in the editor, one finished demo
job in the result view and the gallery), resizes the window, visits each tab and the main
dialogs and saves one PNG per size, language and view:

    xvfb-run -a -s "-screen 0 1920x1080x24" env -u QT_QPA_PLATFORM \\
        .venv/bin/python bench/screenshots.py --out /tmp/shots --size 1024x640 --size 1366x768 \\
        --lang en --lang zh_CN

Under Xvfb the window manager is absent, so the sizes are the client area exactly; with
QT_QPA_PLATFORM=offscreen it works too (fonts may differ from a desktop's).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app.main import create_window


def settle(ms: int = 150) -> None:
    """Let layouts, paints and queued work run for `ms` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        settle(50)
    return False


def grab(widget: QWidget, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(path))
    print(path)


def picture() -> QImage:
    image = QImage(1024, 768, QImage.Format.Format_RGB32)
    image.fill(QColor("#6a8caf"))
    return image


def shoot_dialog(opener: Callable[[], None], path: Path) -> None:
    """Open a dialog, grab it and close it; works for modal ones (QMessageBox.about runs its
    own loop, so the grab is scheduled before opening)."""
    before = set(QApplication.topLevelWidgets())

    def take() -> None:
        new = [
            w
            for w in QApplication.topLevelWidgets()
            if w not in before and w.isVisible() and isinstance(w, QDialog | QMessageBox)
        ]
        if new:
            grab(new[0], path)
            new[0].close()

    QTimer.singleShot(400, take)
    opener()
    settle(500)


def shoot(lang: str, sizes: list[tuple[int, int]], out: Path) -> None:
    data = Path(tempfile.mkdtemp(prefix="mountsea-shots-"))
    window = create_window(["--data-dir", str(data), "--demo", "--lang", lang])
    window.confirm_quit = False
    settle(300)
    window.prompt_panel.prompt_edit.setPlainText("A lighthouse on a cliff at dusk, oil painting")
    window.on_generate()
    wait_for(lambda: window.result_view.isVisible() or window.tabs.currentIndex() == 1)
    window.edit_panel.add_image(picture(), "shot.png")
    wait_for(window.edit_panel.has_sources)
    records = window.runner.records()
    if records:  # the details pane shows the finished picture
        wait_for(lambda: window.gallery.model.rowCount() > 0)
        window.gallery.select_ids(list(records[0].item_ids))
    tabs = {"create": window.edit_panel, "result": window.result_view, "gallery": window.gallery}
    dialogs: dict[str, Callable[[], None]] = {
        "settings": window.on_settings,
        "shortcuts": window.on_shortcuts,
        "spend": window.on_spend,
        "about": window.on_about,
    }
    for w, h in sizes:
        window.resize(w, h)
        settle(300)
        for name, page in tabs.items():
            window.tabs.setCurrentWidget(page)
            settle(300)
            grab(window, out / f"{w}x{h}-{lang}-{name}.png")
        for name, opener in dialogs.items():
            shoot_dialog(opener, out / f"{w}x{h}-{lang}-{name}.png")
    window.close()
    settle(200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("shots"))
    parser.add_argument("--size", action="append", help="WxH, repeatable (default 1024x640)")
    parser.add_argument("--lang", action="append", help="en, zh_CN... repeatable (default en)")
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in (args.size or ["1024x640"])]
    app = QApplication(sys.argv[:1])
    QCoreApplication.setApplicationName("Mountsea Image Studio")
    for lang in args.lang or ["en"]:
        shoot(lang, sizes, args.out)  # type: ignore[arg-type]
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
