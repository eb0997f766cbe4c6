"""The session folder's files, without a window (the window's side: tests/ui/test_session_restore.py)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from app.services.edit_session import Picture, SessionFiles, SessionState


def png(colour: tuple[int, int, int], size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_round_trip_keeps_order_names_and_mask_pixels(tmp_path: Path) -> None:
    files = SessionFiles(tmp_path / "session")
    mask = bytes(range(48))
    state = SessionState(
        "a prompt",
        [Picture(png((1, 2, 3)), "png", "a.png"), Picture(png((4, 5, 6)), "png", "b.png")],
        mask,
        (8, 6),
    )
    files.write(state, 1)
    back = SessionFiles(tmp_path / "session").read()
    assert back == state


def test_an_older_write_arriving_late_is_dropped_and_old_files_go(tmp_path: Path) -> None:
    files = SessionFiles(tmp_path)
    newer = SessionState("newer", [Picture(png((9, 9, 9)), "png", "n.png")])
    files.write(newer, 2)
    files.write(SessionState("older", [Picture(png((1, 1, 1)), "png", "o.png")]), 1)
    assert files.read() == newer
    files.write(SessionState("empty"), 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.json"]
    assert files.read() == SessionState("empty")


def test_nothing_kept_reads_as_an_empty_session(tmp_path: Path) -> None:
    assert SessionFiles(tmp_path / "none").read() == SessionState()
