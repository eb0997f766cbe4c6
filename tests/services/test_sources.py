"""The edit sources as a list model, without any widget: order, the cap, replace-the-first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QAbstractItemModelTester

from app.core.api.models import MAX_IMAGES
from app.core.imaging import PreparedImage
from app.services.sources import ROLE_ID, Source, SourceList


def source(name: str, size: tuple[int, int] = (10, 10)) -> Source:
    prepared = PreparedImage(b"x" * 100, size[0], size[1], "png", filename=name)
    return Source(0, prepared, [], QImage(4, 4, QImage.Format.Format_ARGB32))


@pytest.fixture
def model(qapp) -> Iterator[SourceList]:  # type: ignore[no-untyped-def]
    m = SourceList()
    # Qt's own checker: every signal and index the model gives is consistent.
    tester = QAbstractItemModelTester(m, QAbstractItemModelTester.FailureReportingMode.Fatal)
    yield m
    del tester


def names(model: SourceList) -> list[str]:
    return [s.prepared.filename for s in model.sources()]


def test_loads_land_in_the_order_they_were_asked_for(model: SourceList) -> None:
    changes: list[None] = []
    model.changed.connect(lambda: changes.append(None))
    a, b, c = model.expect(), model.expect(), model.expect()
    assert model.land(c, source("c")) == []  # a and b still loading
    assert model.land(b, source("b")) == []
    assert changes == []
    landed = model.land(a, source("a"))
    assert [s.prepared.filename for s in landed] == ["a", "b", "c"]
    assert names(model) == ["a", "b", "c"] and len(changes) == 1
    ids = [s.id for s in model.sources()]
    assert len(set(ids)) == 3 and model.index(1).data(ROLE_ID) == ids[1]


def test_a_failed_load_does_not_hold_back_the_next(model: SourceList) -> None:
    a, b = model.expect(), model.expect()
    model.land(b, source("b"))
    model.fail(a)
    assert names(model) == ["b"]


def test_labels_and_tips_follow_the_order(model: SourceList) -> None:
    for name in ("a", "b"):
        model.land(model.expect(), source(name))
    assert model.index(0).data() == "1 · mask" and model.index(1).data() == "2"
    assert "The mask applies to this picture." in model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert "mask" not in model.index(1).data(Qt.ItemDataRole.ToolTipRole)
    assert not model.index(0).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert model.move(1, 0)
    assert names(model) == ["b", "a"] and model.index(0).data() == "1 · mask"


def test_move_and_move_rows_agree(model: SourceList) -> None:
    for name in "abcd":
        model.land(model.expect(), source(name))
    assert model.move(0, 2) and names(model) == ["b", "c", "a", "d"]
    # What a drag in the view asks: move row 3 before row 0.
    assert model.moveRow(QModelIndex(), 3, QModelIndex(), 0)
    assert names(model) == ["d", "b", "c", "a"]
    assert not model.move(1, 1) and not model.move(0, 9)
    assert not model.moveRow(QModelIndex(), 1, QModelIndex(), 2)  # onto itself


def test_the_cap_counts_loads_still_running(model: SourceList) -> None:
    for _ in range(MAX_IMAGES - 2):
        model.land(model.expect(), source("x"))
    model.expect()  # one still loading
    fit, problem = model.take(["a", "b", "c"])
    assert fit == ["a"] and problem is not None and str(MAX_IMAGES) in problem
    assert "only the first ones" in problem
    model.expect()
    fit, problem = model.take(["z"])
    assert fit == [] and problem is not None and "remove one first" in problem
    assert model.room() == 0


def test_replace_first_keeps_the_others(model: SourceList) -> None:
    for name in ("orig", "ref"):
        model.land(model.expect(), source(name))
    token = model.expect(replace_first=True)
    assert model.replaces_first(token)
    assert [s.prepared.filename for s in model.land(token, source("result"))] == ["result"]
    assert names(model) == ["result", "ref"] and not model.replaces_first(token)
    empty = SourceList()
    empty.land(empty.expect(replace_first=True), source("only"))
    assert names(empty) == ["only"]


def test_remove_and_clear(qapp) -> None:  # type: ignore[no-untyped-def]
    # No model tester here: it expects the row after a removed one to keep its data, and the
    # labels are positions by design ("1 · mask", "2"), refreshed by dataChanged right after.
    model = SourceList()
    for name in "abc":
        model.land(model.expect(), source(name))
    model.remove([0, 2, 7])
    assert names(model) == ["b"]
    pending = model.expect()
    model.clear()
    assert model.count() == 0 and model.first() is None
    assert model.land(pending, source("late")) == []  # cleared while it loaded
    assert model.room() == MAX_IMAGES


def test_replace_all_takes_the_whole_list_and_restore_brings_it_back(model: SourceList) -> None:
    for name in ("a", "b"):
        model.land(model.expect(), source(name))
    before = model.sources()
    pending = model.expect()  # queued for the list being replaced: it must not land after
    token = model.expect(replace_all=True)
    assert model.replaces_all(token) and not model.replaces_first(token)
    assert model.land(token, source("new"))[0].prepared.filename == "new"
    assert names(model) == ["new"]
    assert model.land(pending, source("late")) == [] and names(model) == ["new"]
    model.restore(before)
    assert model.sources() == before and names(model) == ["a", "b"]
