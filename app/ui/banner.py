"""A strip across the top of the window: demo mode, settings that were reset, a key problem."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class Banner(QFrame):
    action_clicked = Signal()
    closed = Signal()

    def __init__(self, object_name: str, *, closable: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setProperty("banner", True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label, 1)
        self.button = QPushButton(self)
        self.button.setObjectName(f"{object_name}Button")
        self.button.clicked.connect(self.action_clicked)
        self.button.hide()
        layout.addWidget(self.button)
        self.close_button = QToolButton(self)
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Hide this message"))
        self.close_button.setAccessibleName(self.tr("Hide this message"))
        self.close_button.clicked.connect(self.on_close_clicked)
        self.close_button.setVisible(closable)
        layout.addWidget(self.close_button)
        self.hide()

    def show_message(self, text: str, action: str | None = None) -> None:
        self.label.setText(text)
        self.button.setText(action or "")
        self.button.setVisible(bool(action))
        if self.close_button.isVisibleTo(self) and self.close_button.icon().isNull():
            # The app's own icon, drawn when first needed (a font's "✕" may be missing).
            from PySide6.QtGui import QPalette

            from app.ui.icons import icon

            ink = self.palette().color(QPalette.ColorRole.WindowText)
            self.close_button.setIcon(icon("cancel", ink, 12))
        self.show()

    def on_close_clicked(self) -> None:
        self.hide()
        self.closed.emit()
