"""Quitting with jobs running asks first: a Compat picture still being made is lost if the app
quits now (and is billed all the same); an async task resumes at the next start."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.job_records import JobRecord


def running_counts(records: list[JobRecord]) -> tuple[int, int]:
    """(Compat jobs that would be lost, async jobs that resume next time) among running ones."""
    running = [r for r in records if not r.final]
    lost = sum(1 for r in running if r.flavour == "compat")
    return lost, len(running) - lost


def ask(parent: QWidget, lost: int, resume: int, on_quit: Callable[[], None]) -> QMessageBox:
    """Open the question (window-modal, never blocking the event loop); `on_quit` runs when the
    person chooses to quit anyway. Returns the box, named quitQuestion."""
    lines = []
    if lost:
        # One literal per string: lupdate reads neither wrappers nor implicit concatenation.
        lines.append(
            QCoreApplication.translate(
                "QuitQuestion",
                "%n picture(s) being made with the Compat API will be lost if you quit now; the server bills them anyway.",
                "",
                lost,
            )
        )
    if resume:
        lines.append(
            QCoreApplication.translate(
                "QuitQuestion",
                "%n async task(s) will resume the next time the app starts.",
                "",
                resume,
            )
        )
    box = QMessageBox(
        QMessageBox.Icon.Warning if lost else QMessageBox.Icon.Question,
        QCoreApplication.translate("QuitQuestion", "Jobs are still running"),
        "\n\n".join(lines),
        parent=parent,
    )
    box.setObjectName("quitQuestion")
    wait = box.addButton(
        QCoreApplication.translate("QuitQuestion", "Wait for them"),
        QMessageBox.ButtonRole.RejectRole,
    )
    quit_now = box.addButton(
        QCoreApplication.translate("QuitQuestion", "Quit anyway"),
        QMessageBox.ButtonRole.DestructiveRole,
    )
    box.setDefaultButton(wait)
    box.setEscapeButton(wait)

    def on_finished(_result: int) -> None:
        if box.clickedButton() is quit_now:
            on_quit()

    box.finished.connect(on_finished)
    box.open()
    return box
