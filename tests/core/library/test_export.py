"""Export: pictures copied into a folder or stored in a ZIP file, names never clobbered."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.core.library.export import archive_names, export_files
from tests.core.library.helpers import make_image


def pictures(tmp_path: Path) -> list[Path]:
    """Three pictures, two of them sharing a name (made on different days)."""
    out = []
    made = (("a", "harbour.png", "png"), ("b", "harbour.png", "png"), ("a", "fox.jpg", "jpeg"))
    for seed, (sub, name, fmt) in enumerate(made, start=1):
        p = tmp_path / "images" / sub / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(make_image(fmt, seed=seed))  # different pictures under the same name
        out.append(p)
    return out


def test_archive_names_number_the_repeats() -> None:
    paths = [Path("a/x.png"), Path("b/x.png"), Path("c/x.png"), Path("d/x (2).png")]
    assert archive_names(paths) == ["x.png", "x (2).png", "x (3).png", "x (2) (2).png"]


def test_zip_holds_every_picture_stored_as_is(tmp_path: Path) -> None:
    paths = pictures(tmp_path)
    dest = tmp_path / "out" / "mountsea-images.zip"
    dest.parent.mkdir()
    assert export_files(paths, dest, as_zip=True) == (str(dest), 3)
    with zipfile.ZipFile(dest) as zf:
        assert zf.namelist() == ["harbour.png", "harbour (2).png", "fox.jpg"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        assert [zf.read(n) for n in zf.namelist()] == [p.read_bytes() for p in paths]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["mountsea-images.zip"]  # no leftovers


def test_a_failed_zip_leaves_neither_a_partial_nor_a_broken_file(tmp_path: Path) -> None:
    paths = pictures(tmp_path)
    dest = tmp_path / "out.zip"
    dest.write_bytes(b"an earlier export")
    with pytest.raises(FileNotFoundError):
        export_files([*paths, tmp_path / "vanished.png"], dest, as_zip=True)
    assert dest.read_bytes() == b"an earlier export"
    assert not (tmp_path / ".out.zip.partial").exists()


def test_folder_copies_never_overwrite(tmp_path: Path) -> None:
    paths = pictures(tmp_path)
    folder = tmp_path / "copies" / "new"  # made if missing
    assert export_files(paths, folder, as_zip=False) == (str(folder), 3)
    export_files(paths[:1], folder, as_zip=False)  # again: a second copy, not a replacement
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["fox.jpg", "harbour (2).png", "harbour (3).png", "harbour.png"]
    assert (folder / "harbour (2).png").read_bytes() == paths[1].read_bytes()
    assert (folder / "harbour (3).png").read_bytes() == paths[0].read_bytes()
