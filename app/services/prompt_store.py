"""The prompt history and the saved prompts as the window sees them: list models to show and
search, and the one place that changes them and writes their file (app.core.prompts holds the
rules and the format).

Changes are written a moment later on a worker (several changes, one write); `flush()` writes
what is still pending, at close. The settings kept with a prompt are the form's own choices
(`form_settings`), so choosing a prompt "with its settings" is FormModel.apply_params.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from app.core import sentences
from app.core.api.models import DEFAULT_MODEL
from app.core.library.files import write_atomic
from app.core.prompts import (
    FILE_NAME,
    Prompt,
    PromptFileError,
    PromptStore,
    Settings,
    export_bytes,
    read_export,
    search,
)
from app.services.background import Background
from app.services.form import FormModel

log = logging.getLogger(__name__)

ROLE_PROMPT = Qt.ItemDataRole.UserRole + 1
WRITE_DELAY_MS = 400
FORM_FIELDS = (
    "size",
    "quality",
    "background",
    "output_format",
    "output_compression",
    "moderation",
    "input_fidelity",
)

Index = QModelIndex | QPersistentModelIndex
translate = QCoreApplication.translate


def form_settings(form: FormModel) -> Settings:
    """The parameters a prompt is kept with, as FormModel.apply_params takes them back."""
    settings: Settings = {name: getattr(form, name) for name in FORM_FIELDS}
    settings["model"] = form.model_name.strip() or DEFAULT_MODEL
    settings["user"] = form.user.strip()
    return settings


def apply(form: FormModel, prompt: Prompt, *, with_settings: bool) -> None:
    if with_settings:
        form.apply_params({**prompt.settings, "prompt": prompt.text})
    else:
        form.prompt = prompt.text


def one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def settings_summary(settings: Settings) -> str:
    """For a tooltip: 1536x1024 · high · auto · png (the values as the request sends them)."""
    parts = [
        str(settings[k])
        for k in ("size", "quality", "background", "output_format")
        if k in settings
    ]
    return " · ".join(parts)


class PromptListModel(QAbstractListModel):
    """One list (the history or the saved prompts), filtered by a search text."""

    def __init__(
        self, source: Callable[[], list[Prompt]], *, named: bool, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._named = named
        self._query = ""
        self._rows: list[Prompt] = []
        self.refresh()

    def set_filter(self, query: str) -> None:
        if query != self._query:
            self._query = query
            self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._rows = search(self._source(), self._query)
        self.endResetModel()

    def prompt_at(self, row: int) -> Prompt | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        prompt = self.prompt_at(index.row()) if index.isValid() else None
        if prompt is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            text = one_line(prompt.text)
            return f"{prompt.name} — {text}" if self._named else text
        if role == Qt.ItemDataRole.ToolTipRole:
            when = QLocale().toString(
                QDateTime.fromSecsSinceEpoch(int(prompt.time)), QLocale.FormatType.ShortFormat
            )
            lines = [prompt.text if len(prompt.text) <= 1200 else prompt.text[:1200] + "…"]
            summary = settings_summary(prompt.settings)
            lines.append(f"{when} · {summary}" if summary else when)
            return "\n".join(lines)
        if role == ROLE_PROMPT:
            return prompt
        return None


class PromptLibrary(QObject):
    """The history and the saved prompts of one data folder."""

    changed = Signal()  # either list changed
    failed = Signal(str)  # a sentence: the file could not be written

    def __init__(
        self, data_dir: Path, background: Background, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._background = background
        # Read on a worker (1,000 long prompts: 700 kB, 10 ms to parse): what is done before
        # it is back is taken into it (PromptStore.adopt), and nothing is written until then.
        path = data_dir / FILE_NAME
        self.store = PromptStore(path)
        self.loaded = False
        self.history_model = PromptListModel(
            lambda: self.store.history.entries(), named=False, parent=self
        )
        self.saved_model = PromptListModel(
            lambda: self.store.saved.entries(), named=True, parent=self
        )
        self._generation = 0
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(WRITE_DELAY_MS)
        self._timer.timeout.connect(self.on_write_due)
        background.submit(PromptStore.load, path, on_done=self.on_loaded, receiver=self)

    def on_loaded(self, store: PromptStore) -> None:
        store.adopt(self.store)
        self.store = store
        self.loaded = True
        self.history_model.refresh()
        self.saved_model.refresh()
        self.changed.emit()
        if self._pending:
            self._timer.start()

    # -- reading -------------------------------------------------------------------------

    @property
    def history(self) -> list[Prompt]:
        return self.store.history.entries()

    def saved_names(self) -> list[str]:
        return self.store.saved.names()

    def saved(self, name: str) -> Prompt | None:
        return self.store.saved.get(name)

    # -- changing ------------------------------------------------------------------------

    def record(self, text: str, settings: Settings) -> None:
        """A prompt was sent."""
        if self.store.history.record(text, settings) is not None:
            self._changed(self.history_model)

    def save(self, name: str, text: str, settings: Settings) -> None:
        self.store.saved.save(name, text, settings)
        self._changed(self.saved_model)

    def rename(self, old: str, new: str) -> None:
        """ValueError when the new name is empty or taken."""
        self.store.saved.rename(old, new)
        self._changed(self.saved_model)

    def remove_saved(self, name: str) -> None:
        self.store.saved.remove(name)
        self._changed(self.saved_model)

    def remove_history(self, text: str) -> None:
        self.store.history.remove(text)
        self._changed(self.history_model)

    def export_to(self, path: Path) -> None:
        """OSError when the file cannot be written."""
        write_atomic(path, export_bytes(self.store.saved.entries()))

    def import_from(self, path: Path) -> tuple[list[str], str | None]:
        """The names added, or the sentence saying why the file cannot be imported."""
        try:
            incoming = read_export(path)
        except PromptFileError as exc:
            log.warning("prompts not imported from %s: %s", path, exc)
            return [], sentences.prompt_file_sentence(exc, translate)
        added = self.store.saved.merge(incoming)
        if added:
            self._changed(self.saved_model)
        return added, None

    def _changed(self, model: PromptListModel) -> None:
        model.refresh()
        self._generation += 1
        self._pending = True
        self._timer.start()
        self.changed.emit()

    # -- writing -------------------------------------------------------------------------

    def on_write_due(self) -> None:
        if not self._pending or not self.loaded:
            return
        self._pending = False
        self._background.submit(
            self.store.write,
            self.store.snapshot(),
            self._generation,
            on_error=self.on_write_failed,
            receiver=self,
        )

    def on_write_failed(self, exc: BaseException) -> None:
        log.warning("the prompt history could not be saved: %s", exc)
        detail = getattr(exc, "strerror", None) or exc
        self.failed.emit(
            translate("PromptHistory", "The prompt history could not be saved: %1").replace(
                "%1", str(detail)
            )
        )

    def flush(self) -> None:
        """Write now what is still waiting (at close, on the GUI thread)."""
        self._timer.stop()
        if not self._pending:
            return
        if not self.loaded:  # closed within milliseconds of opening: read it here
            self.on_loaded(PromptStore.load(self.store.path))
        self._pending = False
        started = time.perf_counter()
        try:
            self.store.write(self.store.snapshot(), self._generation)
        except OSError as exc:
            log.warning("the prompt history could not be saved at close: %s", exc)
        log.debug("prompt history written in %.1f ms", (time.perf_counter() - started) * 1000)
