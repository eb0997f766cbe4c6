"""The main window's status bar (where jobs go, how many run, offline) and its demo banner,
bound to the session and the task model. Strings keep the MainWindow translation context."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Slot
from PySide6.QtWidgets import QLabel, QMainWindow

from app.services.runner import JobRunner
from app.services.session import Session
from app.services.task_model import TaskModel
from app.ui.banner import Banner


class WindowStatus(QObject):
    def __init__(
        self,
        window: QMainWindow,
        *,
        session: Session,
        runner: JobRunner,
        task_model: TaskModel,
        demo_banner: Banner,
    ) -> None:
        super().__init__(window)
        self.session = session
        self.task_model = task_model
        self.demo_banner = demo_banner
        self.network = self._label(window, "statusNetwork")
        self.jobs = self._label(window, "statusJobs")
        self.endpoint = self._label(window, "statusEndpoint")
        runner.job_added.connect(self.on_jobs_changed)
        runner.job_changed.connect(self.on_jobs_changed)
        session.endpoint_changed.connect(self.on_endpoint_changed)
        session.state_changed.connect(self.on_endpoint_changed)
        session.demo_changed.connect(self.on_demo_changed)
        session.simulator_failed.connect(self.on_simulator_failed)
        self.on_endpoint_changed()

    @staticmethod
    def _label(window: QMainWindow, name: str) -> QLabel:
        label = QLabel(window)
        label.setObjectName(name)
        window.statusBar().addPermanentWidget(label)
        return label

    @Slot()
    def on_endpoint_changed(self) -> None:
        session = self.session
        endpoint = session.endpoint()
        if session.looking_up:
            text = QCoreApplication.translate("MainWindow", "Looking up the API key…")
        elif session.starting_simulator:
            text = QCoreApplication.translate("MainWindow", "Starting the demo server…")
        elif session.is_demo() or (endpoint is not None and endpoint.demo):
            text = QCoreApplication.translate("MainWindow", "Demo server")
        elif endpoint is None:
            text = ""
        else:
            source = {
                "env": QCoreApplication.translate("MainWindow", "key from MOUNTSEA_API_KEY"),
                "keyring": QCoreApplication.translate("MainWindow", "key from the keyring"),
                "session": QCoreApplication.translate("MainWindow", "key for this session"),
            }.get(session.key_info()[0], "")
            text = f"{endpoint.base_url} · {source}" if source else endpoint.base_url
        self.endpoint.setText(text)

    @Slot(bool)
    def on_demo_changed(self, demo: bool) -> None:
        if not demo:
            self.demo_banner.hide()
            return
        self.demo_banner.show_message(
            QCoreApplication.translate(
                "MainWindow",
                "Demo mode: pictures come from the built-in simulator and nothing is sent to Mountsea. "
                "Add your API key to make real images.",
            ),
            QCoreApplication.translate("MainWindow", "Add API key…"),
        )

    @Slot(str)
    def on_simulator_failed(self, error: str) -> None:
        self.demo_banner.show_message(
            QCoreApplication.translate(
                "MainWindow",
                "The demo server could not start ({0}). Add your API key to make images.",
            ).format(error),
            QCoreApplication.translate("MainWindow", "Add API key…"),
        )

    @Slot()
    def on_jobs_changed(self, *_: Any) -> None:
        counts = self.task_model.counts()
        active = counts.get("running", 0) + counts.get("queued", 0) + counts.get("waiting", 0)
        self.jobs.setText(
            QCoreApplication.translate("MainWindow", "%n job(s) running", "", active)
            if active
            else ""
        )
        # Jobs that could not reach the server probe it on their own and start when it answers.
        offline = counts.get("waiting_network", 0)
        self.network.setText(QCoreApplication.translate("MainWindow", "Offline") if offline else "")
        self.network.setToolTip(
            QCoreApplication.translate(
                "MainWindow",
                "No network: %n job(s) wait and start when it is back. The gallery works as usual.",
                "",
                offline,
            )
            if offline
            else ""
        )
