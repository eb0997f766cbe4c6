"""A layout that wraps its items onto the next line instead of clipping them, and a bar of
tool buttons built on it.

A QToolBar hides what does not fit behind "»" and a QHBoxLayout forces the window wider; rows
of controls above the canvas, the gallery and the result view must stay whole on a 1024-pixel
screen and in longer languages, so they flow onto a second line (heightForWidth tells the
parent how tall that makes them). Items keep the order they were added in: what matters most
goes first and stays on the first line.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QToolButton,
    QWidget,
)


class FlowLayout(QLayout):
    """Left to right, wrapping; each line as tall as its tallest item, items centred in it."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout ----------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        # One line: what the items would like when there is room.
        width = sum(i.sizeHint().width() for i in self._visible()) + self.spacing() * max(
            0, len(self._visible()) - 1
        )
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:  # noqa: N802
        # As narrow as the widest single item: everything else wraps.
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    # -- placing ----------------------------------------------------------------------------

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _place(self, rect: QRect, *, move: bool) -> int:
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        space = self.spacing()
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = 0
        for item in self._visible():
            hint = item.sizeHint().boundedTo(item.maximumSize()).expandedTo(item.minimumSize())
            width = min(hint.width(), area.width())
            if lines[-1] and x + width > area.width():
                lines.append([])
                x = 0
            lines[-1].append((item, QSize(width, hint.height())))
            x += width + space
        y = area.y()
        for line in lines:
            height = max((size.height() for _, size in line), default=0)
            if move:
                x = area.x()
                for item, size in line:
                    top = y + (height - size.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), size))
                    x += size.width() + space
            y += height + space
        used = y - space - area.y() if any(lines) else 0
        return used + margins.top() + margins.bottom()


def group(*widgets: QWidget, parent: QWidget | None = None) -> QWidget:
    """Widgets that must stay on one line together (a label and its field)."""
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    for widget in widgets:
        row.addWidget(widget)
    return box


class ActionBar(QWidget):
    """Tool buttons for actions, wrapping onto more lines when narrow; a separator action
    becomes a thin line. Replaces a QToolBar whose overflow menu hides the last actions."""

    def __init__(
        self, actions: list[QAction], parent: QWidget | None = None, name: str = ""
    ) -> None:
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        self.flow = FlowLayout(self, spacing=2)
        self.flow.setContentsMargins(4, 2, 4, 2)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        for action in actions:
            if action.isSeparator():
                line = QFrame(self)
                line.setFrameShape(QFrame.Shape.VLine)
                line.setFrameShadow(QFrame.Shadow.Sunken)
                self.flow.addWidget(line)
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and f"({keys})" not in action.toolTip():
                # The key is learnt where the command is: "Delete (Del)".
                action.setToolTip(f"{action.toolTip()} ({keys})")
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.flow.addWidget(button)

    def button(self, action: QAction) -> QToolButton | None:
        # Looked up, not kept in a dict: Python holds no second reference to the buttons.
        for button in self.findChildren(QToolButton):
            if button.defaultAction() is action:
                return button
        return None
