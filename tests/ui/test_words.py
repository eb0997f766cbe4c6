"""No English left in the Chinese interface: the real window in zh_CN, every tab, dialog and
menu, every visible text, tooltip, placeholder and combo item, searched for Latin-script words
that are not names (Mountsea, gpt-image-2, PNG…), addresses, paths, key names or units.

What the person typed (the prompt) and what the server said (revised prompt, ids, paths) are
theirs, not ours, and are left out. Each finding says whether the catalogue has the string
untranslated, or does not have it at all (a new string: run resources/translations/update.py
and translate it), so the list is a to-do list for whoever translates.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTableWidget,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItemIterator,
    QWidget,
)

from app.resources import resources_dir
from app.ui.main_window import MainWindow
from app.ui.task_list import params_summary, state_label
from tests.ui.layout_check import open_dialog, plain, ready_window, settle, visible_widgets

pytestmark = pytest.mark.usefixtures("restore_translators")

CATALOGUE = resources_dir() / "translations" / "mountsea_zh_CN.ts"

# Names and words that read the same in Chinese: the product, the model, formats, protocols,
# units and key names.
NAMES = {
    "mountsea",
    "openai",
    "png",
    "jpeg",
    "jpg",
    "webp",
    "gif",
    "bmp",
    "tif",
    "tiff",
    "api",
    "url",
    "http",
    "https",
    "json",
    "zip",
    "id",
    "ids",
    "sk",
    "px",
    "kb",
    "mb",
    "gb",
    "ms",
    "k",
    "x",
    "ctrl",
    "shift",
    "alt",
    "meta",
    "cmd",
    "del",
    "esc",
    "tab",
    "f",
    "qt",
    "pyside",
    "eur",
    "usd",
    "cny",
    "rmb",
    "hd",
    "ok",
}
# Whole phrases removed before looking at words: the app's and the model's names, addresses,
# paths, environment variables, key sequences.
PHRASES = [
    re.compile(p)
    for p in (
        r"Mountsea Image Studio",
        r"gpt-image-\d+(\.\d+)?",
        r"https?://\S+",
        r"(?:[A-Za-z]:)?[/\\][\w.\-/\\]+",
        r"\b[A-Z][A-Z0-9_]{2,}\b",  # MOUNTSEA_API_KEY, SQLITE
        r"\*\.\w+",  # *.png in file filters
        r"\b\d+[A-Za-z]+\b",  # 1K, 2x, 8px
        r"\b[A-Z]\b",  # a single key: B, E, R
        r"\b(?:Ctrl|Shift|Alt|Meta|Cmd)\+[\w+]+",  # a key sequence: Ctrl+Enter
    )
]
LATIN = re.compile("[A-Za-z][A-Za-z'\u2019\\-]*")

# Objects whose text is the person's or the server's: never translated.
THEIRS = {
    "promptEdit",
    "revisedPromptEdit",
    "resultFileLabel",
    "modelEdit",
    "userEdit",
    "gallerySearch",
    "customSizeEdit",
    "cutoutEdit",
    "detail_prompt",
    "detail_revised_prompt",
    "detail_file",
    "detail_raw",
    "detail_sources",
    "detail_job_id",
    "detail_task_id",
    "detail_endpoint",
    "detail_model",
    "detail_user",
    "detail_created",
    "galleryDetailsHeading",
    "baseUrlEdit",
    "keyEdit",
    "languageCombo",  # each language in its own words ("English", "简体中文")
    "keyringBackendLabel",  # the keyring's own class name
}


def english_words(text: str) -> list[str]:
    for phrase in PHRASES:
        text = phrase.sub(" ", text)
    return [w for w in LATIN.findall(text) if w.lower().strip("'\u2019-") not in NAMES]


def _theirs(widget: QWidget) -> bool:
    while widget is not None:
        if widget.objectName() in THEIRS:
            return True
        widget = widget.parentWidget()
    return False


def widget_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(what, text) for everything `widget` shows or says when hovered."""
    if widget.toolTip():
        yield "tooltip", widget.toolTip()
    if isinstance(widget, QLabel | QAbstractButton):
        yield "text", widget.text()
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        yield "placeholder", widget.placeholderText()
    if isinstance(widget, QComboBox):
        for i in range(widget.count()):
            yield "item", widget.itemText(i)
    if isinstance(widget, QAbstractSpinBox):
        yield "suffix", getattr(widget, "suffix", lambda: "")()
        yield "special value", widget.specialValueText()
    if isinstance(widget, QTabBar):
        for i in range(widget.count()):
            yield "tab", widget.tabText(i)
            yield "tab tooltip", widget.tabToolTip(i)
    if isinstance(widget, QGroupBox):
        yield "title", widget.title()
    if isinstance(widget, QTreeWidget):
        columns = widget.columnCount()
        yield from (("header", widget.headerItem().text(c)) for c in range(columns))
        items = QTreeWidgetItemIterator(widget)
        while items.value() is not None:
            yield from (("row", items.value().text(c)) for c in range(columns))
            items += 1
    if isinstance(widget, QTableWidget):
        for c in range(widget.columnCount()):
            header = widget.horizontalHeaderItem(c)
            yield "header", header.text() if header is not None else ""
            for r in range(min(widget.rowCount(), 50)):
                item = widget.item(r, c)
                yield "row", item.text() if item is not None else ""


def collect(top: QWidget) -> Iterator[tuple[str, str]]:
    if top.windowTitle():
        yield f"{type(top).__name__} title", top.windowTitle()
    for widget in visible_widgets(top):
        if _theirs(widget):
            continue
        where = widget.objectName() or type(widget).__name__
        for what, text in widget_texts(widget):
            yield f"{where} {what}", plain(text)


def menu_texts(window: MainWindow) -> Iterator[tuple[str, str]]:
    for action in window.menuBar().findChildren(QAction) + window.menuBar().actions():
        for what, text in (("menu", action.text()), ("menu tooltip", action.toolTip())):
            yield what, text.replace("&", "")


def task_texts(window: MainWindow) -> Iterator[tuple[str, str]]:
    """The task rows are painted, not widgets: their words, as the delegate gets them."""
    for record in window.runner.records():
        yield "task row", params_summary(record)
        yield "task state", state_label(record.state)


def catalogue(path: Path) -> dict[str, str]:
    """source -> translation ("" when missing or unfinished) from the .ts file."""
    found: dict[str, str] = {}
    for message in ET.parse(path).getroot().iter("message"):
        source = message.findtext("source") or ""
        node = message.find("translation")
        text = ""
        if node is not None and node.get("type") not in ("unfinished", "obsolete", "vanished"):
            forms = [f.text or "" for f in node.findall("numerusform")]
            text = forms[0] if forms else (node.text or "")
        found[source] = text
        # Menus and the shortcuts list show the text without its mnemonic.
        found.setdefault(re.sub(r"\(&\w\)|&(?=[^&])", "", source), text)
    return found


def test_no_english_left_in_the_chinese_interface(
    qtbot, open_window, simulator, monkeypatch
) -> None:
    window = ready_window(qtbot, open_window, simulator, monkeypatch, "zh_CN")
    window.resize(1366, 768)
    texts: list[tuple[str, str]] = []
    for page in (window.edit_panel, window.result_view, window.gallery):
        window.tabs.setCurrentWidget(page)
        settle()
        texts += collect(window)
    texts += menu_texts(window)
    texts += task_texts(window)
    for opener in (window.on_settings, window.on_shortcuts, window.on_about, window.on_spend):
        dialog = open_dialog(qtbot, opener)
        settle()
        texts += collect(dialog)
        dialog.close()

    known = catalogue(CATALOGUE)
    untranslated: dict[str, set[str]] = {}
    missing: dict[str, set[str]] = {}
    for where, text in texts:
        found = english_words(text)
        if not found:
            continue
        line = f"{text!r} ({where}) — {', '.join(sorted(set(found)))}"
        bucket = untranslated if known.get(text.strip(), None) == "" else missing
        bucket.setdefault(line, set()).add(where)
    report = []
    if untranslated:
        report.append("In the catalogue but not translated:")
        report += [f"  {line}" for line in sorted(untranslated)]
    if missing:
        report.append(
            "Not in the catalogue as shown (a new string for update.py, or words put together "
            "in code from untranslated parts):"
        )
        report += [f"  {line}" for line in sorted(missing)]
    assert not report, "English in the Chinese interface:\n" + "\n".join(report)


def test_values_are_shown_in_words_and_unknown_ones_as_they_came(qapp) -> None:
    from app.ui import words

    assert words.quality("high") == "High" and words.quality("auto") == "Auto"
    assert words.background("opaque") == "Opaque"
    assert words.flavour("async", short=True) == "Async"
    assert words.flavour("compat") == "Compat (synchronous)"
    assert words.output_format("webp") == "WebP" and words.output_format("jpeg") == "JPEG"
    assert words.size("1536x1024") == "1536 × 1024" and words.size("auto") == "Auto"
    assert words.parameter("quality", "ultra") == "ultra"  # a newer server's value
    assert words.parameter("user", "anna") == "anna"  # not a word: the person's own
    assert words.pixels(1200) == "1,200 px" and words.pixel_suffix() == " px"
    assert words.file_size(88_000) == "86 KB" and words.file_size(3 * 1024 * 1024) == "3.0 MB"
