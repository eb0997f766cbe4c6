"""The window and the command line open the same library: one data folder for both."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from app import APP_NAME, ORG_NAME, paths


def test_default_is_the_local_not_the_roaming_profile():
    assert paths.default_data_dir() == Path(
        platformdirs.user_data_dir(APP_NAME, ORG_NAME, roaming=False)
    )


def test_given_folder_wins_and_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert paths.resolve_data_dir(Path("lib")) == tmp_path / "lib"
    assert paths.resolve_data_dir(None) == paths.default_data_dir().resolve()
