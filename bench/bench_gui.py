"""GUI benchmarks for issue 3 (prints figures; not a test).

(a) GUI-thread stalls while 8 jobs return 1536x1024 PNGs. The simulator runs in its own
    process (`python -m app.simulator`) so its image work is not on our GIL; a 5 ms heartbeat
    QTimer on the GUI thread measures how late each tick is. Target: worst < 16 ms.
(b) Start-up: `python -m app --smoke-test` against a bare PySide6 window doing the same
    idle-and-quit dance, median of N runs each, same machine, same run. Target: <= 1.3x.
    A third process builds a window of the same widgets with no app code: PySide6's own
    price for a window of this shape, so app / same-widgets is the app's own share.

    .venv/bin/python bench/bench_gui.py [--runs 5] [--jobs 8] [--skip-startup] [--skip-stalls] [--breakdown]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout: `python bench/bench_gui.py`
BENCH_KEY = "sk-bench-0123456789"

# What `--smoke-test` does once its window is shown: a chain of zero-timers (each fires once
# the queue has drained), then close and quit. Both baselines end with it; `w` is their window.
IDLE_AND_QUIT = """
left = [5]
def tick():
    left[0] -= 1
    if left[0] > 0:
        QTimer.singleShot(0, tick)
    else:
        w.close(); app.quit()
QTimer.singleShot(0, tick)
app.exec()
"""

BARE_WINDOW = (
    """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow()
w.setWindowTitle("bare")
w.resize(1200, 800)
w.show()
"""
    + IDLE_AND_QUIT
)


# The widgets of our window and nothing else: no app modules, no models, no start-up work.
# Built from the widget inventory of the real window (findChildren on a fresh start: 94
# visible widgets of 25 kinds, 304 in all with scroll bars, viewports, hidden panes and
# menus). It shows what PySide6 itself charges for a window of this shape (class and enum
# materialisation, fonts, style, layout, first paint), so the app's own share can be read
# off: app / same-widgets.
SAME_WIDGETS_WINDOW = (
    """
import sys
from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QComboBox, QDockWidget, QFormLayout, QGroupBox, QHBoxLayout,
    QLabel, QLineEdit, QListView, QListWidget, QMainWindow, QPlainTextEdit, QPushButton,
    QScrollArea, QSlider, QSpinBox, QSplitter, QStackedWidget, QTabWidget, QToolBar,
    QToolButton, QVBoxLayout, QWidget,
)
app = QApplication(sys.argv)
w = QMainWindow()
w.setWindowTitle("same widgets")
for title in ("&File", "&Edit", "&View", "&Help"):
    menu = w.menuBar().addMenu(title)
    for i in range(6):
        menu.addAction(f"{title} action {i}")
central = QWidget(w)
outer = QVBoxLayout(central)
for text in ("Demo mode: pictures come from the built-in simulator.", ""):
    banner = QLabel(text, central)
    outer.addWidget(banner)
    banner.setVisible(bool(text))
splitter = QSplitter(Qt.Orientation.Horizontal, central)
form_host = QWidget()
form = QFormLayout(form_host)
prompt = QPlainTextEdit(form_host)
prompt.setPlaceholderText("Describe the picture")
form.addRow(prompt)
form.addRow(QLabel("0 / 32000", form_host))
for name in ("Size", "Quality", "Background", "Format", "Moderation", "Model", "API",
             "Fidelity", "Preset", "Language"):
    combo = QComboBox(form_host)
    combo.addItems([f"{name} {i}" for i in range(5)])
    form.addRow(name, combo)
for name in ("Width", "Height", "Compression", "Copies"):
    form.addRow(name, QSpinBox(form_host))
for name in ("User", "Custom size", "Seed"):
    form.addRow(name, QLineEdit(form_host))
for name in ("Transparent", "Remember", "Notify"):
    form.addRow(QCheckBox(name, form_host))
for i in range(8):
    form.addRow(QLabel(f"hint {i}", form_host))
form.addRow(QPushButton("Generate", form_host))
scroll = QScrollArea(splitter)
scroll.setWidget(form_host)
scroll.setWidgetResizable(True)
tabs = QTabWidget(splitter)
edit = QWidget()
edit_layout = QVBoxLayout(edit)
tools = QToolBar("Mask tools", edit)
for i in range(19):
    button = QToolButton(tools)
    button.setText(f"T{i}")
    tools.addWidget(button)
tools.addWidget(QSlider(Qt.Orientation.Horizontal, tools))
edit_layout.addWidget(tools)
edit_layout.addWidget(QListWidget(edit))
stack = QStackedWidget(edit)
stack.addWidget(QLabel("Drop a picture here", stack))
stack.addWidget(QWidget(stack))
edit_layout.addWidget(stack, 1)
box = QGroupBox("Sources", edit)
QHBoxLayout(box).addWidget(QListWidget(box))
edit_layout.addWidget(box)
tabs.addTab(edit, "Create / Edit")
result = QWidget()
result_layout = QVBoxLayout(result)
for i in range(10):
    result_layout.addWidget(QLabel(f"result {i}", result))
tabs.addTab(result, "Result")
gallery = QWidget()
gallery_layout = QVBoxLayout(gallery)
gallery_layout.addWidget(QLineEdit(gallery))
for i in range(2):
    gallery_layout.addWidget(QComboBox(gallery))
gallery_view = QListView(gallery)
gallery_view.setModel(QStringListModel([], gallery_view))
gallery_layout.addWidget(gallery_view, 1)
tabs.addTab(gallery, "Gallery")
splitter.addWidget(tabs)
outer.addWidget(splitter, 1)
w.setCentralWidget(central)
dock = QDockWidget("Tasks", w)
panel = QWidget(dock)
panel_layout = QVBoxLayout(panel)
tasks = QListView(panel)
tasks.setModel(QStringListModel([], tasks))
panel_layout.addWidget(tasks, 1)
bar = QHBoxLayout()
for text in ("Cancel", "Retry", "Remove", "Open", "Reveal"):
    bar.addWidget(QPushButton(text, panel))
panel_layout.addLayout(bar)
dock.setWidget(panel)
w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
for text in ("", "0 jobs", "Demo server"):
    w.statusBar().addPermanentWidget(QLabel(text, w))
w.resize(1400, 880)
w.show()
"""
    + IDLE_AND_QUIT
)


# Time to first paint: the wall-clock moment of the first Paint event any widget gets, seen
# by an application-wide event filter put in before the script builds its QApplication.
FIRST_PAINT_PROBE = """
import sys, time
import PySide6.QtWidgets as _widgets
from PySide6.QtCore import QEvent, QObject

class _FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(f"FIRST_PAINT {time.time():.6f}", file=sys.stderr, flush=True)
            _widgets.QApplication.instance().removeEventFilter(self)
        return False

class _Probed(_widgets.QApplication):
    def __init__(self, *args):
        super().__init__(*args)
        self._first_paint = _FirstPaint()
        self.installEventFilter(self._first_paint)

_widgets.QApplication = _Probed
"""
RUN_APP = "import runpy, sys; sys.argv[0] = 'app'; runpy.run_module('app', run_name='__main__')"

_PYCACHE = tempfile.mkdtemp(prefix="bench-pycache-")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # An installed app runs from compiled bytecode; with PYTHONDONTWRITEBYTECODE every run
    # would compile our sources again (~100 ms). Cache bytecode outside the checkout instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    env.pop("MOUNTSEA_API_KEY", None)
    # Same keyring cost for every run: none (a real desktop keyring adds a D-Bus round trip).
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return env


def bench_startup(runs: int, breakdown: bool = False, root: Path = ROOT) -> None:
    env = {**_env(), "PYTHONPATH": str(root)}
    # The same app with MOUNTSEA_API_KEY set: no keyring lookup (its import, ~40 ms of
    # interpreter time, runs on a worker after the first paint, and close waits for it).
    env_key = {**env, "MOUNTSEA_API_KEY": BENCH_KEY}

    def timed(cmd: list[str], env: dict[str, str] = env) -> float:
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{proc.stderr}")
        return elapsed

    def first_paint(cmd: list[str]) -> float:
        start = time.time()
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)
        stamps = [
            float(x.split()[1]) for x in proc.stderr.splitlines() if x.startswith("FIRST_PAINT")
        ]
        if proc.returncode != 0 or not stamps:
            raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{proc.stderr}")
        return stamps[0] - start

    with tempfile.TemporaryDirectory() as tmp:
        app_cmd = [
            sys.executable,
            "-m",
            "app",
            "--smoke-test",
            "--data-dir",
            str(Path(tmp) / "data"),
        ]
        probed_app = [sys.executable, "-c", FIRST_PAINT_PROBE + RUN_APP, *app_cmd[3:]]
        probed_same = [sys.executable, "-c", FIRST_PAINT_PROBE + SAME_WIDGETS_WINDOW]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        same_cmd = [sys.executable, "-c", SAME_WIDGETS_WINDOW]
        timed(app_cmd)  # first run creates the data dir and warms the disk cache
        timed(bare_cmd)
        timed(same_cmd)
        app_times, bare_times, same_times, env_key_times = [], [], [], []
        for _ in range(runs):  # interleaved, so drift hits both alike
            bare_times.append(timed(bare_cmd))
            same_times.append(timed(same_cmd))
            app_times.append(timed(app_cmd))
            if breakdown:
                env_key_times.append(timed(app_cmd, env_key))
        paint_app = [first_paint(probed_app) for _ in range(runs)]
        paint_same = [first_paint(probed_same) for _ in range(runs)]
    app_med, bare_med = statistics.median(app_times), statistics.median(bare_times)
    print(f"start-up of {root} (median of {runs}, platform {env['QT_QPA_PLATFORM']}):")
    print(
        f"  python -m app --smoke-test : {app_med * 1000:7.0f} ms   (runs: {', '.join(f'{t * 1000:.0f}' for t in app_times)})"
    )
    print(
        f"  bare PySide6 window        : {bare_med * 1000:7.0f} ms   (runs: {', '.join(f'{t * 1000:.0f}' for t in bare_times)})"
    )
    same_med = statistics.median(same_times)
    print(
        f"  same widgets, no app code  : {same_med * 1000:7.0f} ms   (runs: {', '.join(f'{t * 1000:.0f}' for t in same_times)})"
    )
    print(f"  ratio app / bare           : {app_med / bare_med:7.2f}x   (target <= 1.30x)")
    print(
        f"  ratio same widgets / bare  : {same_med / bare_med:7.2f}x   (PySide6's own price for this window)"
    )
    print(
        f"  ratio app / same widgets   : {app_med / same_med:7.2f}x   (the app's own share; goal <= 1.60x)"
    )
    print(
        f"  time to first paint        : app {statistics.median(paint_app) * 1000:.0f} ms, same widgets "
        f"{statistics.median(paint_same) * 1000:.0f} ms (medians of {runs}, from launch)"
    )
    if breakdown:
        key_med = statistics.median(env_key_times)
        print(
            f"  with MOUNTSEA_API_KEY set  : {key_med * 1000:7.0f} ms   (no keyring lookup; "
            f"{key_med / bare_med:.2f}x bare; runs: {', '.join(f'{t * 1000:.0f}' for t in env_key_times)})"
        )


def bench_stalls(jobs: int) -> None:
    os.environ.update({k: v for k, v in _env().items() if k == "QT_QPA_PLATFORM"})
    sim = subprocess.Popen(
        [sys.executable, "-m", "app.simulator", "--latency", "2.0", "--key", BENCH_KEY],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert sim.stdout is not None
        base_url = sim.stdout.readline().strip()
        _run_stalls(base_url, jobs)
    finally:
        sim.terminate()
        sim.wait(10)


def _run_stalls(base_url: str, jobs: int) -> None:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.main import _make_application, create_window

    os.environ["MOUNTSEA_API_KEY"] = BENCH_KEY
    tmp = tempfile.TemporaryDirectory()
    data = Path(tmp.name) / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"poll_interval": 0.5, "concurrency": jobs}))
    argv = ["--data-dir", str(data), "--base-url", base_url]
    app = QApplication.instance() or _make_application(argv)
    window = create_window(argv)

    clock = QElapsedTimer()
    gaps: list[float] = []
    last = [0]
    beat = QTimer()
    beat.setTimerType(Qt.TimerType.PreciseTimer)
    beat.setInterval(5)

    def on_beat() -> None:
        now = clock.nsecsElapsed()
        if last[0]:
            gaps.append((now - last[0]) / 1e6)
        last[0] = now

    beat.timeout.connect(on_beat)
    started = [0.0]
    idle_gaps: list[float] = []

    def start_idle() -> None:
        # The same heartbeat with nothing running: what the machine itself costs (other
        # processes, the scheduler). On a shared 2-core box this is far from zero.
        clock.start()
        beat.start()
        QTimer.singleShot(2000, end_idle)

    def end_idle() -> None:
        beat.stop()
        idle_gaps.extend(gaps)
        gaps.clear()
        last[0] = 0
        start_jobs()

    def start_jobs() -> None:
        panel = window.prompt_panel
        panel.size_combo.setCurrentIndex(panel.size_combo.findData("1536x1024"))
        panel.format_combo.setCurrentIndex(panel.format_combo.findData("png"))
        panel.copies_spin.setValue(jobs)
        panel.prompt_edit.setPlainText("benchmark: a wide landscape with many details")
        clock.restart()
        beat.start()
        started[0] = time.perf_counter()
        panel.generate_button.click()
        QTimer.singleShot(100, check)

    def check() -> None:
        records = window.runner.records()
        done = [r for r in records if r.state in ("completed", "failed", "cancelled")]
        if len(done) < jobs:
            QTimer.singleShot(100, check)
            return
        # Keep measuring a little after the last landing (thumbnails, result view, gallery).
        QTimer.singleShot(1000, finish)

    def finish() -> None:
        beat.stop()
        elapsed = time.perf_counter() - started[0]
        failed = [r.error for r in window.runner.records() if r.state != "completed"]
        stalls = sorted(g - 5.0 for g in gaps)
        worst = stalls[-1] if stalls else 0.0
        p99 = stalls[int(len(stalls) * 0.99) - 1] if stalls else 0.0
        over = sum(1 for s in stalls if s > 16.0)
        print(
            f"GUI-thread stalls while {jobs} jobs return 1536x1024 PNGs ({elapsed:.1f} s, {len(gaps)} beats):"
        )
        print(f"  worst stall : {worst:6.1f} ms   (target < 16 ms)")
        print(f"  p99 stall   : {p99:6.1f} ms")
        print(f"  stalls > 16 ms: {over}")
        idle = sorted(g - 5.0 for g in idle_gaps)
        if idle:
            print(
                f"  (idle window, same heartbeat, no jobs, 2 s before: worst {idle[-1]:.1f} ms, "
                f"p99 {idle[int(len(idle) * 0.99) - 1]:.1f} ms, > 16 ms: {sum(1 for g in idle if g > 16.0)})"
            )
        if failed:
            print(f"  NOTE: {len(failed)} job(s) did not complete: {failed[:2]}")
        window.close()
        app.quit()

    # A person types a prompt before the first Generate: start-up and warm-up settle first.
    QTimer.singleShot(1000, start_idle)
    app.exec()
    tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--skip-stalls", action="store_true")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout measured")
    parser.add_argument(
        "--baseline-root", type=Path, help="a second checkout, measured in the same run"
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time the app with MOUNTSEA_API_KEY set (no keyring lookup), same run",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="stall runs (each in a fresh process); prints the median too",
    )
    args = parser.parse_args()
    if not args.skip_startup:
        bench_startup(args.runs, args.breakdown, args.app_root)
        if args.baseline_root:
            bench_startup(args.runs, args.breakdown, args.baseline_root)
    if args.skip_stalls:
        return
    if args.repeat <= 1:
        bench_stalls(args.jobs)
        return
    worsts, p99s, overs = [], [], []
    for _ in range(args.repeat):
        proc = subprocess.run(
            [sys.executable, __file__, "--skip-startup", "--jobs", str(args.jobs)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        for line in proc.stdout.splitlines():
            if "worst stall" in line:
                worsts.append(float(line.split(":")[1].split("ms")[0]))
            elif "p99 stall" in line:
                p99s.append(float(line.split(":")[1].split("ms")[0]))
            elif "stalls > 16 ms" in line:
                overs.append(int(line.split(":")[1]))
    print(f"GUI-thread stalls over {len(worsts)} runs of {args.jobs} jobs (1536x1024 PNGs):")
    print(f"  worst stall per run: {', '.join(f'{w:.1f}' for w in worsts)} ms")
    print(f"  p99 stall per run  : {', '.join(f'{p:.1f}' for p in p99s)} ms")
    print(f"  stalls > 16 ms     : {', '.join(str(n) for n in overs)}")
    print(
        f"  median worst: {statistics.median(worsts):.1f} ms; median p99: {statistics.median(p99s):.1f} ms; "
        f"runs with a stall > 16 ms: {sum(1 for w in worsts if w > 16.0)} of {len(worsts)}"
    )


if __name__ == "__main__":
    main()
