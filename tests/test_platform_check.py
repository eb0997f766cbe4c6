"""The check that runs before Qt: our own sentence instead of Qt's abort, driven here with a
made-up environment and library loader (no display and no library is touched)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from app import platform_check
from app.platform_check import GUI_LIBRARIES, WAYLAND_LIBRARIES, XCB_LIBRARIES, problem

ROOT = Path(__file__).resolve().parent.parent


def loader(missing: Iterable[str] = ()) -> Callable[[str], object]:
    """A loader that fails, as ctypes does, for the libraries in `missing`."""
    gone = set(missing)
    loaded: list[str] = []

    def load(name: str) -> object:
        if name in gone:
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")
        loaded.append(name)
        return object()

    load.loaded = loaded  # type: ignore[attr-defined]
    return load


def answers(result: bool) -> Callable[[str], bool]:
    return lambda display: result


X11 = {"DISPLAY": ":0"}


def test_everything_there_says_nothing() -> None:
    assert problem(X11, "linux", loader(), answers(True)) is None


def test_a_missing_xcb_library_names_its_package_and_the_install_line() -> None:
    text = problem(
        X11, "linux", loader(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]), answers(True)
    )
    assert text is not None
    sentence, command = text.split("\n")
    assert "libxcb-icccm4, libxcb-keysyms1" in sentence
    assert "QT_QPA_PLATFORM=offscreen" in sentence
    assert command == "sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1"


def test_a_package_with_two_missing_libraries_is_named_once() -> None:
    text = problem(X11, "linux", loader(["libglib-2.0.so.0", "libgthread-2.0.so.0"]), answers(True))
    assert text is not None
    assert text.endswith("sudo apt-get install -y libglib2.0-0")


def test_no_display_says_so_and_how_to_run_headless() -> None:
    text = problem({}, "linux", loader(), answers(True))
    assert text is not None
    assert "\n" not in text
    assert "no display" in text
    assert "QT_QPA_PLATFORM=offscreen" in text


def test_an_x_server_that_does_not_answer_is_told_apart_from_missing_libraries() -> None:
    text = problem({"DISPLAY": ":99"}, "linux", loader(), answers(False))
    assert text is not None
    assert ":99 does not answer" in text
    assert "apt-get" not in text


def test_the_display_is_only_probed_when_asked() -> None:
    asked: list[str] = []

    def probe(display: str) -> bool:
        asked.append(display)
        return False

    assert problem({"DISPLAY": ":99"}, "linux", loader()) is None
    assert problem({"DISPLAY": ":99"}, "linux", loader(), probe) is not None
    assert asked == [":99"]


@pytest.mark.parametrize("requested", ["offscreen", "minimal", "vnc:size=800x600", "eglfs"])
def test_another_platform_asked_for_is_not_checked(requested: str) -> None:
    load = loader(XCB_LIBRARIES)
    assert problem({"QT_QPA_PLATFORM": requested}, "linux", load, answers(False)) is None
    assert load.loaded == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_other_systems_are_not_checked(platform: str) -> None:
    assert problem({}, platform, loader(XCB_LIBRARIES), answers(False)) is None


def test_wayland_alone_needs_only_its_own_libraries() -> None:
    wayland = {"WAYLAND_DISPLAY": "wayland-0"}
    assert problem(wayland, "linux", loader(XCB_LIBRARIES), answers(False)) is None
    text = problem(wayland, "linux", loader(["libwayland-client.so.0"]), answers(False))
    assert text is not None
    assert "Wayland" in text
    assert text.endswith("sudo apt-get install -y libwayland-client0")


def test_either_plugin_starting_is_enough() -> None:
    both = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    assert problem(both, "linux", loader(XCB_LIBRARIES), answers(True)) is None
    assert problem(both, "linux", loader(WAYLAND_LIBRARIES), answers(True)) is None
    # Neither: what X11 needs, which also serves a Wayland desktop through XWayland.
    text = problem(both, "linux", loader({**XCB_LIBRARIES, **WAYLAND_LIBRARIES}), answers(True))
    assert text is not None
    assert "X11" in text


def test_an_explicit_xcb_is_checked_even_with_wayland_present() -> None:
    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    text = problem(env, "linux", loader(["libxcb-cursor.so.0"]), answers(True))
    assert text is not None
    assert text.endswith("sudo apt-get install -y libxcb-cursor0")


def test_a_frozen_bundle_may_carry_its_own_copy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tried: list[str] = []

    def cdll(name: str) -> object:
        tried.append(name)
        if name == "libxcb-cursor.so.0":
            raise OSError("not on the system")
        return object()

    monkeypatch.setattr(platform_check.ctypes, "CDLL", cdll)
    monkeypatch.setattr(platform_check.sys, "_MEIPASS", str(tmp_path), raising=False)
    platform_check.load("libxcb-cursor.so.0")
    assert tried == ["libxcb-cursor.so.0", str(tmp_path / "libxcb-cursor.so.0")]


def test_the_module_prints_the_problem_and_exits_1() -> None:
    env = {"PATH": "", "QT_QPA_PLATFORM": "xcb"}  # xcb asked for, no display
    done = subprocess.run(
        [sys.executable, "-m", "app.platform_check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == (1 if sys.platform.startswith("linux") else 0)
    assert done.stdout == ""
    if sys.platform.startswith("linux"):
        assert "no display" in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is checked on Linux only")
def test_the_module_asks_the_x_server() -> None:
    # No X server listens on display 4321: the libraries load (CI installs them), the server
    # does not answer; where a library is missing, the sentence names it instead.
    done = subprocess.run(
        [sys.executable, "-m", "app.platform_check"],
        cwd=ROOT,
        env={"PATH": "", "DISPLAY": ":4321", "QT_QPA_PLATFORM": "xcb"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert ":4321 does not answer" in done.stderr or "missing" in done.stderr


def test_the_module_is_silent_when_qt_can_start() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.platform_check"],
        cwd=ROOT,
        env={"PATH": "", "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def ci_packages() -> list[str]:
    """The packages .ci/run installs for running and testing (its `run_and_test` list)."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = re.search(r"^run_and_test=\((.*?)^\)", script, re.S | re.M)
    assert block, ".ci/run has no run_and_test=( ... ) list"
    return [word for line in block.group(1).splitlines() for word in line.split("#")[0].split()]


def test_the_readme_apt_line_is_the_list_ci_installs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"sudo apt-get install -y ([^`\n]+)`", readme)
    assert lines, "the README has no apt-get line"
    assert lines[0].split() == ci_packages()


def test_ci_installs_every_library_the_check_asks_for_on_x11() -> None:
    # libxcb1, libx11-6 and the rest come in as dependencies of the ones .ci/run names.
    named = set(ci_packages())
    dependencies = {
        "libxcb1", "libx11-6", "libxcb-render0", "libxcb-shm0", "libxcb-sync1",
        "libxcb-util1", "libxcb-xfixes0",
    }  # fmt: skip
    wanted = set(GUI_LIBRARIES.values()) | set(XCB_LIBRARIES.values())
    assert wanted - dependencies <= named
