"""Help > Keyboard shortcuts: every key the window's actions answer to, read from the actions
themselves (so the list cannot go stale), grouped by where they work, and the few keys the
picture editor and the comparison read directly while you hold or press them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

NATIVE = QKeySequence.SequenceFormat.NativeText


# lupdate finds translate("Context", "literal") calls, not a wrapper's.
translate = QCoreApplication.translate


# A mnemonic: "&File", or in Chinese "文件(&F)" where the bracket goes with it.
_MNEMONIC = re.compile(r"\(&\w\)|&(?=[^&])")


def command_text(action: QAction) -> str:
    text = _MNEMONIC.sub("", action.text()).replace("&&", "&")
    return text.replace("…", "").strip()


def keys_text(sequences: Iterable[QKeySequence]) -> str:
    # Return and Enter read the same in some languages ("回车"): each text once.
    texts = (s.toString(NATIVE) for s in sequences if not s.isEmpty())
    return ", ".join(dict.fromkeys(texts))


def _area(obj: QObject, areas: list[tuple[QWidget, str]], default: str) -> str:
    """The first of `areas` that holds `obj` (an action's parent chain), else `default`."""
    parent = obj.parent()
    while parent is not None:
        for widget, name in areas:
            if parent is widget:
                return name
        parent = parent.parent()
    return default


def collect(window: QWidget, areas: list[tuple[QWidget, str]]) -> list[tuple[str, str, str]]:
    """(area, command, keys) for every action and QShortcut under `window` that has a key."""
    default = translate("ShortcutsDialog", "Anywhere in the window")
    rows: dict[tuple[str, str], str] = {}
    for action in window.findChildren(QAction):
        keys = keys_text(action.shortcuts())
        if keys and command_text(action):
            rows.setdefault((_area(action, areas, default), command_text(action)), keys)
    for shortcut in window.findChildren(QShortcut):
        keys = keys_text(shortcut.keys())
        if keys and shortcut.whatsThis():
            rows.setdefault((_area(shortcut, areas, default), shortcut.whatsThis()), keys)
    order = {name: i for i, (_w, name) in enumerate(areas)}
    return sorted(
        ((area, command, keys) for (area, command), keys in rows.items()),
        key=lambda row: (order.get(row[0], -1), row[1].casefold()),
    )


def held_keys() -> list[tuple[str, str, str]]:
    """Keys read while a widget has the focus (not actions): listed by hand, next to the
    code that reads them (MaskCanvas.keyPressEvent, CompareView.keyPressEvent)."""
    editor = translate("ShortcutsDialog", "Picture editor")
    compare = translate("ShortcutsDialog", "Before / after")
    return [
        (
            editor,
            translate("ShortcutsDialog", "Pan the picture (hold and drag)"),
            translate("ShortcutsDialog", "Space"),
        ),
        (
            editor,
            translate("ShortcutsDialog", "Cancel the stroke or shape being drawn"),
            translate("ShortcutsDialog", "Esc"),
        ),
        (
            editor,
            translate("ShortcutsDialog", "Erase with the brush, clear with the shapes"),
            translate("ShortcutsDialog", "Right-drag"),
        ),
        (
            editor,
            translate("ShortcutsDialog", "Remove the selected reference pictures"),
            translate("ShortcutsDialog", "Delete"),
        ),
        (
            compare,
            translate("ShortcutsDialog", "Switch between before and after"),
            translate("ShortcutsDialog", "Space, T"),
        ),
        (
            compare,
            translate("ShortcutsDialog", "Move the divider"),
            translate("ShortcutsDialog", "Left, Right"),
        ),
    ]


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcutsTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Command"), self.tr("Keys")])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        groups: dict[str, QTreeWidgetItem] = {}
        for area, command, keys in rows:
            group = groups.get(area)
            if group is None:
                group = QTreeWidgetItem(self.tree, [area])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                groups[area] = group
            QTreeWidgetItem(group, [command, keys])
        self.tree.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(560, 560)

    def rows(self) -> list[tuple[str, str]]:
        """(command, keys) as shown, for tests."""
        found = []
        items = QTreeWidgetItemIterator(self.tree, QTreeWidgetItemIterator.IteratorFlag.NoChildren)
        while (item := items.value()) is not None:
            found.append((item.text(0), item.text(1)))
            items += 1
        return found
