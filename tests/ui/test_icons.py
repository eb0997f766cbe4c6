"""Icons come from the app's own SVG files, never from font glyphs a system may lack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from app.resources import resource_path
from app.ui import icons

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
# Emoji and the symbol blocks fonts often lack (arrows, dingbats, geometric shapes, misc).
GLYPHS = re.compile("[\u2190-\u21ff\u2300-\u23ff\u25a0-\u27ff\u2b00-\u2bff\U0001f000-\U0001faff]")


@pytest.mark.parametrize("name", icons.NAMES)
def test_every_icon_is_a_resource_that_draws(qapp, name: str) -> None:
    assert resource_path("icons", f"{name}.svg").is_file()
    image = icons.pixmap(name, 16, QColor("#2b6cb0"), 2.0).toImage()
    assert image.width() == 32 and image.devicePixelRatio() == 2.0
    inked = [
        (x, y)
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() > 128
    ]
    assert len(inked) > 20  # lines were drawn, in the colour asked for
    assert all(image.pixelColor(x, y).blue() > 120 for x, y in inked)


def test_no_widget_draws_a_symbol_glyph_as_an_icon() -> None:
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted(UI.glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if GLYPHS.search(line) and not line.lstrip().startswith("#")
    ]
    # The gallery's favourite star is a drawn shape; its docstring names the glyph it replaced.
    assert [f for f in found if not f.startswith("gallery_delegate.py:4:")] == []
