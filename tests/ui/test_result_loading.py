"""The result view decodes one picture at a time: results that land together end with the
newest on screen, and a result replaced before its turn is never decoded."""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image

from app.core.library import JobState, Library
from app.services.background import Background
from app.services.runner import JobRecord
from app.ui import result_view
from app.ui.result_view import ResultView


def _record(tmp_path: Path, name: str, size: tuple[int, int]) -> JobRecord:
    path = tmp_path / f"{name}.png"
    Image.new("RGB", size, (200, 40, 40)).save(path)
    return JobRecord(
        key=name,
        prompt=name,
        params={},
        flavour="async",
        state=JobState.completed,
        paths=[str(path)],
        size=size,
    )


def test_results_landing_together_show_the_newest_and_skip_the_ones_between(
    qtbot, library: Library, tmp_path: Path, monkeypatch
) -> None:
    decoded: list[str] = []
    first_may_finish = threading.Event()
    real_load = result_view.load_picture

    def load(path: str, fit):  # the first decode is still running when the others land
        decoded.append(Path(path).stem)
        if len(decoded) == 1:
            first_may_finish.wait(10)
        return real_load(path, None)

    monkeypatch.setattr(result_view, "load_picture", load)
    background = Background(4)
    view = ResultView(library, background)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    records = [
        _record(tmp_path, "first", (40, 30)),
        _record(tmp_path, "second", (50, 30)),
        _record(tmp_path, "third", (60, 30)),
    ]
    for record in records:
        view.show_record(record)
    first_may_finish.set()
    qtbot.waitUntil(lambda: view._image is not None and view._image.width() == 60)
    assert view.record() is records[2]
    assert decoded == ["first", "third"]  # the second was replaced while it waited
    # Later results still load one after another as before.
    fourth = _record(tmp_path, "fourth", (70, 30))
    view.show_record(fourth)
    qtbot.waitUntil(lambda: view._image is not None and view._image.width() == 70)
    assert decoded == ["first", "third", "fourth"]
    background.shutdown()
