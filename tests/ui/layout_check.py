"""What a person would see cut off: texts that do not fit the width they got, controls outside
their window or clipped by their parent, and sideways scroll bars. Used by test_layout (and the
words test walks the same widgets)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QTextDocumentFragment, QTextLayout
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollBar,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QWidget,
)

from app.ui.main_window import MainWindow
from app.ui.widgets import ElidedLabel
from tests.conftest import TEST_KEY

ELLIPSIS = "…"
SLACK = 1  # pixels: rounding between the font metrics and the layout


def visible_widgets(top: QWidget) -> Iterator[QWidget]:
    for widget in top.findChildren(QWidget):
        if widget.isVisible() and widget.window() is top and widget.width() > 0:
            yield widget


def plain(text: str) -> str:
    # Fragments and layouts, not QTextDocument: a document is a QObject with timers, and one
    # collected later on a worker thread makes Qt warn (and can crash).
    if GuiQt.mightBeRichText(text):  # type: ignore[attr-defined]
        return QTextDocumentFragment.fromHtml(text).toPlainText()
    return text


def wrapped_width(text: str, font: QFont, width: int) -> float:
    """The widest line of `text` broken to `width` where Unicode allows (between words,
    between Chinese characters, after a slash): more than `width` when a word cannot break."""
    widest = 0.0
    for paragraph in text.split("\n"):
        layout = QTextLayout(paragraph, font)
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            widest = max(widest, line.naturalTextWidth())
        layout.endLayout()
    return widest


def without_mnemonic(text: str) -> str:
    return re.sub(r"&(.)", r"\1", text)


def _elided_with_tip(widget: QWidget, text: str) -> bool:
    return ELLIPSIS in text and bool(widget.toolTip())


def _widest_line(fm: QFontMetrics, text: str) -> int:
    return max((fm.horizontalAdvance(line) for line in text.split("\n")), default=0)


def _label_problem(label: QLabel) -> str | None:
    text = plain(label.text())
    if label.buddy() is not None:
        text = without_mnemonic(text)
    if not text.strip() or _elided_with_tip(label, text):
        return None
    if isinstance(label, ElidedLabel):
        # It paints the text elided to its width: readable whole only in the tooltip.
        return None if label.toolTip() == label.text() else "elides with no tooltip"
    fm = label.fontMetrics()
    room = label.contentsRect().width() - 2 * max(label.margin(), 0)
    if label.indent() > 0:
        room -= label.indent()
    if label.wordWrap():
        # Wrapped: the lines, broken where Unicode allows (between words, between Chinese
        # characters, after a slash), must fit the width, and all of them the label's height.
        widest = wrapped_width(text, label.font(), room)
        if widest > room + SLACK:
            return f"a line needs {widest:.0f}px, the label has {room}px"
        needed = label.heightForWidth(label.width())
        if needed > label.height() + SLACK:
            return f"needs {needed}px of height, has {label.height()}px"
        return None
    needed = _widest_line(fm, text)
    if needed > room + SLACK:
        return f"needs {needed}px, has {room}px"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    text = without_mnemonic(button.text())
    if not text or _elided_with_tip(button, text):
        return None
    if isinstance(button, QPushButton):
        style = button.style()
        fm = button.fontMetrics()
        frame = style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, button)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, button)
        needed = _widest_line(fm, text) + margin + 2 * frame
        if not button.icon().isNull():
            needed += button.iconSize().width() + 4
        if button.menu() is not None:
            needed += style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    else:
        # Check boxes, radio buttons and tool buttons have no minimum width of their own:
        # their size hint is the text, the indicator and the padding.
        needed = button.sizeHint().width()
    if needed > button.width() + SLACK:
        return f"needs {needed}px, has {button.width()}px"
    return None


def _combo_problem(combo: QComboBox) -> str | None:
    if combo.isEditable():
        return None
    text = combo.currentText()
    if not text:
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    needed = combo.fontMetrics().horizontalAdvance(text)
    if not combo.itemIcon(combo.currentIndex()).isNull():
        needed += combo.iconSize().width() + 4
    if needed > field.width() + SLACK:
        return f"'{text}' needs {needed}px, the field has {field.width()}px"
    return None


def _tab_problems(bar: QTabBar) -> Iterator[str]:
    fm = bar.fontMetrics()
    total = 0
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        text = without_mnemonic(bar.tabText(i))
        rect = bar.tabRect(i)
        total += rect.width()
        needed = fm.horizontalAdvance(text) + 8
        if needed > rect.width() + SLACK:
            yield f"tab '{text}' needs {needed}px, has {rect.width()}px"
    if total > bar.width() + SLACK:
        yield f"the tabs need {total}px, the bar has {bar.width()}px (scroll arrows)"


def _group_problem(box: QGroupBox) -> str | None:
    text = without_mnemonic(box.title())
    needed = box.fontMetrics().horizontalAdvance(text) + 8
    return f"title needs {needed}px, has {box.width()}px" if needed > box.width() else None


def name(widget: QWidget) -> str:
    label = widget.objectName() or type(widget).__name__
    text = ""
    for attr in ("text", "currentText", "title"):
        getter = getattr(widget, attr, None)
        if callable(getter):
            try:
                text = str(getter())
            except TypeError:
                continue
            break
    parent = widget.parentWidget()
    where = parent.objectName() or type(parent).__name__ if parent is not None else ""
    return f"{type(widget).__name__} {label!r} in {where!r} text={plain(text)[:60]!r}"


def text_problems(top: QWidget) -> list[str]:
    problems = []
    for widget in visible_widgets(top):
        found: list[str] = []
        if isinstance(widget, QLabel):
            found = [p for p in [_label_problem(widget)] if p]
        elif isinstance(widget, QAbstractButton):
            found = [p for p in [_button_problem(widget)] if p]
        elif isinstance(widget, QComboBox):
            found = [p for p in [_combo_problem(widget)] if p]
        elif isinstance(widget, QTabBar):
            found = list(_tab_problems(widget))
        elif isinstance(widget, QGroupBox):
            found = [p for p in [_group_problem(widget)] if p]
        problems += [f"{name(widget)}: {p}" for p in found]
    return problems


CONTROLS = (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QAbstractSpinBox,
    QApplication,
    QAbstractSlider,
    QTabBar,
    QCheckBox,
    QRadioButton,
)


def _scroll_viewport(widget: QWidget) -> QWidget | None:
    """The viewport of the scroll area `widget` is scrolled in, if any."""
    parent = widget.parentWidget()
    while parent is not None:
        owner = parent.parentWidget()
        if isinstance(owner, QAbstractScrollArea) and owner.viewport() is parent:
            return parent
        parent = owner
    return None


def placement_problems(top: QWidget) -> list[str]:
    """Controls outside the window, or cut by a parent (scrolled content excepted: it can be
    scrolled to, vertically); and any horizontal scroll bar."""
    problems = []
    window_rect = top.rect()
    for widget in visible_widgets(top):
        if isinstance(widget, QScrollBar):
            if widget.orientation() == Qt.Orientation.Horizontal and widget.maximum() > 0:
                problems.append(f"{name(widget.parentWidget() or widget)}: horizontal scroll bar")
            continue
        if widget.objectName() == "qt_toolbar_ext_button":
            problems.append(f"{name(widget.parentWidget() or widget)}: actions hidden behind »")
            continue
        if not isinstance(widget, CONTROLS) or isinstance(widget, QScrollBar):
            continue
        viewport = _scroll_viewport(widget)
        if viewport is not None:
            # Scrolled content may run off the bottom (it scrolls there), never off the side.
            left = widget.mapTo(viewport, QPoint(0, 0)).x()
            if left < 0 or left + widget.width() > viewport.width() + SLACK:
                problems.append(
                    f"{name(widget)}: x {left}..{left + widget.width()} runs off the side of "
                    f"its scroll area ({viewport.width()}px wide)"
                )
            continue
        rect = QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())
        if not window_rect.contains(rect):
            problems.append(f"{name(widget)}: at {rect.getRect()} outside the window {top.size()}")
            continue
        parent = widget.parentWidget()
        while parent is not None and parent is not top:
            if isinstance(parent, QAbstractScrollArea):
                break
            prect = QRect(parent.mapTo(top, QPoint(0, 0)), parent.size())
            if not prect.contains(rect):
                problems.append(f"{name(widget)}: cut by its parent {name(parent)}")
                break
            parent = parent.parentWidget()
    return problems


# --- a window with something in every view, and its dialogs ------------------------------


def settle() -> None:
    """Run the posted layout requests and their follow-ups (a resize posts more)."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def picture() -> QImage:
    image = QImage(1536, 1024, QImage.Format.Format_RGB32)
    image.fill(QColor("#6a8caf"))
    return image


def ready_window(qtbot, open_window, simulator, monkeypatch, lang: str) -> MainWindow:
    """A window with something in every view: a finished job, a picture in the editor."""
    monkeypatch.setenv("MOUNTSEA_API_KEY", TEST_KEY)
    window = open_window("--base-url", simulator.base_url, "--lang", lang)
    window.prompt_panel.prompt_edit.setPlainText(
        "A lighthouse on a cliff at dusk, painted in oils, with gulls over a stormy sea"
    )
    with qtbot.waitSignal(window.runner.job_finished, timeout=20000):
        window.generate_action.trigger()
    record = window.runner.records()[0]
    qtbot.waitUntil(lambda: window.result_view.image_view.pixmap() is not None, timeout=10000)
    window.edit_panel.add_image(picture(), "harbour.png")
    qtbot.waitUntil(window.edit_panel.has_sources, timeout=10000)
    qtbot.waitUntil(lambda: window.gallery.model.rowCount() == 1, timeout=10000)
    window.gallery.select_ids(list(record.item_ids))
    return window


def open_dialog(qtbot, opener: Callable[[], object]) -> QWidget:
    before = set(QApplication.topLevelWidgets())
    opener()
    found: list[QWidget] = []

    def shown() -> None:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if w not in before and isinstance(w, QDialog) and w.isVisible()
        ]
        assert found

    qtbot.waitUntil(shown, timeout=5000)
    return found[0]
