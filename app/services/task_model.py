"""The task list's model: one row per job, newest first, bound to the JobRunner's records.

One QTimer ticks the elapsed time of running rows once a second (dataChanged for those rows
only); it stops when nothing runs.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Slot,
)

from app.core.library import JobState
from app.core.library.timing import progress
from app.services.job_records import FINAL_STATES, JobRecord, can_check_again
from app.services.runner import JobRunner

_Index = QModelIndex | QPersistentModelIndex
translate = QCoreApplication.translate


class Roles:
    State = Qt.ItemDataRole.UserRole + 1  # the contract's six states (waiting shows as queued)
    Key = Qt.ItemDataRole.UserRole + 2
    DetailedState = Qt.ItemDataRole.UserRole + 3  # also "waiting"
    ServerStatus = Qt.ItemDataRole.UserRole + 4
    Elapsed = Qt.ItemDataRole.UserRole + 5  # seconds (float) or None
    Prompt = Qt.ItemDataRole.UserRole + 6
    Flavour = Qt.ItemDataRole.UserRole + 7
    Params = Qt.ItemDataRole.UserRole + 8
    Error = Qt.ItemDataRole.UserRole + 9
    Detail = Qt.ItemDataRole.UserRole + 10
    Thumbnail = Qt.ItemDataRole.UserRole + 11
    Paths = Qt.ItemDataRole.UserRole + 12
    LateResult = Qt.ItemDataRole.UserRole + 13
    Record = Qt.ItemDataRole.UserRole + 14
    RawAnswer = Qt.ItemDataRole.UserRole + 15  # the server's answer nobody could read, or None
    CanCheckAgain = Qt.ItemDataRole.UserRole + 16  # "Check the server again" applies
    Typical = Qt.ItemDataRole.UserRole + 21  # seconds jobs like this usually take, or None
    Progress = Qt.ItemDataRole.UserRole + 22  # elapsed / typical (0..0.95) while running, or None
    Offline = Qt.ItemDataRole.UserRole + 23  # waiting for the network (bool)
    Offer = Qt.ItemDataRole.UserRole + 24  # "settings" / "cutout": the fix the row offers, or None


def format_elapsed(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return (
        f"{s // 60}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    )


def job_progress(record: JobRecord) -> float | None:
    """How far a running job probably is, from the typical time (None: no estimate yet)."""
    if record.state != JobState.running or record.elapsed is None:
        return None
    return progress(record.elapsed, record.typical)


def format_estimate(record: JobRecord) -> str:
    """ "1:12", or "1:12 of about 1:40" while a job with a typical time runs."""
    elapsed = format_elapsed(record.elapsed)
    if record.final or record.typical is None or not elapsed:
        return elapsed
    return translate("TaskList", "{0} of about {1}").format(elapsed, format_elapsed(record.typical))


class TaskModel(QAbstractListModel):
    def __init__(self, runner: JobRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._runner = runner
        self._keys: list[str] = list(reversed(runner.keys()))  # newest first
        self._row: dict[str, int] = {}
        self._reindex()
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.on_tick)
        runner.job_added.connect(self.on_job_added)
        runner.job_changed.connect(self.on_job_changed)
        runner.job_removed.connect(self.on_job_removed)
        self._update_ticker()

    def _reindex(self) -> None:
        self._row = {k: i for i, k in enumerate(self._keys)}

    # -- Qt model API --

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._keys)

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802
        names = super().roleNames()
        names.update(
            {
                Roles.State: QByteArray(b"state"),
                Roles.ServerStatus: QByteArray(b"serverStatus"),
                Roles.Elapsed: QByteArray(b"elapsed"),
            }
        )
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        record = self._runner.record(self._keys[index.row()])
        if record is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return record.prompt
        if role == Qt.ItemDataRole.ToolTipRole:
            return record.error or record.prompt
        if role in (Roles.Thumbnail, Qt.ItemDataRole.DecorationRole):
            return record.thumbnail
        return self._role_value(record, role)

    @staticmethod
    def _role_value(record: JobRecord, role: int) -> Any:
        if role == Roles.State:
            return record.contract_state
        if role == Roles.DetailedState:
            return str(record.state)
        if role == Roles.Key:
            return record.key
        if role == Roles.ServerStatus:
            return record.server_status
        if role == Roles.Elapsed:
            return record.elapsed
        if role == Roles.Prompt:
            return record.prompt
        if role == Roles.Flavour:
            return record.flavour
        if role == Roles.Params:
            return record.params
        if role == Roles.Error:
            return record.error
        if role == Roles.Detail:
            return record.detail
        if role == Roles.Paths:
            return record.paths
        if role == Roles.LateResult:
            return record.late_result
        if role == Roles.Record:
            return record
        if role == Roles.RawAnswer:
            return record.raw
        if role == Roles.CanCheckAgain:
            return can_check_again(record)
        if role == Roles.Typical:
            return record.typical
        if role == Roles.Progress:
            return job_progress(record)
        if role == Roles.Offline:
            return record.offline and not record.final
        if role == Roles.Offer:
            return record.offer
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            record = self._runner.record(self._keys[index.row()])
            if record is not None and record.paths:
                base |= Qt.ItemFlag.ItemIsDragEnabled
        return base

    # -- helpers for views --

    def key_at(self, row: int) -> str | None:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def index_of(self, key: str) -> QModelIndex:
        row = self._row.get(key)
        return self.index(row, 0) if row is not None else QModelIndex()

    def record_at(self, row: int) -> JobRecord | None:
        key = self.key_at(row)
        return self._runner.record(key) if key else None

    # -- runner events --

    @Slot(str)
    def on_job_added(self, key: str) -> None:
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._keys.insert(0, key)
        self._reindex()
        self.endInsertRows()
        self._update_ticker()

    @Slot(str)
    def on_job_changed(self, key: str) -> None:
        row = self._row.get(key)
        if row is None:
            return
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)
        self._update_ticker()

    @Slot(str)
    def on_job_removed(self, key: str) -> None:
        row = self._row.get(key)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._keys[row]
        self._reindex()
        self.endRemoveRows()
        self._update_ticker()

    @Slot()
    def on_tick(self) -> None:
        for row, key in enumerate(self._keys):
            record = self._runner.record(key)
            if record is not None and record.state in (JobState.running, JobState.waiting):
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [Roles.Elapsed, Roles.Progress])
        self._update_ticker()

    def _update_ticker(self) -> None:
        active = any(
            (r := self._runner.record(k)) is not None
            and r.state not in FINAL_STATES
            and r.started is not None
            for k in self._keys
        )
        if active and not self._ticker.isActive():
            self._ticker.start()
        elif not active and self._ticker.isActive():
            self._ticker.stop()

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for key in self._keys:
            record = self._runner.record(key)
            if record is not None:
                state = str(record.state)
                out[state] = out.get(state, 0) + 1
                if record.offline and not record.final:
                    out["waiting_network"] = out.get("waiting_network", 0) + 1
        return out
