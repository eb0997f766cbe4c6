"""The flowing rows: wrap instead of clipping, report the height that takes, keep the order."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget

from app.ui.flow import ActionBar, FlowLayout


def test_items_wrap_onto_more_lines_when_narrow(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    flow = FlowLayout(host, spacing=4)
    buttons = [QPushButton(f"Button number {i}") for i in range(5)]
    for button in buttons:
        button.setFixedWidth(100)
        flow.addWidget(button)
    line = buttons[0].sizeHint().height()
    assert flow.heightForWidth(600) == line  # all on one line
    assert flow.heightForWidth(250) == 3 * line + 2 * 4  # two, two, one
    assert flow.minimumSize().width() == 100  # as narrow as the widest item
    host.resize(250, flow.heightForWidth(250))
    host.show()
    qtbot.waitExposed(host)
    flow.setGeometry(host.rect())
    tops = [b.geometry().top() for b in buttons]
    assert tops[0] == tops[1] < tops[2] == tops[3] < tops[4]
    assert all(b.geometry().right() < 250 for b in buttons)


def test_action_bar_shows_every_action_with_its_key(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    actions = [QAction(f"Action {i}", host) for i in range(12)]
    actions[3].setShortcut(QKeySequence("Ctrl+D"))
    separator = QAction(host)
    separator.setSeparator(True)
    bar = ActionBar([*actions[:6], separator, *actions[6:]])
    qtbot.addWidget(bar)
    bar.resize(200, bar.heightForWidth(200))
    bar.show()
    qtbot.waitExposed(bar)
    for action in actions:
        button = bar.button(action)
        assert button is not None and button.isVisible()
        assert bar.rect().contains(button.geometry())
    assert bar.button(actions[3]).toolTip() == "Action 3 (Ctrl+D)"
