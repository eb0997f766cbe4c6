"""The yardstick for bundle size and start-up time: the smallest PySide6 app with one window.

Frozen by packaging/baseline/one_window.spec with the same options and the same Qt
exclusions as the real app, so bench/bench_bundle.py compares like with like.
`--smoke-test` behaves like the app's: show the window, let the event loop go idle, exit 0.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


def main(argv: list[str]) -> int:
    app = QApplication(argv[:1])
    window = QMainWindow()
    window.setWindowTitle("One window")
    window.setCentralWidget(QLabel("Hello"))
    window.resize(640, 480)
    window.show()
    if "--smoke-test" in argv[1:]:
        # Same settling as app.main's smoke test: a chain of five zero-timers, then close.
        remaining = [5]

        def tick() -> None:
            remaining[0] -= 1
            if remaining[0] > 0:
                QTimer.singleShot(0, tick)
            else:
                window.close()
                app.quit()

        QTimer.singleShot(0, tick)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
