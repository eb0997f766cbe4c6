"""Every text readable and every control reachable on the screens people have, in English and
Chinese: the real window at 1024x640, 1366x768 and 1920x1080, each tab (with a picture in the
editor, a finished job in the result view and the gallery, the details pane filled) and each
dialog, checked with font metrics against the width each widget got (tests/ui/layout_check).

MOUNTSEA_LAYOUT_SHOTS=DIR saves a PNG of each size, language and view there, to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget

from app.ui import window_geometry
from tests.conftest import TEST_KEY
from tests.ui.layout_check import (
    open_dialog,
    placement_problems,
    ready_window,
    settle,
    text_problems,
)

SIZES = [(1024, 640), (1366, 768), (1920, 1080)]
LANGS = ["en", "zh_CN"]
SHOTS = os.environ.get("MOUNTSEA_LAYOUT_SHOTS")
pytestmark = pytest.mark.usefixtures("restore_translators")


def check(widget: QWidget, what: str, shots: Path | None) -> list[str]:
    settle()
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(shots / f"{what}.png"))
    return [f"[{what}] {p}" for p in text_problems(widget) + placement_problems(widget)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_view_fits(
    qtbot, open_window, simulator, monkeypatch, size: tuple[int, int], lang: str
) -> None:
    window = ready_window(qtbot, open_window, simulator, monkeypatch, lang)
    width, height = size
    window.resize(width, height)
    settle()
    # The window can be that small: its parts do not add up to more than the screen.
    assert window.size() == QSize(width, height), window.minimumSizeHint()
    shots = Path(SHOTS) if SHOTS else None
    stem = f"{width}x{height}-{lang}"
    problems = []
    for name, page in (
        ("create", window.edit_panel),
        ("result", window.result_view),
        ("gallery", window.gallery),
    ):
        window.tabs.setCurrentWidget(page)
        problems += check(window, f"{stem}-{name}", shots)
        if page is window.edit_panel:
            # What the issue found hidden or squashed: every tool shown, the slider whole.
            tools = window.edit_panel.tools
            for action in (tools.save_mask_action, tools.load_mask_action):
                button = tools.tool_bar.button(action)
                assert button is not None and button.isVisible(), action.text()
            assert tools.opacity_slider.width() >= 100
    for name, opener in (
        ("settings", window.on_settings),
        ("shortcuts", window.on_shortcuts),
        ("about", window.on_about),
        ("spend", window.on_spend),
    ):
        dialog = open_dialog(qtbot, opener)
        # A dialog never opens larger than the window's screen allows.
        assert dialog.width() <= width and dialog.height() <= height, (name, dialog.size())
        problems += check(dialog, f"{stem}-{name}", shots)
        dialog.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (QRect(0, 0, 1024, 600), QSize(1024, 600)),  # smaller than the layout: the whole screen
        (QRect(0, 0, 1366, 728), QSize(1161, 640)),
        (QRect(0, 0, 1920, 1040), QSize(1600, 884)),
        (QRect(0, 0, 3840, 2120), QSize(1600, 1000)),
        (QRect(1920, 0, 1280, 800), QSize(1088, 680)),  # a second screen to the right
    ],
)
def test_first_size_comes_from_the_screen(available: QRect, expected: QSize) -> None:
    rect = window_geometry.first_geometry(available)
    assert rect.size() == expected
    assert available.contains(rect)


def test_saved_geometry_is_used_only_when_it_fits(qtbot) -> None:
    # Sizes within the offscreen platform's own screen, which restoreGeometry clamps to.
    before = QWidget()
    qtbot.addWidget(before)
    before.setGeometry(50, 50, 700, 500)
    saved = bytes(before.saveGeometry().toBase64().data()).decode()

    small = QRect(0, 0, 600, 400)  # the screen is smaller now: the saved size would spill over
    widget = QWidget()
    qtbot.addWidget(widget)
    window_geometry.place(widget, saved, small)
    assert small.contains(widget.geometry())
    assert widget.size() == QSize(600, 400)

    roomy = QRect(0, 0, 1920, 1040)
    other = QWidget()
    qtbot.addWidget(other)
    window_geometry.place(other, saved, roomy)
    assert other.size() == QSize(700, 500)

    fresh = QWidget()
    qtbot.addWidget(fresh)
    window_geometry.place(fresh, "", roomy)
    assert fresh.geometry() == window_geometry.first_geometry(roomy)


class TestAResultWithALongPath:
    @pytest.fixture
    def data_dir(self, tmp_path: Path) -> Path:
        # A library folder whose name cannot break across lines, as people name them.
        path = tmp_path / "Pictures_made_with_Mountsea_Image_Studio_for_the_family"
        path.mkdir()
        return path

    def test_a_window_at_its_smallest_holds_still_when_it_lands(
        self, qtbot, open_window, simulator, monkeypatch
    ) -> None:
        # The result view's file line set its minimum width from the path: the first result
        # made a window at its minimum size grow and lay every panel out again.
        monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
        window = open_window("--base-url", simulator.base_url)
        window.resize(window.minimumSizeHint())
        settle()
        before = window.size()
        window.prompt_panel.prompt_edit.setPlainText("A lighthouse on a cliff at dusk")
        with qtbot.waitSignal(window.runner.job_finished, timeout=20000):
            window.generate_action.trigger()
        view = window.result_view
        qtbot.waitUntil(lambda: view.image_view.pixmap() is not None, timeout=10000)
        settle()
        assert window.size() == before
        path = window.runner.records()[0].paths[0]
        assert view.file_label.text() == path
        assert view.file_label.toolTip() == path  # all of it, though the line shows it elided
