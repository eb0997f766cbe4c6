"""Settings: the server, the API key (OS keyring only, never settings.json), and how jobs run.

Every keyring call and the key check run off the GUI thread (a locked keychain may prompt
and block); the dialog shows where the key came from and which keyring backend is in use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core import sentences
from app.core.api.errors import ApiError
from app.core.api.models import DEFAULT_BASE_URL
from app.core.settings import Settings
from app.services.background import Background
from app.services.runner import error_sentence
from app.services.session import Session
from app.ui import words
from app.ui.widgets import HintLabel


class SettingsDialog(QDialog):
    """Edits `settings` (OK applies them: `applied`); the key and the server go through the
    session, which switches where new jobs go at once."""

    applied = Signal()  # OK: the settings object holds the new values; apply and save them

    def __init__(
        self,
        settings: Settings,
        session: Session,
        background: Background,
        *,
        images_dir: Path,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(560)
        self._session = session
        self._background = background
        self._settings = settings
        self._backend_available: bool | None = None
        self._checked_key: str | None = None  # the key the running check asks about
        self._refused_key: str | None = None  # the last check's server refused this key
        self.refused_question: QMessageBox | None = None  # "Save it anyway?", while open
        self._fit_timer = QTimer(self)  # grows the dialog to the key status once laid out
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.on_fit_status)
        layout = QVBoxLayout(self)

        server = QGroupBox(self.tr("Server"), self)
        server_form = QFormLayout(server)
        url_row = QHBoxLayout()
        self._initial_base_url = session.base_url()
        self.base_url_edit = QLineEdit(self._initial_base_url, server)
        self.base_url_edit.setObjectName("baseUrlEdit")
        self.base_url_edit.setPlaceholderText(DEFAULT_BASE_URL)
        self.base_url_edit.setToolTip(
            self.tr("Mountsea, or any OpenAI-compatible server (Compat API)")
        )
        url_row.addWidget(self.base_url_edit, 1)
        reset_url = QPushButton(self.tr("Mountsea"), server)
        reset_url.setToolTip(self.tr("Use Mountsea's address"))
        reset_url.clicked.connect(lambda: self.base_url_edit.setText(DEFAULT_BASE_URL))
        url_row.addWidget(reset_url)
        server_form.addRow(self._label(self.tr("Base &URL"), self.base_url_edit), url_row)
        layout.addWidget(server)

        key_box = QGroupBox(self.tr("API key"), self)
        key_form = QFormLayout(key_box)
        key_row = QHBoxLayout()
        self.key_edit = QLineEdit(key_box)
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("Paste your Mountsea API key"))
        key_row.addWidget(self.key_edit, 1)
        self.show_key = QCheckBox(self.tr("Show"), key_box)
        self.show_key.toggled.connect(self.on_show_key)
        key_row.addWidget(self.show_key)
        key_form.addRow(self._label(self.tr("&Key"), self.key_edit), key_row)
        self.source_label = QLabel(key_box)
        self.source_label.setObjectName("keySourceLabel")
        self.source_label.setWordWrap(True)
        key_form.addRow(self.tr("In use"), self.source_label)
        self.backend_label = QLabel(self.tr("checking…"), key_box)
        self.backend_label.setObjectName("keyringBackendLabel")
        self.backend_label.setWordWrap(True)
        key_form.addRow(self.tr("Keyring"), self.backend_label)
        self.session_check = QCheckBox(
            self.tr("Keep the key for this session only (not stored)"), key_box
        )
        self.session_check.setObjectName("sessionOnlyCheck")
        key_form.addRow("", self.session_check)
        buttons = QHBoxLayout()
        self.save_key_button = QPushButton(self.tr("Save key"), key_box)
        self.save_key_button.setObjectName("saveKeyButton")
        self.remove_key_button = QPushButton(self.tr("Remove key"), key_box)
        self.remove_key_button.setObjectName("removeKeyButton")
        self.check_key_button = QPushButton(self.tr("Check key"), key_box)
        self.check_key_button.setObjectName("checkKeyButton")
        self.check_key_button.setToolTip(
            self.tr("Asks the server whether it accepts the key; costs nothing")
        )
        for b in (self.save_key_button, self.remove_key_button, self.check_key_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        key_form.addRow("", buttons)
        self.key_status = HintLabel("", key_box)
        self.key_status.setObjectName("keyStatusLabel")
        key_form.addRow("", self.key_status)
        layout.addWidget(key_box)

        jobs = QGroupBox(self.tr("Jobs and files"), self)
        jobs_form = QFormLayout(jobs)
        self.concurrency_spin = QSpinBox(jobs)
        self.concurrency_spin.setObjectName("concurrencySpin")
        self.concurrency_spin.setRange(1, 16)
        self.concurrency_spin.setValue(self._settings.concurrency)
        self.concurrency_spin.setToolTip(self.tr("How many jobs run at the same time"))
        jobs_form.addRow(self.tr("Jobs at &once"), self.concurrency_spin)
        folder_row = QHBoxLayout()
        self.images_edit = QLineEdit(self._settings.images_dir or "", jobs)
        self.images_edit.setObjectName("imagesDirEdit")
        self.images_edit.setPlaceholderText(str(images_dir))
        folder_row.addWidget(self.images_edit, 1)
        browse = QPushButton(self.tr("Browse…"), jobs)
        browse.clicked.connect(self.on_browse)
        folder_row.addWidget(browse)
        jobs_form.addRow(self._label(self.tr("&Images folder"), self.images_edit), folder_row)
        self.feather_spin = QSpinBox(jobs)
        self.feather_spin.setObjectName("featherSpin")
        self.feather_spin.setRange(0, 256)
        self.feather_spin.setSuffix(words.pixel_suffix())
        self.feather_spin.setValue(self._settings.feather)
        self.feather_spin.setToolTip(
            self.tr("Soft edge when an edit is pasted back onto the source (0 = hard edge)")
        )
        jobs_form.addRow(self.tr("Default &feather"), self.feather_spin)
        self.keep_check = QCheckBox(self.tr("Keep the unmasked pixels of edits exactly"), jobs)
        self.keep_check.setChecked(self._settings.keep_unmasked)
        jobs_form.addRow("", self.keep_check)
        self.notify_check = QCheckBox(
            self.tr("Notify me when a job finishes in the background"), jobs
        )
        self.notify_check.setChecked(self._settings.notifications)
        jobs_form.addRow("", self.notify_check)
        self.stream_check = QCheckBox(self.tr("Show previews while generating (streaming)"), jobs)
        self.stream_check.setObjectName("streamPreviewsCheck")
        self.stream_check.setToolTip(
            self.tr(
                "Compat API: partial pictures show in the task list and the result view while "
                "the picture is made; servers that cannot stream are asked plainly"
            )
        )
        self.stream_check.setChecked(self._settings.stream_previews)
        jobs_form.addRow("", self.stream_check)
        self.language_combo = QComboBox(jobs)
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.addItem(self.tr("System language"), "")
        self.language_combo.addItem("English", "en")
        self.language_combo.addItem("简体中文", "zh_CN")
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(self._settings.language))
        )
        self.language_combo.setToolTip(self.tr("Takes effect the next time the app starts"))
        jobs_form.addRow(self.tr("&Language"), self.language_combo)
        layout.addWidget(jobs)

        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

        self.save_key_button.clicked.connect(self.on_save_key)
        self.remove_key_button.clicked.connect(self.on_remove_key)
        self.check_key_button.clicked.connect(self.on_check_key)
        self._show_source()
        self._background.submit(self._backend_info, on_done=self.on_backend_info)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        # A row holding a layout gets no buddy from QFormLayout, and without one the "&" shows.
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    # -- key --

    def _store(self) -> Any:
        return self._session.key_store()

    def _backend_info(self) -> tuple[bool, str]:
        store = self._store()
        return store.backend_available(), store.backend_name()

    @Slot(object)
    def on_backend_info(self, info: Any) -> None:
        available, name = info
        self._backend_available = available
        if available:
            self.backend_label.setText(name)
        else:
            self.backend_label.setText(
                self.tr(
                    "This system has no keyring, so the key cannot be stored. "
                    "It can be kept for this session only, or set MOUNTSEA_API_KEY."
                )
            )
            self.session_check.setChecked(True)
            self.session_check.setEnabled(False)
        self.adjustSize()  # the backend's sentence may need more lines than "checking…" did

    def _show_source(self) -> None:
        source, _demo = self._session.key_info()
        text = {
            "env": self.tr(
                "from the MOUNTSEA_API_KEY environment variable (it wins over a stored key)"
            ),
            "keyring": self.tr("stored in the system keyring"),
            "session": self.tr("kept for this session only"),
        }.get(source, self.tr("none: the app runs in demo mode"))
        self.source_label.setText(text)
        self.remove_key_button.setEnabled(source in ("keyring", "session"))

    @Slot(bool)
    def on_show_key(self, show: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if show else QLineEdit.EchoMode.Password
        )

    def _say(self, text: str | None, *, error: bool = False) -> None:
        """The key's status, whole: once the layouts have placed the new text, the dialog grows
        by what its wrapped lines lack (a top-level window does not follow a label's
        height-for-width by itself, so a long sentence would be cut off)."""
        self.key_status.show_text(text, error=error)
        self._fit_timer.start()

    @Slot()
    def on_fit_status(self) -> None:
        label = self.key_status
        if not label.isVisible():
            return
        missing = label.heightForWidth(label.width()) - label.height()
        if missing > 0:
            self.resize(self.width(), self.height() + missing)
            self._fit_timer.start()  # the width may settle differently: look once more

    @Slot()
    def on_save_key(self) -> None:
        key = self.key_edit.text().strip()
        if not key:
            self._say(self.tr("Paste a key first."), error=True)
            return
        if key == self._refused_key:
            self._ask_to_save_refused()
            return
        self._save_key(key)

    def _ask_to_save_refused(self) -> None:
        """The check just said the server refuses this key: saving it is the user's call."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Save a refused key?"),
            self.tr(
                "The server refused this key when it was checked. Jobs sent with it will fail. "
                "Save it anyway?"
            ),
            parent=self,
        )
        box.setObjectName("refusedKeyQuestion")
        keep = box.addButton(self.tr("Don't save"), QMessageBox.ButtonRole.RejectRole)
        save = box.addButton(self.tr("Save anyway"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def on_finished(_result: int) -> None:
            self.refused_question = None
            key = self.key_edit.text().strip()
            if box.clickedButton() is save and key:
                self._save_key(key)
            else:
                self._say(self.tr("Not saved. Paste the right key and check it again."))

        box.finished.connect(on_finished)
        self.refused_question = box
        box.open()

    def _save_key(self, key: str) -> None:
        store = self._store()
        if self.session_check.isChecked():
            store.set_session_key(key)
            self._key_saved(key, "session")
            return
        self._busy(True)
        self._background.submit(
            store.save,
            key,
            receiver=self,
            on_done=lambda _r: self._key_saved(key, "keyring"),
            on_error=self.on_save_failed,
        )

    def _key_saved(self, key: str, source: str) -> None:
        self._busy(False)
        # The environment variable still wins when set; the saved key waits behind it.
        current, _ = self._session.key_info()
        if current == "env":
            self._say(self.tr("Saved. MOUNTSEA_API_KEY is set, so that key stays in use."))
        else:
            self._session.apply_key(key, source)
            self._say(
                self.tr("Saved in the system keyring.")
                if source == "keyring"
                else self.tr("Kept for this session only.")
            )
        self.key_edit.clear()
        self._show_source()

    def on_save_failed(self, error: BaseException) -> None:
        self._busy(False)
        from app.core.keys import KeyStoreUnavailable

        if isinstance(error, KeyStoreUnavailable):
            self._say(str(error), error=True)
            self.session_check.setChecked(True)
        else:
            self._say(self.tr("Could not save the key: {0}").format(error), error=True)

    @Slot()
    def on_remove_key(self) -> None:
        store = self._store()
        self._busy(True)

        def remove() -> tuple[str | None, str]:
            store.delete()
            key, source = store.get()
            return key, str(source)

        self._background.submit(remove, on_done=self.on_key_removed, on_error=self.on_remove_failed)

    def on_remove_failed(self, error: BaseException) -> None:
        self._busy(False)
        self._say(str(error), error=True)

    @Slot(object)
    def on_key_removed(self, found: Any) -> None:
        self._busy(False)
        key, source = found
        self._session.apply_key(key, source)
        self._say(self.tr("The key was removed."))
        self._show_source()

    @Slot()
    def on_check_key(self) -> None:
        key = self.key_edit.text().strip() or self._session.api_key
        if not key:
            self._say(self.tr("There is no key to check yet."), error=True)
            return
        base_url = self.base_url_edit.text().strip() or DEFAULT_BASE_URL
        self._busy(True)
        self._checked_key = key
        self._say(self.tr("Checking…"))
        self._background.submit(
            self._session.check_key,
            base_url,
            key,
            on_done=self.on_key_ok,
            on_error=self.on_key_bad,
        )

    @Slot(object)
    def on_key_ok(self, _result: Any) -> None:
        self._busy(False)
        self._refused_key = None
        self._say(self.tr("The server accepts this key."))

    def on_key_bad(self, error: BaseException) -> None:
        self._busy(False)
        # Only the server's "no" marks the key; an unreachable server says nothing about it.
        refused = isinstance(error, ApiError) and sentences.key_problem(str(error.kind))
        self._refused_key = self._checked_key if refused else None
        self._say(error_sentence(error, settings=True), error=True)

    def _busy(self, busy: bool) -> None:
        for b in (self.save_key_button, self.remove_key_button, self.check_key_button):
            b.setEnabled(not busy)
        if not busy:
            self._show_source()

    # -- the rest --

    @Slot()
    def on_browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self,
            self.tr("Folder for new pictures"),
            self.images_edit.text() or self.images_edit.placeholderText(),
        )
        if folder:
            self.images_edit.setText(folder)

    def accept(self) -> None:
        s = self._settings
        base_url = (self.base_url_edit.text().strip() or DEFAULT_BASE_URL).rstrip("/")
        if base_url != self._initial_base_url:
            # Only an edit here is saved: a one-off --base-url must not become the setting.
            s.base_url = base_url
            self._session.set_base_url(base_url)
        s.concurrency = self.concurrency_spin.value()
        s.images_dir = self.images_edit.text().strip() or None
        s.feather = self.feather_spin.value()
        s.keep_unmasked = self.keep_check.isChecked()
        s.notifications = self.notify_check.isChecked()
        s.stream_previews = self.stream_check.isChecked()
        s.language = str(self.language_combo.currentData())
        self.applied.emit()
        super().accept()
