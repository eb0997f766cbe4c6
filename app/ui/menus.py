"""The main window's menu bar: File, Edit, View, Help, each action wired to a window slot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QTabWidget, QWidget


class MenuHost(Protocol):
    """What the menus need of the main window (named here, so menus and window import no circle)."""

    @property
    def edit_panel(self) -> QWidget: ...
    @property
    def gallery(self) -> QWidget: ...

    result_view: Any  # on_fit / on_actual
    tabs: QTabWidget
    task_dock: QDockWidget
    open_action: QAction
    paste_action: QAction
    generate_action: QAction  # Ctrl+Enter: Generate or Edit, window-wide

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name
    def close(self) -> bool: ...
    def on_about(self) -> None: ...
    def on_open_data_folder(self) -> None: ...
    def on_open_image(self) -> None: ...
    def on_open_logs(self) -> None: ...
    def on_paste_image(self) -> None: ...
    def on_redo(self) -> None: ...
    def on_settings(self) -> None: ...
    def on_shortcuts(self) -> None: ...
    def on_spend(self) -> None: ...
    def on_undo(self) -> None: ...


def add_action(
    window: Any,  # the QMainWindow that owns the action
    menu: QMenu,
    text: str,
    slot: Callable[..., Any],
    shortcut: Any = None,
    *,
    name: str | None = None,
    shortcut_context: bool = True,
) -> QAction:
    action = QAction(text, window)
    if name:
        action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        if not shortcut_context:
            # Undo/redo belong to the focused widget (prompt, canvas); the menu only mirrors them.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


class SubmitPanel(Protocol):
    """What the window-wide Generate action needs of the prompt panel."""

    form: Any  # app.services.form.FormModel: valid, valid_changed, editing, editing_changed

    def on_submit(self) -> None: ...


class GenerateAction(QAction):
    """Ctrl+Enter starts the job from anywhere in the window (after painting a mask or
    changing a parameter too), enabled exactly when the form could start one; it reads
    Generate, or Edit the picture while pictures are in the editor. (A QObject slot, so the
    form's signals stop reaching it when the window goes.)"""

    def __init__(self, window: QWidget, panel: SubmitPanel):
        super().__init__(window)
        form = panel.form
        self.setObjectName("generateAction")
        self.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.triggered.connect(panel.on_submit)
        self.setEnabled(form.valid)
        form.valid_changed.connect(self.setEnabled)
        form.editing_changed.connect(self.on_editing_changed)
        self.on_editing_changed(form.editing)
        window.addAction(self)

    @Slot(bool)
    def on_editing_changed(self, editing: bool) -> None:
        self.setText(
            QCoreApplication.translate("MainWindow", "&Edit the picture")
            if editing
            else QCoreApplication.translate("MainWindow", "&Generate")
        )


def build_menus(w: MenuHost) -> None:
    """Fill the window's menu bar; sets w.open_action and w.paste_action. The strings keep
    the window's translation context (MainWindow), where the catalogue has them."""
    bar = w.menuBar()
    std = QKeySequence.StandardKey

    file_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "&File"))
    file_menu.addAction(w.generate_action)
    w.open_action = add_action(
        w,
        file_menu,
        QCoreApplication.translate("MainWindow", "&Open image to edit…"),
        w.on_open_image,
        std.Open,
    )
    file_menu.addSeparator()
    add_action(
        w,
        file_menu,
        QCoreApplication.translate("MainWindow", "&Settings…"),
        w.on_settings,
        std.Preferences,
        name="settingsAction",
    )
    add_action(
        w,
        file_menu,
        QCoreApplication.translate("MainWindow", "Open the &data folder"),
        w.on_open_data_folder,
        name="openDataFolderAction",
    )
    file_menu.addSeparator()
    add_action(w, file_menu, QCoreApplication.translate("MainWindow", "&Quit"), w.close, std.Quit)

    edit_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "&Edit"))
    add_action(
        w,
        edit_menu,
        QCoreApplication.translate("MainWindow", "&Undo"),
        w.on_undo,
        std.Undo,
        shortcut_context=False,
    )
    add_action(
        w,
        edit_menu,
        QCoreApplication.translate("MainWindow", "&Redo"),
        w.on_redo,
        std.Redo,
        shortcut_context=False,
    )
    edit_menu.addSeparator()
    w.paste_action = add_action(
        w,
        edit_menu,
        QCoreApplication.translate("MainWindow", "&Paste image as edit source"),
        w.on_paste_image,
    )

    view_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "&View"))
    view_menu.addAction(w.task_dock.toggleViewAction())
    add_action(
        w, view_menu, QCoreApplication.translate("MainWindow", "&Fit picture"), w.result_view.on_fit
    )
    add_action(
        w,
        view_menu,
        QCoreApplication.translate("MainWindow", "&Actual size (100 %)"),
        w.result_view.on_actual,
    )
    tabs = (
        (QCoreApplication.translate("MainWindow", "Create / &Edit"), w.edit_panel, "Ctrl+1"),
        (QCoreApplication.translate("MainWindow", "&Result"), w.result_view, "Ctrl+2"),
        (QCoreApplication.translate("MainWindow", "&Gallery"), w.gallery, "Ctrl+3"),
    )
    for text, page, keys in tabs:
        add_action(
            w,
            view_menu,
            text,
            lambda _=False, p=page: w.tabs.setCurrentWidget(p),
            QKeySequence(keys),
        )
    view_menu.addSeparator()
    add_action(w, view_menu, QCoreApplication.translate("MainWindow", "&Spend…"), w.on_spend)

    help_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "&Help"))
    add_action(
        w,
        help_menu,
        QCoreApplication.translate("MainWindow", "Open the &log folder"),
        w.on_open_logs,
        name="openLogFolderAction",
    )
    add_action(
        w,
        help_menu,
        QCoreApplication.translate("MainWindow", "&Keyboard shortcuts"),
        w.on_shortcuts,
        std.HelpContents,
        name="shortcutsAction",
    )
    add_action(w, help_menu, QCoreApplication.translate("MainWindow", "&About"), w.on_about)
