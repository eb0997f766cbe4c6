"""The prompt history and saved prompts, from the prompt box.

`PromptTools` attaches to a PromptPanel: a History button beside the character count (its
menu also saves the current prompt under a name), Ctrl+Up / Ctrl+Down in the prompt box to
step through the prompts sent (the unsent draft comes back after the newest one), and `/`
typed into an empty prompt to pick a saved prompt by name. `PromptHistoryDialog` lists the
history and the saved prompts with a search field; choosing one fills the prompt, with its
settings on request; the saved ones are renamed, removed, exported and imported there.

The lists and the file are app.services.prompt_store's; the stepping rules app.core.prompts'.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QStringListModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.prompts import Prompt, Recall
from app.services.prompt_store import (
    ROLE_PROMPT,
    PromptLibrary,
    PromptListModel,
    apply,
    form_settings,
    one_line,
)
from app.ui.prompt_panel import PromptPanel
from app.ui.widgets import HintLabel

HISTORY_TAB, SAVED_TAB = 0, 1


def _list(model: PromptListModel, name: str, parent: QWidget) -> QListView:
    view = QListView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setUniformItemSizes(True)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return view


class PromptHistoryDialog(QDialog):
    """The history (most recent first) and the saved prompts, searchable."""

    chosen = Signal(object, bool)  # the Prompt, and whether its settings come too
    save_requested = Signal()

    def __init__(self, library: PromptLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promptHistoryDialog")
        self.setWindowTitle(self.tr("Prompts"))
        self.library = library
        self.last_dir = str(Path.home())

        self.search = QLineEdit(self)
        self.search.setObjectName("promptSearch")
        self.search.setPlaceholderText(self.tr("Search prompts"))
        self.search.setClearButtonEnabled(True)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("promptTabs")
        self.history_view = _list(library.history_model, "historyList", self.tabs)
        self.saved_view = _list(library.saved_model, "savedList", self.tabs)

        history_page = QWidget(self.tabs)
        page = QVBoxLayout(history_page)
        page.addWidget(self.history_view, 1)
        row = QHBoxLayout()
        self.forget_button = self._button(self.tr("Remove from history"), self.on_forget, row)
        row.addStretch(1)
        page.addLayout(row)
        self.tabs.addTab(history_page, self.tr("History"))

        saved_page = QWidget(self.tabs)
        page = QVBoxLayout(saved_page)
        page.addWidget(self.saved_view, 1)
        row = QHBoxLayout()
        self.save_button = self._button(self.tr("Save current prompt…"), self.save_requested, row)
        self.rename_button = self._button(self.tr("Rename…"), self.on_rename, row)
        self.remove_button = self._button(self.tr("Remove"), self.on_remove, row)
        row.addStretch(1)
        self.export_button = self._button(self.tr("Export…"), self.on_export, row)
        self.import_button = self._button(self.tr("Import…"), self.on_import, row)
        page.addLayout(row)
        self.tabs.addTab(saved_page, self.tr("Saved"))

        self.note = HintLabel("", self)
        self.note.setObjectName("promptMessage")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.use_button = buttons.addButton(
            self.tr("Use prompt"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.use_button.setObjectName("usePromptButton")
        self.use_button.setToolTip(self.tr("Put this prompt in the prompt box (Enter)"))
        self.use_settings_button = buttons.addButton(
            self.tr("Use with its settings"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.use_settings_button.setObjectName("useSettingsButton")
        self.use_settings_button.setToolTip(
            self.tr(
                "Put this prompt in the prompt box and its size, quality and format in the form"
            )
        )
        self.use_button.setDefault(True)
        self.use_button.clicked.connect(lambda: self.on_use(False))
        self.use_settings_button.clicked.connect(lambda: self.on_use(True))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(640, 460)

        self.search.textChanged.connect(self.on_search)
        # Up and Down in the search field move in the list (Enter is the default button's).
        self.search.installEventFilter(self)
        self.tabs.currentChanged.connect(self._update)
        for view in (self.history_view, self.saved_view):
            view.doubleClicked.connect(lambda _i: self.on_use(False))
            view.selectionModel().currentChanged.connect(self._update)
            view.model().modelReset.connect(self._select_first)
        library.changed.connect(self._update_titles)
        self._select_first()
        self._update_titles()
        self.tabs.setCurrentIndex(HISTORY_TAB if len(library.history) else SAVED_TAB)
        self.search.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
                Qt.Key.Key_PageUp,
                Qt.Key.Key_PageDown,
            ):
                QCoreApplication.sendEvent(self.current_view(), event)
                return True
        return super().eventFilter(watched, event)

    def _button(self, text: str, slot: object, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # -- what is chosen ------------------------------------------------------------------

    def current_view(self) -> QListView:
        return self.saved_view if self.tabs.currentIndex() == SAVED_TAB else self.history_view

    def current_prompt(self) -> Prompt | None:
        index = self.current_view().currentIndex()
        return index.data(ROLE_PROMPT) if index.isValid() else None

    def select(self, tab: int, row: int) -> None:
        self.tabs.setCurrentIndex(tab)
        view = self.current_view()
        view.setCurrentIndex(view.model().index(row, 0))

    @Slot()
    def _select_first(self) -> None:
        for view in (self.history_view, self.saved_view):
            if view.model().rowCount() and not view.currentIndex().isValid():
                view.setCurrentIndex(view.model().index(0, 0))
        self._update()

    @Slot()
    def _update(self) -> None:
        has = self.current_prompt() is not None
        self.use_button.setEnabled(has)
        self.use_settings_button.setEnabled(has)
        self.forget_button.setEnabled(self.history_view.currentIndex().isValid())
        saved = self.saved_view.currentIndex().isValid()
        self.rename_button.setEnabled(saved)
        self.remove_button.setEnabled(saved)
        self.export_button.setEnabled(bool(self.library.saved_names()))

    @Slot()
    def _update_titles(self) -> None:
        history, saved = len(self.library.history), len(self.library.saved_names())
        self.tabs.setTabText(HISTORY_TAB, self.tr("History (%1)").replace("%1", str(history)))
        self.tabs.setTabText(SAVED_TAB, self.tr("Saved (%1)").replace("%1", str(saved)))
        self._update()

    # -- slots ---------------------------------------------------------------------------

    @Slot(str)
    def on_search(self, text: str) -> None:
        self.library.history_model.set_filter(text)
        self.library.saved_model.set_filter(text)

    def on_use(self, with_settings: bool) -> None:
        prompt = self.current_prompt()
        if prompt is not None:
            self.chosen.emit(prompt, with_settings)
            self.accept()

    @Slot()
    def on_forget(self) -> None:
        index = self.history_view.currentIndex()
        prompt = index.data(ROLE_PROMPT) if index.isValid() else None
        if prompt is not None:
            self.library.remove_history(prompt.text)

    def _saved_name(self) -> str | None:
        index = self.saved_view.currentIndex()
        prompt = index.data(ROLE_PROMPT) if index.isValid() else None
        return prompt.name if prompt is not None else None

    @Slot()
    def on_rename(self) -> None:
        old = self._saved_name()
        if old is None:
            return
        new, ok = QInputDialog.getText(
            self, self.tr("Rename saved prompt"), self.tr("New name:"), text=old
        )
        new = new.strip()
        if not ok or not new or new == old:
            return
        if new in self.library.saved_names():
            self.note.show_text(
                self.tr(
                    "There is already a saved prompt called “%1”: choose another name."
                ).replace("%1", new),
                error=True,
            )
            return
        self.library.rename(old, new)
        self.note.show_text(None)

    @Slot()
    def on_remove(self) -> None:
        name = self._saved_name()
        if name is not None:
            self.library.remove_saved(name)
            self.note.show_text(self.tr("“%1” removed.").replace("%1", name))

    @Slot()
    def on_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export saved prompts"),
            str(Path(self.last_dir) / "prompts.json"),
            self.tr("Prompts (*.json);;All files (*)"),
        )
        if not path:
            return
        if not path.lower().endswith(".json"):
            path += ".json"
        self.last_dir = str(Path(path).parent)
        try:
            self.library.export_to(Path(path))
        except OSError as exc:
            self.note.show_text(
                self.tr("The prompts could not be exported to %1: %2")
                .replace("%1", path)
                .replace("%2", str(exc.strerror or exc)),
                error=True,
            )
            return
        n = len(self.library.saved_names())
        self.note.show_text(self.tr("%n prompt(s) exported to %1.", "", n).replace("%1", path))

    @Slot()
    def on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import saved prompts"),
            self.last_dir,
            self.tr("Prompts (*.json);;All files (*)"),
        )
        if not path:
            return
        self.last_dir = str(Path(path).parent)
        added, problem = self.library.import_from(Path(path))
        if problem:
            self.note.show_text(problem, error=True)
            return
        self.tabs.setCurrentIndex(SAVED_TAB)
        if added:
            self.note.show_text(self.tr("%n prompt(s) imported.", "", len(added)))
        else:
            self.note.show_text(self.tr("Nothing new to import: every prompt is already saved."))


class PromptTools(QObject):
    """The history button, Ctrl+Up / Ctrl+Down and the `/` completer on one prompt panel."""

    message = Signal(str)

    def __init__(self, panel: PromptPanel, library: PromptLibrary) -> None:
        super().__init__(panel)
        self.panel = panel
        self.library = library
        self.form = panel.form
        self.edit = panel.prompt_edit
        self.recall = Recall()
        self.dialog: PromptHistoryDialog | None = None

        self.button = QToolButton(panel)
        self.button.setObjectName("historyButton")
        self.button.setText(self.tr("History"))
        self.button.setToolTip(
            self.tr(
                "Prompts sent before and saved prompts. In the prompt box, Ctrl+Up and "
                "Ctrl+Down step through the history; / at the start offers saved prompts"
            )
        )
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self.button)
        self.history_action = menu.addAction(self.tr("History and saved prompts…"))
        self.history_action.triggered.connect(self.open_dialog)
        self.save_action = menu.addAction(self.tr("Save prompt…"))
        self.save_action.setObjectName("savePromptAction")
        self.save_action.triggered.connect(self.save_current)
        self.button.setMenu(menu)
        self.button.clicked.connect(self.open_dialog)
        panel.prompt_tools.insertWidget(0, self.button)

        self.names = QStringListModel(self)
        self.completer = QCompleter(self.names, self)
        self.completer.setWidget(self.edit)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        # activated has a str and a QModelIndex overload: the name is wanted.
        self.completer.activated[str].connect(self.on_completed)  # type: ignore[index]
        popup = self.completer.popup()
        assert popup is not None
        self.popup = popup
        # The prompt box lets the completer have Enter, Tab and Escape while it is open.
        self.edit.popup = popup
        self.edit.textChanged.connect(self.on_text_changed)
        self.edit.installEventFilter(self)
        library.changed.connect(self.on_library_changed)
        self.on_library_changed()

    # -- Ctrl+Up / Ctrl+Down -------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            key = event  # a QKeyEvent for KeyPress
            assert isinstance(key, QKeyEvent)
            if key.modifiers() & Qt.KeyboardModifier.ControlModifier and key.key() in (
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
            ):
                self.step(older=key.key() == Qt.Key.Key_Up)
                return True
        return False

    def step(self, *, older: bool) -> None:
        history = self.library.store.history
        current = self.form.prompt
        text = self.recall.older(history, current) if older else self.recall.newer(history, current)
        if text is None:
            return
        self.form.prompt = text
        self.edit.moveCursor(QTextCursor.MoveOperation.End)

    # -- the dialog ----------------------------------------------------------------------

    @Slot()
    def open_dialog(self) -> PromptHistoryDialog:
        if self.dialog is None:
            self.dialog = PromptHistoryDialog(self.library, self.panel.window())
            self.dialog.chosen.connect(self.on_chosen)
            self.dialog.save_requested.connect(self.save_current)
            self.dialog.finished.connect(self.on_dialog_closed)
        self.dialog.open()
        return self.dialog

    @Slot(int)
    def on_dialog_closed(self, _result: int) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
        self.library.history_model.set_filter("")
        self.library.saved_model.set_filter("")

    def on_chosen(self, prompt: Prompt, with_settings: bool) -> None:
        apply(self.form, prompt, with_settings=with_settings)
        self.recall.reset()
        self.edit.setFocus()
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        if with_settings:
            self.message.emit(self.tr("Prompt and settings restored."))

    @Slot()
    def save_current(self) -> None:
        text = self.form.prompt.strip()
        parent = self.dialog if self.dialog is not None else self.panel.window()
        if not text:
            self.message.emit(self.tr("Write a prompt first, then save it."))
            return
        name, ok = QInputDialog.getText(
            parent,
            self.tr("Save prompt"),
            self.tr("Save the prompt and its settings as:"),
            text=one_line(text, 40),
        )
        name = name.strip()
        if not ok or not name:
            return
        if name in self.library.saved_names():
            answer = QMessageBox.question(
                parent,
                self.tr("Save prompt"),
                self.tr("There is already a saved prompt called “%1”. Replace it?").replace(
                    "%1", name
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.library.save(name, text, form_settings(self.form))
        self.message.emit(
            self.tr("Prompt saved as “%1”. Type / in an empty prompt to use it.").replace(
                "%1", name
            )
        )

    # -- the `/` completer ---------------------------------------------------------------

    @Slot()
    def on_library_changed(self) -> None:
        self.names.setStringList(self.library.saved_names())

    @Slot()
    def on_text_changed(self) -> None:
        text = self.edit.toPlainText()
        popup = self.popup
        if not text.startswith("/") or "\n" in text or not self.names.rowCount():
            if popup.isVisible():
                popup.hide()
            return
        self.completer.setCompletionPrefix(text[1:])
        if self.completer.completionCount() == 0:
            popup.hide()
            return
        rect = self.edit.cursorRect()
        rect.setWidth(
            max(240, popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width())
        )
        self.completer.complete(rect)
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0, QModelIndex()))

    @Slot(str)
    def on_completed(self, name: str) -> None:
        prompt = self.library.saved(name)
        if prompt is None:
            return
        self.form.prompt = prompt.text
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
